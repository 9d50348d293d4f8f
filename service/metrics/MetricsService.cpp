#include "metrics/MetricsService.h"

#include "metrics/MetricsCollector.h"
#include "metrics/MetricsJson.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace standby {

static Clock steadyClock()
{
    return [] {
        static QElapsedTimer origin = [] {
            QElapsedTimer timer;
            timer.start();
            return timer;
        }();
        return origin.elapsed();
    };
}

MetricsService::MetricsService(const Paths &paths, const Config::Metrics &config, qint64 selfPid,
                               QObject *parent, const QString &procRoot, Clock monotonicMs)
    : QObject(parent)
    , m_intervalMs(config.intervalSec * 1000)
    , m_demandWindowMs(qint64(config.demandWindowSec) * 1000)
    , m_clock(monotonicMs ? std::move(monotonicMs) : steadyClock())
    // Half an interval: a tick late by timer slack still measures, a request's pass does not.
    , m_collector(
          std::make_unique<MetricsCollector>(paths, selfPid, config.intervalSec / 2.0, procRoot))
    , m_history(qsizetype(config.historyMinutes) * 60 / qMax(1, config.intervalSec),
                m_intervalMs / 2)
{
    // One thread: passes never overlap, and a slow /proc never takes more than one core.
    m_pool.setMaxThreadCount(1);
    // Kept between ticks rather than started anew every two seconds.
    m_pool.setExpiryTimeout(qMax(30000, 3 * m_intervalMs));
    m_timer.setInterval(m_intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &MetricsService::tick);
    connect(&m_watcher, &QFutureWatcher<MetricsSample>::finished, this,
            &MetricsService::onPassFinished);
}

MetricsService::~MetricsService()
{
    m_timer.stop();
    // The running pass uses m_collector: let it end before that goes.
    m_pool.waitForDone();
}

void MetricsService::start()
{
    m_timer.start();
    startPass();
}

bool MetricsService::recent(qint64 lastMs) const
{
    return lastMs >= 0 && m_clock() - lastMs <= m_demandWindowMs;
}

void MetricsService::noteDemand(Demand demand)
{
    (demand == Demand::Api ? m_lastApiMs : m_lastScrapeMs) = m_clock();
}

void MetricsService::whenFresh(std::function<void()> then)
{
    if (m_latest.hasWorkers) {
        then();
        return;
    }
    m_waitingFresh.append(std::move(then));
    startPass();
}

void MetricsService::whenScrapeReady(std::function<void()> then)
{
    if (recent(m_lastApiMs) && m_latest.hasWorkers && m_latest.runs) {
        then();
        return;
    }
    afterNextPass(std::move(then));
}

void MetricsService::afterNextPass(std::function<void()> then)
{
    m_waitingNext.append(std::move(then));
    startPass();
}

const QByteArray &MetricsService::metricsJson(bool withHistory)
{
    const int i = withHistory ? 1 : 0;
    if (!m_jsonValid[i]) {
        m_json[i] = MetricsJson::metrics(m_latest, m_history, m_intervalMs, withHistory);
        m_jsonValid[i] = true;
    }
    return m_json[i];
}

void MetricsService::tick()
{
    if (!recent(m_lastApiMs) && !recent(m_lastScrapeMs) && m_history.workerCount() > 0)
        m_history.clearWorkers();
    startPass();
}

void MetricsService::startPass()
{
    if (m_passRunning) {
        // Never two at once: whoever asked is served by the pass after this one.
        m_passAgain = true;
        return;
    }
    m_passRunning = true;
    m_passAgain = false;
    MetricsCollector::Request request;
    request.workers = recent(m_lastApiMs) || !m_waitingFresh.isEmpty() || !m_waitingNext.isEmpty();
    request.runs = request.workers && recent(m_lastScrapeMs);
    request.keepTrees = recent(m_lastApiMs) || recent(m_lastScrapeMs);
    // Those waiting for "the next pass" are served by this one (it walks the trees).
    m_waitingNextStarted = std::exchange(m_waitingNext, {});
    MetricsCollector *collector = m_collector.get();
    m_watcher.setFuture(
        QtConcurrent::run(&m_pool, [collector, request] { return collector->collect(request); }));
}

void MetricsService::onPassFinished()
{
    m_passRunning = false;
    m_latest = m_watcher.result();
    m_history.append(m_latest);
    m_jsonValid[0] = m_jsonValid[1] = false;
    const auto served = std::exchange(m_waitingNextStarted, {});
    for (const auto &then : served)
        then();
    if (m_latest.hasWorkers) {
        const auto fresh = std::exchange(m_waitingFresh, {});
        for (const auto &then : fresh)
            then();
    }
    // A pass that did not walk the trees leaves API waiters for the next, which will.
    if (m_passAgain || !m_waitingFresh.isEmpty() || !m_waitingNext.isEmpty())
        startPass();
}

} // namespace standby
