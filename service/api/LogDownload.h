#pragma once

#include "logs/LogSnapshot.h"

#include <QObject>

#include <memory>

namespace standby {

class HttpStream;

// Sends a snapshot of a log's files into a streamed answer, a slice at a time, and only while
// the client keeps up: the socket's queue is filled to a bound and refilled as it drains, so a
// download of any size costs the daemon a few hundred kilobytes and never a long turn of its
// event loop, and a client that stops reading simply pauses it. A child of the stream, so it
// goes when the client does.
class LogDownload : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 kSliceBytes = 256 * 1024;
    static constexpr qint64 kQueueBytes = 512 * 1024;

    LogDownload(std::shared_ptr<LogSnapshot> snapshot, HttpStream *stream);

    void start();

private:
    void pump();

    std::shared_ptr<LogSnapshot> m_snapshot;
    HttpStream *m_stream;
    qsizetype m_index = 0; // the file being sent
    qint64 m_offset = 0;   // in it
};

} // namespace standby
