#include "daemon/Daemon.h"

#include "Version.h"
#include "api/AttachController.h"
#include "api/DaemonController.h"
#include "api/EventBus.h"
#include "api/EventsController.h"
#include "api/LogsController.h"
#include "api/MetricsController.h"
#include "api/RunsController.h"
#include "api/SystemController.h"
#include "api/WorkersController.h"
#include "client/DaemonControl.h"
#include "client/DetachedLauncher.h"
#include "core/LogCategories.h"
#include "core/ProcessTable.h"
#include "core/RunRecord.h"
#include "daemon/WebUiController.h"
#include "daemon/WorkerMonitor.h"
#include "http/AccessPolicy.h"
#include "http/HttpServer.h"
#include "metrics/MetricsService.h"
#include "sessions/SessionLauncher.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QRandomGenerator>
#include <QSysInfo>
#include <QTimer>

#include <unistd.h>

namespace standby {

static QString authModeFor(const QHostAddress &host)
{
    const QString forced = qEnvironmentVariable("STANDBY_GATEWAY_AUTH");
    if (forced == QLatin1String("none") || forced == QLatin1String("password"))
        return forced;
    return host.isLoopback() ? QStringLiteral("none") : QStringLiteral("password");
}

static QString endpointFor(const QHostAddress &host, quint16 port)
{
    const QString text = host.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + host.toString() + QLatin1Char(']')
                             : host.toString();
    return QStringLiteral("http://%1:%2").arg(text).arg(port);
}

Daemon::Daemon(const Paths &paths, const Config &config, QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_config(config)
    , m_registry(paths)
    , m_sessionId(
          QStringLiteral("daemon-%1")
              .arg(QRandomGenerator::global()->generate() & 0xffffff, 6, 16, QLatin1Char('0')))
{}

Daemon::~Daemon()
{
    shutdown();
}

bool Daemon::takeResidentLock()
{
    m_lock = std::make_unique<QLockFile>(m_paths.daemonLock());
    // A resident daemon holds the lock for days: never call it stale by age, only when the
    // process that holds it is gone (QLockFile checks the PID and program name).
    m_lock->setStaleLockTime(0);
    if (m_lock->tryLock(0))
        return true;
    m_lock.reset();
    return false;
}

Status Daemon::start(const ServeOptions &options)
{
    HttpLimits limits;
    limits.maxConnections = m_config.http().maxConnections;
    limits.idleTimeoutMs = m_config.http().idleTimeoutSec * 1000;
    limits.headerTimeoutMs = m_config.http().headerTimeoutSec * 1000;
    limits.maxHeaderBytes = m_config.http().maxHeaderBytes;
    limits.maxBodyBytes = m_config.http().maxBodyBytes;
    const QString auth = authModeFor(options.host);
    if (!options.host.isLoopback() && auth != QLatin1String("none"))
        // Password sessions are not built yet; an open daemon on the network would let anyone
        // drive it, so refuse rather than pretend.
        return Error{QStringLiteral("auth_unavailable"),
                     QStringLiteral("listening on %1 needs password auth, which this version "
                                    "does not have yet; use a loopback address, or set "
                                    "STANDBY_GATEWAY_AUTH=none to accept the risk")
                         .arg(options.host.toString())};

    m_resident = takeResidentLock();
    if (!m_resident && options.residentOnly) {
        Result<DaemonRecord> other = DaemonRecord::read(m_paths);
        return Error{QStringLiteral("already_running"),
                     other ? QStringLiteral("a daemon already runs (pid %1 at %2)")
                                 .arg(other->pid)
                                 .arg(other->endpoint)
                           : QStringLiteral("a daemon already holds %1").arg(m_paths.daemonLock())};
    }

    m_http = new HttpServer(limits, this);
    if (Status error = m_http->listenOn(options.host, options.port)) {
        delete m_http;
        m_http = nullptr;
        m_lock.reset();
        m_resident = false;
        return error;
    }
    // Who may call is decided once, before any controller runs.
    auto access = std::make_shared<AccessPolicy>(options.host, m_http->port());
    m_http->setAccessCheck([access](const HttpRequest &request) { return access->check(request); });
    m_system = std::make_unique<SystemController>(*this);
    m_system->registerRoutes(m_http->router());
    m_daemonController = std::make_unique<DaemonController>(*this);
    m_daemonController->registerRoutes(m_http->router());
    m_launcher = std::make_unique<SessionLauncher>(m_paths, m_config, m_registry);
    m_workers = std::make_unique<WorkersController>(m_registry);
    m_workers->registerRoutes(m_http->router());
    m_runs = std::make_unique<RunsController>(m_paths, m_registry, *m_launcher);
    m_runs->registerRoutes(m_http->router());
    m_logs = std::make_unique<LogsController>(m_paths, m_registry);
    m_logs->registerRoutes(m_http->router());
    m_attach = std::make_unique<AttachController>(m_paths, m_registry);
    m_attach->registerRoutes(m_http->router());
    m_events = new EventBus(1000, this);
    m_eventsController = std::make_unique<EventsController>(*m_events);
    m_eventsController->registerRoutes(m_http->router());
    m_workerMonitor = new WorkerMonitor(m_paths, *m_events, this);
    if (!m_workerMonitor->start())
        qCWarning(lcDaemon, "cannot watch %s: worker events are not available",
                  qUtf8Printable(m_paths.sessionsDir()));
    m_metrics =
        new MetricsService(m_paths, m_config.metrics(), QCoreApplication::applicationPid(), this);
    m_metricsController = std::make_unique<MetricsController>(*m_metrics, m_registry);
    m_metricsController->registerRoutes(m_http->router());
    m_webUi = std::make_unique<WebUiController>();
    m_webUi->registerRoutes(m_http->router());

    const qint64 pid = QCoreApplication::applicationPid();
    m_requestedPort = options.port;
    m_record.pid = pid;
    m_record.procStart = ProcessTable::system().startTime(pid).value_or(0);
    m_record.sessionId = m_sessionId;
    m_record.host = options.host.toString();
    m_record.port = m_http->port();
    m_record.requestedPort = options.port;
    m_record.endpoint = endpointFor(options.host, m_record.port);
    m_record.startedAt = QDateTime::currentMSecsSinceEpoch();
    m_record.auth = auth;
    m_record.version = QString::fromLatin1(kVersion);

    // Entries of processes that died without unregistering (a SIGKILLed daemon) go first.
    m_registry.sweep();
    pruneRuns();
    // Run records are history with a size: keep the newest sessions.keepRuns.
    auto *pruning = new QTimer(this);
    connect(pruning, &QTimer::timeout, this, &Daemon::pruneRuns);
    pruning->start(std::chrono::minutes(10));

    RegistryEntry entry;
    entry.pid = pid;
    entry.sessionId = m_sessionId;
    entry.name = QStringLiteral("standbyd");
    entry.cwd = QDir::currentPath();
    entry.startedAt = m_record.startedAt;
    entry.kind = RegistryEntry::Kind::Daemon;
    entry.url = m_record.endpoint;
    entry.version = m_record.version;
    entry.hostname = QSysInfo::machineHostName();
    entry.log = m_paths.daemonLog();
    entry.procStart = m_record.procStart;
    if (Status error = m_registry.add(entry)) {
        shutdown();
        return error;
    }
    if (m_resident) {
        if (Status error = m_record.write(m_paths)) {
            shutdown();
            return error;
        }
    }
    m_running = true;
    m_metrics->start();
    qCInfo(lcDaemon, "standbyd %s serving %s (%s, auth %s, home %s)", kVersion,
           qUtf8Printable(m_record.endpoint), m_resident ? "resident" : "not resident",
           qUtf8Printable(auth), qUtf8Printable(m_paths.home()));
    return std::nullopt;
}

void Daemon::pruneRuns()
{
    const int removed = RunRecord::prune(m_paths, m_config.sessions().keepRuns);
    if (removed > 0)
        qCInfo(lcDaemon, "removed %d old run records (keeping the newest %d)", removed,
               m_config.sessions().keepRuns);
}

void Daemon::shutdown()
{
    if (m_events && m_running)
        m_events->publish(QStringLiteral("daemon.stopping"),
                          QJsonObject{{QStringLiteral("pid"), m_record.pid}});
    if (m_http) {
        m_http->close();
    }
    if (!m_record.pid)
        return;
    const qint64 pid = m_record.pid;
    m_registry.remove(pid);
    if (m_resident)
        DaemonRecord::removeIfOwnedBy(m_paths, pid);
    m_lock.reset(); // unlocks and removes daemon.lock
    if (m_running)
        qCInfo(lcDaemon, "standbyd stopped");
    m_running = false;
    m_record.pid = 0;
}

QJsonObject Daemon::residentStatus() const
{
    if (m_resident && m_running)
        return m_record.toStatusJson();
    Result<DaemonRecord> other = DaemonRecord::read(m_paths);
    if (other && other->isAlive())
        return other->toStatusJson();
    return DaemonRecord::stoppedStatusJson();
}

QJsonObject Daemon::selfInfo() const
{
    return QJsonObject{
        {QStringLiteral("pid"), m_record.pid},
        {QStringLiteral("sessionId"), m_sessionId},
        {QStringLiteral("endpoint"), m_record.endpoint},
        {QStringLiteral("startedAt"), m_record.startedAt},
        {QStringLiteral("resident"), m_resident},
        {QStringLiteral("auth"), m_record.auth},
        {QStringLiteral("version"), m_record.version},
        {QStringLiteral("hostname"), QSysInfo::machineHostName()},
        {QStringLiteral("home"), m_paths.home()},
    };
}

void Daemon::requestStop()
{
    // After this event: the answer to the request that asked goes out first.
    QTimer::singleShot(0, this, [this] {
        qCInfo(lcDaemon, "stop requested over the API");
        shutdown();
        Q_EMIT finished(0);
    });
}

Status Daemon::requestRestart()
{
    if (!m_resident)
        return Error{QStringLiteral("not_resident"),
                     QStringLiteral("this standbyd runs in the foreground, not as the resident "
                                    "daemon; restart it where it was started")};
    QTimer::singleShot(0, this, [this] {
        qCInfo(lcDaemon, "restart requested over the API");
        spawnSuccessor();
        Q_EMIT finished(0);
    });
    return std::nullopt;
}

void Daemon::spawnSuccessor()
{
    const QString host = m_record.host;
    const quint16 port = m_requestedPort;
    // The successor needs the lock and maybe the port: give both up first.
    shutdown();
    DaemonControl::StartOptions options;
    options.host = host;
    options.port = port;
    options.daemonProgram = QCoreApplication::applicationFilePath();
    Result<DaemonControl::Started> started = DaemonControl(m_paths).start(options);
    if (!started)
        qCCritical(lcDaemon, "restart failed: %s", qUtf8Printable(started.error().message));
    else
        qCInfo(lcDaemon, "restarted as pid %lld at %s", started->record.pid,
               qUtf8Printable(started->record.endpoint));
}

Status Daemon::launchResident(const QString &host, quint16 port)
{
    DetachedLauncher::Spec spec;
    spec.program = QCoreApplication::applicationFilePath();
    spec.arguments = {QStringLiteral("--serve"), QStringLiteral("--resident"),
                      QStringLiteral("--host"),  host,
                      QStringLiteral("--port"),  QString::number(port)};
    spec.logFile = m_paths.daemonLog();
    Result<DetachedLauncher::Launched> launched = DetachedLauncher::launch(spec);
    if (!launched)
        return launched.error();
    // The new daemon reports on its own; this process does not wait for it.
    ::close(launched->readyFd);
    qCInfo(lcDaemon, "launched the resident daemon on %s port %u", qUtf8Printable(host), port);
    return std::nullopt;
}

} // namespace standby
