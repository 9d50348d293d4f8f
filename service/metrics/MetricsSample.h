#pragma once

#include "metrics/ProcessTreeSampler.h"
#include "metrics/SystemSampler.h"

#include <QList>
#include <QMap>
#include <QPair>
#include <QString>

#include <optional>

namespace standby {

// The daemon's own process, for Prometheus's standard process_* families.
struct SelfSample
{
    double cpuSeconds = 0;
    qint64 rssBytes = 0;
    qint64 virtualBytes = 0;
    int openFds = 0;
    qint64 maxFds = 0;
    double startTimeSec = 0; // since the epoch
};

// Everything one sampling pass read. Passes run on a pool thread; the result is handed to the
// event loop whole, and answers are built from the newest one.
struct MetricsSample
{
    qint64 time = 0;               // ms since the epoch
    double passSeconds = 0;        // how long the pass took, wall time
    double samplingCpuSeconds = 0; // CPU time of every pass so far, this one included
    SystemSample system;
    // Per-worker trees are walked only while someone asks for metrics; false when they were not.
    bool hasWorkers = false;
    QList<WorkerSample> workers;
    SelfSample self;
    // Live workers by (kind, status): running, starting (its agent not yet started), remote.
    QMap<QPair<QString, QString>, int> workerCounts;
    std::optional<QMap<QString, int>> runs; // run records by status, when counted
    ProcessTreeSampler::Stats processes;
};

} // namespace standby
