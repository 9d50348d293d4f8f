#include "http/HttpStream.h"

#include "core/LogCategories.h"
#include "http/ConnectionGuard.h"

#include <QTcpSocket>

namespace standby {

HttpStream::HttpStream(QTcpSocket *socket)
    : QObject(socket)
    , m_socket(socket)
{
    connect(socket, &QAbstractSocket::disconnected, this, &HttpStream::end);
    connect(socket, &QIODevice::bytesWritten, this, &HttpStream::bytesWritten);
    connect(&m_keepAlive, &QTimer::timeout, this, [this] { write(": keep-alive\n\n"); });
    connect(socket, &QIODevice::bytesWritten, this, [this] {
        if (isOpen() && m_socket->bytesToWrite() < kLowWater)
            Q_EMIT writable();
    });
    // What a client sends on a stream is never read: keep it in the kernel, not in memory.
    socket->setReadBufferSize(64 * 1024);
}

HttpStream::~HttpStream()
{
    // Going with its socket: the guard is going too; nobody is left to tell.
    m_ended = true;
}

bool HttpStream::isOpen() const
{
    return !m_ended && m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

qint64 HttpStream::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

bool HttpStream::write(const QByteArray &bytes)
{
    if (!isOpen())
        return false;
    if (m_socket->bytesToWrite() + bytes.size() > kMaxBacklog) {
        qCWarning(lcHttp, "dropping a stream to %s: %lld bytes unsent",
                  qUtf8Printable(m_socket->peerAddress().toString()), m_socket->bytesToWrite());
        m_socket->abort();
        end();
        return false;
    }
    m_socket->write(bytes);
    if (m_keepAlive.isActive())
        m_keepAlive.start();
    return true;
}

QByteArray HttpStream::formatEvent(const QByteArray &event, const QByteArray &data,
                                   const QByteArray &id)
{
    QByteArray out;
    out.reserve(data.size() + event.size() + id.size() + 32);
    // Field values may not carry line breaks: an id or event name with one would forge fields.
    auto oneLine = [](QByteArray value) {
        value.replace('\r', ' ');
        value.replace('\n', ' ');
        return value;
    };
    if (!id.isEmpty())
        out += "id: " + oneLine(id) + '\n';
    if (!event.isEmpty())
        out += "event: " + oneLine(event) + '\n';
    qsizetype start = 0;
    while (true) {
        qsizetype end = data.indexOf('\n', start);
        const qsizetype stop = end < 0 ? data.size() : end;
        QByteArray line = data.mid(start, stop - start);
        if (line.endsWith('\r'))
            line.chop(1);
        line.replace('\r', ' ');
        out += "data: " + line + '\n';
        if (end < 0)
            break;
        start = end + 1;
    }
    out += '\n';
    return out;
}

bool HttpStream::writeEvent(const QByteArray &event, const QByteArray &data, const QByteArray &id)
{
    return write(formatEvent(event, data, id));
}

void HttpStream::setKeepAlive(int intervalMs)
{
    m_keepAlive.setInterval(intervalMs);
    m_keepAlive.start();
}

void HttpStream::close()
{
    if (m_ended)
        return;
    if (m_socket) {
        m_socket->flush();
        m_socket->disconnectFromHost();
    }
    end();
}

void HttpStream::end()
{
    if (m_ended)
        return;
    m_ended = true;
    m_keepAlive.stop();
    if (m_socket) {
        if (ConnectionGuard *guard = ConnectionGuard::of(m_socket))
            guard->endAnswer();
    }
    Q_EMIT closed();
}

} // namespace standby
