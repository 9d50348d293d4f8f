#pragma once

#include "http/HttpRequest.h"
#include "http/HttpResponder.h"
#include "http/HttpResponse.h"

#include <QByteArrayList>
#include <QStringList>

#include <functional>

class QWebSocket;

namespace standby {

// Method + path pattern → handler. Patterns are literal segments and {name} captures, e.g.
// "/api/v1/workers/{id}". A path that matches with another method is a 405 naming the allowed
// ones, not a 404.
class Router
{
public:
    using Handler = std::function<HttpResponse(const HttpRequest &)>;
    // For answers that come later: the handler keeps the responder and sends when it can.
    using AsyncHandler = std::function<void(const HttpRequest &, HttpResponder)>;
    // A WebSocket route decides before the handshake: a refusal is an ordinary HTTP answer; an
    // acceptance is what to do with the socket once it is open (the callee owns it).
    struct WebSocketAccept
    {
        std::optional<HttpResponse> refusal;
        std::function<void(QWebSocket *)> open;
    };
    using WebSocketHandler = std::function<WebSocketAccept(const HttpRequest &)>;

    struct Match
    {
        enum class Kind { Found, NotFound, MethodNotAllowed };
        Kind kind = Kind::NotFound;
        const Handler *handler = nullptr;                   // set for add()
        const AsyncHandler *asyncHandler = nullptr;         // set for addAsync()
        const WebSocketHandler *webSocketHandler = nullptr; // set for addWebSocket()
        QHash<QString, QString> params;
        QByteArrayList allowedMethods;
    };

    void add(const QByteArray &method, const QString &pattern, Handler handler);
    void addAsync(const QByteArray &method, const QString &pattern, AsyncHandler handler);
    // GET with Upgrade: websocket; a plain GET there is answered 426.
    void addWebSocket(const QString &pattern, WebSocketHandler handler);
    // HEAD falls back to the GET route of the same path.
    Match match(const QByteArray &method, const QString &path) const;

    static QStringList splitPath(const QString &path);

private:
    struct Route
    {
        QByteArray method;
        QStringList segments;
        Handler handler;
        AsyncHandler asyncHandler;
        WebSocketHandler webSocketHandler;
    };
    static bool matchSegments(const Route &route, const QStringList &segments,
                              QHash<QString, QString> *params);

    QList<Route> m_routes;
};

} // namespace standby
