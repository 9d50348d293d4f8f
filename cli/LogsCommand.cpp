#include "cli/CliError.h"
#include "cli/SessionCommands.h"
#include "cli/VerbParser.h"
#include "core/Paths.h"
#include "core/Registry.h"
#include "logs/SessionLogs.h"
#include "sessions/SessionFollow.h"

#include <QCoreApplication>

#include <QJsonArray>

#include <cstdio>

namespace standby::cli {

static const char kLogsHelp[] =
    "Usage: standby logs NAME|PID|RUN [--type T] [--tail N] [--grep TEXT] [-i]\n"
    "\n"
    "Prints a session's log, live or ended (the newest run of that name). Reads the files\n"
    "directly, so it works while the daemon is down.\n"
    "\n"
    "  --type T      process (the default: the session's stdout and stderr), telemetry,\n"
    "                debug or transcript\n"
    "  --tail N      the last N lines (default 100; with -f, 10)\n"
    "  -f, --follow  keep printing lines as they are written, across log rotation, until the\n"
    "                session ends (its exit status goes to stderr); Ctrl+C stops following\n"
    "  --grep TEXT   only lines containing TEXT (the last N of them)\n"
    "  -i            --grep ignores case\n";

static int followLog(const Paths &paths, const SessionLogs::Session &session,
                     const SessionLogs::Query &query)
{
    Result<SessionLogs::FollowStart> start = SessionLogs::startFollow(paths, session, query);
    if (!start)
        return report(Error{start.error().code == QLatin1String("no_logs")
                                ? QStringLiteral("not_found")
                                : QStringLiteral("usage"),
                            start.error().message});
    for (const QByteArray &line : std::as_const(start->tail)) {
        std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
        std::fputc('\n', stdout);
    }
    std::fflush(stdout);
    SessionFollow follow(paths, *start, SessionLogs::filterFor(start->session, start->type, query));
    QObject::connect(&follow, &SessionFollow::lines, [](const QByteArray &chunk) {
        std::fwrite(chunk.constData(), 1, size_t(chunk.size()), stdout);
        std::fflush(stdout);
    });
    QObject::connect(&follow, &SessionFollow::ended, [&](const QJsonObject &exit) {
        const QString status = exit.value(QStringLiteral("status")).toString();
        QString how;
        if (status == QLatin1String("exited"))
            how = QStringLiteral("exited with code %1")
                      .arg(exit.value(QStringLiteral("exitCode")).toInt());
        else if (status == QLatin1String("killed"))
            how = QStringLiteral("was killed by SIG%1")
                      .arg(exit.value(QStringLiteral("signal")).toString());
        else
            how = QStringLiteral("ended (%1)").arg(status);
        std::fprintf(stderr, "standby: %s %s\n", qUtf8Printable(session.name), qUtf8Printable(how));
        QCoreApplication::exit(kOk);
    });
    if (!follow.start())
        return report(Error{QStringLiteral("io_error"),
                            QStringLiteral("cannot watch %1 for changes").arg(start->file)});
    return QCoreApplication::exec();
}

int runLogsCommand(const QStringList &arguments)
{
    VerbParser verb(QStringLiteral("standby logs"), kLogsHelp);
    const QCommandLineOption type(QStringLiteral("type"), QString(), QStringLiteral("T"));
    const QCommandLineOption tail(QStringLiteral("tail"), QString(), QStringLiteral("N"));
    const QCommandLineOption grep(QStringLiteral("grep"), QString(), QStringLiteral("TEXT"));
    const QCommandLineOption ignoreCase(QStringLiteral("i"));
    const QCommandLineOption follow(QStringList{QStringLiteral("f"), QStringLiteral("follow")});
    for (const QCommandLineOption &option : {type, tail, grep, ignoreCase, follow})
        verb.addOption(option);
    if (std::optional<int> done = verb.parse(arguments))
        return *done;
    if (verb.positional().size() != 1)
        return verb.usageError(QStringLiteral("name one session: standby logs NAME|PID"));

    SessionLogs::Query query;
    query.type = verb.parser().isSet(type) ? verb.parser().value(type) : QStringLiteral("process");
    query.text = verb.parser().value(grep);
    query.ignoreCase = verb.parser().isSet(ignoreCase);
    const bool following = verb.parser().isSet(follow);
    if (following)
        query.tail = 10;
    if (verb.parser().isSet(tail)) {
        bool ok = false;
        query.tail = verb.parser().value(tail).toInt(&ok);
        if (!ok || query.tail < (following ? 0 : 1) || query.tail > 1000000)
            return verb.usageError(QStringLiteral("--tail must be a number from 1 to 1000000"));
    }
    const Paths paths = Paths::fromEnvironment();
    const Registry registry(paths);
    const QString key = verb.positional().constFirst();
    const std::optional<SessionLogs::Session> session = SessionLogs::find(paths, registry, key);
    if (!session)
        return report(
            Error{QStringLiteral("not_found"),
                  QStringLiteral("no session \"%1\" (see standby ps and standby runs)").arg(key)});
    if (following)
        return followLog(paths, *session, query);
    Result<QJsonObject> read = SessionLogs::read(paths, *session, query);
    if (!read)
        return report(Error{read.error().code == QLatin1String("no_logs")
                                ? QStringLiteral("not_found")
                                : QStringLiteral("usage"),
                            read.error().message});
    for (const QJsonValue &line : read->value(QStringLiteral("lines")).toArray())
        std::printf("%s\n", qUtf8Printable(line.toString()));
    if (read->value(QStringLiteral("truncated")).toBool())
        std::fprintf(stderr, "standby: the search stopped after the last 64 MB of the log\n");
    return kOk;
}

} // namespace standby::cli
