#pragma once

#include "core/Registry.h"
#include "http/Router.h"

namespace standby {

class MetricsService;

// GET /api/v1/metrics, GET /api/v1/workers/{id}/metrics and GET /metrics (Prometheus). Every
// answer comes from the newest sample; a request that finds sampling asleep wakes it and is
// answered when its first pass is back (milliseconds, off the event loop).
class MetricsController
{
public:
    MetricsController(MetricsService &metrics, const Registry &registry)
        : m_metrics(metrics)
        , m_registry(registry)
    {}

    void registerRoutes(Router &router);

private:
    void overview(const HttpRequest &request, HttpResponder responder);
    void worker(const HttpRequest &request, HttpResponder responder);
    void prometheus(const HttpRequest &request, HttpResponder responder);
    // Answers from the newest sample; false when the worker is not in it.
    bool answerWorker(const QString &id, HttpResponder &responder);

    MetricsService &m_metrics;
    const Registry &m_registry;
};

} // namespace standby
