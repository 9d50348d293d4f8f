#include "core/FileWatch.h"

#include "core/LogCategories.h"

#include <QFile>
#include <QSocketNotifier>

#include <cerrno>
#include <climits>
#include <cstring>
#include <sys/inotify.h>
#include <unistd.h>

namespace standby {

FileWatch *FileWatch::instance()
{
    // Lives as long as the application; the event loop it uses is the main thread's.
    static FileWatch *watch = new FileWatch();
    return watch;
}

FileWatch::FileWatch()
{
    m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_fd < 0) {
        qCWarning(lcLogs, "inotify is not available (%s): live follow cannot work",
                  std::strerror(errno));
        return;
    }
    m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &FileWatch::onReadable);
}

FileWatch::~FileWatch()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

int FileWatch::add(const QString &path, quint32 mask)
{
    if (m_fd < 0)
        return -1;
    const int wd =
        ::inotify_add_watch(m_fd, QFile::encodeName(path).constData(), mask | IN_MASK_ADD);
    if (wd < 0)
        return -1;
    ++m_users[wd];
    return wd;
}

void FileWatch::remove(int wd)
{
    auto it = m_users.find(wd);
    if (it == m_users.end())
        return;
    if (--it.value() > 0)
        return;
    m_users.erase(it);
    ::inotify_rm_watch(m_fd, wd);
}

void FileWatch::onReadable()
{
    alignas(struct inotify_event) char buffer[64 * 1024];
    while (true) {
        const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
        if (n <= 0)
            return; // EAGAIN: all read
        for (ssize_t at = 0; at < n;) {
            const auto *event = reinterpret_cast<const struct inotify_event *>(buffer + at);
            at += ssize_t(sizeof(struct inotify_event) + event->len);
            if (event->mask & IN_Q_OVERFLOW) {
                // Events were lost: every watcher must look again for itself. The keys are
                // copied first, as a watcher may add or remove watches while told.
                const QList<int> watches = m_users.keys();
                for (int wd : watches)
                    Q_EMIT changed(wd, IN_Q_OVERFLOW, {});
                continue;
            }
            const QByteArray name = event->len > 0 ? QByteArray(event->name) : QByteArray();
            // The kernel dropped this watch (file deleted): nobody holds it any more.
            if (event->mask & IN_IGNORED)
                m_users.remove(event->wd);
            Q_EMIT changed(event->wd, event->mask, name);
        }
    }
}

} // namespace standby
