#include "http/HttpResponder.h"

#include "http/ConnectionGuard.h"
#include "http/HttpStream.h"

#include <QTcpSocket>

namespace standby {

HttpResponder::HttpResponder(QTcpSocket *socket, bool closeAfter, bool headOnly)
    : m_state(std::make_shared<State>())
{
    m_state->socket = socket;
    m_state->closeAfter = closeAfter;
    m_state->headOnly = headOnly;
    if (ConnectionGuard *guard = ConnectionGuard::of(socket))
        guard->beginAnswer();
}

HttpResponder::State::~State()
{
    if (sent || !socket)
        return;
    if (ConnectionGuard *guard = ConnectionGuard::of(socket))
        guard->endAnswer();
    if (socket->state() != QAbstractSocket::ConnectedState)
        return;
    socket->write(HttpResponse::error(500, QStringLiteral("internal_error"),
                                      QStringLiteral("the daemon dropped this request without "
                                                     "an answer; see its telemetry log"))
                      .serialize(true, headOnly));
    socket->disconnectFromHost();
}

void HttpResponder::closeAfterAnswer()
{
    if (m_state)
        m_state->closeAfter = true;
}

bool HttpResponder::isConnected() const
{
    return m_state && m_state->socket &&
           m_state->socket->state() == QAbstractSocket::ConnectedState;
}

void HttpResponder::send(const HttpResponse &response)
{
    if (!m_state || m_state->sent)
        return;
    m_state->sent = true;
    QTcpSocket *socket = m_state->socket;
    if (!socket)
        return;
    if (ConnectionGuard *guard = ConnectionGuard::of(socket))
        guard->endAnswer();
    if (socket->state() != QAbstractSocket::ConnectedState)
        return;
    socket->write(response.serialize(m_state->closeAfter, m_state->headOnly));
    if (m_state->closeAfter)
        socket->disconnectFromHost();
}

HttpStream *HttpResponder::beginStream(const QByteArray &contentType,
                                       const QList<QPair<QByteArray, QByteArray>> &headers,
                                       qint64 contentLength)
{
    if (!m_state || m_state->sent)
        return nullptr;
    m_state->sent = true;
    QTcpSocket *socket = m_state->socket;
    if (!socket || socket->state() != QAbstractSocket::ConnectedState) {
        if (ConnectionGuard *guard = ConnectionGuard::of(socket))
            guard->endAnswer();
        return nullptr;
    }
    HttpResponse head = HttpResponse::raw(200, contentType, {});
    for (const auto &[name, value] : headers)
        head.setHeader(name, value);
    // Proxies must not hold events back to batch them.
    head.setHeader("X-Accel-Buffering", "no");
    QByteArray bytes = head.serialize(true, true);
    // Without a length the body runs until the connection closes.
    bytes.replace("Content-Length: 0\r\n",
                  contentLength >= 0
                      ? "Content-Length: " + QByteArray::number(contentLength) + "\r\n"
                      : QByteArray());
    if (m_state->headOnly) {
        if (ConnectionGuard *guard = ConnectionGuard::of(socket))
            guard->endAnswer();
        socket->write(bytes);
        socket->disconnectFromHost();
        return nullptr;
    }
    // The blank line ending the head is only seen with body bytes behind it by some clients:
    // send a comment at once, so the stream is visibly open before the first event.
    if (contentType.startsWith("text/event-stream"))
        bytes += ": stream open\n\n";
    socket->write(bytes);
    return new HttpStream(socket);
}

} // namespace standby
