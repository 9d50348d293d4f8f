#include "core/ProcessTable.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
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
    buffer[n] = '\0';
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const char *cursor = std::strrchr(buffer, ')');
    if (!cursor)
        return std::nullopt;
    ++cursor;
    while (*cursor == ' ')
        ++cursor;
    ProcessStat result;
    result.state = *cursor;
    // After ')' come fields 3, 4, ...; field 22 is the 20th of them.
    for (int field = 3; field < 22; ++field) {
        while (*cursor == ' ')
            ++cursor;
        while (*cursor && *cursor != ' ')
            ++cursor;
        if (!*cursor)
            return std::nullopt;
    }
    while (*cursor == ' ')
        ++cursor;
    char *end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(cursor, &end, 10);
    if (end == cursor || errno != 0)
        return std::nullopt;
    result.startTime = static_cast<quint64>(value);
    return result;
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
