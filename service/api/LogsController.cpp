#include "api/LogsController.h"

#include "api/LogDownload.h"
#include "core/LogCategories.h"
#include "http/HttpStream.h"
#include "logs/SessionLogs.h"
#include "sessions/SessionFollow.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <cctype>

namespace standby {

namespace {

// A live session was looked up in the (cached) registry on the event loop; an ended one is
// looked up here, on the pool thread, in the run history.
Result<SessionLogs::Session>
locate(const Paths &paths, const std::optional<SessionLogs::Session> &live, const QString &id)
{
    if (live)
        return *live;
    if (std::optional<SessionLogs::Session> ended = SessionLogs::findEnded(paths, id))
        return *ended;
    return Error{QStringLiteral("not_found"),
                 QStringLiteral("no session \"%1\" (by PID, name or run id)").arg(id.left(100))};
}

// The status of a log route's refusal: nothing there, busy, broken on our side, or a bad request.
HttpResponse refusal(const Error &error)
{
    const QString &code = error.code;
    if (code == QLatin1String("no_logs") || code == QLatin1String("not_found"))
        return HttpResponse::error(404, error);
    if (code == QLatin1String("log_busy"))
        return HttpResponse::error(503, error);
    if (code == QLatin1String("io_error"))
        return HttpResponse::error(500, error);
    return HttpResponse::error(400, error);
}

} // namespace

void LogsController::registerRoutes(Router &router)
{
    router.addAsync(
        "GET", QStringLiteral("/api/v1/workers/{id}/logs"),
        [this](const HttpRequest &request, HttpResponder responder) { logs(request, responder); });
    router.addAsync("GET", QStringLiteral("/api/v1/workers/{id}/logs/download"),
                    [this](const HttpRequest &request, HttpResponder responder) {
                        download(request, responder);
                    });
}

void LogsController::logs(const HttpRequest &request, HttpResponder responder) const
{
    const QString followValue = request.queryValue(QStringLiteral("follow"));
    const bool following =
        followValue == QLatin1String("1") || followValue == QLatin1String("true");
    if (!followValue.isEmpty() && !following && followValue != QLatin1String("0") &&
        followValue != QLatin1String("false")) {
        responder.send(HttpResponse::error(400, QStringLiteral("invalid_follow"),
                                           QStringLiteral("follow must be 1 or 0")));
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
    if (following) {
        follow(id, query, responder);
        return;
    }
    // A live session is found here in the (cached) registry; an ended one in the run history,
    // on the pool thread together with the reading (a search may read tens of megabytes).
    const std::optional<SessionLogs::Session> live = SessionLogs::findLive(m_paths, m_registry, id);
    auto *watcher = new QFutureWatcher<Result<QJsonObject>>();
    QObject::connect(watcher, &QFutureWatcher<Result<QJsonObject>>::finished, watcher,
                     [watcher, responder]() mutable {
                         const Result<QJsonObject> read = watcher->result();
                         watcher->deleteLater();
                         if (!read) {
                             responder.send(refusal(read.error()));
                             return;
                         }
                         responder.send(HttpResponse::data(*read));
                     });
    watcher->setFuture(
        QtConcurrent::run([paths = m_paths, live, id, query]() -> Result<QJsonObject> {
            const Result<SessionLogs::Session> session = locate(paths, live, id);
            if (!session)
                return session.error();
            return SessionLogs::read(paths, *session, query);
        }));
}

namespace {

QByteArray joinLines(const QList<QByteArray> &lines)
{
    QByteArray out;
    for (const QByteArray &line : lines) {
        if (!out.isEmpty())
            out += '\n';
        out += line;
    }
    return out;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

void LogsController::follow(const QString &id, const SessionLogs::Query &query,
                            HttpResponder responder) const
{
    const std::optional<SessionLogs::Session> live = SessionLogs::findLive(m_paths, m_registry, id);
    auto *watcher = new QFutureWatcher<Result<SessionLogs::FollowStart>>();
    QObject::connect(
        watcher, &QFutureWatcher<Result<SessionLogs::FollowStart>>::finished, watcher,
        [watcher, responder, paths = m_paths, query]() mutable {
            const Result<SessionLogs::FollowStart> start = watcher->result();
            watcher->deleteLater();
            if (!start) {
                responder.send(refusal(start.error()));
                return;
            }
            HttpStream *stream = responder.beginStream("text/event-stream");
            if (!stream)
                return;
            stream->setKeepAlive(15000);
            stream->writeEvent("session",
                               compact({{QStringLiteral("name"), start->session.name},
                                        {QStringLiteral("sessionId"), start->session.sessionId},
                                        {QStringLiteral("runId"), start->session.runId},
                                        {QStringLiteral("type"), start->type}}));
            if (!start->tail.isEmpty())
                stream->writeEvent("log", joinLines(start->tail));
            // A child of the stream: when the client goes, the follow and its watches go too.
            auto *follow = new SessionFollow(
                paths, *start, SessionLogs::filterFor(start->session, start->type, query), stream);
            // A client behind by a megabyte: stop reading the log until it catches up. The file
            // keeps what it has not read, so it is slowed down, never dropped.
            QObject::connect(follow, &SessionFollow::lines, stream,
                             [stream, follow](const QByteArray &chunk) {
                                 QByteArray data = chunk;
                                 if (data.endsWith('\n'))
                                     data.chop(1);
                                 stream->writeEvent("log", data);
                                 if (stream->bytesToWrite() > 1024 * 1024)
                                     follow->setPaused(true);
                             });
            QObject::connect(stream, &HttpStream::writable, follow,
                             [follow] { follow->setPaused(false); });
            QObject::connect(follow, &SessionFollow::ended, stream,
                             [stream](const QJsonObject &exit) {
                                 stream->writeEvent("exit", compact(exit));
                                 stream->close();
                             });
            if (!follow->start()) {
                qCWarning(lcLogs, "cannot watch %s for a follow", qUtf8Printable(start->file));
                stream->writeEvent(
                    "error",
                    compact(
                        {{QStringLiteral("code"), QStringLiteral("follow_unavailable")},
                         {QStringLiteral("message"), QStringLiteral("the log cannot be watched "
                                                                    "(inotify unavailable)")}}));
                stream->close();
            }
        });
    watcher->setFuture(
        QtConcurrent::run([paths = m_paths, live, id, query]() -> Result<SessionLogs::FollowStart> {
            const Result<SessionLogs::Session> session = locate(paths, live, id);
            if (!session)
                return session.error();
            return SessionLogs::startFollow(paths, *session, query);
        }));
}

namespace {

struct DownloadStart
{
    QString name;
    QString type;
    std::shared_ptr<LogSnapshot> snapshot;
};

// A file name for the attachment from a session name (already [A-Za-z0-9._-], but a header is
// no place to trust that).
QByteArray attachmentName(const QString &name, const QString &type)
{
    QByteArray base = name.toLatin1();
    for (char &c : base) {
        if (!(std::isalnum(uchar(c)) || c == '.' || c == '_' || c == '-'))
            c = '_';
    }
    if (base.isEmpty())
        base = "session";
    if (type == QLatin1String("debug"))
        return base + "-debug.txt";
    if (type == QLatin1String("transcript"))
        return base + "-transcript.jsonl";
    return base + ".log";
}

} // namespace

void LogsController::download(const HttpRequest &request, HttpResponder responder) const
{
    QString type = request.queryValue(QStringLiteral("type"));
    if (type.isEmpty())
        type = QStringLiteral("process");
    if (type == QLatin1String("telemetry")) {
        responder.send(HttpResponse::error(
            400, QStringLiteral("not_downloadable"),
            QStringLiteral("telemetry files are shared by the sessions of a working directory; "
                           "read this session's lines with ?type=telemetry&tail=N")));
        return;
    }
    if (!SessionLogs::types().contains(type)) {
        responder.send(HttpResponse::error(400, QStringLiteral("invalid_type"),
                                           QStringLiteral("type must be process, debug or "
                                                          "transcript")));
        return;
    }
    const QString id = request.param(QStringLiteral("id"));
    const std::optional<SessionLogs::Session> live = SessionLogs::findLive(m_paths, m_registry, id);
    // The run history and the opening of the files are file system work: off the event loop.
    auto *watcher = new QFutureWatcher<Result<DownloadStart>>();
    QObject::connect(
        watcher, &QFutureWatcher<Result<DownloadStart>>::finished, watcher,
        [watcher, responder]() mutable {
            const Result<DownloadStart> start = watcher->result();
            watcher->deleteLater();
            if (!start) {
                responder.send(refusal(start.error()));
                return;
            }
            const QByteArray contentType = start->type == QLatin1String("transcript")
                                               ? "application/x-ndjson"
                                               : "text/plain; charset=utf-8";
            HttpStream *stream = responder.beginStream(
                contentType,
                {{"Content-Disposition",
                  "attachment; filename=\"" + attachmentName(start->name, start->type) + '"'}},
                start->snapshot->totalSize());
            if (!stream)
                return; // gone, or a HEAD request: the snapshot closes its files
            (new LogDownload(start->snapshot, stream))->start();
        });
    watcher->setFuture(
        QtConcurrent::run([paths = m_paths, live, id, type]() -> Result<DownloadStart> {
            const Result<SessionLogs::Session> session = locate(paths, live, id);
            if (!session)
                return session.error();
            Result<std::shared_ptr<LogSnapshot>> snapshot = LogSnapshot::open([&] {
                QStringList files = SessionLogs::filesOf(paths, *session, type);
                files.removeIf([](const QString &file) { return !QFileInfo::exists(file); });
                return files;
            });
            if (!snapshot) {
                if (snapshot.error().code != QLatin1String("no_logs"))
                    return snapshot.error();
                return Error{QStringLiteral("no_logs"),
                             QStringLiteral("session %1 has no %2 log%3")
                                 .arg(session->name, type,
                                      type == QLatin1String("debug")
                                          ? QStringLiteral(" (start it with --debug)")
                                          : QString())};
            }
            return DownloadStart{session->name, type, *snapshot};
        }));
}

} // namespace standby
