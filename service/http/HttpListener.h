#pragma once

#include "http/HttpLimits.h"

#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

namespace standby {

// The TCP side of the daemon's HTTP server: QHttpServer 6.4 has no connection cap, idle timeout
// or size limits, so every accepted socket passes through here first. Over the cap a client gets
// a 503 at once; each connection gets an idle timer and a RequestFramer that answers 413/414/431
// before QHttpServer buffers an oversize request.
class HttpListener : public QTcpServer
{
    Q_OBJECT

public:
    explicit HttpListener(const HttpLimits &limits, QObject *parent = nullptr);

    int activeConnections() const { return m_active; }
    // Pushes out what is buffered on every connection and closes them (shutdown).
    void closeConnections();

    // Writes a final answer on a socket and closes it gracefully: the write side is shut down
    // and what the client still sends is drained for a moment, so the answer is read rather than
    // lost to a reset.
    static void rejectAndClose(QTcpSocket *socket, const QByteArray &response);

protected:
    void incomingConnection(qintptr handle) override;

private:
    void guard(QTcpSocket *socket);

    HttpLimits m_limits;
    int m_active = 0;
    QList<QPointer<QTcpSocket>> m_sockets;
};

} // namespace standby
