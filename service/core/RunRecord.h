#pragma once

#include "core/Error.h"
#include "core/Paths.h"
#include "core/ProcessTable.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>

namespace standby {

// runs/{runId}.json: one session's record, which outlives its processes. The daemon writes it as
// "accepted"; the holder moves it to "running" and to its end. The only code that knows its shape.
struct RunRecord
{
    enum class State { Accepted, Running, Exited, Failed, Killed };

    QString runId;
    QString sessionId;
    QString name;
    QString kind = QStringLiteral("bg"); // bg | interactive
    QString prompt;
    QString agent;
    QStringList argv; // resolved: argv[0] is an absolute path
    QString cwd;
    QMap<QString, QString> env; // what the caller added to the session's environment
    State status = State::Accepted;
    int exitCode = -1; // set when status is exited
    QString signal;    // "TERM", "KILL", … when status is killed
    bool timedOut = false;
    QString error; // why, when status is failed
    qint64 acceptedAt = 0;
    qint64 startedAt = 0;
    qint64 endedAt = 0;
    qint64 timeoutSec = 0;   // 0: none
    int umask = 022;         // the agent's file mode mask: the caller's, not the daemon's 077
    qint64 pid = 0;          // the holder
    quint64 holderStart = 0; // the holder's start time (/proc stat field 22), for liveness
    qint64 childPid = 0;     // the agent
    QString log;             // the process log
    qint64 logOffset = 0;    // where this run's output begins in it (a name's runs share a log);
                             // 0 again once the log has been rotated under the run
    QString transcript;      // projects/{projectId}/{sessionId}.jsonl
    bool debug = false;      // the holder writes debugLog (--debug)
    QString debugLog;        // debug/{sessionId}.txt when debug

    bool isFinished() const
    {
        return status == State::Exited || status == State::Failed || status == State::Killed;
    }

    QJsonObject toJson() const;
    // For API answers: the caller's env values can be secrets, so only their names go out.
    QJsonObject toPublicJson() const;
    static Result<RunRecord> fromJson(const QJsonObject &object);

    static QString statusName(State status);

    // The record as it really stands: a run whose holder is gone without writing an end is
    // failed ("lost"), and one accepted long ago that never started is failed too. Only for
    // showing; the file is left as it is.
    RunRecord reconciled(qint64 nowMs,
                         const ProcessTable &processes = ProcessTable::system()) const;

    static Result<RunRecord> read(const Paths &paths, const QString &runId);
    // durable: forced to disk (the end of a run, which is history). A record about to be
    // rewritten (accepted, running) is only renamed into place: still atomic, without an fsync.
    Status write(const Paths &paths, bool durable = true) const;
    // Newest first, at most `limit`, unreadable records skipped. Cost grows with `limit`, not
    // with the history's length beyond a directory listing.
    static QList<RunRecord> list(const Paths &paths, int limit);
    // The newest run of a session name, reading records newest first until one matches.
    static std::optional<RunRecord> newestNamed(const Paths &paths, const QString &name);
    // Removes the records of ended runs beyond the newest `keep`, at most `maxRemovals` in one
    // call (so a huge backlog is worked off in bounded steps); records of runs still going stay.
    // Returns how many went.
    static int prune(const Paths &paths, int keep, int maxRemovals = 1000);

    // "r-" + the time in base 36 + 4 random hex digits: unique, and sorting ids sorts by time.
    static QString newRunId(qint64 nowMs);
    static bool isValidRunId(const QString &runId);
};

} // namespace standby
