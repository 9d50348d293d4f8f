// standby-worker: the holder of one background session. The daemon starts it detached with the
// id of a run record it has written; from then on it needs nothing from the daemon.
#include "Version.h"
#include "core/Config.h"
#include "core/LogCategories.h"
#include "core/Paths.h"
#include "core/RunRecord.h"
#include "core/Telemetry.h"
#include "sessions/SessionHolder.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>
#include <sys/resource.h>

using namespace standby;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("standby-worker"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(kVersion));

    // The daemon raised its descriptor limit for itself; the agent gets the user's again.
    const QByteArray softLimit = qgetenv("STANDBY_NOFILE_SOFT");
    qunsetenv("STANDBY_NOFILE_SOFT");
    rlimit files{};
    bool limitOk = false;
    const quint64 soft = softLimit.toULongLong(&limitOk);
    if (limitOk && ::getrlimit(RLIMIT_NOFILE, &files) == 0 && soft <= files.rlim_max) {
        files.rlim_cur = rlim_t(soft);
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Holds one Standby background session. Started by standbyd; not for direct use."));
    const QCommandLineOption runId(QStringLiteral("run-id"), QStringLiteral("the run to hold"),
                                   QStringLiteral("ID"));
    const QCommandLineOption readyFd(QStringLiteral("ready-fd"),
                                     QStringLiteral("where to report that the agent started"),
                                     QStringLiteral("N"));
    parser.addOptions({runId, readyFd});
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    if (!parser.isSet(runId) || !RunRecord::isValidRunId(parser.value(runId))) {
        std::fprintf(stderr, "standby-worker: --run-id with a valid run id is required\n");
        return 1;
    }

    const Paths paths = Paths::fromEnvironment();
    Result<Config> config = Config::load(paths);
    if (!config) {
        std::fprintf(stderr, "standby-worker: %s\n", qUtf8Printable(config.error().message));
        return 1;
    }
    Result<RunRecord> record = RunRecord::read(paths, parser.value(runId));
    Telemetry::install(paths, {record ? record->cwd : QStringLiteral("standby-worker"),
                               record ? record->sessionId : QString(), false});

    SessionHolder holder(paths, *config, SessionHolder::Mode::Background);
    QObject::connect(&holder, &SessionHolder::finished, &app, &QCoreApplication::quit);
    bool fdOk = false;
    const int fd = parser.value(readyFd).toInt(&fdOk);
    if (Status error = holder.start(parser.value(runId), fdOk ? fd : -1)) {
        qCCritical(lcSession, "cannot hold run %s: %s", qUtf8Printable(parser.value(runId)),
                   qUtf8Printable(error->message));
        if (error->code == QLatin1String("not_found") || error->code == QLatin1String("conflict"))
            return 1;
    }
    return app.exec();
}
