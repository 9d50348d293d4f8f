#include "cli/CliError.h"
#include "cli/SessionCommands.h"
#include "cli/VerbParser.h"
#include "client/ProcessWaiter.h"
#include "core/Config.h"
#include "core/LogCategories.h"
#include "core/Paths.h"
#include "core/Registry.h"
#include "sessions/SessionControl.h"

#include <csignal>
#include <cstdio>

namespace standby::cli {

static const char kKillHelp[] =
    "Usage: standby kill NAME|PID [--signal S] [--no-wait]\n"
    "\n"
    "Ends a session: the signal (default TERM) goes to the agent's whole process group, and\n"
    "SIGKILL follows after the grace period (config.json sessions.killGraceSec, default 10 s),\n"
    "so nothing it started is left behind. Waits until the session has ended.\n"
    "\n"
    "  --signal S    TERM, KILL, INT, HUP, QUIT, USR1 or USR2 (with or without SIG, or a number)\n"
    "  --no-wait     return once the signal is sent\n";

int runKillCommand(const QStringList &arguments)
{
    VerbParser verb(QStringLiteral("standby kill"), kKillHelp);
    const QCommandLineOption signalOption(QStringLiteral("signal"), QString(), QStringLiteral("S"));
    const QCommandLineOption noWait(QStringLiteral("no-wait"));
    verb.addOption(signalOption);
    verb.addOption(noWait);
    if (std::optional<int> done = verb.parse(arguments))
        return *done;
    if (verb.positional().size() != 1)
        return verb.usageError(QStringLiteral("name one session: standby kill NAME|PID"));
    std::optional<int> signal = SIGTERM;
    if (verb.parser().isSet(signalOption)) {
        signal = SessionControl::parseSignal(verb.parser().value(signalOption));
        if (!signal)
            return verb.usageError(QStringLiteral("--signal must be one of TERM, KILL, INT, HUP, "
                                                  "QUIT, USR1, USR2"));
    }
    const Paths paths = Paths::fromEnvironment();
    const Registry registry(paths);
    const QString key = verb.positional().constFirst();
    const std::optional<RegistryEntry> entry = registry.find(key);
    if (!entry)
        return report(Error{QStringLiteral("not_found"),
                            QStringLiteral("no live session \"%1\" (see standby ps)").arg(key)});
    if (entry->kind == RegistryEntry::Kind::Daemon)
        return report(Error{QStringLiteral("is_daemon"),
                            QStringLiteral("%1 is the daemon; use standby daemon stop").arg(key)});
    if (Status error = SessionControl::kill(*entry, *signal))
        return report(*error);
    qCInfo(lcCli, "sent SIG%s to session %s (holder pid %lld)",
           qUtf8Printable(SessionControl::signalName(*signal)), qUtf8Printable(entry->name),
           entry->pid);
    if (verb.parser().isSet(noWait)) {
        std::printf("sent SIG%s to %s (pid %lld)\n",
                    qUtf8Printable(SessionControl::signalName(*signal)),
                    qUtf8Printable(entry->name), entry->pid);
        return kOk;
    }
    Result<Config> config = Config::load(paths);
    const int graceMs = (config ? config->sessions().killGraceSec : 10) * 1000;
    // The holder escalates to SIGKILL after the grace period; allow it that and a little more.
    if (!ProcessWaiter::waitForExit(entry->pid, entry->procStart, graceMs + 5000))
        return report(
            Error{QStringLiteral("refused"),
                  QStringLiteral("%1 (pid %2) is still running").arg(entry->name).arg(entry->pid)});
    std::printf("killed %s (pid %lld, SIG%s)\n", qUtf8Printable(entry->name), entry->pid,
                qUtf8Printable(SessionControl::signalName(*signal)));
    return kOk;
}

} // namespace standby::cli
