#include "logs/SessionLogs.h"

#include "core/LogFiles.h"
#include "core/RunRecord.h"
#include "logs/LogScan.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <QJsonArray>
#include <sys/stat.h>

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
    Session session;
    session.name = entry->name;
    session.sessionId = entry->sessionId;
    session.cwd = entry->cwd;
    session.processLog = run ? run->log : entry->log;
    session.startedAt = entry->startedAt;
    session.runId = entry->runId;
    session.pid = entry->pid;
    session.procStart = entry->procStart;
    return session;
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
    Session session;
    session.name = found->name;
    session.sessionId = found->sessionId;
    session.cwd = found->cwd;
    session.processLog = found->log;
    session.startedAt = found->startedAt > 0 ? found->startedAt : found->acceptedAt;
    session.endedAt = found->endedAt;
    session.runId = found->runId;
    if (!found->isFinished()) {
        session.pid = found->pid;
        session.procStart = found->holderStart;
    }
    return session;
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

Result<QString> SessionLogs::resolveType(const Paths &paths, const Session &session,
                                         const QString &requested)
{
    const QStringList there = available(paths, session);
    QString type = requested;
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
    return type;
}

SessionLogs::LineFilter SessionLogs::filterFor(const Session &session, const QString &type,
                                               const Query &query)
{
    const bool telemetry = type == QLatin1String("telemetry");
    if (!telemetry && query.text.isEmpty())
        return {};
    const Qt::CaseSensitivity cs = query.ignoreCase ? Qt::CaseInsensitive : Qt::CaseSensitive;
    const QByteArray marker = " session=" + session.sessionId.toUtf8() + ' ';
    return [telemetry, marker, text = query.text, cs](const QByteArray &line) {
        if (telemetry && !line.contains(marker))
            return false;
        if (text.isEmpty())
            return true;
        return QString::fromUtf8(line).contains(text, cs);
    };
}

void SessionLogs::ensureFolderOf(const QString &file)
{
    const QString folder = QFileInfo(file).absolutePath();
    if (QFileInfo::exists(folder))
        return;
    QDir().mkpath(folder);
    QFile::setPermissions(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

QStringList SessionLogs::filesOf(const Paths &paths, const Session &session, const QString &type)
{
    if (type == QLatin1String("telemetry"))
        return telemetryPaths(paths, session);
    if (type == QLatin1String("process"))
        return LogFiles::newestFirst(session.processLog); // across rotations
    if (type == QLatin1String("debug"))
        return {debugPath(paths, session)};
    return {transcriptPath(paths, session)};
}

QString SessionLogs::currentFile(const Paths &paths, const Session &session, const QString &type)
{
    if (type == QLatin1String("telemetry"))
        return paths.telemetryLog(QDateTime::currentDateTimeUtc().date(), session.cwd);
    if (type == QLatin1String("process"))
        return session.processLog;
    if (type == QLatin1String("debug"))
        return debugPath(paths, session);
    return transcriptPath(paths, session);
}

Result<QJsonObject> SessionLogs::read(const Paths &paths, const Session &session,
                                      const Query &query)
{
    const Result<QString> resolved = resolveType(paths, session, query.type);
    if (!resolved)
        return resolved.error();
    const QString type = *resolved;
    const QStringList there = available(paths, session);
    const LineFilter filter = filterFor(session, type, query);
    const QStringList files = filesOf(paths, session, type);

    // Newest first, read as one stream: a line cut by a rotation is whole again, and a search's
    // budget covers all the files together.
    const LogScan::Result scan =
        LogScan::lastLines(files, query.tail, filter, 64 * 1024 * 1024, query.endOffset);
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

Result<SessionLogs::FollowStart>
SessionLogs::startFollow(const Paths &paths, const Session &session, const Query &query)
{
    FollowStart start;
    start.session = session;
    Result<QString> type = resolveType(paths, session, query.type);
    if (!type) {
        const bool waiting = type.error().code == QLatin1String("no_logs") && session.pid > 0 &&
                             (query.type.isEmpty() || query.type == QLatin1String("process") ||
                              query.type == QLatin1String("transcript"));
        if (!waiting)
            return type.error();
        type = query.type.isEmpty() ? QStringLiteral("process") : query.type;
    }
    start.type = *type;
    start.file = currentFile(paths, session, start.type);
    struct stat info = {};
    if (::stat(QFile::encodeName(start.file).constData(), &info) == 0) {
        start.offset = qint64(info.st_size);
        start.device = quint64(info.st_dev);
        start.inode = quint64(info.st_ino);
    }
    if (query.tail > 0 && start.offset > 0) {
        Query bounded = query;
        bounded.type = start.type;
        bounded.endOffset = start.offset;
        Result<QJsonObject> read = SessionLogs::read(paths, session, bounded);
        if (read) {
            for (const QJsonValue &line : read->value(QStringLiteral("lines")).toArray())
                start.tail.append(line.toString().toUtf8());
        }
    }
    return start;
}

} // namespace standby
