#pragma once

#include "core/Error.h"

#include <QString>
#include <QStringList>

namespace standby {

// Starts a program fully detached (double fork, its own session, stdin from /dev/null, stdout
// and stderr appended to a log file, no inherited descriptors), so it outlives its starter and is
// never its zombie. The program gets "--ready-fd N" and reports on that pipe when it is ready;
// the starter reads the report with readReady().
class DetachedLauncher
{
public:
    struct Spec
    {
        QString program;
        QStringList arguments;
        QString logFile;
        QString workingDirectory = QStringLiteral("/");
        // Blocked from the program's first instruction (spawnChild only), so a signal sent right
        // after the launch waits until the program has installed its handlers and unblocks it.
        QList<int> blockedSignals;
    };

    struct Launched
    {
        qint64 pid = 0;   // the detached program's PID
        int readyFd = -1; // the read end of its readiness pipe; the caller closes it
    };

    static Result<Launched> launch(const Spec &spec);

    // Like launch(), but the program stays the caller's child (posix_spawn, its own session):
    // much cheaper, for a caller that reaps its children or ignores SIGCHLD (the daemon, for the
    // session holders it starts by the hundred).
    static Result<Launched> spawnChild(const Spec &spec);

    // Reads the one-line report from the pipe until end of file or the deadline.
    // Errors: timeout, or no_report when the program ended without saying anything.
    static Result<QByteArray> readReady(int fd, int timeoutMs);
};

} // namespace standby
