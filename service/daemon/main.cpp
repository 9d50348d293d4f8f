#include "Version.h"
#include "core/Config.h"
#include "core/LogCategories.h"
#include "core/Paths.h"
#include "core/SignalWatcher.h"
#include "core/Telemetry.h"
#include "daemon/Daemon.h"
#include "daemon/ServeOptions.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace standby;

namespace {

// Exit codes shared with the CLI: 1 usage or failure, 4 refused (port in use, already running).
constexpr int kExitFailure = 1;
constexpr int kExitRefused = 4;

// The one line `standby daemon start` waits for on --ready-fd.
void report(int fd, const QJsonObject &message)
{
    if (fd < 0)
        return;
    const QByteArray line = QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n';
    const ssize_t ignored = ::write(fd, line.constData(), size_t(line.size()));
    (void)ignored;
    ::close(fd);
}

int fail(int readyFd, const Error &error, int exitCode)
{
    std::fprintf(stderr, "standbyd: %s\n", qUtf8Printable(error.message));
    report(readyFd, QJsonObject{{QStringLiteral("ok"), false},
                                {QStringLiteral("error"),
                                 QJsonObject{{QStringLiteral("code"), error.code},
                                             {QStringLiteral("message"), error.message}}}});
    return exitCode;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("standbyd"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(kVersion));

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h"))) {
        std::fputs(qUtf8Printable(ServeOptions::helpText()), stdout);
        return 0;
    }
    Result<ServeOptions> options = ServeOptions::parse(arguments);
    if (!options) {
        std::fprintf(stderr, "standbyd: %s\nRun 'standbyd --help' for usage.\n",
                     qUtf8Printable(options.error().message));
        return kExitFailure;
    }
    if (options->showVersion) {
        std::printf("standbyd %s\n", kVersion);
        return 0;
    }
    const int readyFd = options->readyFd;

    // Before anything can write to a socket or pipe whose reader may be gone.
    SignalWatcher signalWatcher;
    // Session holders are this process's children: let the kernel reap them, so none lingers as
    // a zombie (their ends are watched through pidfds). Everything created here is private.
    ::signal(SIGCHLD, SIG_IGN);
    ::umask(077);
    // Every connection and every watched session holds a descriptor: use all the system allows.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        // Holders give their agents the limit the user had, not the daemon's.
        qputenv("STANDBY_NOFILE_SOFT", QByteArray::number(quint64(files.rlim_cur)));
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    const Paths paths = Paths::fromEnvironment();
    if (Status error = paths.ensureLayout())
        return fail(readyFd, *error, kExitFailure);
    Result<Config> config = Config::load(paths);
    if (!config)
        return fail(readyFd, config.error(), kExitFailure);

    Daemon daemon(paths, *config);
    Telemetry::install(paths, {QStringLiteral("standbyd"), daemon.sessionId(), true});
    for (const QString &warning : config->warnings())
        qCWarning(lcConfig, "%s", qUtf8Printable(warning));

    if (Status error = daemon.start(*options)) {
        const bool refused = error->code == QLatin1String("port_in_use") ||
                             error->code == QLatin1String("already_running") ||
                             error->code == QLatin1String("address_unavailable") ||
                             error->code == QLatin1String("permission_denied") ||
                             error->code == QLatin1String("auth_unavailable");
        qCCritical(lcDaemon, "cannot start: %s", qUtf8Printable(error->message));
        Telemetry::uninstall();
        return fail(readyFd, *error, refused ? kExitRefused : kExitFailure);
    }

    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &app, [&](int sig) {
        qCInfo(lcDaemon, "signal %d: stopping", sig);
        daemon.shutdown();
        app.exit(0);
    });
    QObject::connect(&daemon, &Daemon::finished, &app, &QCoreApplication::exit);

    const QJsonObject status = daemon.record().toStatusJson();
    report(readyFd, QJsonObject{{QStringLiteral("ok"), true},
                                {QStringLiteral("daemon"), daemon.record().toJson()}});
    // In the foreground, say where it serves, once, as a line a script can read.
    if (readyFd < 0) {
        std::printf("%s\n", QJsonDocument(status).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
    }
    const int code = app.exec();
    daemon.shutdown();
    return code;
}
