#include "metrics/MetricsExposition.h"

#include "metrics/PrometheusText.h"

#include <QHash>

namespace standby {

namespace {

using Type = PrometheusText::Type;

// {name, kind} for each worker. Names are unique among live sessions, but every daemon is
// "standbyd": a second one in the same home (a foreground --serve beside the resident daemon)
// gets its PID appended, so no two series share a label set.
QList<PrometheusText::Labels> workerLabels(const QList<WorkerSample> &workers)
{
    QHash<QString, int> seen;
    QList<PrometheusText::Labels> out;
    out.reserve(workers.size());
    for (const WorkerSample &worker : workers) {
        QString name = worker.name;
        const QString key = worker.kind + QLatin1Char('\n') + worker.name;
        if (seen[key]++ > 0)
            name += QLatin1Char('#') + QString::number(worker.pid);
        out.append({{"name", name}, {"kind", worker.kind}});
    }
    return out;
}

} // namespace

QByteArray MetricsExposition::render(const MetricsSample &sample, const QString &version)
{
    PrometheusText p;
    const SelfSample &self = sample.self;
    p.family("process_cpu_seconds_total", Type::Counter,
             QStringLiteral("Total user and system CPU time spent in seconds."));
    p.sample(self.cpuSeconds);
    p.family("process_resident_memory_bytes", Type::Gauge,
             QStringLiteral("Resident memory size in bytes."));
    p.sample(double(self.rssBytes));
    p.family("process_virtual_memory_bytes", Type::Gauge,
             QStringLiteral("Virtual memory size in bytes."));
    p.sample(double(self.virtualBytes));
    p.family("process_open_fds", Type::Gauge, QStringLiteral("Number of open file descriptors."));
    p.sample(self.openFds);
    p.family("process_max_fds", Type::Gauge,
             QStringLiteral("Maximum number of open file descriptors."));
    p.sample(double(self.maxFds));
    p.family("process_start_time_seconds", Type::Gauge,
             QStringLiteral("Start time of the process since unix epoch in seconds."));
    p.sample(self.startTimeSec);

    p.family("standby_up", Type::Gauge, QStringLiteral("1 while the Standby daemon answers."));
    p.sample(1);
    p.family("standby_build_info", Type::Gauge,
             QStringLiteral("Always 1; the version of the Standby daemon in its label."));
    p.sample(1, {{"version", version}});
    p.family("standby_metrics_sample_duration_seconds", Type::Gauge,
             QStringLiteral("Wall time of the last sampling pass over /proc (off the event "
                            "loop)."));
    p.sample(sample.passSeconds);
    p.family("standby_metrics_sampling_cpu_seconds_total", Type::Counter,
             QStringLiteral("CPU time the daemon has spent sampling (/proc reads and sums, on "
                            "its sampling thread): the cost of metrics."));
    p.sample(sample.samplingCpuSeconds);

    const SystemSample &s = sample.system;
    p.family("standby_system_cpu_ratio", Type::Gauge,
             QStringLiteral("Busy share of all CPUs over the last sampling interval, 0 to 1."));
    p.sample(s.cpuPercent / 100.0);
    p.family("standby_system_cpus", Type::Gauge, QStringLiteral("Online CPUs."));
    p.sample(s.cpuCount);
    p.family("standby_system_memory_used_bytes", Type::Gauge,
             QStringLiteral("Memory in use: MemTotal minus MemAvailable."));
    p.sample(double(s.memoryUsedBytes));
    p.family("standby_system_memory_size_bytes", Type::Gauge,
             QStringLiteral("Total usable memory (MemTotal)."));
    p.sample(double(s.memoryTotalBytes));
    p.family("standby_system_swap_used_bytes", Type::Gauge, QStringLiteral("Swap in use."));
    p.sample(double(s.swapUsedBytes));
    p.family("standby_system_swap_size_bytes", Type::Gauge, QStringLiteral("Total swap."));
    p.sample(double(s.swapTotalBytes));
    p.family("standby_system_load1", Type::Gauge, QStringLiteral("1-minute load average."));
    p.sample(s.load1);
    p.family("standby_system_load5", Type::Gauge, QStringLiteral("5-minute load average."));
    p.sample(s.load5);
    p.family("standby_system_load15", Type::Gauge, QStringLiteral("15-minute load average."));
    p.sample(s.load15);
    p.family("standby_system_disk_used_bytes", Type::Gauge,
             QStringLiteral("Used bytes of the file system that holds STANDBY_HOME."));
    p.sample(double(s.diskUsedBytes));
    p.family("standby_system_disk_size_bytes", Type::Gauge,
             QStringLiteral("Size in bytes of the file system that holds STANDBY_HOME."));
    p.sample(double(s.diskTotalBytes));
    p.family("standby_system_boot_time_seconds", Type::Gauge,
             QStringLiteral("When the machine booted, in seconds since the epoch."));
    p.sample(double(sample.time) / 1000.0 - s.uptimeSec);

    const QList<PrometheusText::Labels> labels = workerLabels(sample.workers);
    auto perWorker = [&](const QByteArray &name, Type type, const QString &help, auto value) {
        p.family(name, type, help);
        for (qsizetype i = 0; i < sample.workers.size(); ++i)
            p.sample(value(sample.workers.at(i)), labels.at(i));
    };
    perWorker("standby_worker_cpu_seconds_total", Type::Counter,
              QStringLiteral("CPU seconds used by a worker's whole process tree (holder, agent "
                             "and descendants), including members that have exited and been "
                             "reaped."),
              [](const WorkerSample &w) { return w.cpuSecondsTotal; });
    perWorker("standby_worker_resident_memory_bytes", Type::Gauge,
              QStringLiteral("Resident memory of a worker's live process tree."),
              [](const WorkerSample &w) { return double(w.rssBytes); });
    perWorker("standby_worker_processes", Type::Gauge,
              QStringLiteral("Live processes in a worker's tree."),
              [](const WorkerSample &w) { return double(w.processes); });
    perWorker("standby_worker_threads", Type::Gauge,
              QStringLiteral("Threads in a worker's live process tree."),
              [](const WorkerSample &w) { return double(w.threads); });
    perWorker("standby_worker_open_fds", Type::Gauge,
              QStringLiteral("Open file descriptors of a worker's live process tree."),
              [](const WorkerSample &w) { return double(w.fds); });
    perWorker("standby_worker_start_time_seconds", Type::Gauge,
              QStringLiteral("When a worker's root process started, in seconds since the epoch."),
              [&](const WorkerSample &w) {
                  return double(sample.time) / 1000.0 - s.uptimeSec + w.startTimeSec;
              });

    p.family("standby_workers", Type::Gauge,
             QStringLiteral("Live workers by kind (bg, interactive, daemon) and status (running; "
                            "starting: its agent has not started yet; remote: added by hand, "
                            "alive by heartbeat)."));
    for (auto it = sample.workerCounts.cbegin(); it != sample.workerCounts.cend(); ++it)
        p.sample(it.value(), {{"kind", it.key().first}, {"status", it.key().second}});

    if (sample.runs) {
        p.family("standby_runs", Type::Gauge,
                 QStringLiteral("Run records present in runs/, by status. A gauge, not a "
                                "counter: the daemon prunes records beyond sessions.keepRuns."));
        for (auto it = sample.runs->cbegin(); it != sample.runs->cend(); ++it)
            p.sample(it.value(), {{"status", it.key()}});
    }
    return p.text();
}

} // namespace standby
