#include "api/LogsController.h"

#include "logs/SessionLogs.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace standby {

void LogsController::registerRoutes(Router &router)
{
    router.addAsync(
        "GET", QStringLiteral("/api/v1/workers/{id}/logs"),
        [this](const HttpRequest &request, HttpResponder responder) { logs(request, responder); });
}

void LogsController::logs(const HttpRequest &request, HttpResponder responder) const
{
    if (!request.queryValue(QStringLiteral("follow")).isEmpty() &&
        request.queryValue(QStringLiteral("follow")) != QLatin1String("0")) {
        responder.send(HttpResponse::error(501, QStringLiteral("not_implemented"),
                                           QStringLiteral("live follow is not available yet; "
                                                          "read with tail= and poll")));
        return;
    }
    SessionLogs::Query query;
    query.type = request.queryValue(QStringLiteral("type"));
    query.text = request.queryValue(QStringLiteral("q")).left(1024);
    const QString ignoreCase = request.queryValue(QStringLiteral("ignoreCase"));
    query.ignoreCase = ignoreCase == QLatin1String("1") || ignoreCase == QLatin1String("true");
    const QString tail = request.queryValue(QStringLiteral("tail"));
    if (!tail.isEmpty()) {
        bool ok = false;
        query.tail = tail.toInt(&ok);
        if (!ok || query.tail < 1 || query.tail > 100000) {
            responder.send(
                HttpResponse::error(400, QStringLiteral("invalid_tail"),
                                    QStringLiteral("tail must be a number from 1 to 100000")));
            return;
        }
    }
    const QString id = request.param(QStringLiteral("id"));
    // A live session is found here in the (cached) registry; an ended one in the run history,
    // on the pool thread together with the reading (a search may read tens of megabytes).
    const std::optional<SessionLogs::Session> live = SessionLogs::findLive(m_paths, m_registry, id);
    auto *watcher = new QFutureWatcher<Result<QJsonObject>>();
    QObject::connect(watcher, &QFutureWatcher<Result<QJsonObject>>::finished, watcher,
                     [watcher, responder]() mutable {
                         const Result<QJsonObject> read = watcher->result();
                         watcher->deleteLater();
                         if (!read) {
                             const bool notThere = read.error().code == QLatin1String("no_logs") ||
                                                   read.error().code == QLatin1String("not_found");
                             responder.send(
                                 HttpResponse::error(notThere ? 404 : 400, read.error()));
                             return;
                         }
                         responder.send(HttpResponse::data(*read));
                     });
    watcher->setFuture(
        QtConcurrent::run([paths = m_paths, live, id, query]() -> Result<QJsonObject> {
            const std::optional<SessionLogs::Session> session =
                live ? live : SessionLogs::findEnded(paths, id);
            if (!session)
                return Error{
                    QStringLiteral("not_found"),
                    QStringLiteral("no session \"%1\" (by PID, name or run id)").arg(id.left(100))};
            return SessionLogs::read(paths, *session, query);
        }));
}

} // namespace standby
