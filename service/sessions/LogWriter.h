#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace standby {

// Appends a session's output to its process log with plain write(2) calls: no buffer in between,
// so what the agent printed is on disk (in the page cache) the moment the holder has read it.
//
// Rotation (when maxBytes > 0), only ever between two writes, so no byte is lost or split off:
// before a write that would take the file past maxBytes (and the file is not empty),
//   name.log.{k} -> name.log.{k+1} for k = keep-1 … 1 (rename(2) replaces, so the oldest goes;
//                                                      any left beyond keep are removed),
//   name.log     -> name.log.1,
// and a new, empty name.log is opened; the write then goes there. Renames only: no copying, so it
// costs the same at any size. A file is larger than maxBytes only when one write alone is.
// A reader that follows the log notices a rotation as name.log becoming another file (its inode
// changes); whatever it had open is then complete as name.log.1. LogFiles lists the files.
// One writer per log: session names are unique among live sessions.
class LogWriter
{
public:
    struct Rotation
    {
        qint64 maxBytes = 0; // 0: the file just grows
        int keep = 3;        // rotated files kept, at least 1
    };

    LogWriter() = default;
    ~LogWriter();
    LogWriter(const LogWriter &) = delete;
    LogWriter &operator=(const LogWriter &) = delete;

    Status open(const QString &path) { return open(path, Rotation{0, 1}); }
    Status open(const QString &path, const Rotation &rotation);
    bool isOpen() const { return m_fd >= 0; }
    // Errors (a full disk) are counted, not fatal: the session runs on.
    void append(const QByteArray &bytes);
    qint64 failedBytes() const { return m_failedBytes; }
    // Called after each rotation, once the new file is open (it is empty then).
    void setRotatedHandler(std::function<void()> handler) { m_onRotated = std::move(handler); }
    int rotations() const { return m_rotations; }
    // The size of the current file as this writer knows it.
    qint64 size() const { return m_size; }

private:
    void rotate();
    bool reopen();

    QString m_path;
    Rotation m_rotation;
    int m_fd = -1;
    qint64 m_size = 0;
    qint64 m_rotateAt = 0;        // rotate before a write would pass this size
    bool m_reopenPending = false; // renamed away, but a new file could not be opened yet
    qint64 m_failedBytes = 0;
    int m_rotations = 0;
    std::function<void()> m_onRotated;
};

} // namespace standby
