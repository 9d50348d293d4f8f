#include "sessions/LogWriter.h"

#include "core/LogCategories.h"
#include "core/LogFiles.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace standby {

static int openForAppend(const QString &path)
{
    return ::open(QFile::encodeName(path).constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                  0600);
}

LogWriter::~LogWriter()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Status LogWriter::open(const QString &path, const Rotation &rotation)
{
    m_path = path;
    m_rotation = rotation;
    m_rotation.keep = qMax(1, m_rotation.keep);
    m_fd = openForAppend(path);
    if (m_fd < 0)
        return Error{QStringLiteral("io_error"),
                     QStringLiteral("cannot open the log %1: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)))};
    struct stat st
    {
    };
    m_size = ::fstat(m_fd, &st) == 0 ? qint64(st.st_size) : 0;
    m_rotateAt = m_rotation.maxBytes;
    return std::nullopt;
}

void LogWriter::append(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    if (m_reopenPending)
        reopen();
    else if (m_rotation.maxBytes > 0 && m_size > 0 && m_size + bytes.size() > m_rotateAt)
        rotate();
    const char *data = bytes.constData();
    qint64 left = bytes.size();
    while (left > 0 && m_fd >= 0) {
        const ssize_t n = ::write(m_fd, data, size_t(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        data += n;
        left -= n;
        m_size += n;
    }
    m_failedBytes += left;
}

void LogWriter::rotate()
{
    const auto native = [this](int index) {
        return QFile::encodeName(LogFiles::rotated(m_path, index));
    };
    // Leftovers of a larger `keep` that an edit of the config made smaller.
    for (int index = m_rotation.keep + 1; index <= LogFiles::kMaxFiles; ++index) {
        if (::unlink(native(index).constData()) != 0)
            break;
    }
    // Shift only the files there are (a few stat calls, not `keep` renames), oldest first; the
    // rename onto name.log.{keep} replaces, and so drops, the oldest.
    int last = 0;
    while (last < m_rotation.keep && ::access(native(last + 1).constData(), F_OK) == 0)
        ++last;
    for (int index = qMin(last, m_rotation.keep - 1); index >= 1; --index)
        ::rename(native(index).constData(), native(index + 1).constData());
    if (::rename(native(0).constData(), native(1).constData()) != 0) {
        // Not rotated (the folder is read-only, say): keep appending, and try again only after
        // as much again, not on every write.
        const int error = errno;
        qCWarning(lcSession, "cannot rotate %s: %s", qUtf8Printable(m_path), std::strerror(error));
        m_rotateAt = m_size + m_rotation.maxBytes;
        return;
    }
    // The open descriptor now writes to name.log.1: until the new file is open, nothing is lost.
    m_reopenPending = true;
    reopen();
}

bool LogWriter::reopen()
{
    const int fd = openForAppend(m_path);
    if (fd < 0)
        return false; // still writing to name.log.1; tried again on the next write
    ::close(m_fd);
    m_fd = fd;
    struct stat st
    {
    };
    m_size = ::fstat(m_fd, &st) == 0 ? qint64(st.st_size) : 0;
    m_rotateAt = m_rotation.maxBytes;
    m_reopenPending = false;
    ++m_rotations;
    if (m_onRotated)
        m_onRotated();
    return true;
}

} // namespace standby
