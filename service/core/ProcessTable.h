#pragma once

#include <QtGlobal>

#include <optional>

namespace standby {

// What /proc/{pid}/stat says about a process that matters for liveness.
struct ProcessStat
{
    char state = '?';      // field 3: R, S, D, Z (zombie), ...
    quint64 startTime = 0; // field 22: clock ticks after boot at which it started
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

    // The PID exists, is no zombie, and is still the process that started at procStart, so a
    // reused PID is never taken for the one we registered.
    bool isAlive(qint64 pid, quint64 procStart) const;

    static const ProcessTable &system();
};

} // namespace standby
