#pragma once

#include "core/Error.h"
#include "core/Paths.h"
#include "core/Registry.h"

#include <QJsonObject>
#include <QStringList>

#include <functional>
#include <optional>

namespace standby {

// Where one session's four kinds of log live, and reading them (DESIGN.md, "Log types"):
// telemetry (its lines in logs/{date}/{workspace}.log), process (logs/{name}.log), debug
// (debug/{sessionId}.txt) and transcript (projects/{projectId}/{sessionId}.jsonl). A session is
// found live (by PID or name) or, once ended, by its newest run.
class SessionLogs
{
public:
    struct Session
    {
        QString name;
        QString sessionId;
        QString cwd;
        QString processLog;
        qint64 startedAt = 0;
        qint64 endedAt = 0; // 0 while it runs
        QString runId;
        qint64 pid = 0; // the holder, while it runs
        quint64 procStart = 0;
    };
    struct Query
    {
        QString type;   // "" → the first that exists, in the order of types()
        int tail = 100; // the last N (matching) lines
        QString text;   // only lines containing it
        bool ignoreCase = false;
        // Read the newest file only up to here (-1: its end): where a follow takes over, so
        // no line is shown twice or skipped.
        qint64 endOffset = -1;
    };
    using LineFilter = std::function<bool(const QByteArray &line)>;

    static const QStringList &types();

    // By PID or name of a live session, else a run id, else the newest run of that name.
    static std::optional<Session> find(const Paths &paths, const Registry &registry,
                                       const QString &key);
    // The two halves of find(): the registry (cheap, cached) and the run history (file reads,
    // which the daemon does off its event loop).
    static std::optional<Session> findLive(const Paths &paths, const Registry &registry,
                                           const QString &key);
    static std::optional<Session> findEnded(const Paths &paths, const QString &key);

    static QStringList available(const Paths &paths, const Session &session);

    // {name, type, available, lines, truncated}. Errors: invalid_type, no_logs.
    static Result<QJsonObject> read(const Paths &paths, const Session &session, const Query &query);

    // Where a follow begins: the tail of the log up to an offset, and that offset, so that the
    // live part continues exactly where the tail ended.
    struct FollowStart
    {
        Session session;
        QString type;
        QString file;
        qint64 offset = 0;
        quint64 device = 0; // the file the offset is into, should a rotation rename it
        quint64 inode = 0;
        QList<QByteArray> tail;
    };
    // A live session whose log is not written yet is followed from its start.
    static Result<FollowStart> startFollow(const Paths &paths, const Session &session,
                                           const Query &query);

    // The type a query reads ("" picks the first available). Errors: invalid_type, no_logs.
    static Result<QString> resolveType(const Paths &paths, const Session &session,
                                       const QString &type);
    // Creates the (0700) folder a log file is to be written to, if missing.
    static void ensureFolderOf(const QString &file);
    // The files a type is read from, newest first: a process log's rotated files, a session's
    // telemetry days, or the one debug or transcript file.
    static QStringList filesOf(const Paths &paths, const Session &session, const QString &type);
    // The file a type is written to now (what a follow watches).
    static QString currentFile(const Paths &paths, const Session &session, const QString &type);
    // The lines of a type that belong to the session and match the query's text; empty when
    // every line does.
    static LineFilter filterFor(const Session &session, const QString &type, const Query &query);
};

} // namespace standby
