#include "sessions/SessionControl.h"

#include "core/ProcessTable.h"

#include <cerrno>
#include <csignal>
#include <cstring>

namespace standby {

namespace {

struct NamedSignal
{
    const char *name;
    int number;
};

constexpr NamedSignal kSignals[] = {
    {"TERM", SIGTERM}, {"KILL", SIGKILL}, {"INT", SIGINT},   {"HUP", SIGHUP},
    {"QUIT", SIGQUIT}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
};

} // namespace

std::optional<int> SessionControl::parseSignal(const QString &text)
{
    QString name = text.trimmed().toUpper();
    if (name.startsWith(QLatin1String("SIG")))
        name = name.mid(3);
    bool isNumber = false;
    const int number = name.toInt(&isNumber);
    for (const NamedSignal &signal : kSignals) {
        if ((isNumber && number == signal.number) || name == QLatin1String(signal.name))
            return signal.number;
    }
    return std::nullopt;
}

QString SessionControl::signalName(int signal)
{
    for (const NamedSignal &named : kSignals) {
        if (named.number == signal)
            return QString::fromLatin1(named.name);
    }
    const char *abbrev = ::sigabbrev_np(signal);
    return abbrev ? QString::fromLatin1(abbrev) : QString::number(signal);
}

Status SessionControl::kill(const RegistryEntry &entry, int signal)
{
    if (entry.isRemote())
        return Error{
            QStringLiteral("remote"),
            QStringLiteral("%1 is a remote worker; stop it on its own host").arg(entry.name)};
    const ProcessTable &processes = ProcessTable::system();
    if (!processes.isAlive(entry.pid, entry.procStart))
        return Error{QStringLiteral("not_found"),
                     QStringLiteral("%1 has already ended").arg(entry.name)};

    if (signal == SIGKILL && entry.childPid > 0 && entry.kind != RegistryEntry::Kind::Daemon) {
        // Only while the agent is still the holder's child is its PID (and group id) certainly
        // the agent's: a reaped PID could have been handed to a stranger.
        const std::optional<ProcessStat> child = processes.stat(entry.childPid);
        if (child && child->parentPid == entry.pid && child->groupId == entry.childPid) {
            if (::kill(-pid_t(entry.childPid), SIGKILL) == 0 || errno == ESRCH)
                return std::nullopt;
        }
    }
    // Everything else goes to the holder, which knows its agent for certain.
    const int sent = signal == SIGKILL ? SIGTERM : signal;
    if (Status error = ProcessTable::signalIfAlive(entry.pid, entry.procStart, sent)) {
        if (error->code == QLatin1String("not_found"))
            return Error{error->code, QStringLiteral("%1 has already ended").arg(entry.name)};
        return Error{error->code,
                     QStringLiteral("cannot signal %1: %2").arg(entry.name, error->message)};
    }
    return std::nullopt;
}

} // namespace standby
