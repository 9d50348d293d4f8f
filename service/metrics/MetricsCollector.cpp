#include "metrics/MetricsCollector.h"

#include <QDateTime>
#include <QElapsedTimer>

#include <algorithm>

#include <sys/resource.h>
#include <time.h>

namespace standby {

MetricsCollector::MetricsCollector(const Paths &paths, qint64 selfPid, double minimumDeltaSec,
                                   const QString &procRoot)
    : m_paths(paths)
    , m_selfPid(selfPid)
    , m_proc(procRoot)
    , m_system(m_proc, paths.home(), minimumDeltaSec)
    , m_trees(m_proc, minimumDeltaSec)
    , m_registry(paths)
    , m_runs(paths)
    , m_sessionsStamp(paths.sessionsDir())
{}

// The clock of /proc's start times and of /proc/uptime, read directly: cheaper and finer.
static double bootClockSeconds()
{
    timespec now{};
    ::clock_gettime(CLOCK_BOOTTIME, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

SelfSample MetricsCollector::sampleSelf(double uptimeSec, qint64 nowMs) const
{
    SelfSample self;
    if (const std::optional<ProcessStat> stat = m_proc.stat(m_selfPid)) {
        const double ticks = double(ProcessTable::clockTicksPerSecond());
        self.cpuSeconds = double(stat->userTicks + stat->systemTicks) / ticks;
        self.rssBytes = stat->rssPages * ProcessTable::pageSize();
        self.virtualBytes = qint64(stat->virtualBytes);
        self.startTimeSec = double(nowMs) / 1000.0 - uptimeSec + double(stat->startTime) / ticks;
    }
    self.openFds = m_proc.openFds(m_selfPid).value_or(0);
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0)
        self.maxFds = limit.rlim_cur == RLIM_INFINITY ? -1 : qint64(limit.rlim_cur);
    return self;
}

namespace {

// Liveness as the pass just saw it, for run records: no second look at /proc per run.
class ScannedProcesses : public ProcessTable
{
public:
    explicit ScannedProcesses(const ProcessTreeSampler &trees)
        : m_trees(trees)
    {}
    bool exists(qint64 pid) const override { return m_trees.lastStat(pid).has_value(); }
    std::optional<ProcessStat> stat(qint64 pid) const override { return m_trees.lastStat(pid); }

private:
    const ProcessTreeSampler &m_trees;
};

} // namespace

const QList<RegistryEntry> &MetricsCollector::registryEntries(qint64 nowMs)
{
    // Every registry write is a rename into sessions/.
    if (m_sessionsStamp.mayHaveChanged()) {
        m_entries = m_registry.entries();
        // Oldest first, as the workers list shows them.
        std::sort(m_entries.begin(), m_entries.end(), [](const auto &a, const auto &b) {
            return a.startedAt != b.startedAt ? a.startedAt < b.startedAt : a.pid < b.pid;
        });
        m_sessionsStamp.listed(nowMs);
    }
    return m_entries;
}

MetricsSample MetricsCollector::collect(const Request &request)
{
    QElapsedTimer timer;
    timer.start();
    timespec cpuStart{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpuStart);
    MetricsSample sample;
    sample.time = QDateTime::currentMSecsSinceEpoch();
    sample.system = m_system.sample();
    if (request.workers) {
        const double uptime = bootClockSeconds();
        const QList<RegistryEntry> &entries = registryEntries(sample.time);
        QList<ProcessTreeSampler::Root> roots;
        QHash<qint64, const RegistryEntry *> byPid;
        for (const RegistryEntry &entry : entries) {
            const QString kind = RegistryEntry::kindName(entry.kind);
            if (entry.isRemote()) {
                if (m_registry.isAlive(entry))
                    sample.workerCounts[{kind, QStringLiteral("remote")}] += 1;
                continue;
            }
            if (entry.fromPreviousBoot)
                continue;
            roots.append({entry.pid, entry.procStart, entry.name, kind});
            byPid.insert(entry.pid, &entry);
        }
        sample.workers = m_trees.sample(roots, uptime, sample.system.lastPid);
        sample.processes = m_trees.lastStats();
        sample.hasWorkers = true;
        m_sampledWorkers = true;
        // The tree sampler answers only for the roots it found alive: count those.
        for (const WorkerSample &worker : std::as_const(sample.workers)) {
            const RegistryEntry *entry = byPid.value(worker.pid);
            const bool starting =
                entry && entry->kind != RegistryEntry::Kind::Daemon && entry->childPid <= 0;
            sample.workerCounts[{worker.kind, starting ? QStringLiteral("starting")
                                                       : QStringLiteral("running")}] += 1;
        }
        sample.self = sampleSelf(uptime, sample.time);
    } else if (m_sampledWorkers && !request.keepTrees) {
        // Nobody watches: let go of the held files; the next watcher starts afresh.
        m_trees.reset();
        m_sampledWorkers = false;
    }
    if (request.runs)
        sample.runs = m_runs.count(sample.time, ScannedProcesses(m_trees));
    sample.passSeconds = double(timer.nsecsElapsed()) / 1e9;
    timespec cpuEnd{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpuEnd);
    m_cpuSeconds +=
        double(cpuEnd.tv_sec - cpuStart.tv_sec) + double(cpuEnd.tv_nsec - cpuStart.tv_nsec) / 1e9;
    sample.samplingCpuSeconds = m_cpuSeconds;
    return sample;
}

} // namespace standby
