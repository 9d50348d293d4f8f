#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTcpSocket>

namespace standby::test {

struct SseEvent
{
    QByteArray id;
    QByteArray event;
    QByteArray data; // data lines joined with '\n'
};

// A Server-Sent Events client over a plain socket, so a test sees exactly what the daemon sends:
// the status, every event as it arrives, and when the server closes.
class SseClient : public QObject
{
    Q_OBJECT

public:
    SseClient(quint16 port, const QByteArray &path, const QByteArray &extraHeaders = {});

    int status() const { return m_status; }
    // The server ended the stream (or the connection failed).
    bool isClosed() const { return m_closed; }
    const QList<SseEvent> &events() const { return m_events; }
    QList<SseEvent> eventsNamed(const QByteArray &name) const;
    // "log" events' data, split into lines.
    QList<QByteArray> logLines() const;
    void close() { m_socket.abort(); }

private:
    void onReadyRead();

    QTcpSocket m_socket;
    QByteArray m_buffer;
    bool m_inBody = false;
    int m_status = 0;
    SseEvent m_pending;
    bool m_pendingHasData = false;
    bool m_closed = false;
    QList<SseEvent> m_events;
};

} // namespace standby::test
