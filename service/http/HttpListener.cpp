#include "http/HttpListener.h"

#include "core/LogCategories.h"
#include "http/HttpResponder.h"
#include "http/HttpResponse.h"
#include "http/RequestFramer.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>
#include <sys/socket.h>

namespace standby {

// How long a rejected client may keep sending before the connection is cut.
static constexpr int kLingerMs = 2000;

HttpListener::HttpListener(const HttpLimits &limits, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
{
    // The kernel backlog is not the cap; the cap is enforced on accept.
    setMaxPendingConnections(qMax(30, limits.maxConnections));
}

void HttpListener::incomingConnection(qintptr handle)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(handle)) {
        delete socket;
        return;
    }
    if (m_active >= m_limits.maxConnections) {
        qCWarning(lcHttp, "refusing a connection from %s: %d connections open (the limit)",
                  qUtf8Printable(socket->peerAddress().toString()), m_active);
        const HttpResponse busy = HttpResponse::error(
            503, QStringLiteral("too_many_connections"),
            QStringLiteral("the daemon has %1 connections open, its limit; try again shortly")
                .arg(m_active));
        rejectAndClose(socket, busy.serialize(true));
        return;
    }
    ++m_active;
    m_sockets.append(socket);
    connect(socket, &QObject::destroyed, this, [this] {
        --m_active;
        m_sockets.removeAll(nullptr);
    });
    guard(socket);
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

void HttpListener::guard(QTcpSocket *socket)
{
    auto framer = std::make_shared<RequestFramer>(m_limits);
    auto *idle = new QTimer(socket);
    idle->setSingleShot(true);
    idle->setInterval(m_limits.idleTimeoutMs);
    connect(idle, &QTimer::timeout, socket, [socket, idle] {
        // A client waiting for an answer the daemon still owes it is not idle.
        if (socket->property(HttpResponder::kBusyProperty).toBool()) {
            idle->start();
            return;
        }
        qCInfo(lcHttp, "closing an idle connection from %s",
               qUtf8Printable(socket->peerAddress().toString()));
        socket->disconnectFromHost();
    });
    idle->start();
    connect(socket, &QIODevice::bytesWritten, idle, qOverload<>(&QTimer::start));

    // Connected before QHttpServer's own readyRead slot, so this sees every byte before it does.
    // QHttpServer reads all that is buffered on each readyRead, so what peek() shows here is
    // exactly the bytes that arrived since the last signal.
    connect(socket, &QIODevice::readyRead, socket, [socket, framer, idle] {
        idle->start();
        if (framer->isUpgraded())
            return;
        const QByteArray fresh = socket->peek(socket->bytesAvailable());
        if (std::optional<RequestFramer::Violation> violation = framer->feed(fresh)) {
            qCWarning(lcHttp, "refusing a request from %s: %s",
                      qUtf8Printable(socket->peerAddress().toString()),
                      qUtf8Printable(violation->message));
            // No one else reads this socket again; the slots after this one are skipped.
            QObject::disconnect(socket, &QIODevice::readyRead, nullptr, nullptr);
            const HttpResponse answer =
                HttpResponse::error(violation->status, violation->code, violation->message);
            rejectAndClose(socket, answer.serialize(true));
            return;
        }
        if (framer->takeExpectContinue())
            socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    });
}

void HttpListener::rejectAndClose(QTcpSocket *socket, const QByteArray &response)
{
    QPointer<QTcpSocket> guarded(socket);
    socket->write(response);
    auto shutdownWrite = [guarded] {
        if (!guarded || guarded->bytesToWrite() > 0)
            return;
        ::shutdown(int(guarded->socketDescriptor()), SHUT_WR);
    };
    QObject::connect(socket, &QIODevice::bytesWritten, socket, shutdownWrite);
    // Drain and drop whatever the client still sends until it closes or the linger time ends.
    QObject::connect(socket, &QIODevice::readyRead, socket, [guarded] {
        if (guarded)
            guarded->skip(guarded->bytesAvailable());
    });
    QObject::connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(kLingerMs, socket, [guarded] {
        if (guarded) {
            guarded->abort();
            guarded->deleteLater();
        }
    });
    socket->flush();
    shutdownWrite();
}

} // namespace standby
