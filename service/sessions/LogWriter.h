#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QString>

namespace standby {

// Appends a session's output to its process log with plain write(2) calls: no buffer in between,
// so what the agent printed is on disk (in the page cache) the moment the holder has read it.
class LogWriter
{
public:
    LogWriter() = default;
    ~LogWriter();
    LogWriter(const LogWriter &) = delete;
    LogWriter &operator=(const LogWriter &) = delete;

    Status open(const QString &path);
    // Errors (a full disk) are counted, not fatal: the session runs on.
    void append(const QByteArray &bytes);
    qint64 failedBytes() const { return m_failedBytes; }

private:
    int m_fd = -1;
    qint64 m_failedBytes = 0;
};

} // namespace standby
