#pragma once

#include "metrics/MetricsSample.h"

#include <QByteArray>

namespace standby {

// GET /metrics: the daemon's own process_* families (as every Prometheus client library names
// them), per-worker tree figures labelled {name, kind}, worker and run counts, and the machine's
// figures, all in base units (seconds, bytes, ratios 0–1).
class MetricsExposition
{
public:
    static QByteArray render(const MetricsSample &sample, const QString &version);
};

} // namespace standby
