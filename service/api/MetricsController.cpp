#include "api/MetricsController.h"

#include "Version.h"
#include "metrics/MetricsExposition.h"
#include "metrics/MetricsJson.h"
#include "metrics/MetricsService.h"
#include "metrics/PrometheusText.h"

namespace standby {

namespace {

HttpResponse notFound(const QString &id)
{
    return HttpResponse::error(
        404, QStringLiteral("not_found"),
        QStringLiteral("no live local worker \"%1\" (by PID or name)").arg(id.left(100)));
}

} // namespace

void MetricsController::registerRoutes(Router &router)
{
    router.addAsync("GET", QStringLiteral("/api/v1/metrics"),
                    [this](const HttpRequest &request, HttpResponder responder) {
                        overview(request, responder);
                    });
    router.addAsync("GET", QStringLiteral("/api/v1/workers/{id}/metrics"),
                    [this](const HttpRequest &request, HttpResponder responder) {
                        worker(request, responder);
                    });
    router.addAsync("GET", QStringLiteral("/metrics"),
                    [this](const HttpRequest &request, HttpResponder responder) {
                        prometheus(request, responder);
                    });
}

void MetricsController::overview(const HttpRequest &request, HttpResponder responder)
{
    const QString history = request.queryValue(QStringLiteral("history"));
    if (!history.isEmpty() && history != QLatin1String("0") && history != QLatin1String("1") &&
        history != QLatin1String("true") && history != QLatin1String("false")) {
        responder.send(HttpResponse::error(400, QStringLiteral("invalid_history"),
                                           QStringLiteral("history must be 1 or 0")));
        return;
    }
    const bool withHistory = history != QLatin1String("0") && history != QLatin1String("false");
    m_metrics.noteDemand(MetricsService::Demand::Api);
    m_metrics.whenFresh([this, responder, withHistory]() mutable {
        responder.send(
            HttpResponse::raw(200, "application/json", m_metrics.metricsJson(withHistory)));
    });
}

bool MetricsController::answerWorker(const QString &id, HttpResponder &responder)
{
    bool isPid = false;
    const qint64 pid = id.toLongLong(&isPid);
    for (const WorkerSample &sample : m_metrics.latest().workers) {
        if (isPid ? sample.pid == pid : sample.name == id) {
            responder.send(HttpResponse::raw(200, "application/json",
                                             MetricsJson::worker(sample, m_metrics.history())));
            return true;
        }
    }
    return false;
}

void MetricsController::worker(const HttpRequest &request, HttpResponder responder)
{
    const QString id = request.param(QStringLiteral("id"));
    m_metrics.noteDemand(MetricsService::Demand::Api);
    m_metrics.whenFresh([this, id, responder]() mutable {
        if (answerWorker(id, responder))
            return;
        // Registered after the newest sample was taken: the next pass will have it.
        const std::optional<RegistryEntry> entry = m_registry.find(id);
        if (!entry || entry->isRemote()) {
            responder.send(notFound(id));
            return;
        }
        m_metrics.afterNextPass([this, id, responder]() mutable {
            if (!answerWorker(id, responder))
                responder.send(notFound(id));
        });
    });
}

void MetricsController::prometheus(const HttpRequest &, HttpResponder responder)
{
    m_metrics.noteDemand(MetricsService::Demand::Scrape);
    m_metrics.whenScrapeReady([this, responder]() mutable {
        responder.send(HttpResponse::raw(
            200, PrometheusText::kContentType,
            MetricsExposition::render(m_metrics.latest(), QString::fromLatin1(kVersion))));
    });
}

} // namespace standby
