#include "client/DetachedLauncher.h"

#include <QDeadlineTimer>
#include <QFile>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace standby {

// The descriptor number the child sees for the readiness pipe.
static constexpr int kChildReadyFd = 3;

namespace {

// A Spec in the native strings exec wants, with "--ready-fd N" appended to the arguments.
struct NativeCommand
{
    explicit NativeCommand(const DetachedLauncher::Spec &spec)
        : program(QFile::encodeName(spec.program).toStdString())
        , logFile(QFile::encodeName(spec.logFile).toStdString())
        , workingDirectory(QFile::encodeName(spec.workingDirectory).toStdString())
    {
        args.push_back(program);
        for (const QString &argument : spec.arguments)
            args.push_back(argument.toStdString());
        args.push_back("--ready-fd");
        args.push_back(std::to_string(kChildReadyFd));
        for (std::string &arg : args)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
    }

    std::string program;
    std::string logFile;
    std::string workingDirectory;
    std::vector<std::string> args;
    std::vector<char *> argv;
};

} // namespace

Result<DetachedLauncher::Launched> DetachedLauncher::launch(const Spec &spec)
{
    // Everything the child needs is prepared before fork(): after it only async-signal-safe
    // calls are allowed.
    const NativeCommand command(spec);
    const std::string &program = command.program;
    char *const *argv = command.argv.data();
    const std::string &logFile = command.logFile;
    const std::string &workingDirectory = command.workingDirectory;

    if (::access(program.c_str(), X_OK) != 0)
        return Error{QStringLiteral("not_installed"),
                     QStringLiteral("cannot run %1: %2")
                         .arg(spec.program, QString::fromLocal8Bit(std::strerror(errno)))};

    int pipeFds[2];
    int pidPipe[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
        return Error{QStringLiteral("spawn_failed"),
                     QStringLiteral("pipe: %1").arg(QString::fromLocal8Bit(std::strerror(errno)))};
    if (::pipe2(pidPipe, O_CLOEXEC) != 0) {
        ::close(pipeFds[0]);
        ::close(pipeFds[1]);
        return Error{QStringLiteral("spawn_failed"),
                     QStringLiteral("pipe: %1").arg(QString::fromLocal8Bit(std::strerror(errno)))};
    }

    // No handler of ours may run in the child before exec (it would write to our signal pipe).
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous);
    const pid_t child = ::fork();
    if (child != 0)
        ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (child < 0) {
        const int savedErrno = errno;
        ::close(pipeFds[0]);
        ::close(pipeFds[1]);
        return Error{
            QStringLiteral("spawn_failed"),
            QStringLiteral("fork: %1").arg(QString::fromLocal8Bit(std::strerror(savedErrno)))};
    }
    if (child == 0) {
        ::setsid();
        const pid_t grandchild = ::fork();
        if (grandchild != 0) {
            // Tell the starter who the program is before it loses sight of it.
            const qint64 reported = grandchild;
            const ssize_t ignored = ::write(pidPipe[1], &reported, sizeof reported);
            (void)ignored;
            ::_exit(grandchild < 0 ? 1 : 0);
        }
        // The grandchild: no controlling terminal, reparented to init or a subreaper.
        // Default dispositions first, then unblock: no inherited handler ever runs here.
        for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2})
            ::signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::umask(077);
        // Park the pipe above the standard descriptors before they are replaced.
        const int readyFd = ::fcntl(pipeFds[1], F_DUPFD, kChildReadyFd + 1);
        const int devNull = ::open("/dev/null", O_RDONLY);
        int log = ::open(logFile.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
        // Never keep the starter's stdout: a caller reading it would wait for the daemon's end.
        if (log < 0)
            log = ::open("/dev/null", O_WRONLY);
        if (devNull >= 0)
            ::dup2(devNull, STDIN_FILENO);
        if (log >= 0) {
            ::dup2(log, STDOUT_FILENO);
            ::dup2(log, STDERR_FILENO);
        }
        ::dup2(readyFd, kChildReadyFd); // dup2 clears FD_CLOEXEC on the copy
        ::close_range(kChildReadyFd + 1, ~0U, 0);
        if (::chdir(workingDirectory.c_str()) != 0 && ::chdir("/") != 0)
            ::_exit(126);
        ::execv(program.c_str(), argv);
        const char message[] = "{\"ok\":false,\"error\":{\"code\":\"exec_failed\","
                               "\"message\":\"the daemon program could not be started\"}}\n";
        const ssize_t ignored = ::write(kChildReadyFd, message, sizeof message - 1);
        (void)ignored;
        ::_exit(127);
    }
    ::close(pipeFds[1]);
    ::close(pidPipe[1]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    qint64 pid = 0;
    ssize_t got = 0;
    do {
        got = ::read(pidPipe[0], &pid, sizeof pid);
    } while (got < 0 && errno == EINTR);
    ::close(pidPipe[0]);
    if (got != sizeof pid || pid <= 0) {
        ::close(pipeFds[0]);
        return Error{QStringLiteral("spawn_failed"),
                     QStringLiteral("fork of %1 failed").arg(spec.program)};
    }
    return Launched{pid, pipeFds[0]};
}

Result<DetachedLauncher::Launched> DetachedLauncher::spawnChild(const Spec &spec)
{
    const NativeCommand command(spec);
    const std::string &program = command.program;
    const std::string &logFile = command.logFile;
    const std::string &workingDirectory = command.workingDirectory;

    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
        return Error{QStringLiteral("spawn_failed"),
                     QStringLiteral("pipe: %1").arg(QString::fromLocal8Bit(std::strerror(errno)))};
    // Above the descriptors the file actions assign, so no action overwrites it.
    const int writeEnd = ::fcntl(pipeFds[1], F_DUPFD_CLOEXEC, kChildReadyFd + 1);
    ::close(pipeFds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, logFile.c_str(),
                                     O_WRONLY | O_APPEND | O_CREAT, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawn_file_actions_adddup2(&actions, writeEnd, kChildReadyFd);
    posix_spawn_file_actions_addclosefrom_np(&actions, kChildReadyFd + 1);
    posix_spawn_file_actions_addchdir_np(&actions, workingDirectory.c_str());

    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes,
                             POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    sigset_t blocked;
    sigemptyset(&blocked);
    for (int sig : spec.blockedSignals)
        sigaddset(&blocked, sig);
    posix_spawnattr_setsigmask(&attributes, &blocked);
    // The caller may ignore SIGCHLD or SIGPIPE; ignored signals would survive exec.
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2})
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigdefault(&attributes, &defaults);

    pid_t pid = 0;
    const int error =
        ::posix_spawn(&pid, program.c_str(), &actions, &attributes, command.argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(writeEnd);
    if (error != 0) {
        ::close(pipeFds[0]);
        return Error{QStringLiteral("spawn_failed"),
                     QStringLiteral("cannot run %1: %2")
                         .arg(spec.program, QString::fromLocal8Bit(std::strerror(error)))};
    }
    return Launched{pid, pipeFds[0]};
}

Result<QByteArray> DetachedLauncher::readReady(int fd, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QByteArray report;
    for (;;) {
        pollfd entry{fd, POLLIN, 0};
        const int ready = ::poll(&entry, 1, int(qMax<qint64>(0, deadline.remainingTime())));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0)
            return Error{QStringLiteral("timeout"),
                         QStringLiteral("no readiness report within %1 ms").arg(timeoutMs)};
        char buffer[4096];
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        report.append(buffer, n);
        if (report.contains('\n') || report.size() > 64 * 1024)
            break;
    }
    if (report.trimmed().isEmpty())
        return Error{QStringLiteral("no_report"),
                     QStringLiteral("the program ended during start-up")};
    return report.left(report.indexOf('\n'));
}

} // namespace standby
