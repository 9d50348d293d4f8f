#include "common/SseClient.h"

#include <QHostAddress>

namespace standby::test {

SseClient::SseClient(quint16 port, const QByteArray &path, const QByteArray &extraHeaders)
{
    connect(&m_socket, &QIODevice::readyRead, this, &SseClient::onReadyRead);
    connect(&m_socket, &QAbstractSocket::disconnected, this, [this] { m_closed = true; });
    connect(&m_socket, &QAbstractSocket::errorOccurred, this, [this] {
        onReadyRead();
        m_closed = true;
    });
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    m_socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                   "\r\nAccept: text/event-stream\r\n" + extraHeaders + "\r\n");
}

void SseClient::onReadyRead()
{
    m_buffer += m_socket.readAll();
    if (!m_inBody) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> statusLine = m_buffer.left(m_buffer.indexOf("\r\n")).split(' ');
        m_status = statusLine.value(1).toInt();
        m_buffer.remove(0, end + 4);
        m_inBody = true;
    }
    qsizetype newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        QByteArray line = m_buffer.left(newline);
        m_buffer.remove(0, newline + 1);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty()) {
            if (m_pendingHasData)
                m_events.append(m_pending);
            m_pending = {};
            m_pendingHasData = false;
            continue;
        }
        if (line.startsWith(':'))
            continue;
        const qsizetype colon = line.indexOf(':');
        const QByteArray field = line.left(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        if (field == "data") {
            if (m_pendingHasData)
                m_pending.data += '\n';
            m_pending.data += value;
            m_pendingHasData = true;
        } else if (field == "event")
            m_pending.event = value;
        else if (field == "id")
            m_pending.id = value;
    }
}

QList<SseEvent> SseClient::eventsNamed(const QByteArray &name) const
{
    QList<SseEvent> out;
    for (const SseEvent &event : m_events) {
        if (event.event == name)
            out.append(event);
    }
    return out;
}

QList<QByteArray> SseClient::logLines() const
{
    QList<QByteArray> out;
    for (const SseEvent &event : eventsNamed("log"))
        out += event.data.split('\n');
    return out;
}

} // namespace standby::test
