#include "sessions/SessionLauncher.h"

#include "Version.h"
#include "client/DetachedLauncher.h"
#include "core/DirectoryLock.h"
#include "core/LogCategories.h"
#include "core/SessionName.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSet>
#include <QStandardPaths>
#include <QSysInfo>

#include <csignal>
#include <unistd.h>

namespace standby {

SessionLauncher::SessionLauncher(const Paths &paths, const Config &config, const Registry &registry)
    : m_paths(paths)
    , m_config(config)
    , m_registry(registry)
    , m_workerProgram(defaultWorkerProgram())
{}

QString SessionLauncher::defaultWorkerProgram()
{
    const QString fromEnv = qEnvironmentVariable("STANDBY_WORKER_BIN");
    if (!fromEnv.isEmpty())
        return fromEnv;
    const QString beside =
        QCoreApplication::applicationDirPath() + QStringLiteral("/standby-worker");
    if (QFileInfo(beside).isExecutable())
        return beside;
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("standby-worker"));
    return onPath.isEmpty() ? beside : onPath;
}

bool SessionLauncher::isNameTaken(const QString &name) const
{
    return m_registry.isNameTaken(name);
}

Result<RunRecord> SessionLauncher::prepare(const RunRequest &request, const QString &kind)
{
    QString name = request.name;
    if (name.isEmpty()) {
        do {
            name = SessionName::generate(request.prompt, {});
        } while (isNameTaken(name));
    } else {
        if (Status error = SessionName::validate(name))
            return *error;
        if (isNameTaken(name))
            return Error{QStringLiteral("name_taken"),
                         QStringLiteral("a session named \"%1\" is already running; pick another "
                                        "name or stop it first")
                             .arg(name)};
    }

    Result<AgentProfile> agent = m_config.agent(request.agent);
    if (!agent)
        return agent.error();

    const QString cwd = request.cwd.isEmpty() ? QDir::homePath() : request.cwd;
    const QFileInfo cwdInfo(cwd);
    if (!QDir::isAbsolutePath(cwd))
        return Error{QStringLiteral("invalid_cwd"),
                     QStringLiteral("cwd must be an absolute path, not \"%1\"").arg(cwd.left(200))};
    if (!cwdInfo.exists())
        return Error{QStringLiteral("invalid_cwd"),
                     QStringLiteral("the working directory %1 does not exist").arg(cwd.left(500))};
    if (!cwdInfo.isDir())
        return Error{QStringLiteral("invalid_cwd"),
                     QStringLiteral("%1 is not a directory").arg(cwd.left(500))};

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = request.env.cbegin(); it != request.env.cend(); ++it)
        env.insert(it.key(), it.value());
    Result<QString> program = agent->resolveProgram(env);
    if (!program)
        return program.error();

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    RunRecord record;
    record.runId = RunRecord::newRunId(now);
    record.sessionId =
        QStringLiteral("%1-%2")
            .arg(kind == QLatin1String("bg") ? QStringLiteral("bg") : QStringLiteral("fg"))
            .arg(QRandomGenerator::global()->bounded(0x1000000), 6, 16, QLatin1Char('0'));
    record.name = name;
    record.kind = kind;
    record.prompt = request.prompt;
    record.agent = agent->name;
    record.argv = agent->argv(request.prompt);
    record.argv[0] = *program;
    record.cwd = QDir::cleanPath(cwdInfo.absoluteFilePath());
    record.env = request.env;
    record.acceptedAt = now;
    record.timeoutSec = request.timeoutSec;
    record.umask = request.umask & 0777;
    if (kind == QLatin1String("bg"))
        record.log = m_paths.processLog(name);
    record.transcript = m_paths.transcript(record.cwd, record.sessionId);
    record.debug = request.debug;
    if (record.debug)
        record.debugLog = m_paths.debugLog(record.sessionId);
    return record;
}

Result<RunRecord> SessionLauncher::launch(const RunRequest &request)
{
    // Name check and registration happen under one lock that foreground sessions and holders
    // take too, so two starts can never both get a name.
    DirectoryLock claim(m_paths.sessionsDir(), 2000);
    if (!claim.isLocked())
        return Error{
            QStringLiteral("busy"),
            QStringLiteral("the session registry is locked by another process; try again")};
    Result<RunRecord> prepared = prepare(request);
    if (!prepared)
        return prepared;
    RunRecord record = *prepared;
    const QString name = record.name;
    if (Status error = record.write(m_paths, false))
        return *error;

    DetachedLauncher::Spec spec;
    spec.program = m_workerProgram;
    spec.arguments = {QStringLiteral("--run-id"), record.runId};
    // The holder's own stray output (never the agent's) lands beside the daemon's.
    spec.logFile = m_paths.daemonLog();
    // A cancel may come before the holder has its handlers: it then waits instead of killing
    // the holder outright (SignalWatcher unblocks these once it handles them).
    spec.blockedSignals = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    Result<DetachedLauncher::Launched> launched = DetachedLauncher::spawnChild(spec);
    if (!launched) {
        QFile::remove(m_paths.runsDir() + QLatin1Char('/') + record.runId +
                      QStringLiteral(".json"));
        return Error{launched.error().code,
                     QStringLiteral("cannot start the session holder (%1); standby-worker belongs "
                                    "beside standbyd, or set STANDBY_WORKER_BIN")
                         .arg(launched.error().message)};
    }
    // The holder reports through its run record; nothing here waits for it.
    ::close(launched->readyFd);
    record.pid = launched->pid;
    // Registered at once, still under the lock, so the name is taken from this moment; the
    // holder completes the entry (childPid) when its agent has started, under the same lock.
    RegistryEntry entry;
    entry.pid = launched->pid;
    entry.procStart = ProcessTable::system().startTime(launched->pid).value_or(0);
    entry.sessionId = record.sessionId;
    entry.name = record.name;
    entry.cwd = record.cwd;
    entry.startedAt = record.acceptedAt;
    entry.kind = RegistryEntry::Kind::Bg;
    entry.agent = record.agent;
    entry.log = record.log;
    entry.runId = record.runId;
    entry.version = QString::fromLatin1(kVersion);
    entry.hostname = QSysInfo::machineHostName();
    if (Status error = m_registry.add(entry))
        qCWarning(lcSession, "cannot register the holder of %s yet: %s", qUtf8Printable(name),
                  qUtf8Printable(error->message));
    qCInfo(lcSession, "accepted run %s as session %s (holder pid %lld)",
           qUtf8Printable(record.runId), qUtf8Printable(name), launched->pid);
    return record;
}

} // namespace standby
