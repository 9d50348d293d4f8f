#include "core/ProcessTable.h"

#include <QDateTime>
#include <QString>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace standby {

bool ProcessTable::exists(qint64 pid) const
{
    if (pid <= 0)
        return false;
    // EPERM: the PID is taken by a process we may not signal; it still exists.
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::optional<ProcessStat> ProcessTable::stat(qint64 pid) const
{
    if (pid <= 0)
        return std::nullopt;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    char buffer[1024];
    const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    if (n <= 0)
        return std::nullopt;
    return parseStat(buffer, n);
}

std::optional<ProcessStat> ProcessTable::parseStat(const char *text, qsizetype size)
{
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const char *end = text + size;
    const char *cursor = end;
    while (cursor > text && cursor[-1] != ')')
        --cursor;
    if (cursor == text)
        return std::nullopt;
    // Fields 3 to 24, space separated, after the command name.
    const char *fields[25] = {};
    for (int field = 3; field <= 24; ++field) {
        while (cursor < end && *cursor == ' ')
            ++cursor;
        if (cursor == end || *cursor == '\n' || *cursor == '\0')
            return std::nullopt;
        fields[field] = cursor;
        while (cursor < end && *cursor != ' ' && *cursor != '\n' && *cursor != '\0')
            ++cursor;
    }
    // Digits only, stopping at the field's end: the buffer need not be terminated.
    auto unsignedField = [&](int field) -> quint64 {
        quint64 value = 0;
        for (const char *c = fields[field]; c < end && *c >= '0' && *c <= '9'; ++c)
            value = value * 10 + quint64(*c - '0');
        return value;
    };
    auto signedField = [&](int field) -> qint64 {
        const char *c = fields[field];
        const bool negative = *c == '-';
        qint64 value = 0;
        for (c += negative ? 1 : 0; c < end && *c >= '0' && *c <= '9'; ++c)
            value = value * 10 + (*c - '0');
        return negative ? -value : value;
    };
    ProcessStat result;
    result.state = *fields[3];
    result.parentPid = signedField(4);
    result.groupId = signedField(5);
    result.sessionId = signedField(6);
    result.userTicks = unsignedField(14);
    result.systemTicks = unsignedField(15);
    result.childUserTicks = quint64(qMax<qint64>(0, signedField(16)));
    result.childSystemTicks = quint64(qMax<qint64>(0, signedField(17)));
    result.threads = int(signedField(20));
    result.startTime = unsignedField(22);
    result.virtualBytes = unsignedField(23);
    result.rssPages = signedField(24);
    return result;
}

Status ProcessTable::signalIfAlive(qint64 pid, quint64 procStart, int signal)
{
    const ProcessTable &table = system();
    const int pidfd = int(::syscall(SYS_pidfd_open, pid_t(pid), 0));
    // With the pidfd open, the PID cannot be reused: check once, then signal that process.
    if (!table.isAlive(pid, procStart)) {
        if (pidfd >= 0)
            ::close(pidfd);
        return Error{QStringLiteral("not_found"), QStringLiteral("process %1 is gone").arg(pid)};
    }
    int result = 0;
    if (pidfd >= 0) {
        result = int(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
        ::close(pidfd);
    } else {
        result = ::kill(pid_t(pid), signal);
    }
    if (result != 0)
        return Error{errno == ESRCH ? QStringLiteral("not_found") : QStringLiteral("refused"),
                     QStringLiteral("cannot signal process %1: %2")
                         .arg(pid)
                         .arg(QString::fromLocal8Bit(std::strerror(errno)))};
    return std::nullopt;
}

qint64 ProcessTable::bootTimeMs()
{
    const double up = uptimeSeconds();
    if (up <= 0)
        return 0;
    // Rounded down to the second, and a second of slack: the two clocks are read apart.
    return (QDateTime::currentMSecsSinceEpoch() - qint64(up * 1000)) / 1000 * 1000 - 1000;
}

qint64 ProcessTable::clockTicksPerSecond()
{
    static const qint64 ticks = ::sysconf(_SC_CLK_TCK);
    return ticks > 0 ? ticks : 100;
}

qint64 ProcessTable::pageSize()
{
    static const qint64 size = ::sysconf(_SC_PAGESIZE);
    return size > 0 ? size : 4096;
}

double ProcessTable::uptimeSeconds()
{
    const int fd = ::open("/proc/uptime", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buffer[64] = {};
    const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    return n > 0 ? std::strtod(buffer, nullptr) : 0;
}

std::optional<quint64> ProcessTable::startTime(qint64 pid) const
{
    const std::optional<ProcessStat> s = stat(pid);
    if (!s)
        return std::nullopt;
    return s->startTime;
}

bool ProcessTable::isAlive(qint64 pid, quint64 procStart) const
{
    if (!exists(pid))
        return false;
    const std::optional<ProcessStat> s = stat(pid);
    // Without a readable /proc (hidepid) kill(0) is all there is to go by.
    if (!s)
        return exists(pid);
    if (s->state == 'Z' || s->state == 'X')
        return false;
    return procStart == 0 || s->startTime == procStart;
}

const ProcessTable &ProcessTable::system()
{
    static const ProcessTable table;
    return table;
}

} // namespace standby
