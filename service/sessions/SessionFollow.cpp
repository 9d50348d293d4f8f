#include "sessions/SessionFollow.h"

#include "core/RunRecord.h"
#include "logs/LogFollower.h"
#include "sessions/ExitWatcher.h"

#include <QDateTime>

namespace standby {

SessionFollow::SessionFollow(const Paths &paths, const SessionLogs::Session &session,
                             const QString &file, qint64 offset, SessionLogs::LineFilter filter,
                             QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_session(session)
    , m_filter(std::move(filter))
    , m_follower(new LogFollower(file, offset, this))
    , m_exits(new ExitWatcher(this))
{
    connect(m_follower, &LogFollower::lines, this, &SessionFollow::onLines);
    connect(m_follower, &LogFollower::finished, this,
            [this] { Q_EMIT ended(exitOf(m_paths, m_session.runId)); });
    connect(m_exits, &ExitWatcher::exited, this, &SessionFollow::onSessionExited);
}

bool SessionFollow::start()
{
    if (!m_follower->start())
        return false;
    // The holder writes all output before it exits: once it is gone, what is in the file is
    // all there will be.
    if (m_session.pid <= 0 || !m_exits->watch(m_session.pid, m_session.procStart))
        m_follower->finish();
    return true;
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
