#include "sessions/ExitWatcher.h"

#include "core/ProcessTable.h"

#include <QSocketNotifier>
#include <QTimer>

#include <sys/syscall.h>
#include <unistd.h>

namespace standby {

ExitWatcher::ExitWatcher(QObject *parent)
    : QObject(parent)
{}

ExitWatcher::~ExitWatcher()
{
    for (QSocketNotifier *notifier : std::as_const(m_watched)) {
        ::close(int(notifier->socket()));
        delete notifier;
    }
}

bool ExitWatcher::watch(qint64 pid, quint64 procStart)
{
    if (m_watched.contains(pid) || m_polled.contains(pid))
        return true;
    const int fd = int(::syscall(SYS_pidfd_open, pid_t(pid), 0));
    if (fd < 0) {
        // No pidfd (out of descriptors, an old kernel, a seccomp filter): look every 250 ms.
        if (!ProcessTable::system().isAlive(pid, procStart))
            return false;
        auto *timer = new QTimer(this);
        m_polled.insert(pid, timer);
        connect(timer, &QTimer::timeout, this, [this, pid, procStart, timer] {
            if (ProcessTable::system().isAlive(pid, procStart))
                return;
            m_polled.remove(pid);
            timer->deleteLater();
            Q_EMIT exited(pid);
        });
        timer->start(250);
        return true;
    }
    // The pidfd was opened after the registry was read: make sure it names the same process.
    if (!ProcessTable::system().isAlive(pid, procStart)) {
        ::close(fd);
        return false;
    }
    auto *notifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    m_watched.insert(pid, notifier);
    connect(notifier, &QSocketNotifier::activated, this, [this, pid, notifier] {
        notifier->setEnabled(false);
        m_watched.remove(pid);
        ::close(int(notifier->socket()));
        notifier->deleteLater();
        Q_EMIT exited(pid);
    });
    return true;
}

} // namespace standby
