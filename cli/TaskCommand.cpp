#include "cli/CliError.h"
#include "cli/SessionCommands.h"
#include "cli/VerbParser.h"
#include "client/ApiClient.h"
#include "client/DaemonControl.h"
#include "core/Config.h"
#include "core/DirectoryLock.h"
#include "core/LogCategories.h"
#include "core/Paths.h"
#include "core/Registry.h"
#include "core/Telemetry.h"
#include "sessions/SessionHolder.h"
#include "sessions/SessionLauncher.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QRegularExpression>

#include <cstdio>
#include <sys/stat.h>

namespace standby::cli {

static const char kTaskHelp[] =
    "Usage: standby [--bg] [--name N] [--agent A] [--cwd D] [--timeout SEC] [--json] [--debug]\n"
    "               \"task\"\n"
    "\n"
    "Runs a task with an agent profile (default: shell, which runs it with /bin/sh -c).\n"
    "\n"
    "  --bg            in the background, held by the daemon (started if none runs); prints the\n"
    "                  session's name, pid, run id and log, and returns at once\n"
    "                  Without --bg the task runs here in the foreground, registered as an\n"
    "                  interactive session while it runs; Ctrl+C ends it\n"
    "  --name N        the session's name ([A-Za-z0-9._-], 1-64, unique among live sessions);\n"
    "                  default: made from the task's first words\n"
    "  --agent A       an agent profile from config.json\n"
    "  --cwd D         working directory (default: the current one)\n"
    "  --timeout SEC   end the session if it runs longer (background only)\n"
    "  --json          print the answer as JSON (background only)\n"
    "  --debug         keep a debug log of the session's holder: argv, environment (secrets\n"
    "                  masked), timings, signals, exit (standby logs NAME --type debug)\n";

// The environment a background session gets: the caller's, as with nohup, less what only makes
// sense in this terminal.
static QMap<QString, QString> callerEnvironment()
{
    QMap<QString, QString> env;
    const QProcessEnvironment system = QProcessEnvironment::systemEnvironment();
    static const QRegularExpression validName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,255}$"));
    for (const QString &key : system.keys()) {
        // Exported shell functions (BASH_FUNC_name%%) and other odd names are not variables a
        // session needs.
        if (!validName.match(key).hasMatch())
            continue;
        if (key.startsWith(QLatin1String("STANDBY_SESSION_")) ||
            key == QLatin1String("TERM_SESSION_ID") || key == QLatin1String("SHLVL") ||
            key == QLatin1String("_") || key == QLatin1String("OLDPWD") ||
            key == QLatin1String("PWD"))
            continue;
        env.insert(key, system.value(key));
    }
    return env;
}

static int runInBackground(const Paths &paths, const RunRequest &request, bool json,
                           qint64 timeoutSec)
{
    const DaemonControl control(paths);
    Result<DaemonControl::Started> daemon = control.start(DaemonControl::StartOptions{});
    if (!daemon)
        return report(daemon.error());
    if (!daemon->alreadyRunning)
        std::fprintf(stderr, "standby: started the daemon (pid %lld at %s)\n", daemon->record.pid,
                     qUtf8Printable(daemon->record.endpoint));

    QJsonObject env;
    for (auto it = request.env.cbegin(); it != request.env.cend(); ++it)
        env.insert(it.key(), it.value());
    QJsonObject body{{QStringLiteral("prompt"), request.prompt},
                     {QStringLiteral("cwd"), request.cwd},
                     {QStringLiteral("env"), env}};
    if (!request.name.isEmpty())
        body.insert(QStringLiteral("name"), request.name);
    if (!request.agent.isEmpty())
        body.insert(QStringLiteral("agent"), request.agent);
    if (timeoutSec > 0)
        body.insert(QStringLiteral("timeoutSec"), timeoutSec);
    if (request.debug)
        body.insert(QStringLiteral("debug"), true);
    // The session creates files as this shell would.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    body.insert(QStringLiteral("umask"), int(mask));
    Result<QJsonValue> answer =
        ApiClient(daemon->record.endpoint, 30000).post(QStringLiteral("/api/v1/runs"), body);
    if (!answer)
        return report(answer.error());
    const QJsonObject run = answer->toObject();
    qCInfo(lcCli, "started session %s in the background (run %s, holder pid %lld)",
           qUtf8Printable(run.value(QStringLiteral("name")).toString()),
           qUtf8Printable(run.value(QStringLiteral("runId")).toString()),
           run.value(QStringLiteral("pid")).toInteger());
    if (json) {
        printJson(run);
        return kOk;
    }
    std::printf("started %s (pid %lld, run %s)\nlog: %s\n",
                qUtf8Printable(run.value(QStringLiteral("name")).toString()),
                run.value(QStringLiteral("pid")).toInteger(),
                qUtf8Printable(run.value(QStringLiteral("runId")).toString()),
                qUtf8Printable(run.value(QStringLiteral("log")).toString()));
    return kOk;
}

static int runInForeground(const Paths &paths, const RunRequest &request)
{
    Result<Config> config = Config::load(paths);
    if (!config)
        return report(config.error());
    const Registry registry(paths);
    SessionLauncher launcher(paths, *config, registry);
    Result<RunRecord> record = Error{};
    {
        // Checked and registered under the registry's lock, so no other start gets this name.
        const DirectoryLock claim(paths.sessionsDir());
        record = launcher.prepare(request, QStringLiteral("interactive"));
        if (!record)
            return report(record.error());
        if (Status error = record->write(paths))
            return report(*error);
        RegistryEntry self;
        self.pid = QCoreApplication::applicationPid();
        self.procStart = ProcessTable::system().startTime(self.pid).value_or(0);
        self.sessionId = record->sessionId;
        self.name = record->name;
        self.cwd = record->cwd;
        self.startedAt = record->acceptedAt;
        self.kind = RegistryEntry::Kind::Interactive;
        self.agent = record->agent;
        self.runId = record->runId;
        if (Status error = registry.add(self))
            return report(*error);
    }
    Telemetry::install(paths, {record->cwd, record->sessionId, false});
    SessionHolder holder(paths, *config, SessionHolder::Mode::Foreground);
    QObject::connect(&holder, &SessionHolder::finished, qApp, &QCoreApplication::quit);
    if (Status error = holder.start(record->runId))
        return report(*error);
    QCoreApplication::exec();
    if (holder.record().status == RunRecord::State::Failed)
        std::fprintf(stderr, "standby: %s\n", qUtf8Printable(holder.record().error));
    return holder.shellExitCode();
}

int runTaskCommand(const QStringList &arguments)
{
    VerbParser verb(QStringLiteral("standby"), kTaskHelp);
    const QCommandLineOption bg(QStringLiteral("bg"));
    const QCommandLineOption name(QStringLiteral("name"), QString(), QStringLiteral("N"));
    const QCommandLineOption agent(QStringLiteral("agent"), QString(), QStringLiteral("A"));
    const QCommandLineOption cwd(QStringLiteral("cwd"), QString(), QStringLiteral("D"));
    const QCommandLineOption timeout(QStringLiteral("timeout"), QString(), QStringLiteral("SEC"));
    const QCommandLineOption json(QStringLiteral("json"));
    const QCommandLineOption debug(QStringLiteral("debug"));
    for (const QCommandLineOption &option : {bg, name, agent, cwd, timeout, json, debug})
        verb.addOption(option);
    if (std::optional<int> done = verb.parse(arguments))
        return *done;
    const QString task = verb.positional().join(QLatin1Char(' '));
    if (task.trimmed().isEmpty())
        return verb.usageError(QStringLiteral("no task given: standby --bg \"what to run\""));

    RunRequest request;
    request.prompt = task;
    request.name = verb.parser().value(name);
    request.agent = verb.parser().value(agent);
    request.debug = verb.parser().isSet(debug);
    const QString dir = verb.parser().isSet(cwd) ? verb.parser().value(cwd) : QDir::currentPath();
    request.cwd = QDir::cleanPath(QDir::current().absoluteFilePath(dir));
    qint64 timeoutSec = 0;
    if (verb.parser().isSet(timeout)) {
        bool ok = false;
        timeoutSec = verb.parser().value(timeout).toLongLong(&ok);
        if (!ok || timeoutSec < 1)
            return verb.usageError(QStringLiteral("--timeout must be a whole number of seconds"));
    }
    const Paths paths = Paths::fromEnvironment();
    if (Status error = paths.ensureLayout())
        return report(*error);
    if (verb.parser().isSet(bg)) {
        request.env = callerEnvironment();
        return runInBackground(paths, request, verb.parser().isSet(json), timeoutSec);
    }
    if (timeoutSec > 0 || verb.parser().isSet(json))
        return verb.usageError(QStringLiteral("--timeout and --json go with --bg"));
    return runInForeground(paths, request);
}

} // namespace standby::cli
