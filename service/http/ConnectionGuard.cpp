#include "http/ConnectionGuard.h"

#include "core/LogCategories.h"
#include "http/HttpResponse.h"

#include <QPointer>
#include <QTcpSocket>

#include <sys/socket.h>

namespace standby {

namespace {

// How long a rejected client may keep sending, and how much, before the connection is cut.
constexpr int kLingerMs = 2000;
constexpr qint64 kLingerBytes = 1024 * 1024;

// Refusals are logged at most this often per process, with a count of those not shown, so a
// client in a loop cannot fill the disk through the log.
class RefusalLog
{
public:
    void note(const QString &peer, const QString &message)
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (now - m_windowStart >= 1000) {
            if (m_suppressed > 0)
                qCWarning(lcHttp, "%d more refused requests not logged", m_suppressed);
            m_windowStart = now;
            m_logged = 0;
            m_suppressed = 0;
        }
        if (m_logged < 5) {
            ++m_logged;
            qCWarning(lcHttp, "refusing a request from %s: %s", qUtf8Printable(peer),
                      qUtf8Printable(message));
        } else {
            ++m_suppressed;
        }
    }

private:
    qint64 m_windowStart = 0;
    int m_logged = 0;
    int m_suppressed = 0;
};

RefusalLog &refusals()
{
    static RefusalLog log;
    return log;
}

} // namespace

ConnectionGuard::ConnectionGuard(QTcpSocket *socket, const HttpLimits &limits, UpgradeGate gate)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
    , m_framer(limits)
    , m_gate(std::move(gate))
{
    setObjectName(QStringLiteral("standby-connection-guard"));
    m_idle.setSingleShot(true);
    m_idle.setInterval(limits.idleTimeoutMs);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        if (m_owedAnswers > 0) {
            m_idle.start();
            return;
        }
        m_socket->disconnectFromHost();
    });
    m_idle.start();
    m_headerDeadline.setSingleShot(true);
    m_headerDeadline.setInterval(limits.headerTimeoutMs);
    connect(&m_headerDeadline, &QTimer::timeout, this, [this] {
        refuse(408, QStringLiteral("request_timeout"),
               QStringLiteral("the request headers did not arrive within %1 s")
                   .arg(m_limits.headerTimeoutMs / 1000));
    });
    connect(socket, &QIODevice::bytesWritten, &m_idle, qOverload<>(&QTimer::start));
    // Connected before QHttpServer's own readyRead slot, so this sees every byte before it does.
    // QHttpServer takes one request per turn and leaves what follows (pipelined requests) for a
    // later turn, so the buffer holds bytes already seen: noteServerRead(), queued so that it
    // runs after QHttpServer's slot and before any new bytes are read from the network, records
    // how many, and only what lies beyond them is fed to the framer.
    connect(socket, &QIODevice::readyRead, this, &ConnectionGuard::onReadyRead);
    connect(socket, &QIODevice::readyRead, this, &ConnectionGuard::noteServerRead,
            Qt::QueuedConnection);
}

ConnectionGuard *ConnectionGuard::of(QTcpSocket *socket)
{
    return socket ? socket->findChild<ConnectionGuard *>(QStringLiteral("standby-connection-guard"),
                                                         Qt::FindDirectChildrenOnly)
                  : nullptr;
}

void ConnectionGuard::onReadyRead()
{
    m_idle.start();
    if (m_owedAnswers > 0) {
        // A request pipelined behind one still being answered: QHttpServer would answer it
        // first. Leave it unread; the owed answer closes the connection, and the client repeats.
        // What else it sends stays in the kernel (a small read buffer pushes back on TCP)
        // rather than in memory: a stream's client has nothing to say.
        QObject::disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
        m_socket->setReadBufferSize(64 * 1024);
        return;
    }
    if (m_framer.isUpgraded())
        return;
    const qint64 available = m_socket->bytesAvailable();
    const qint64 freshCount = available - m_unreadAfterServer;
    if (freshCount <= 0)
        return;
    const QByteArray fresh = m_socket->peek(available).right(freshCount);
    m_bytesSinceRequest += fresh.size();
    if (std::optional<RequestFramer::Violation> violation = m_framer.feed(fresh)) {
        refuse(violation->status, violation->code, violation->message);
        return;
    }
    if (m_framer.isUpgraded()) {
        const QByteArray head = m_framer.takeUpgradeHead();
        std::optional<QByteArray> refusal =
            m_gate
                ? m_gate(m_socket, head)
                : std::optional<QByteArray>(HttpResponse::error(404, QStringLiteral("not_found"),
                                                                QStringLiteral("no WebSocket here"))
                                                .serialize(true));
        if (refusal) {
            refusals().note(m_socket->peerAddress().toString(),
                            QStringLiteral("WebSocket upgrade refused"));
            m_idle.stop();
            m_headerDeadline.stop();
            QObject::disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
            rejectAndClose(m_socket, *refusal);
            return;
        }
        // Let through: the HTTP timers run on until QHttpServer really hands the socket over.
        return;
    }
    // Whatever the framer believes, no valid request is larger than this: a last line of
    // defence should the framer and QHttpServer ever read a stream differently.
    const qint64 budget = m_limits.maxHeaderBytes + m_limits.maxBodyBytes + 64 * 1024;
    if (m_bytesSinceRequest > budget) {
        refuse(413, QStringLiteral("body_too_large"),
               QStringLiteral("more than %1 bytes without a complete request").arg(budget));
        return;
    }
    if (m_framer.isIdle())
        m_headerDeadline.stop();
    else if (!m_headerDeadline.isActive() && m_framer.inHeaders())
        m_headerDeadline.start();
    if (!m_framer.inHeaders())
        m_headerDeadline.stop();
    if (m_framer.takeExpectContinue())
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
}

void ConnectionGuard::noteServerRead()
{
    m_unreadAfterServer = m_socket->bytesAvailable();
}

void ConnectionGuard::handOff()
{
    m_idle.stop();
    m_headerDeadline.stop();
    QObject::disconnect(m_socket, &QIODevice::bytesWritten, &m_idle, nullptr);
}

void ConnectionGuard::refuse(int status, const QString &code, const QString &message)
{
    refusals().note(m_socket->peerAddress().toString(), message);
    m_idle.stop();
    m_headerDeadline.stop();
    // No one else reads this socket again; the slots after this one are skipped.
    QObject::disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
    rejectAndClose(m_socket, HttpResponse::error(status, code, message).serialize(true));
}

void ConnectionGuard::rejectAndClose(QTcpSocket *socket, const QByteArray &response)
{
    // QHttpServer may be half way through a request in a read transaction, which would keep
    // every byte that follows; end it so discarded bytes are really freed.
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    socket->skip(socket->bytesAvailable());
    socket->setReadBufferSize(64 * 1024);
    QPointer<QTcpSocket> guarded(socket);
    socket->write(response);
    auto shutdownWrite = [guarded] {
        if (guarded && guarded->bytesToWrite() == 0)
            ::shutdown(int(guarded->socketDescriptor()), SHUT_WR);
    };
    QObject::connect(socket, &QIODevice::bytesWritten, socket, shutdownWrite);
    auto drained = std::make_shared<qint64>(0);
    QObject::connect(socket, &QIODevice::readyRead, socket, [guarded, drained] {
        if (!guarded)
            return;
        *drained += guarded->skip(guarded->bytesAvailable());
        if (*drained > kLingerBytes)
            guarded->abort();
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
