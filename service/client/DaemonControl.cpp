#include "client/DaemonControl.h"

#include "client/ApiClient.h"
#include "client/DetachedLauncher.h"
#include "client/ProcessWaiter.h"
#include "core/DirectoryLock.h"
#include "core/LogCategories.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStandardPaths>

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace standby {

namespace {

QString lastLines(const QString &path, int maxBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    if (file.size() > maxBytes)
        file.seek(file.size() - maxBytes);
    return QString::fromUtf8(file.readAll()).trimmed();
}

} // namespace

DaemonControl::DaemonControl(const Paths &paths)
    : m_paths(paths)
{}

QString DaemonControl::defaultDaemonProgram()
{
    const QString fromEnv = qEnvironmentVariable("STANDBY_DAEMON_BIN");
    if (!fromEnv.isEmpty())
        return fromEnv;
    const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/standbyd");
    if (QFileInfo(beside).isExecutable())
        return beside;
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("standbyd"));
    return onPath.isEmpty() ? beside : onPath;
}

std::optional<QString> DaemonControl::normalizeHost(const QString &text)
{
    if (text == QLatin1String("localhost"))
        return QStringLiteral("127.0.0.1");
    const QByteArray bytes = text.toLatin1();
    unsigned char binary[sizeof(in6_addr)];
    char canonical[INET6_ADDRSTRLEN];
    for (int family : {AF_INET, AF_INET6}) {
        if (::inet_pton(family, bytes.constData(), binary) == 1 &&
            ::inet_ntop(family, binary, canonical, sizeof canonical))
            return QString::fromLatin1(canonical);
    }
    return std::nullopt;
}

std::optional<DaemonRecord> DaemonControl::running() const
{
    Result<DaemonRecord> record = DaemonRecord::read(m_paths);
    if (!record || !record->isAlive())
        return std::nullopt;
    return *record;
}

Result<DaemonControl::Started> DaemonControl::start(const StartOptions &options) const
{
    if (Status error = m_paths.ensureLayout())
        return *error;
    // Concurrent starts queue here: the first starts the daemon, the others find it running.
    DirectoryLock lock(m_paths.home());
    if (!lock.isLocked())
        return Error{QStringLiteral("io_error"),
                     QStringLiteral("cannot lock %1 to start the daemon").arg(m_paths.home())};
    if (std::optional<DaemonRecord> existing = running())
        return Started{*existing, true};

    DetachedLauncher::Spec spec;
    spec.program = options.daemonProgram;
    spec.arguments = {QStringLiteral("--serve"), QStringLiteral("--resident"),
                      QStringLiteral("--host"),  options.host,
                      QStringLiteral("--port"),  QString::number(options.port)};
    spec.logFile = m_paths.daemonLog();
    Result<DetachedLauncher::Launched> launched = DetachedLauncher::launch(spec);
    if (!launched)
        return launched.error();
    Result<QByteArray> report = DetachedLauncher::readReady(launched->readyFd, options.timeoutMs);
    ::close(launched->readyFd);
    if (!report) {
        QString detail = lastLines(m_paths.daemonLog(), 600);
        return Error{QStringLiteral("start_failed"),
                     QStringLiteral("the daemon did not start (%1). Last lines of %2:\n%3")
                         .arg(report.error().message, m_paths.daemonLog(), detail)};
    }
    const QJsonObject object = QJsonDocument::fromJson(*report).object();
    if (!object.value(QStringLiteral("ok")).toBool()) {
        const QJsonObject error = object.value(QStringLiteral("error")).toObject();
        return Error{error.value(QStringLiteral("code")).toString(QStringLiteral("start_failed")),
                     error.value(QStringLiteral("message"))
                         .toString(QStringLiteral("the daemon did not start"))};
    }
    Result<DaemonRecord> record =
        DaemonRecord::fromJson(object.value(QStringLiteral("daemon")).toObject());
    if (!record)
        return record.error();
    return Started{*record, false};
}

Result<QJsonObject> DaemonControl::status(int timeoutMs) const
{
    std::optional<DaemonRecord> record = running();
    if (!record)
        return Error{QStringLiteral("not_running"), QStringLiteral("no daemon is running")};
    Result<QJsonValue> answer =
        ApiClient(record->endpoint, timeoutMs).get(QStringLiteral("/api/v1/daemon/status"));
    if (!answer)
        return Error{QStringLiteral("unresponsive"),
                     QStringLiteral("daemon pid %1 does not answer at %2: %3")
                         .arg(record->pid)
                         .arg(record->endpoint, answer.error().message)};
    return answer->toObject();
}

Result<DaemonRecord> DaemonControl::stop(int graceMs) const
{
    std::optional<DaemonRecord> record = running();
    if (!record) {
        // A record left by a killed daemon means nothing; clear it so it misleads no one.
        if (Result<DaemonRecord> stale = DaemonRecord::read(m_paths))
            DaemonRecord::removeIfOwnedBy(m_paths, stale->pid);
        return Error{QStringLiteral("not_running"), QStringLiteral("no daemon is running")};
    }
    const qint64 pid = record->pid;
    const quint64 procStart = record->procStart;

    bool gone = false;
    Result<QJsonValue> asked = ApiClient(record->endpoint, qMin(graceMs, 3000) + 500)
                                   .post(QStringLiteral("/api/v1/daemon/stop"));
    if (asked)
        gone = ProcessWaiter::waitForExit(pid, procStart, graceMs);
    else
        qCWarning(lcClient, "the daemon did not take the stop request (%s); sending SIGTERM",
                  qUtf8Printable(asked.error().message));

    for (int sig : {SIGTERM, SIGKILL}) {
        if (gone)
            break;
        // Signal only the process we registered, never a stranger that reused its PID.
        if (ProcessTable::signalIfAlive(pid, procStart, sig)) {
            gone = !ProcessTable::system().isAlive(pid, procStart);
            if (gone)
                break;
        }
        gone = ProcessWaiter::waitForExit(pid, procStart, sig == SIGKILL ? 5000 : graceMs);
    }
    if (!gone)
        return Error{QStringLiteral("stop_failed"),
                     QStringLiteral("daemon pid %1 survived SIGKILL").arg(pid)};
    // A daemon that had to be killed could not clean up after itself.
    DaemonRecord::removeIfOwnedBy(m_paths, pid);
    QFile::remove(m_paths.pidFile(pid));
    return *record;
}

} // namespace standby
