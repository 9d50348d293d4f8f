#pragma once

#include "core/Error.h"
#include "http/HttpLimits.h"
#include "http/Router.h"

#include <QAbstractHttpServer>
#include <QHash>
#include <QHostAddress>
#include <QPointer>

class QWebSocket;

namespace standby {

class HttpListener;

// The daemon's HTTP server: the one adapter over QtHttpServer. QHttpServer 6.4 parses requests
// and owns connections; everything else (routing, the JSON envelope, 404/405, limits, headers
// on every answer) is ours, so a newer Qt changes this class and nothing above it.
//
// Qt 6.5 changed handleRequest() to take a QHttpServerResponder instead of the socket, and 6.8
// added connection limits and chunked writes: those differences belong here.
class HttpServer : public QAbstractHttpServer
{
    Q_OBJECT

public:
    explicit HttpServer(const HttpLimits &limits, QObject *parent = nullptr);
    ~HttpServer() override;

    Router &router() { return m_router; }

    // Decides, before any route, whether a request may be served; an answer refuses it.
    using AccessCheck = std::function<std::optional<HttpResponse>(const HttpRequest &)>;
    void setAccessCheck(AccessCheck check) { m_access = std::move(check); }

    // Listens on exactly this address (QHttpServer's default would be every interface).
    // Errors: port_in_use, address_unavailable, permission_denied, listen_failed.
    Status listenOn(const QHostAddress &address, quint16 port);
    void close();

    bool isListening() const;
    quint16 port() const;
    QHostAddress address() const;
    int activeConnections() const;

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void dispatch(HttpRequest &request, HttpResponder responder);
    std::optional<QByteArray> gateUpgrade(QTcpSocket *socket, const QByteArray &head);
    void onWebSocket();

    // Upgrades let through by the gate, waiting for their handshake, by peer address and port
    // (QWebSocket does not tell which TCP socket it came from).
    struct PendingUpgrade
    {
        QPointer<QTcpSocket> socket;
        std::function<void(QWebSocket *)> open;
    };
    QHash<QString, PendingUpgrade> m_pendingUpgrades;

    HttpLimits m_limits;
    Router m_router;
    AccessCheck m_access;
    QPointer<HttpListener> m_listener;
};

} // namespace standby
