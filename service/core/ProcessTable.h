#pragma once

#include "core/Error.h"

#include <QtGlobal>

#include <optional>

namespace standby {

// What /proc/{pid}/stat says about a process that matters here.
struct ProcessStat
{
    char state = '?';             // field 3: R, S, D, Z (zombie), ...
    qint64 parentPid = 0;         // field 4
    qint64 groupId = 0;           // field 5
    qint64 sessionId = 0;         // field 6
    quint64 userTicks = 0;        // field 14
    quint64 systemTicks = 0;      // field 15
    quint64 childUserTicks = 0;   // field 16: of children it has waited for
    quint64 childSystemTicks = 0; // field 17
    int threads = 0;              // field 20
    quint64 startTime = 0;        // field 22: clock ticks after boot at which it started
    quint64 virtualBytes = 0;     // field 23
    qint64 rssPages = 0;          // field 24
};

// What the registry asks the OS about a PID. Virtual so tests can stage PID reuse and death
// without racing real processes.
class ProcessTable
{
public:
    virtual ~ProcessTable() = default;

    // kill(pid, 0): the PID names some process (ours or not).
    virtual bool exists(qint64 pid) const;
    virtual std::optional<ProcessStat> stat(qint64 pid) const;

    std::optional<quint64> startTime(qint64 pid) const;

    // The text of a /proc/{pid}/stat file (the one parser of that format). Null when it is cut
    // short or malformed.
    static std::optional<ProcessStat> parseStat(const char *text, qsizetype size);

    // The PID exists, is no zombie, and is still the process that started at procStart, so a
    // reused PID is never taken for the one we registered.
    bool isAlive(qint64 pid, quint64 procStart) const;

    static const ProcessTable &system();

    // Sends the signal only if the PID is still the process that started at procStart, through a
    // pidfd so the PID cannot change hands between the check and the signal. Errors: not_found
    // (gone or replaced), refused (kill said no).
    static Status signalIfAlive(qint64 pid, quint64 procStart, int signal);

    // When the system booted, in ms since the epoch (to the second): a state file older than
    // this was written before the reboot and names no live process, whatever its PID.
    static qint64 bootTimeMs();

    static qint64 clockTicksPerSecond();
    static qint64 pageSize();
    // Seconds since boot, from /proc/uptime.
    static double uptimeSeconds();
};

} // namespace standby
