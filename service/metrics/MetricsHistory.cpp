#include "metrics/MetricsHistory.h"

namespace standby {

MetricsHistory::MetricsHistory(qsizetype capacity, qint64 minimumSpacingMs)
    : m_capacity(qMax<qsizetype>(1, capacity))
    , m_minimumSpacingMs(minimumSpacingMs)
    , m_system(m_capacity)
{}

void MetricsHistory::append(const MetricsSample &sample)
{
    if (m_system.isEmpty() || sample.time - m_system.last().time >= m_minimumSpacingMs)
        m_system.push(SystemPoint{sample.time, float(sample.system.cpuPercent),
                                  sample.system.memoryUsedBytes});
    if (!sample.hasWorkers)
        return;
    QHash<Key, RingBuffer<WorkerPoint>> workers;
    workers.reserve(sample.workers.size());
    for (const WorkerSample &worker : sample.workers) {
        const Key key(worker.pid, worker.procStart);
        RingBuffer<WorkerPoint> points = m_workers.take(key);
        if (points.capacity() == 0)
            points = RingBuffer<WorkerPoint>(m_capacity);
        if (points.isEmpty() || sample.time - points.last().time >= m_minimumSpacingMs)
            points.push(WorkerPoint{sample.time, float(worker.cpuPercent), worker.rssBytes});
        workers.insert(key, std::move(points));
    }
    m_workers = std::move(workers);
}

void MetricsHistory::clearWorkers()
{
    m_workers.clear();
}

const RingBuffer<MetricsHistory::WorkerPoint> *MetricsHistory::worker(qint64 pid,
                                                                      quint64 procStart) const
{
    const auto it = m_workers.constFind(Key(pid, procStart));
    return it == m_workers.constEnd() ? nullptr : &it.value();
}

} // namespace standby
