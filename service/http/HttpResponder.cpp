#include "http/HttpResponder.h"

#include "http/ConnectionGuard.h"

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

} // namespace standby
