#pragma once

#include "core/Clock.h"
#include "core/Config.h"
#include "core/Paths.h"
#include "metrics/MetricsHistory.h"
#include "metrics/MetricsSample.h"

#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <memory>

namespace standby {

class MetricsCollector;

// Samples on a timer, off the event loop: each pass runs on a private one-thread pool and its
// result comes back to the loop, which keeps the newest sample and the history; answers are
// built from those and never wait for /proc.
//
// What a pass reads follows demand. The system's figures are read every tick. Process trees are
// walked on every tick only while a metrics API call came within demandWindowSec (a UI polling
// for charts needs CPU over each interval); a /metrics scrape gets one pass of its own instead
// (its counters come from /proc whole, so nothing needs sampling in between), and only scrapes
// count run records. An unwatched daemon with a hundred sessions walks no tree at all, and once
// neither kind of request came within the window it lets go of what it held for the trees.
class MetricsService : public QObject
{
    Q_OBJECT

public:
    enum class Demand { Api, Scrape };

    // procRoot: where /proc is (tests point it elsewhere). monotonicMs: a clock that only moves
    // forward, for demand windows (injected so tests need not wait a minute).
    MetricsService(const Paths &paths, const Config::Metrics &config, qint64 selfPid,
                   QObject *parent = nullptr, const QString &procRoot = QStringLiteral("/proc"),
                   Clock monotonicMs = {});
    ~MetricsService() override;

    // The first pass now, then one every intervalSec.
    void start();

    // Someone asked for metrics: an API call keeps (or starts) per-worker sampling on every tick
    // for the demand window; a scrape keeps the trees' state warm for it.
    void noteDemand(Demand demand);
    // For API calls: calls `then` on the event loop once the newest sample has walked the worker
    // trees: at once when ticks keep it current, else after the pass this starts.
    void whenFresh(std::function<void()> then);
    // For scrapes: calls `then` once the newest sample has walked the trees and counted the run
    // records: at once when ticks keep it current, else after a pass started now.
    void whenScrapeReady(std::function<void()> then);
    // Calls `then` after the next pass that walks the worker trees, however fresh the newest is
    // (for a worker registered after it).
    void afterNextPass(std::function<void()> then);

    const MetricsSample &latest() const { return m_latest; }
    const MetricsHistory &history() const { return m_history; }
    int intervalMs() const { return m_intervalMs; }

    // The body of GET /api/v1/metrics for the newest sample, built once per sample.
    const QByteArray &metricsJson(bool withHistory);

private:
    bool recent(qint64 lastMs) const;
    void tick();
    void startPass();
    void onPassFinished();

    int m_intervalMs;
    qint64 m_demandWindowMs;
    Clock m_clock;
    qint64 m_lastApiMs = -1;
    qint64 m_lastScrapeMs = -1;
    QTimer m_timer;
    QThreadPool m_pool;
    std::unique_ptr<MetricsCollector> m_collector; // only the running pass touches it
    QFutureWatcher<MetricsSample> m_watcher;
    bool m_passRunning = false;
    bool m_passAgain = false;
    QList<std::function<void()>> m_waitingFresh;
    QList<std::function<void()>> m_waitingNext;
    QList<std::function<void()>> m_waitingNextStarted; // of the pass now running
    MetricsSample m_latest;
    MetricsHistory m_history;
    QByteArray m_json[2];
    bool m_jsonValid[2] = {false, false};
};

} // namespace standby
