#include "cli/DaemonCommand.h"

#include "cli/CliError.h"
#include "client/DaemonControl.h"
#include "core/Config.h"
#include "core/Paths.h"

#include <QCommandLineParser>

#include <cstdio>

namespace standby::cli {

namespace {

const char kDaemonHelp[] =
    "Usage: standby daemon start|status|stop|restart [options]\n"
    "\n"
    "Controls the resident daemon (standbyd) of $STANDBY_HOME. Sessions keep running across\n"
    "stop and restart.\n"
    "\n"
    "  start [--port N] [--host ADDR]    start it detached; prints its status JSON. Does\n"
    "                                    nothing but print the status when one runs\n"
    "  status                            {\"status\":\"running\",…}, or {\"status\":\"stopped\"}\n"
    "                                    and exit code 3\n"
    "  stop                              graceful, then SIGTERM, then SIGKILL\n"
    "  restart [--port N] [--host ADDR]  stop, then start on the same port if one was asked\n"
    "\n"
    "Run 'standby daemon VERB --help' for one verb.\n";

const char kStartHelp[] =
    "Usage: standby daemon start [--port N] [--host ADDR]\n"
    "\n"
    "Starts standbyd detached and returns once it answers, printing its status JSON.\n"
    "When a daemon already runs, prints its status and starts nothing.\n"
    "\n"
    "  --port N      TCP port (default: any free port)\n"
    "  --host ADDR   listen address (default 127.0.0.1)\n"
    "\n"
    "Exit codes: 0 running, 4 refused (port in use, …), 1 other failure.\n";

const char kStatusHelp[] =
    "Usage: standby daemon status\n"
    "\n"
    "Prints {\"status\":\"running\",\"pid\":…,\"endpoint\":…,\"startedAt\":…} and exits 0, or\n"
    "{\"status\":\"stopped\"} and exits 3.\n";

const char kStopHelp[] =
    "Usage: standby daemon stop\n"
    "\n"
    "Asks the daemon to stop over its API, then sends SIGTERM, then SIGKILL, each after the\n"
    "grace period in config.json (daemon.stopGraceSec, default 5). Sessions keep running.\n";

const char kRestartHelp[] =
    "Usage: standby daemon restart [--port N] [--host ADDR]\n"
    "\n"
    "Stops the daemon and starts a new one: a new pid, on the same port when one was asked\n"
    "for at its start (or the given --port). Sessions keep running.\n";

struct Parsed
{
    bool help = false;
    std::optional<quint16> port;
    std::optional<QString> host;
};

// Parses the options of one verb; listen options only where allowed.
Result<Parsed> parse(const QStringList &arguments, bool withListenOptions)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")});
    const QCommandLineOption port(QStringLiteral("port"), QString(), QStringLiteral("N"));
    const QCommandLineOption host(QStringLiteral("host"), QString(), QStringLiteral("ADDR"));
    parser.addOption(help);
    if (withListenOptions)
        parser.addOptions({port, host});
    if (!parser.parse(arguments))
        return Error{QStringLiteral("usage"), parser.errorText()};
    Parsed parsed;
    parsed.help = parser.isSet(help);
    if (parsed.help)
        return parsed;
    if (!parser.positionalArguments().isEmpty())
        return Error{QStringLiteral("usage"), QStringLiteral("unexpected argument \"%1\"")
                                                  .arg(parser.positionalArguments().constFirst())};
    if (withListenOptions && parser.isSet(port)) {
        bool ok = false;
        const uint value = parser.value(port).toUInt(&ok);
        if (!ok || value > 65535)
            return Error{QStringLiteral("usage"),
                         QStringLiteral("--port must be a number from 0 to 65535, not \"%1\"")
                             .arg(parser.value(port))};
        parsed.port = quint16(value);
    }
    if (withListenOptions && parser.isSet(host)) {
        parsed.host = DaemonControl::normalizeHost(parser.value(host));
        if (!parsed.host)
            return Error{QStringLiteral("usage"),
                         QStringLiteral("--host must be an IP address such as 127.0.0.1, not "
                                        "\"%1\"")
                             .arg(parser.value(host))};
    }
    return parsed;
}

int graceMs(const Paths &paths)
{
    Result<Config> config = Config::load(paths);
    return (config ? config->daemon().stopGraceSec : Config().daemon().stopGraceSec) * 1000;
}

// Starts (or finds) the daemon and prints what it says about itself.
int startAndPrint(const DaemonControl &control, const DaemonControl::StartOptions &options)
{
    Result<DaemonControl::Started> started = control.start(options);
    if (!started)
        return report(started.error());
    if (started->alreadyRunning && (options.port != 0 && options.port != started->record.port))
        std::fprintf(stderr,
                     "standby: a daemon already runs on port %u; not starting another on %u "
                     "(use 'standby daemon restart --port %u' to move it)\n",
                     started->record.port, options.port, options.port);
    Result<QJsonObject> status = control.status();
    if (!status)
        return report(status.error());
    printJson(*status);
    return kOk;
}

int start(const Paths &paths, const Parsed &parsed)
{
    DaemonControl::StartOptions options;
    options.port = parsed.port.value_or(0);
    if (parsed.host)
        options.host = *parsed.host;
    return startAndPrint(DaemonControl(paths), options);
}

int status(const Paths &paths)
{
    Result<QJsonObject> status = DaemonControl(paths).status();
    if (!status) {
        if (status.error().code == QLatin1String("not_running")) {
            printJson(DaemonRecord::stoppedStatusJson());
            return kNotRunning;
        }
        return report(status.error());
    }
    printJson(*status);
    return kOk;
}

int stop(const Paths &paths)
{
    Result<DaemonRecord> stopped = DaemonControl(paths).stop(graceMs(paths));
    if (!stopped) {
        if (stopped.error().code == QLatin1String("not_running")) {
            // Like systemctl stop: the goal state holds, so this is no failure.
            std::fprintf(stderr, "standby: no daemon was running\n");
            printJson(DaemonRecord::stoppedStatusJson());
            return kOk;
        }
        return report(stopped.error());
    }
    printJson(QJsonObject{{QStringLiteral("status"), QStringLiteral("stopped")},
                          {QStringLiteral("pid"), stopped->pid}});
    return kOk;
}

int restart(const Paths &paths, const Parsed &parsed)
{
    const DaemonControl control(paths);
    DaemonControl::StartOptions options;
    if (std::optional<DaemonRecord> current = control.running()) {
        options.host = current->host;
        options.port = current->requestedPort;
        Result<DaemonRecord> stopped = control.stop(graceMs(paths));
        if (!stopped && stopped.error().code != QLatin1String("not_running"))
            return report(stopped.error());
    }
    if (parsed.port)
        options.port = *parsed.port;
    if (parsed.host)
        options.host = *parsed.host;
    return startAndPrint(control, options);
}

} // namespace

int runDaemonCommand(const QStringList &arguments)
{
    const QString verb = arguments.value(1);
    if (verb.isEmpty() || verb == QLatin1String("--help") || verb == QLatin1String("-h") ||
        verb == QLatin1String("help")) {
        std::fputs(kDaemonHelp, verb.isEmpty() ? stderr : stdout);
        return verb.isEmpty() ? kUsage : kOk;
    }
    struct Verb
    {
        const char *name;
        const char *help;
        bool listenOptions;
    };
    static const Verb verbs[] = {{"start", kStartHelp, true},
                                 {"status", kStatusHelp, false},
                                 {"stop", kStopHelp, false},
                                 {"restart", kRestartHelp, true}};
    const Verb *found = nullptr;
    for (const Verb &v : verbs) {
        if (verb == QLatin1String(v.name))
            found = &v;
    }
    if (!found)
        return usageError(QStringLiteral("unknown daemon verb \"%1\"; use start, status, stop or "
                                         "restart")
                              .arg(verb),
                          QStringLiteral("standby daemon"));

    // QCommandLineParser expects the program name first.
    const QStringList verbArguments =
        QStringList{QStringLiteral("standby daemon ") + verb} + arguments.mid(2);
    Result<Parsed> parsed = parse(verbArguments, found->listenOptions);
    if (!parsed)
        return usageError(parsed.error().message, QStringLiteral("standby daemon ") + verb);
    if (parsed->help) {
        std::fputs(found->help, stdout);
        return kOk;
    }

    const Paths paths = Paths::fromEnvironment();
    if (verb == QLatin1String("start"))
        return start(paths, *parsed);
    if (verb == QLatin1String("status"))
        return status(paths);
    if (verb == QLatin1String("stop"))
        return stop(paths);
    return restart(paths, *parsed);
}

} // namespace standby::cli
