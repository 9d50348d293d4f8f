#pragma once

#include "metrics/MetricsSample.h"
#include "metrics/RingBuffer.h"

#include <QHash>
#include <QPair>

namespace standby {

// Recent figures for charts: the system's CPU and memory on every sample, each worker's CPU and
// resident memory on every sample that walked the trees. Workers that are gone are dropped.
class MetricsHistory
{
public:
    struct SystemPoint
    {
        qint64 time = 0; // ms since the epoch
        float cpuPercent = 0;
        qint64 memoryUsedBytes = 0;
    };
    struct WorkerPoint
    {
        qint64 time = 0;
        float cpuPercent = 0;
        qint64 rssBytes = 0;
    };

    // A point closer than minimumSpacingMs to the one before (a pass a request started between
    // ticks) is not kept: charts get evenly spaced points.
    explicit MetricsHistory(qsizetype capacity, qint64 minimumSpacingMs = 0);

    void append(const MetricsSample &sample);
    // When nobody watches any more, per-worker history would only grow stale and hold memory.
    void clearWorkers();

    const RingBuffer<SystemPoint> &system() const { return m_system; }
    // Null when there is none for that process.
    const RingBuffer<WorkerPoint> *worker(qint64 pid, quint64 procStart) const;
    qsizetype workerCount() const { return m_workers.size(); }

private:
    using Key = QPair<qint64, quint64>;
    qsizetype m_capacity;
    qint64 m_minimumSpacingMs;
    RingBuffer<SystemPoint> m_system;
    QHash<Key, RingBuffer<WorkerPoint>> m_workers;
};

} // namespace standby
