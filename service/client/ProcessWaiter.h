#pragma once

#include "core/ProcessTable.h"

namespace standby {

// Blocks until a process that is not our child ends, or the deadline passes. Uses a pidfd, which
// wakes the moment the process exits; where pidfds are missing it checks every few ms.
class ProcessWaiter
{
public:
    // True when the process (pid with start time procStart) is gone.
    static bool waitForExit(qint64 pid, quint64 procStart, int timeoutMs,
                            const ProcessTable &processes = ProcessTable::system());
};

} // namespace standby
