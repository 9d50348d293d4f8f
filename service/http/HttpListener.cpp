#include "http/HttpListener.h"

#include "core/LogCategories.h"
#include "http/ConnectionGuard.h"
#include "http/HttpResponse.h"

#include <QTcpSocket>

#include <unistd.h>

namespace standby {

// Refused sockets allowed to linger for their 503 at once; past this they are cut at once, so a
// flood cannot use up the process's descriptors.
static constexpr int kMaxLingering = 64;

HttpListener::HttpListener(const HttpLimits &limits, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
{
    // The kernel backlog is not the cap; the cap is enforced on accept.
    setMaxPendingConnections(qMax(30, limits.maxConnections));
    // Out of descriptors, accept() fails at once and would fail again in a busy loop: pause.
    connect(this, &QTcpServer::acceptError, this, &HttpListener::onAcceptError);
    m_resumeAccepting.setSingleShot(true);
    m_resumeAccepting.setInterval(100);
    connect(&m_resumeAccepting, &QTimer::timeout, this, &QTcpServer::resumeAccepting);
}

void HttpListener::onAcceptError(QAbstractSocket::SocketError error)
{
    qCWarning(lcHttp, "cannot accept connections (%s); pausing for 100 ms",
              qUtf8Printable(errorString()));
    Q_UNUSED(error);
    pauseAccepting();
    m_resumeAccepting.start();
}

void HttpListener::incomingConnection(qintptr handle)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(handle)) {
        ::close(int(handle));
        delete socket;
        return;
    }
    if (m_active >= m_limits.maxConnections) {
        if (m_rejecting >= kMaxLingering) {
            socket->abort();
            socket->deleteLater();
            return;
        }
        ++m_rejecting;
        connect(socket, &QObject::destroyed, this, [this] { --m_rejecting; });
        const HttpResponse busy = HttpResponse::error(
            503, QStringLiteral("too_many_connections"),
            QStringLiteral("the daemon has %1 connections open, its limit; try again shortly")
                .arg(m_active));
        ConnectionGuard::rejectAndClose(socket, busy.serialize(true));
        return;
    }
    ++m_active;
    m_sockets.append(socket);
    auto *guard = new ConnectionGuard(socket, m_limits, m_gate);
    // Counted down with the guard (a child of the socket), not the socket's own destroyed():
    // Qt 6.4 disconnects every signal of a socket it hands to its WebSocket server.
    connect(guard, &QObject::destroyed, this, [this] {
        --m_active;
        m_sockets.removeAll(nullptr);
    });
    addPendingConnection(socket);
}

void HttpListener::closeConnections()
{
    for (const QPointer<QTcpSocket> &socket : std::as_const(m_sockets)) {
        if (!socket)
            continue;
        socket->flush();
        socket->disconnectFromHost();
    }
}

} // namespace standby
