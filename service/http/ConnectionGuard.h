#pragma once

#include "http/HttpLimits.h"
#include "http/RequestFramer.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <optional>

class QTcpSocket;

namespace standby {

// Watches one connection ahead of QHttpServer: feeds its bytes to a RequestFramer, answers a
// broken limit at once, closes it when idle, when a header block takes too long (slowloris), or
// when more bytes arrive than any valid request could carry. A child of its socket.
class ConnectionGuard : public QObject
{
    Q_OBJECT

public:
    // Decides on a WebSocket upgrade from its header block, before QHttpServer hands the socket
    // to its WebSocket server (which would complete any handshake): an answer refuses it.
    using UpgradeGate = std::function<std::optional<QByteArray>(QTcpSocket *, const QByteArray &)>;

    ConnectionGuard(QTcpSocket *socket, const HttpLimits &limits, UpgradeGate gate = {});

    // The guard of a socket, if it has one.
    static ConnectionGuard *of(QTcpSocket *socket);

    // QHttpServer handed a complete request to the server: the byte budget starts again.
    void requestDelivered() { m_bytesSinceRequest = 0; }
    // While an answer is owed the connection is not idle, however long it waits.
    void beginAnswer() { ++m_owedAnswers; }
    void endAnswer() { m_owedAnswers = qMax(0, m_owedAnswers - 1); }
    // QHttpServer takes the connection over for its WebSocket server: from here the WebSocket
    // keeps its own time (pings, its close handshake), so the HTTP timers stop.
    void handOff();

    // Writes a final answer and closes gracefully: the write side is shut down and what the
    // client still sends is discarded for a moment (bounded), so the answer is read rather than
    // lost to a reset, while nothing of it is kept in memory.
    static void rejectAndClose(QTcpSocket *socket, const QByteArray &response);

private:
    void onReadyRead();
    void noteServerRead();
    void refuse(int status, const QString &code, const QString &message);

    QTcpSocket *m_socket;
    HttpLimits m_limits;
    RequestFramer m_framer;
    UpgradeGate m_gate;
    QTimer m_idle;
    QTimer m_headerDeadline;
    qint64 m_bytesSinceRequest = 0;
    // Bytes QHttpServer left unread after its last turn: what is buffered beyond them is new.
    qint64 m_unreadAfterServer = 0;
    int m_owedAnswers = 0;
};

} // namespace standby
