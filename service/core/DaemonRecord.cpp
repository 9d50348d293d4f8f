#include "core/DaemonRecord.h"

#include "core/JsonFile.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>

namespace standby {

QJsonObject DaemonRecord::toJson() const
{
    return QJsonObject{
        {QStringLiteral("pid"), pid},
        {QStringLiteral("procStart"), static_cast<qint64>(procStart)},
        {QStringLiteral("sessionId"), sessionId},
        {QStringLiteral("endpoint"), endpoint},
        {QStringLiteral("host"), host},
        {QStringLiteral("port"), port},
        {QStringLiteral("requestedPort"), requestedPort},
        {QStringLiteral("startedAt"), startedAt},
        {QStringLiteral("auth"), auth},
        {QStringLiteral("version"), version},
    };
}

QJsonObject DaemonRecord::toStatusJson() const
{
    return QJsonObject{
        {QStringLiteral("status"), QStringLiteral("running")},
        {QStringLiteral("pid"), pid},
        {QStringLiteral("endpoint"), endpoint},
        {QStringLiteral("host"), host},
        {QStringLiteral("port"), port},
        {QStringLiteral("startedAt"), startedAt},
        {QStringLiteral("auth"), auth},
        {QStringLiteral("version"), version},
        {QStringLiteral("webUrl"), endpoint + QLatin1Char('/')},
    };
}

QJsonObject DaemonRecord::stoppedStatusJson()
{
    return QJsonObject{{QStringLiteral("status"), QStringLiteral("stopped")}};
}

Result<DaemonRecord> DaemonRecord::fromJson(const QJsonObject &object)
{
    DaemonRecord record;
    const double pid = object.value(QStringLiteral("pid")).toDouble(-1);
    const int port = object.value(QStringLiteral("port")).toInt(-1);
    const int requestedPort = object.value(QStringLiteral("requestedPort")).toInt(0);
    if (pid <= 0 || pid > 4194304 || pid != static_cast<qint64>(pid))
        return Error{QStringLiteral("invalid_record"), QStringLiteral("daemon.json: bad pid")};
    if (port <= 0 || port > 65535 || requestedPort < 0 || requestedPort > 65535)
        return Error{QStringLiteral("invalid_record"), QStringLiteral("daemon.json: bad port")};
    record.pid = static_cast<qint64>(pid);
    record.procStart = static_cast<quint64>(object.value(QStringLiteral("procStart")).toDouble(0));
    record.sessionId = object.value(QStringLiteral("sessionId")).toString();
    record.endpoint = object.value(QStringLiteral("endpoint")).toString();
    record.host = object.value(QStringLiteral("host")).toString();
    record.port = static_cast<quint16>(port);
    record.requestedPort = static_cast<quint16>(requestedPort);
    record.startedAt = static_cast<qint64>(object.value(QStringLiteral("startedAt")).toDouble(0));
    record.auth = object.value(QStringLiteral("auth")).toString(QStringLiteral("none"));
    record.version = object.value(QStringLiteral("version")).toString();
    if (record.endpoint.isEmpty() || record.host.isEmpty())
        return Error{QStringLiteral("invalid_record"),
                     QStringLiteral("daemon.json: endpoint or host missing")};
    return record;
}

Result<DaemonRecord> DaemonRecord::read(const Paths &paths)
{
    Result<QJsonObject> object = JsonFile::read(paths.daemonRecord(), 64 * 1024);
    if (!object)
        return object.error();
    Result<DaemonRecord> record = fromJson(*object);
    if (record) {
        const QDateTime written = QFileInfo(paths.daemonRecord()).lastModified();
        record.value().fromPreviousBoot = written.toMSecsSinceEpoch() < ProcessTable::bootTimeMs();
    }
    return record;
}

Status DaemonRecord::write(const Paths &paths) const
{
    return JsonFile::write(paths.daemonRecord(), toJson());
}

void DaemonRecord::removeIfOwnedBy(const Paths &paths, qint64 ownerPid)
{
    Result<DaemonRecord> current = read(paths);
    if (current && current->pid != ownerPid)
        return;
    QFile::remove(paths.daemonRecord());
}

bool DaemonRecord::isAlive(const ProcessTable &processes) const
{
    return !fromPreviousBoot && processes.isAlive(pid, procStart);
}

} // namespace standby
