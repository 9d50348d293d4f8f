#pragma once

#include "api/DaemonLifecycle.h"
#include "core/Config.h"
#include "core/DaemonRecord.h"
#include "core/Paths.h"
#include "core/Registry.h"
#include "daemon/ServeOptions.h"

#include <QLockFile>
#include <QObject>

#include <memory>

namespace standby {

class AttachController;
class DaemonController;
class EventBus;
class EventsController;
class WorkerMonitor;
class LogsController;
class MetricsController;
class MetricsService;
class HttpServer;
class RunsController;
class SessionLauncher;
class WorkersController;
class SystemController;
class WebUiController;

// standbyd's lifecycle: become the resident daemon (daemon.lock) or serve alongside it, listen,
// register in the PID registry, publish daemon.json, and undo all of it on the way out.
class Daemon : public QObject, public DaemonLifecycle
{
    Q_OBJECT

public:
    Daemon(const Paths &paths, const Config &config, QObject *parent = nullptr);
    ~Daemon() override;

    // Everything up to serving. On failure nothing is left behind: no lock, no record, no PID
    // file. Errors: already_running (with --resident), port_in_use, address_unavailable, …
    Status start(const ServeOptions &options);
    // Idempotent; run on SIGINT/SIGTERM, on POST /daemon/stop, and before a restart.
    void shutdown();

    const DaemonRecord &record() const { return m_record; }
    QString sessionId() const { return m_sessionId; }

    // DaemonLifecycle
    QJsonObject residentStatus() const override;
    QJsonObject selfInfo() const override;
    bool isResident() const override { return m_resident; }
    void requestStop() override;
    Status requestRestart() override;
    Status launchResident(const QString &host, quint16 port) override;

Q_SIGNALS:
    // The event loop should end with this code.
    void finished(int exitCode);

private:
    bool takeResidentLock();
    void pruneRuns();
    void spawnSuccessor();

    Paths m_paths;
    Config m_config;
    Registry m_registry;
    QString m_sessionId;
    std::unique_ptr<QLockFile> m_lock;
    bool m_resident = false;
    bool m_running = false;
    quint16 m_requestedPort = 0;
    DaemonRecord m_record;
    HttpServer *m_http = nullptr;
    std::unique_ptr<SystemController> m_system;
    std::unique_ptr<DaemonController> m_daemonController;
    std::unique_ptr<WebUiController> m_webUi;
    std::unique_ptr<SessionLauncher> m_launcher;
    std::unique_ptr<WorkersController> m_workers;
    std::unique_ptr<RunsController> m_runs;
    std::unique_ptr<LogsController> m_logs;
    std::unique_ptr<AttachController> m_attach;
    MetricsService *m_metrics = nullptr;
    std::unique_ptr<MetricsController> m_metricsController;
    EventBus *m_events = nullptr;
    std::unique_ptr<EventsController> m_eventsController;
    WorkerMonitor *m_workerMonitor = nullptr;
};

} // namespace standby
