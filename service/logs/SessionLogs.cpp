#include "logs/SessionLogs.h"

#include "core/LogFiles.h"
#include "core/RunRecord.h"
#include "logs/LogScan.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>

namespace standby {

namespace {

QString debugPath(const Paths &paths, const SessionLogs::Session &session)
{
    return paths.debugLog(session.sessionId);
}

QString transcriptPath(const Paths &paths, const SessionLogs::Session &session)
{
    return paths.transcript(session.cwd, session.sessionId);
}

// The session's telemetry files, newest day first.
QStringList telemetryPaths(const Paths &paths, const SessionLogs::Session &session)
{
    QStringList out;
    const QDate first = QDateTime::fromMSecsSinceEpoch(session.startedAt, Qt::UTC).date();
    const QDate last =
        QDateTime::fromMSecsSinceEpoch(
            session.endedAt > 0 ? session.endedAt : QDateTime::currentMSecsSinceEpoch(), Qt::UTC)
            .date();
    for (QDate day = last; day >= first && out.size() < 366; day = day.addDays(-1)) {
        const QString path = paths.telemetryLog(day, session.cwd);
        if (QFile::exists(path))
            out.append(path);
    }
    return out;
}

} // namespace

const QStringList &SessionLogs::types()
{
    static const QStringList all{QStringLiteral("telemetry"), QStringLiteral("process"),
                                 QStringLiteral("debug"), QStringLiteral("transcript")};
    return all;
}

std::optional<SessionLogs::Session> SessionLogs::find(const Paths &paths, const Registry &registry,
                                                      const QString &key)
{
    if (std::optional<Session> live = findLive(paths, registry, key))
        return live;
    return findEnded(paths, key);
}

std::optional<SessionLogs::Session>
SessionLogs::findLive(const Paths &paths, const Registry &registry, const QString &key)
{
    const std::optional<RegistryEntry> entry = registry.find(key);
    if (!entry || entry->isRemote())
        return std::nullopt;
    Result<RunRecord> run = RunRecord::read(paths, entry->runId);
    return Session{entry->name,      entry->sessionId,
                   entry->cwd,       run ? run->log : entry->log,
                   entry->startedAt, 0};
}

std::optional<SessionLogs::Session> SessionLogs::findEnded(const Paths &paths, const QString &key)
{
    // By run id, else the newest run with that name (records read newest first, only until one
    // matches).
    std::optional<RunRecord> found;
    if (RunRecord::isValidRunId(key)) {
        if (Result<RunRecord> run = RunRecord::read(paths, key))
            found = *run;
    }
    if (!found)
        found = RunRecord::newestNamed(paths, key);
    if (!found)
        return std::nullopt;
    return Session{found->name,
                   found->sessionId,
                   found->cwd,
                   found->log,
                   found->startedAt > 0 ? found->startedAt : found->acceptedAt,
                   found->endedAt};
}

QStringList SessionLogs::available(const Paths &paths, const Session &session)
{
    QStringList out;
    if (!telemetryPaths(paths, session).isEmpty())
        out.append(QStringLiteral("telemetry"));
    if (!LogFiles::newestFirst(session.processLog).isEmpty())
        out.append(QStringLiteral("process"));
    if (QFile::exists(debugPath(paths, session)))
        out.append(QStringLiteral("debug"));
    if (QFile::exists(transcriptPath(paths, session)))
        out.append(QStringLiteral("transcript"));
    return out;
}

Result<QJsonObject> SessionLogs::read(const Paths &paths, const Session &session,
                                      const Query &query)
{
    const QStringList there = available(paths, session);
    QString type = query.type;
    if (!type.isEmpty() && !types().contains(type))
        return Error{
            QStringLiteral("invalid_type"),
            QStringLiteral("type must be one of %1").arg(types().join(QStringLiteral(", ")))};
    if (type.isEmpty())
        type = there.value(0);
    if (type.isEmpty() || !there.contains(type))
        return Error{QStringLiteral("no_logs"),
                     type.isEmpty() ? QStringLiteral("session %1 has no logs yet").arg(session.name)
                                    : QStringLiteral("session %1 has no %2 log%3")
                                          .arg(session.name, type,
                                               type == QLatin1String("debug")
                                                   ? QStringLiteral(" (start it with --debug)")
                                                   : QString())};

    const QByteArray text = query.text.toUtf8();
    const Qt::CaseSensitivity cs = query.ignoreCase ? Qt::CaseInsensitive : Qt::CaseSensitive;
    const QByteArray marker = " session=" + session.sessionId.toUtf8() + ' ';
    const bool telemetry = type == QLatin1String("telemetry");
    auto filter = [&](const QByteArray &line) {
        if (telemetry && !line.contains(marker))
            return false;
        if (text.isEmpty())
            return true;
        return QString::fromUtf8(line).contains(query.text, cs);
    };
    QStringList files;
    if (telemetry)
        files = telemetryPaths(paths, session);
    else if (type == QLatin1String("process"))
        files = LogFiles::newestFirst(session.processLog); // across rotations
    else if (type == QLatin1String("debug"))
        files = {debugPath(paths, session)};
    else
        files = {transcriptPath(paths, session)};

    // Newest first, read as one stream: a line cut by a rotation is whole again, and a search's
    // budget covers all the files together.
    const bool filtered = telemetry || !text.isEmpty();
    const LogScan::Result scan = LogScan::lastLines(
        files, query.tail, filtered ? LogScan::Filter(filter) : LogScan::Filter());
    const bool truncated = scan.truncated;
    QJsonArray out;
    for (const QByteArray &line : scan.lines)
        out.append(QString::fromUtf8(line));
    return QJsonObject{{QStringLiteral("name"), session.name},
                       {QStringLiteral("sessionId"), session.sessionId},
                       {QStringLiteral("type"), type},
                       {QStringLiteral("available"), QJsonArray::fromStringList(there)},
                       {QStringLiteral("lines"), out},
                       {QStringLiteral("truncated"), truncated}};
}

} // namespace standby
