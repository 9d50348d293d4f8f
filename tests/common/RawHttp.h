#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace standby::test {

// One HTTP exchange over a plain socket, for tests that must send what a polite client would not
// (oversize headers, garbage, keep-alive sequences) and see exactly what comes back.
struct RawReply
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool closedByServer = false;
    QByteArray header(const QByteArray &name) const;
    QByteArray errorCode() const; // error.code of a JSON envelope
};

// Sends bytes to 127.0.0.1:port and reads one answer (Content-Length framed). A "Host: 127.0.0.1"
// header gets the port added.
RawReply rawExchange(quint16 port, const QByteArray &request, int timeoutMs = 15000);

// "Host: 127.0.0.1" → "Host: 127.0.0.1:port", as the daemon requires.
QByteArray withPort(QByteArray request, quint16 port);

QByteArray httpRequest(const QByteArray &method, const QByteArray &path,
                       const QByteArray &body = QByteArray(),
                       const QByteArray &extraHeaders = QByteArray());

} // namespace standby::test
