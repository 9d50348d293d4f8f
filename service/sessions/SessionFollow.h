#pragma once

#include "core/Paths.h"
#include "logs/SessionLogs.h"

#include <QJsonObject>
#include <QObject>

namespace standby {

class ExitWatcher;
class LogFollower;

// A live follow of one session's log (`standby logs -f`, `GET …/logs?follow=1`): its lines from
// a start offset on, filtered as the query asks, until the session ends; then the rest of the
// log and the end, with the run's exit status. A session that has ended already ends the
// follow at once, after what is left to read.
class SessionFollow : public QObject
{
    Q_OBJECT

public:
    // Follows from where SessionLogs::startFollow left off.
    SessionFollow(const Paths &paths, const SessionLogs::FollowStart &start,
                  SessionLogs::LineFilter filter, QObject *parent = nullptr);

    // False when the log's folder cannot be watched.
    bool start();

    // Stops reading the log until resumed (the reader is behind); see LogFollower::setPaused.
    void setPaused(bool paused);

    // {runId, status, exitCode, signal, durationMs} of a run, as it stands now.
    static QJsonObject exitOf(const Paths &paths, const QString &runId);

Q_SIGNALS:
    // Complete lines, each ending in '\n'.
    void lines(const QByteArray &chunk);
    void ended(const QJsonObject &exit);

private:
    void onLines(const QByteArray &chunk);
    void onSessionExited();
    // Telemetry is a file per UTC day: at midnight the follow moves on to the next day's.
    void scheduleNextDay();

    Paths m_paths;
    SessionLogs::Session m_session;
    QString m_type;
    SessionLogs::LineFilter m_filter;
    LogFollower *m_follower;
    ExitWatcher *m_exits;
};

} // namespace standby
