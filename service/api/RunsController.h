#pragma once

#include "core/Paths.h"
#include "core/Registry.h"
#include "http/Router.h"
#include "sessions/ExitWatcher.h"
#include "sessions/SessionLauncher.h"

#include <QHash>
#include <QList>
#include <QObject>

namespace standby {

// /api/v1/runs: start background sessions, read their records, wait for their end, cancel them.
class RunsController : public QObject
{
    Q_OBJECT

public:
    RunsController(const Paths &paths, const Registry &registry, SessionLauncher &launcher,
                   QObject *parent = nullptr);

    void registerRoutes(Router &router);

    static constexpr int kTailLines = 20;

private:
    void start(const HttpRequest &request, HttpResponder responder);
    HttpResponse list(const HttpRequest &request) const;
    HttpResponse one(const HttpRequest &request) const;
    HttpResponse cancel(const HttpRequest &request) const;

    void onHolderExited(qint64 pid);
    QJsonObject endedRun(const QString &runId) const;

    Paths m_paths;
    const Registry &m_registry;
    SessionLauncher &m_launcher;
    ExitWatcher m_exits;
    // Holder PID → the run it holds and the clients waiting for its end.
    struct Waiting
    {
        QString runId;
        QList<HttpResponder> responders;
    };
    QHash<qint64, Waiting> m_waiting;
};

} // namespace standby
