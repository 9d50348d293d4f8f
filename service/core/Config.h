#pragma once

#include "core/AgentProfile.h"
#include "core/Error.h"
#include "core/Paths.h"

#include <QJsonObject>
#include <QStringList>

namespace standby {

// config.json: settings a user may edit. Missing file: written with defaults. Missing or out of
// range values: the default, with a warning naming the key. Broken JSON: an error naming the file
// and position, because silently ignoring a user's edit is worse than refusing to start.
class Config
{
public:
    struct Http
    {
        int maxConnections = 256;
        int idleTimeoutSec = 60;
        int headerTimeoutSec = 10;
        int maxHeaderBytes = 32 * 1024;
        qint64 maxBodyBytes = 1024 * 1024;
    };
    struct Daemon
    {
        int stopGraceSec = 5; // `daemon stop`: API, then SIGTERM, then SIGKILL after this
    };

    struct Sessions
    {
        int killGraceSec = 10; // kill: the signal, then SIGKILL to the group after this
        int keepRuns = 1000;   // run records kept; older ones of ended runs are removed
    };

    struct Logs
    {
        // A process log is rotated before a write would take it past this (0: never). From
        // logs.maxSizeMb, or logs.maxSizeBytes when set (for tests, which need tiny logs).
        qint64 maxSizeBytes = 50LL * 1024 * 1024;
        int keep = 3; // rotated files kept: name.log.1 … name.log.{keep}
        // Plain output a transcript records before it says "truncated" (the process log keeps
        // everything), so a torrent of output costs the holder little. 0: none at all.
        qint64 transcriptOutputBytes = 16LL * 1024 * 1024;
    };

    struct Metrics
    {
        int intervalSec = 2; // system (and, on demand, per-worker) sampling period
        // Per-worker process trees are walked only while a metrics API call or /metrics scrape
        // came within this many seconds: an unwatched daemon walks no trees at all.
        int demandWindowSec = 60;
        int historyMinutes = 15; // in-memory history kept for charts
    };

    Config();

    static Result<Config> load(const Paths &paths);
    static QJsonObject defaults();

    const Http &http() const { return m_http; }
    const Daemon &daemon() const { return m_daemon; }
    const Sessions &sessions() const { return m_sessions; }
    const Logs &logs() const { return m_logs; }
    const Metrics &metrics() const { return m_metrics; }

    QString defaultAgent() const;
    // The named profile ("" → defaultAgent). "shell" always exists, built in. Errors:
    // unknown_agent (naming the ones there are), invalid_agent.
    Result<AgentProfile> agent(const QString &name) const;
    QStringList agentNames() const;
    QJsonObject raw() const { return m_raw; }
    // What was wrong in the file and fell back to defaults, for the log.
    QStringList warnings() const { return m_warnings; }

private:
    void apply(const QJsonObject &raw);

    QJsonObject m_raw;
    Http m_http;
    Daemon m_daemon;
    Sessions m_sessions;
    Logs m_logs;
    Metrics m_metrics;
    QStringList m_warnings;
};

} // namespace standby
