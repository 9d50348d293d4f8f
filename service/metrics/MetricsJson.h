#pragma once

#include "metrics/MetricsHistory.h"
#include "metrics/MetricsSample.h"

#include <QByteArray>

namespace standby {

// The JSON of GET /api/v1/metrics and GET /api/v1/workers/{id}/metrics, envelope included.
// Written by hand rather than through QJsonObject: a full answer holds 15 minutes of history for
// every worker (tens of thousands of points), and building that as a tree of QJsonValues first
// costs several times what writing the bytes does.
class MetricsJson
{
public:
    static QByteArray metrics(const MetricsSample &sample, const MetricsHistory &history,
                              int intervalMs, bool withHistory);
    static QByteArray worker(const WorkerSample &worker, const MetricsHistory &history,
                             bool withHistory = true);
};

} // namespace standby
