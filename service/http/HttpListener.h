#pragma once

#include "http/ConnectionGuard.h"
#include "http/HttpLimits.h"

#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace standby {

// The TCP side of the daemon's HTTP server: QHttpServer 6.4 has no connection cap, idle timeout
// or size limits, so every accepted socket passes through here first. Over the cap a client gets
// a 503 at once; every connection gets a ConnectionGuard.
class HttpListener : public QTcpServer
{
    Q_OBJECT

public:
    explicit HttpListener(const HttpLimits &limits, QObject *parent = nullptr);

    int activeConnections() const { return m_active; }
    void setUpgradeGate(ConnectionGuard::UpgradeGate gate) { m_gate = std::move(gate); }
    // Pushes out what is buffered on every connection and closes them (shutdown).
    void closeConnections();

protected:
    void incomingConnection(qintptr handle) override;

private:
    void onAcceptError(QAbstractSocket::SocketError error);

    HttpLimits m_limits;
    ConnectionGuard::UpgradeGate m_gate;
    int m_active = 0;
    int m_rejecting = 0; // refused sockets still lingering
    QList<QPointer<QTcpSocket>> m_sockets;
    QTimer m_resumeAccepting;
};

} // namespace standby
