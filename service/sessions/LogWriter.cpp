#include "sessions/LogWriter.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace standby {

LogWriter::~LogWriter()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Status LogWriter::open(const QString &path)
{
    m_fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                  0600);
    if (m_fd < 0)
        return Error{QStringLiteral("io_error"),
                     QStringLiteral("cannot open the log %1: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)))};
    return std::nullopt;
}

void LogWriter::append(const QByteArray &bytes)
{
    const char *data = bytes.constData();
    qint64 left = bytes.size();
    while (left > 0 && m_fd >= 0) {
        const ssize_t n = ::write(m_fd, data, size_t(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            m_failedBytes += left;
            return;
        }
        data += n;
        left -= n;
    }
}

} // namespace standby
