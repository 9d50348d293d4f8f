#include "client/ProcessWaiter.h"

#include <QDeadlineTimer>

#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace standby {

static int openPidfd(qint64 pid)
{
#ifdef SYS_pidfd_open
    return int(::syscall(SYS_pidfd_open, pid_t(pid), 0));
#else
    Q_UNUSED(pid);
    return -1;
#endif
}

bool ProcessWaiter::waitForExit(qint64 pid, quint64 procStart, int timeoutMs,
                                const ProcessTable &processes)
{
    QDeadlineTimer deadline(timeoutMs);
    const int pidfd = openPidfd(pid);
    // Opened after the process could have been replaced: confirm it is still the same one.
    if (!processes.isAlive(pid, procStart)) {
        if (pidfd >= 0)
            ::close(pidfd);
        return true;
    }
    if (pidfd >= 0) {
        for (;;) {
            pollfd entry{pidfd, POLLIN, 0};
            const int ready = ::poll(&entry, 1, int(qMax<qint64>(0, deadline.remainingTime())));
            if (ready > 0 || deadline.hasExpired() || ready == 0)
                break;
        }
        ::close(pidfd);
        return !processes.isAlive(pid, procStart);
    }
    while (processes.isAlive(pid, procStart)) {
        if (deadline.hasExpired())
            return false;
        const timespec pause{0, 5 * 1000 * 1000};
        ::nanosleep(&pause, nullptr);
    }
    return true;
}

} // namespace standby
