#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QTcpSocket;

namespace standby {

// A streamed answer (Server-Sent Events): the head went out already, without a length, and the
// body is whatever is written until the connection closes (Qt 6.4 has no chunked encoding).
// A child of its connection: when the client goes away the stream and everything parented to it
// go too, so a follower holds nothing past its client.
class HttpStream : public QObject
{
    Q_OBJECT

public:
    // Unsent bytes past this mean the client does not keep up: it is dropped rather than the
    // daemon buffering without bound.
    static constexpr qint64 kMaxBacklog = 8 * 1024 * 1024;
    static constexpr qint64 kLowWater = 256 * 1024;

    explicit HttpStream(QTcpSocket *socket);
    ~HttpStream() override;

    // False when the client is gone or was dropped for falling behind.
    bool write(const QByteArray &bytes);
    // One Server-Sent Event; data may hold newlines (each line becomes a data: field).
    bool writeEvent(const QByteArray &event, const QByteArray &data, const QByteArray &id = {});
    // A comment line every interval while nothing else is written, so a client (and any proxy)
    // sees the stream alive and a vanished peer is noticed.
    void setKeepAlive(int intervalMs);
    // Ends the answer: what is written goes out, then the connection closes.
    void close();
    bool isOpen() const;
    // What the socket still has to send. A producer that can wait (a log on disk, a download)
    // fills up to a bound and goes on at bytesWritten() or writable(), instead of reaching
    // kMaxBacklog and being dropped.
    qint64 bytesToWrite() const;

    static QByteArray formatEvent(const QByteArray &event, const QByteArray &data,
                                  const QByteArray &id = {});

Q_SIGNALS:
    // The client went away or close() was called; emitted once.
    void closed();
    // Some of what was written went out on the wire.
    void bytesWritten();
    // The client took what was pending down to below kLowWater.
    void writable();

private:
    void end();

    QPointer<QTcpSocket> m_socket;
    QTimer m_keepAlive;
    bool m_ended = false;
};

} // namespace standby
