#include "core/RunRecord.h"

#include "core/JsonFile.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>

#include <algorithm>

namespace standby {

using RunStatus = RunRecord::State;

static constexpr qint64 kMaxRecordBytes = 4 * 1024 * 1024;

QString RunRecord::statusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Accepted:
        return QStringLiteral("accepted");
    case RunStatus::Running:
        return QStringLiteral("running");
    case RunStatus::Exited:
        return QStringLiteral("exited");
    case RunStatus::Failed:
        return QStringLiteral("failed");
    case RunStatus::Killed:
        return QStringLiteral("killed");
    }
    return QString();
}

static std::optional<RunStatus> statusFromName(const QString &name)
{
    for (RunStatus s : {RunStatus::Accepted, RunStatus::Running, RunStatus::Exited,
                        RunStatus::Failed, RunStatus::Killed}) {
        if (RunRecord::statusName(s) == name)
            return s;
    }
    return std::nullopt;
}

static QJsonValue orNull(qint64 value, bool present)
{
    return present ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QJsonObject RunRecord::toJson() const
{
    QJsonObject envObject;
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        envObject.insert(it.key(), it.value());
    QJsonObject object = toPublicJson();
    object.insert(QStringLiteral("env"), envObject);
    object.insert(QStringLiteral("argv"), QJsonArray::fromStringList(argv));
    return object;
}

QJsonObject RunRecord::toPublicJson() const
{
    const bool ended = isFinished();
    return QJsonObject{
        {QStringLiteral("runId"), runId},
        {QStringLiteral("sessionId"), sessionId},
        {QStringLiteral("name"), name},
        {QStringLiteral("kind"), kind},
        {QStringLiteral("prompt"), prompt},
        {QStringLiteral("agent"), agent},
        {QStringLiteral("cwd"), cwd},
        {QStringLiteral("envKeys"), QJsonArray::fromStringList(env.keys())},
        {QStringLiteral("status"), statusName(status)},
        {QStringLiteral("exitCode"), orNull(exitCode, ended && exitCode >= 0)},
        {QStringLiteral("signal"),
         signal.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(signal)},
        {QStringLiteral("timedOut"), timedOut},
        {QStringLiteral("error"),
         error.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(error)},
        {QStringLiteral("acceptedAt"), acceptedAt},
        {QStringLiteral("startedAt"), orNull(startedAt, startedAt > 0)},
        {QStringLiteral("endedAt"), orNull(endedAt, ended && endedAt > 0)},
        {QStringLiteral("durationMs"),
         orNull(endedAt - startedAt, ended && startedAt > 0 && endedAt >= startedAt)},
        {QStringLiteral("timeoutSec"), orNull(timeoutSec, timeoutSec > 0)},
        {QStringLiteral("pid"), orNull(pid, pid > 0)},
        {QStringLiteral("childPid"), orNull(childPid, childPid > 0)},
        {QStringLiteral("log"), log},
        {QStringLiteral("logs"),
         QJsonObject{{QStringLiteral("process"), log},
                     {QStringLiteral("transcript"), transcript},
                     {QStringLiteral("debug"), debug && !debugLog.isEmpty()
                                                   ? QJsonValue(debugLog)
                                                   : QJsonValue(QJsonValue::Null)}}},
        {QStringLiteral("debug"), debug},
        {QStringLiteral("umask"), umask},
        {QStringLiteral("logOffset"), logOffset},
        {QStringLiteral("holderStart"), qint64(holderStart)},
    };
}

Result<RunRecord> RunRecord::fromJson(const QJsonObject &object)
{
    RunRecord record;
    record.runId = object.value(QStringLiteral("runId")).toString();
    if (!isValidRunId(record.runId))
        return Error{QStringLiteral("invalid_record"),
                     QStringLiteral("run record without a valid runId")};
    const std::optional<RunStatus> status =
        statusFromName(object.value(QStringLiteral("status")).toString());
    if (!status)
        return Error{QStringLiteral("invalid_record"),
                     QStringLiteral("run %1: unknown status").arg(record.runId)};
    record.status = *status;
    record.sessionId = object.value(QStringLiteral("sessionId")).toString();
    record.name = object.value(QStringLiteral("name")).toString();
    record.kind = object.value(QStringLiteral("kind")).toString(QStringLiteral("bg"));
    record.prompt = object.value(QStringLiteral("prompt")).toString();
    record.agent = object.value(QStringLiteral("agent")).toString();
    for (const QJsonValue &part : object.value(QStringLiteral("argv")).toArray())
        record.argv.append(part.toString());
    record.cwd = object.value(QStringLiteral("cwd")).toString();
    const QJsonObject env = object.value(QStringLiteral("env")).toObject();
    for (auto it = env.constBegin(); it != env.constEnd(); ++it)
        record.env.insert(it.key(), it.value().toString());
    record.exitCode = object.value(QStringLiteral("exitCode")).toInt(-1);
    record.signal = object.value(QStringLiteral("signal")).toString();
    record.timedOut = object.value(QStringLiteral("timedOut")).toBool();
    record.error = object.value(QStringLiteral("error")).toString();
    record.acceptedAt = object.value(QStringLiteral("acceptedAt")).toInteger();
    record.startedAt = object.value(QStringLiteral("startedAt")).toInteger();
    record.endedAt = object.value(QStringLiteral("endedAt")).toInteger();
    record.timeoutSec = object.value(QStringLiteral("timeoutSec")).toInteger();
    record.pid = object.value(QStringLiteral("pid")).toInteger();
    record.childPid = object.value(QStringLiteral("childPid")).toInteger();
    record.log = object.value(QStringLiteral("log")).toString();
    record.debug = object.value(QStringLiteral("debug")).toBool();
    const QJsonObject logs = object.value(QStringLiteral("logs")).toObject();
    record.transcript = logs.value(QStringLiteral("transcript")).toString();
    record.debugLog = logs.value(QStringLiteral("debug")).toString();
    record.umask = object.value(QStringLiteral("umask")).toInt(022) & 0777;
    record.logOffset = object.value(QStringLiteral("logOffset")).toInteger();
    record.holderStart = quint64(object.value(QStringLiteral("holderStart")).toInteger());
    return record;
}

RunRecord RunRecord::reconciled(qint64 nowMs, const ProcessTable &processes) const
{
    RunRecord out = *this;
    if (isFinished())
        return out;
    // A holder starts within moments of acceptance; a minute without one means it never did.
    constexpr qint64 kStartGraceMs = 60 * 1000;
    if (pid > 0 && holderStart > 0 && !processes.isAlive(pid, holderStart)) {
        out.status = State::Failed;
        out.error = childPid > 0
                        ? QStringLiteral("lost: its holder (pid %1) ended before the session "
                                         "did; the agent (pid %2) may still be running")
                              .arg(pid)
                              .arg(childPid)
                        : QStringLiteral("lost: its holder (pid %1) ended before the agent "
                                         "started")
                              .arg(pid);
    } else if (pid <= 0 && status == State::Accepted && nowMs - acceptedAt > kStartGraceMs) {
        out.status = State::Failed;
        out.error = QStringLiteral("never started: no holder took it up");
    }
    return out;
}

static QString recordPath(const Paths &paths, const QString &runId)
{
    return paths.runsDir() + QLatin1Char('/') + runId + QStringLiteral(".json");
}

Result<RunRecord> RunRecord::read(const Paths &paths, const QString &runId)
{
    if (!isValidRunId(runId))
        return Error{QStringLiteral("not_found"), QStringLiteral("no run %1").arg(runId.left(80))};
    Result<QJsonObject> object = JsonFile::read(recordPath(paths, runId), kMaxRecordBytes);
    if (!object) {
        if (object.error().code == QLatin1String("not_found"))
            return Error{QStringLiteral("not_found"), QStringLiteral("no run %1").arg(runId)};
        return object.error();
    }
    return fromJson(*object);
}

Status RunRecord::write(const Paths &paths, bool durable) const
{
    return durable ? JsonFile::write(recordPath(paths, runId), toJson())
                   : JsonFile::writeVolatile(recordPath(paths, runId), toJson());
}

QList<RunRecord> RunRecord::list(const Paths &paths, int limit)
{
    QStringList names =
        QDir(paths.runsDir()).entryList({QStringLiteral("r-*.json")}, QDir::Files, QDir::Name);
    std::reverse(names.begin(), names.end());
    QList<RunRecord> records;
    for (const QString &name : std::as_const(names)) {
        if (records.size() >= limit)
            break;
        Result<RunRecord> record = read(paths, name.chopped(5));
        if (record)
            records.append(*record);
    }
    return records;
}

std::optional<RunRecord> RunRecord::newestNamed(const Paths &paths, const QString &name)
{
    const QStringList names =
        QDir(paths.runsDir()).entryList({QStringLiteral("r-*.json")}, QDir::Files, QDir::Name);
    for (auto it = names.crbegin(); it != names.crend(); ++it) {
        Result<RunRecord> record = read(paths, it->chopped(5));
        if (record && record->name == name)
            return *record;
    }
    return std::nullopt;
}

int RunRecord::prune(const Paths &paths, int keep, int maxRemovals)
{
    QStringList names =
        QDir(paths.runsDir()).entryList({QStringLiteral("r-*.json")}, QDir::Files, QDir::Name);
    if (names.size() <= keep)
        return 0;
    // Oldest first, and only those beyond the newest `keep`.
    names.resize(names.size() - keep);
    int removed = 0;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const QString &name : std::as_const(names)) {
        if (removed >= maxRemovals)
            break;
        Result<RunRecord> record = read(paths, name.chopped(5));
        if (record && !record->reconciled(now).isFinished())
            continue;
        if (QFile::remove(QDir(paths.runsDir()).filePath(name)))
            ++removed;
    }
    return removed;
}

QString RunRecord::newRunId(qint64 nowMs)
{
    // Nine base-36 digits hold every millisecond until the year 5188: fixed width sorts right.
    return QStringLiteral("r-%1%2")
        .arg(QString::number(nowMs, 36).rightJustified(9, QLatin1Char('0')))
        .arg(QRandomGenerator::global()->bounded(0x10000), 4, 16, QLatin1Char('0'));
}

bool RunRecord::isValidRunId(const QString &runId)
{
    if (runId.size() < 3 || runId.size() > 40 || !runId.startsWith(QLatin1String("r-")))
        return false;
    return std::all_of(runId.begin() + 2, runId.end(), [](QChar c) {
        return (c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
               (c >= QLatin1Char('a') && c <= QLatin1Char('z'));
    });
}

} // namespace standby
