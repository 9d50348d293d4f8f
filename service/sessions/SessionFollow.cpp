#include "sessions/SessionFollow.h"

#include "core/RunRecord.h"
#include "logs/LogFollower.h"
#include "sessions/ExitWatcher.h"

#include <QDateTime>
#include <QTimer>

namespace standby {

SessionFollow::SessionFollow(const Paths &paths, const SessionLogs::FollowStart &start,
                             SessionLogs::LineFilter filter, QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_session(start.session)
    , m_type(start.type)
    , m_filter(std::move(filter))
    , m_follower(new LogFollower(start.file, start.offset, this))
    , m_exits(new ExitWatcher(this))
{
    if (start.inode != 0)
        m_follower->setExpectedFile(start.device, start.inode);
    connect(m_follower, &LogFollower::lines, this, &SessionFollow::onLines);
    connect(m_follower, &LogFollower::finished, this,
            [this] { Q_EMIT ended(exitOf(m_paths, m_session.runId)); });
    connect(m_exits, &ExitWatcher::exited, this, &SessionFollow::onSessionExited);
}

bool SessionFollow::start()
{
    if (m_type == QLatin1String("telemetry")) {
        // Today's folder may not exist yet (nothing logged today); it is the one to watch.
        SessionLogs::ensureFolderOf(SessionLogs::currentFile(m_paths, m_session, m_type));
        scheduleNextDay();
    }
    if (!m_follower->start())
        return false;
    // The holder writes all output before it exits: once it is gone, what is in the file is
    // all there will be.
    if (m_session.pid <= 0 || !m_exits->watch(m_session.pid, m_session.procStart))
        m_follower->finish();
    return true;
}

void SessionFollow::scheduleNextDay()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime midnight(now.date().addDays(1), QTime(0, 0), Qt::UTC);
    // A second past midnight: the first line of the new day has a file to go to.
    QTimer::singleShot(now.msecsTo(midnight) + 1000, this, [this] {
        const QString next = SessionLogs::currentFile(m_paths, m_session, m_type);
        SessionLogs::ensureFolderOf(next);
        m_follower->moveTo(next);
        scheduleNextDay();
    });
}

void SessionFollow::setPaused(bool paused)
{
    m_follower->setPaused(paused);
}

void SessionFollow::onSessionExited()
{
    m_follower->finish();
}

void SessionFollow::onLines(const QByteArray &chunk)
{
    if (!m_filter) {
        Q_EMIT lines(chunk);
        return;
    }
    QByteArray kept;
    qsizetype start = 0;
    while (start < chunk.size()) {
        qsizetype end = chunk.indexOf('\n', start);
        if (end < 0)
            end = chunk.size() - 1;
        const QByteArray line = chunk.mid(start, end - start + 1);
        QByteArray bare = line;
        if (bare.endsWith('\n'))
            bare.chop(1);
        if (m_filter(bare))
            kept += line;
        start = end + 1;
    }
    if (!kept.isEmpty())
        Q_EMIT lines(kept);
}

QJsonObject SessionFollow::exitOf(const Paths &paths, const QString &runId)
{
    QJsonObject out{{QStringLiteral("runId"), runId}};
    Result<RunRecord> read = RunRecord::read(paths, runId);
    if (!read) {
        out.insert(QStringLiteral("status"), QStringLiteral("unknown"));
        return out;
    }
    const RunRecord run = read->reconciled(QDateTime::currentMSecsSinceEpoch());
    out.insert(QStringLiteral("status"), RunRecord::statusName(run.status));
    out.insert(QStringLiteral("exitCode"), run.status == RunRecord::State::Exited
                                               ? QJsonValue(run.exitCode)
                                               : QJsonValue(QJsonValue::Null));
    out.insert(QStringLiteral("signal"),
               run.signal.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(run.signal));
    if (run.startedAt > 0 && run.endedAt >= run.startedAt)
        out.insert(QStringLiteral("durationMs"), run.endedAt - run.startedAt);
    if (!run.error.isEmpty())
        out.insert(QStringLiteral("error"), run.error);
    return out;
}

} // namespace standby
