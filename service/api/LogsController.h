#pragma once

#include "core/Paths.h"
#include "core/Registry.h"
#include "http/Router.h"
#include "logs/SessionLogs.h"

namespace standby {

// GET /api/v1/workers/{id}/logs?type=…&tail=N&q=TEXT&ignoreCase=1[&follow=1]. Reading runs on a
// pool thread, so a search through a large log never holds up the daemon's event loop. With
// follow=1 the answer is a Server-Sent Events stream: "session" {name, sessionId, type, runId},
// "log" events (the tail, then each write; data lines are log lines), and a last "exit"
// {runId, status, exitCode, signal, durationMs} when the session ends.
//
// GET /api/v1/workers/{id}/logs/download?type=process|debug|transcript: the whole log as an
// attachment (a process log with all its rotated files, oldest first), streamed (LogDownload).
// Telemetry is not offered: its files are shared by every session of a working directory.
class LogsController
{
public:
    LogsController(const Paths &paths, const Registry &registry)
        : m_paths(paths)
        , m_registry(registry)
    {}

    void registerRoutes(Router &router);

private:
    void logs(const HttpRequest &request, HttpResponder responder) const;
    void follow(const QString &id, const SessionLogs::Query &query, HttpResponder responder) const;
    void download(const HttpRequest &request, HttpResponder responder) const;

    Paths m_paths;
    const Registry &m_registry;
};

} // namespace standby
