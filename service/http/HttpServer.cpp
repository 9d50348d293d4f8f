#include "http/HttpServer.h"

#include "core/LogCategories.h"
#include "http/ConnectionGuard.h"
#include "http/HttpListener.h"

#include <QHttpServerRequest>
#include <QTcpSocket>
#include <QWebSocket>

#include <exception>

namespace standby {

HttpServer::HttpServer(const HttpLimits &limits, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_limits(limits)
{
    // QHttpServer 6.4 completes a WebSocket handshake on any path once this is connected; the
    // upgrade gate (ahead of it, in each ConnectionGuard) is what limits that to our routes.
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, &HttpServer::onWebSocket);
}

HttpServer::~HttpServer() = default;

Status HttpServer::listenOn(const QHostAddress &address, quint16 port)
{
    auto *listener = new HttpListener(m_limits, this);
    listener->setUpgradeGate(
        [this](QTcpSocket *socket, const QByteArray &head) { return gateUpgrade(socket, head); });
    if (!listener->listen(address, port)) {
        const QString where = QStringLiteral("%1 port %2").arg(address.toString()).arg(port);
        Error error;
        switch (listener->serverError()) {
        case QAbstractSocket::AddressInUseError:
            error = {QStringLiteral("port_in_use"),
                     QStringLiteral("%1 is already in use by another program; pick another "
                                    "with --port, or --port 0 for any free one")
                         .arg(where)};
            break;
        case QAbstractSocket::SocketAddressNotAvailableError:
            error = {
                QStringLiteral("address_unavailable"),
                QStringLiteral("%1 is not an address of this machine").arg(address.toString())};
            break;
        case QAbstractSocket::SocketAccessError:
            error = {QStringLiteral("permission_denied"),
                     QStringLiteral("no permission to listen on %1 (ports below 1024 need "
                                    "privileges)")
                         .arg(where)};
            break;
        default:
            error = {QStringLiteral("listen_failed"),
                     QStringLiteral("cannot listen on %1: %2").arg(where, listener->errorString())};
        }
        delete listener;
        return error;
    }
    bind(listener);
    m_listener = listener;
    return std::nullopt;
}

void HttpServer::close()
{
    if (!m_listener)
        return;
    m_listener->close();
    m_listener->closeConnections();
}

bool HttpServer::isListening() const
{
    return m_listener && m_listener->isListening();
}
quint16 HttpServer::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}
QHostAddress HttpServer::address() const
{
    return m_listener ? m_listener->serverAddress() : QHostAddress();
}
int HttpServer::activeConnections() const
{
    return m_listener ? m_listener->activeConnections() : 0;
}

static QByteArray methodName(QHttpServerRequest::Method method)
{
    using M = QHttpServerRequest::Method;
    switch (method) {
    case M::Get:
        return "GET";
    case M::Put:
        return "PUT";
    case M::Delete:
        return "DELETE";
    case M::Post:
        return "POST";
    case M::Head:
        return "HEAD";
    case M::Options:
        return "OPTIONS";
    case M::Patch:
        return "PATCH";
    case M::Connect:
        return "CONNECT";
    case M::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

static HttpRequest toRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    HttpRequest out;
    out.method = methodName(request.method());
    const QUrl url = request.url();
    out.path = url.path(QUrl::FullyDecoded);
    out.query = request.query();
    out.headers = request.headers();
    out.body = request.body();
    out.remoteAddress = request.remoteAddress();
    if (socket) {
        out.localAddress = socket->localAddress();
        out.localPort = socket->localPort();
    }
    return out;
}

void HttpServer::dispatch(HttpRequest &request, HttpResponder responder)
{
    const Router::Match match = m_router.match(request.method, request.path);
    switch (match.kind) {
    case Router::Match::Kind::NotFound:
        responder.send(HttpResponse::error(
            404, QStringLiteral("not_found"),
            QStringLiteral("no such route: %1 %2")
                .arg(QString::fromLatin1(request.method), request.path.left(200))));
        return;
    case Router::Match::Kind::MethodNotAllowed: {
        HttpResponse response = HttpResponse::error(
            405, QStringLiteral("method_not_allowed"),
            QStringLiteral("%1 is not allowed on %2; allowed: %3")
                .arg(QString::fromLatin1(request.method), request.path.left(200),
                     QString::fromLatin1(match.allowedMethods.join(", "))));
        response.setHeader("Allow", match.allowedMethods.join(", "));
        responder.send(response);
        return;
    }
    case Router::Match::Kind::Found:
        break;
    }
    if (match.webSocketHandler) {
        HttpResponse response = HttpResponse::error(
            426, QStringLiteral("upgrade_required"),
            QStringLiteral("%1 is a WebSocket; connect with a WebSocket client").arg(request.path));
        response.setHeader("Upgrade", "websocket");
        response.setHeader("Connection", "Upgrade");
        responder.send(response);
        return;
    }
    request.params = match.params;
    // A handler's bug must cost one request, never the daemon.
    try {
        if (match.asyncHandler) {
            responder.closeAfterAnswer();
            (*match.asyncHandler)(request, responder);
        } else
            responder.send((*match.handler)(request));
        return;
    } catch (const std::exception &e) {
        qCCritical(lcHttp, "%s %s failed: %s", request.method.constData(),
                   qUtf8Printable(request.path), e.what());
    } catch (...) {
        qCCritical(lcHttp, "%s %s failed", request.method.constData(),
                   qUtf8Printable(request.path));
    }
    responder.send(HttpResponse::error(500, QStringLiteral("internal_error"),
                                       QStringLiteral("the daemon failed to handle this request; "
                                                      "see its telemetry log")));
}

static QString peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + QLatin1Char('|') + QString::number(port);
}

// QHttpServer's own test for switching to its WebSocket server (its parser's upgrade flag: an
// Upgrade header and an "upgrade" token in Connection; then the value).
static bool isWebSocketUpgrade(const QHttpServerRequest &request)
{
    bool connectionUpgrade = false;
    for (const QByteArray &token : request.value("connection").split(','))
        connectionUpgrade =
            connectionUpgrade || token.trimmed().compare("upgrade", Qt::CaseInsensitive) == 0;
    return connectionUpgrade &&
           request.value("upgrade").trimmed().compare("websocket", Qt::CaseInsensitive) == 0;
}

static HttpResponder responderFor(QTcpSocket *socket, const HttpRequest &request)
{
    // QHttpServer 6.4 ignores "Connection: close"; honour it here.
    const bool close = request.header("Connection").toLower().contains("close");
    return HttpResponder(socket, close, request.method == "HEAD");
}

bool HttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (ConnectionGuard *guard = ConnectionGuard::of(socket))
        guard->requestDelivered();
    // Qt 6.4 asks here before it switches an upgrade to its WebSocket server: true, with nothing
    // written, lets it go on; false refuses (missingHandler answers, and it closes). Only
    // upgrades the gate let through are waiting in the table.
    const QString key = socket ? peerKey(socket->peerAddress(), socket->peerPort()) : QString();
    if (isWebSocketUpgrade(request)) {
        if (!socket || !m_pendingUpgrades.contains(key))
            return false;
        if (ConnectionGuard *guard = ConnectionGuard::of(socket))
            guard->handOff();
        return true;
    }
    // An approved upgrade that QHttpServer does not switch after all: end it here.
    if (m_pendingUpgrades.remove(key) > 0) {
        ConnectionGuard::rejectAndClose(
            socket, HttpResponse::error(400, QStringLiteral("bad_request"),
                                        QStringLiteral("the WebSocket upgrade did not happen"))
                        .serialize(true));
        return true;
    }
    HttpRequest ours = toRequest(request, socket);
    HttpResponder responder = responderFor(socket, ours);
    if (m_access) {
        if (std::optional<HttpResponse> refusal = m_access(ours)) {
            responder.send(*refusal);
            return true;
        }
    }
    dispatch(ours, responder);
    return true;
}

// The header block of an upgrade request, as far as the gate needs it. The framer has checked
// its size and line ends already.
static HttpRequest parseHead(const QByteArray &head, QTcpSocket *socket)
{
    HttpRequest out;
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    out.method = requestLine.value(0);
    const QUrl url = QUrl::fromEncoded(requestLine.value(1));
    out.path = url.path(QUrl::FullyDecoded);
    out.query = QUrlQuery(url.query(QUrl::FullyEncoded));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        out.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    out.remoteAddress = socket->peerAddress();
    out.localAddress = socket->localAddress();
    out.localPort = socket->localPort();
    return out;
}

std::optional<QByteArray> HttpServer::gateUpgrade(QTcpSocket *socket, const QByteArray &head)
{
    HttpRequest request = parseHead(head, socket);
    auto refuse = [](const HttpResponse &response) {
        return std::optional<QByteArray>(response.serialize(true));
    };
    if (m_access) {
        if (std::optional<HttpResponse> refusal = m_access(request))
            return refuse(*refusal);
    }
    const Router::Match match = m_router.match(request.method, request.path);
    if (match.kind != Router::Match::Kind::Found || !match.webSocketHandler)
        return refuse(HttpResponse::error(
            404, QStringLiteral("not_found"),
            QStringLiteral("no WebSocket at %1 %2")
                .arg(QString::fromLatin1(request.method), request.path.left(200))));
    request.params = match.params;
    Router::WebSocketAccept accept;
    try {
        accept = (*match.webSocketHandler)(request);
    } catch (const std::exception &e) {
        qCCritical(lcHttp, "WebSocket %s failed: %s", qUtf8Printable(request.path), e.what());
        return refuse(HttpResponse::error(500, QStringLiteral("internal_error"),
                                          QStringLiteral("the daemon failed to handle this "
                                                         "request; see its telemetry log")));
    }
    if (accept.refusal)
        return refuse(*accept.refusal);
    const QString key = peerKey(socket->peerAddress(), socket->peerPort());
    m_pendingUpgrades.insert(key, {socket, std::move(accept.open)});
    // A handshake that never completes must not leave its entry behind. On the guard (a child
    // of the socket): Qt 6.4 disconnects the socket's own signals when it takes it over.
    if (ConnectionGuard *guard = ConnectionGuard::of(socket)) {
        connect(guard, &QObject::destroyed, this, [this, key] {
            auto it = m_pendingUpgrades.find(key);
            if (it != m_pendingUpgrades.end() && !it->socket)
                m_pendingUpgrades.erase(it);
        });
    }
    return std::nullopt;
}

void HttpServer::onWebSocket()
{
    while (hasPendingWebSocketConnections()) {
        QWebSocket *socket = nextPendingWebSocketConnection().release();
        if (!socket)
            continue;
        connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        const PendingUpgrade pending =
            m_pendingUpgrades.take(peerKey(socket->peerAddress(), socket->peerPort()));
        if (!pending.open) {
            // Not let through by the gate: cannot happen while every upgrade passes it.
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated);
            continue;
        }
        socket->setMaxAllowedIncomingMessageSize(1024 * 1024);
        socket->setMaxAllowedIncomingFrameSize(1024 * 1024);
        try {
            pending.open(socket);
        } catch (const std::exception &e) {
            qCCritical(lcHttp, "WebSocket handler failed: %s", e.what());
            socket->close(QWebSocketProtocol::CloseCodeAbnormalDisconnection);
        }
    }
}

void HttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Reached when handleRequest refuses a WebSocket upgrade the gate did not let through
    // (QHttpServer closes the connection after this).
    const HttpRequest ours = toRequest(request, socket);
    responderFor(socket, ours)
        .send(HttpResponse::error(400, QStringLiteral("bad_request"),
                                  QStringLiteral("this WebSocket upgrade was not accepted")));
}

} // namespace standby
