#pragma once

#include "metrics/ProcFs.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace standby {

// One worker's process tree as one sampling pass saw it.
struct WorkerSample
{
    qint64 pid = 0;
    quint64 procStart = 0;
    QString name;
    QString kind; // bg | interactive | daemon
    int processes = 0;
    double cpuPercent = 0; // of one core (100 = one core busy), since the previous sample
    // Cumulative CPU of the tree, including what exited members were charged, never falling.
    double cpuSecondsTotal = 0;
    qint64 rssBytes = 0;
    int threads = 0;
    int fds = 0;
    std::optional<qint64> readBytes; // null when no member's /proc/{pid}/io was readable
    std::optional<qint64> writeBytes;
    double startTimeSec = 0; // seconds after boot
    qint64 uptimeSec = 0;
};

// Per-worker figures of whole process trees (a holder, its agent and every descendant) from one
// walk of /proc: each process's stat is read once to learn its parent, the trees are summed from
// that, and only members of a tree get their fd and io files read.
//
// What it reads is cut to what can have changed, because the cost of metrics is the number of
// /proc files read:
// - A process found outside every tree is not read again while its /proc entry keeps its inode
//   and the set of roots is unchanged: it cannot join a tree (a new member is a new process, and
//   orphans are re-parented to their nearest subreaper, which for a member is its holder), so a
//   daemon on a busy desktop reads the stat of its workers' processes, not of all of them.
// - /proc is listed only when a process may have been created since the last listing (the
//   system's last PID moved, or the roots changed); otherwise the known processes are re-read.
// - A member's stat and schedstat are kept open and re-read (ProcFs::openStat, openRuntime),
//   up to a quarter of the descriptor limit (at most 4096): the daemon holds two descriptors per
//   process in its trees.
// - A single-threaded member whose schedstat runtime has not moved has not run, so its stat is
//   not read again (a fifth of the cost) except on its periodic turn (below), which catches what
//   changes without it running: its resident set shrinking under memory pressure. A member
//   whose parent is gone is read again at once (it was re-parented).
// - A member's fd count and io are re-read when it ran since the last pass: a process that has
//   not run has opened, closed, read and written nothing. Whether it ran is exact for a
//   single-threaded member (its schedstat); for others it is told by CPU ticks, which a process
//   that ran for less than a tick does not move, so theirs are also re-read every
//   detailEvery-th pass (staggered by PID, so no pass reads them all).
class ProcessTreeSampler
{
public:
    struct Root
    {
        qint64 pid = 0;
        quint64 procStart = 0; // 0: not checked
        QString name;
        QString kind;
    };

    // minimumDeltaSec: as in SystemSampler, a sample this soon after the CPU baseline repeats the
    // last CPU figure rather than measure over a few milliseconds.
    explicit ProcessTreeSampler(const ProcFs &proc, double minimumDeltaSec = 0, int detailEvery = 5,
                                qint64 ticksPerSecond = ProcessTable::clockTicksPerSecond(),
                                qint64 pageSize = ProcessTable::pageSize());
    ~ProcessTreeSampler();
    ProcessTreeSampler(const ProcessTreeSampler &) = delete;
    ProcessTreeSampler &operator=(const ProcessTreeSampler &) = delete;

    // uptimeSec: seconds since boot now (CLOCK_BOOTTIME), the clock of /proc's start times.
    // lastPid: SystemSample::lastPid read before this call (0: unknown, always list /proc).
    // Roots that are gone or whose start time differs are left out of the answer.
    QList<WorkerSample> sample(const QList<Root> &roots, double uptimeSec, qint64 lastPid = 0);

    // Forgets everything but the cumulative CPU figures: CPU deltas start over, held files are
    // closed, and the next pass reads every process.
    void reset();

    // The stat of a process as the last pass saw it (read then, or known from earlier to be
    // outside every tree); null when it was not there.
    std::optional<ProcessStat> lastStat(qint64 pid) const;

    struct Stats
    {
        bool listing = false; // /proc was listed (else nothing new could be there)
        int listed = 0;       // processes in the listing
        int read = 0;         // whose stat was read
        int members = 0;      // in some tree
        int detailed = 0;     // members whose fd count and io were read
        int idle = 0;         // members found not to have run, whose stat was not read
        int handles = 0;      // files held open
    };
    const Stats &lastStats() const { return m_stats; }

private:
    struct Known
    {
        quint64 inode = 0;
        ProcessStat stat;
        bool outside = false;
        // A member's fd count and io, while they are known to be current enough.
        bool detailKnown = false;
        int fds = 0;
        std::optional<ProcFs::Io> io;
        int statHandle = -1;    // owned: closed when the process leaves the trees
        int runtimeHandle = -1; // owned, likewise
        std::optional<quint64> runtimeNs;
        bool reused = false;     // this pass took its stat from the last one
        bool provedIdle = false; // single-threaded, and its exact run time did not move
    };
    void closeHandles(Known &node);
    struct Previous
    {
        quint64 ticks = 0;
        double uptimeSec = 0;
        double cpuPercent = 0;
    };
    using Key = QPair<qint64, quint64>; // pid, start time: a process beyond PID reuse

    const ProcFs &m_proc;
    double m_minimumDeltaSec;
    int m_detailEvery;
    int m_handleBudget;
    int m_handles = 0;
    bool m_runtimeAvailable = true;
    quint64 m_pass = 0;
    double m_ticksPerSecond;
    qint64 m_pageSize;
    QHash<qint64, Known> m_known;
    QList<Key> m_roots; // of the previous pass, sorted
    qint64 m_lastPid = 0;
    QHash<Key, Previous> m_previous; // by root, for CPU deltas
    QHash<Key, double> m_highWater;  // by root, cumulative CPU seconds
    Stats m_stats;
};

} // namespace standby
