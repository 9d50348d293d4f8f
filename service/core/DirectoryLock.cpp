#include "core/DirectoryLock.h"

#include <QDeadlineTimer>
#include <QFile>

#include <cerrno>
#include <ctime>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace standby {

DirectoryLock::DirectoryLock(const QString &directory, int timeoutMs)
{
    m_fd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m_fd < 0)
        return;
    bool locked = false;
    if (timeoutMs < 0) {
        locked = ::flock(m_fd, LOCK_EX) == 0;
    } else {
        // flock has no timeout: try, and try again every 100 µs until the deadline.
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0) {
                locked = true;
                break;
            }
            if (errno != EWOULDBLOCK || deadline.hasExpired())
                break;
            const timespec pause{0, 100 * 1000};
            ::nanosleep(&pause, nullptr);
        }
    }
    if (!locked) {
        ::close(m_fd);
        m_fd = -1;
    }
}

DirectoryLock::~DirectoryLock()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

} // namespace standby
