#include "api/AttachController.h"

#include "api/AttachRelay.h"
#include "sessions/AttachFrame.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QTimer>
#include <QWebSocket>

namespace standby {

void AttachController::registerRoutes(Router &router)
{
    router.addWebSocket(QStringLiteral("/api/v1/workers/{id}/attach"),
                        [this](const HttpRequest &request) { return attach(request); });
    router.addAsync(
        "POST", QStringLiteral("/api/v1/workers/{id}/input"),
        [this](const HttpRequest &request, HttpResponder responder) { input(request, responder); });
}

Result<QString> AttachController::socketOf(const QString &id) const
{
    const std::optional<RegistryEntry> entry = m_registry.find(id);
    if (!entry || entry->isRemote() || entry->kind == RegistryEntry::Kind::Daemon)
        return Error{QStringLiteral("not_found"),
                     QStringLiteral("no live session \"%1\"").arg(id.left(100))};
    if (entry->kind != RegistryEntry::Kind::Bg)
        return Error{QStringLiteral("not_attachable"),
                     QStringLiteral("%1 runs in the foreground of a terminal; only background "
                                    "sessions can be attached to")
                         .arg(entry->name)};
    const QString path = m_paths.socketFile(entry->pid);
    if (!QFileInfo(path).exists())
        return Error{
            QStringLiteral("not_attachable"),
            QStringLiteral("%1 has no attach socket (it is starting or ending)").arg(entry->name)};
    return path;
}

static int statusFor(const Error &error)
{
    return error.code == QLatin1String("not_found") ? 404 : 409;
}

Router::WebSocketAccept AttachController::attach(const HttpRequest &request) const
{
    Result<QString> socket = socketOf(request.param(QStringLiteral("id")));
    if (!socket)
        return {HttpResponse::error(statusFor(socket.error()), socket.error()), {}};
    return {std::nullopt, [path = *socket](QWebSocket *webSocket) {
                // Lives as long as both ends do; deletes itself.
                new AttachRelay(webSocket, path, webSocket);
            }};
}

void AttachController::input(const HttpRequest &request, HttpResponder responder) const
{
    Result<QJsonObject> body = request.jsonBody();
    if (!body) {
        responder.send(HttpResponse::error(400, body.error()));
        return;
    }
    const QJsonValue dataValue = body->value(QStringLiteral("data"));
    if (!dataValue.isString() || dataValue.toString().isEmpty()) {
        responder.send(HttpResponse::error(
            400, QStringLiteral("invalid_input"),
            QStringLiteral("send {\"data\": \"text for the session's stdin\"}")));
        return;
    }
    const QByteArray data = dataValue.toString().toUtf8();
    if (data.size() > kMaxInputBytes) {
        responder.send(HttpResponse::error(
            413, QStringLiteral("input_too_large"),
            QStringLiteral("at most %1 bytes of input per request").arg(kMaxInputBytes)));
        return;
    }
    Result<QString> path = socketOf(request.param(QStringLiteral("id")));
    if (!path) {
        responder.send(HttpResponse::error(statusFor(path.error()), path.error()));
        return;
    }
    // Delivered once the holder has the bytes; it refuses (and closes) only when the session's
    // stdin is closed or full, which it says in a Failure frame.
    auto *socket = new QLocalSocket();
    auto reader = std::make_shared<AttachFrameReader>();
    auto answered = std::make_shared<bool>(false);
    auto answer = [socket, responder, answered](const HttpResponse &response) mutable {
        if (*answered)
            return;
        *answered = true;
        responder.send(response);
        socket->disconnectFromServer();
        socket->deleteLater();
    };
    const qint64 size = data.size();
    QObject::connect(
        socket, &QLocalSocket::errorOccurred, socket,
        [socket, answer](QLocalSocket::LocalSocketError) mutable {
            answer(HttpResponse::error(
                409, QStringLiteral("not_attachable"),
                QStringLiteral("cannot reach the session: %1").arg(socket->errorString())));
        });
    QObject::connect(socket, &QLocalSocket::readyRead, socket, [socket, reader, answer]() mutable {
        reader->feed(socket->readAll());
        while (std::optional<AttachFrame> frame = reader->next()) {
            if (frame->type != AttachFrame::Failure)
                continue;
            const QJsonObject failure = QJsonDocument::fromJson(frame->payload).object();
            answer(HttpResponse::error(409, failure.value(QStringLiteral("code")).toString(),
                                       failure.value(QStringLiteral("message")).toString()));
        }
    });
    // 202 means the holder has the bytes (it reads frames in order, so the input is handled
    // before it sees the close). A refusal it sends in time (stdin closed or full) becomes 409.
    QObject::connect(socket, &QLocalSocket::bytesWritten, socket, [socket, answer, size]() mutable {
        if (socket->bytesToWrite() > 0)
            return;
        answer(HttpResponse::data(QJsonObject{{QStringLiteral("accepted"), size}}, 202));
    });
    socket->connectToServer(*path);
    socket->write(AttachFrame::encode(AttachFrame::Input, data));
}

} // namespace standby
