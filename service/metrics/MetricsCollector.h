#pragma once

#include "core/Paths.h"
#include "core/Registry.h"
#include "metrics/DirectoryStamp.h"
#include "metrics/MetricsSample.h"
#include "metrics/ProcFs.h"
#include "metrics/ProcessTreeSampler.h"
#include "metrics/RunCounter.h"
#include "metrics/SystemSampler.h"

namespace standby {

// One sampling pass: the system's figures always; the registry's live local workers and their
// process trees, the daemon's own process and the run records when asked. Runs on a pool thread,
// one pass at a time, so it keeps its state (CPU baselines, the process cache, its own Registry
// and its parse cache) without locks; nothing else touches it while a pass runs.
class MetricsCollector
{
public:
    struct Request
    {
        bool workers = false;
        bool runs = false;
        // Between passes that walk the trees, keep what they hold (CPU baselines, open /proc
        // files); false lets go of it all.
        bool keepTrees = false;
    };

    // minimumDeltaSec: passes closer than this to the last CPU baseline repeat its CPU figures.
    MetricsCollector(const Paths &paths, qint64 selfPid, double minimumDeltaSec,
                     const QString &procRoot = QStringLiteral("/proc"));

    MetricsSample collect(const Request &request);

private:
    SelfSample sampleSelf(double uptimeSec, qint64 nowMs) const;
    // The registry's entries, listed again only when sessions/ may have changed.
    const QList<RegistryEntry> &registryEntries(qint64 nowMs);

    Paths m_paths;
    qint64 m_selfPid;
    ProcFs m_proc;
    SystemSampler m_system;
    ProcessTreeSampler m_trees;
    Registry m_registry;
    RunCounter m_runs;
    bool m_sampledWorkers = false;
    double m_cpuSeconds = 0;
    QList<RegistryEntry> m_entries;
    DirectoryStamp m_sessionsStamp;
};

} // namespace standby
