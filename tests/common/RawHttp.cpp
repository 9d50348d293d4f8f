#include "common/RawHttp.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace standby::test {

QByteArray RawReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return QByteArray();
}

QByteArray RawReply::errorCode() const
{
    return QJsonDocument::fromJson(body)
        .object()
        .value(QStringLiteral("error"))
        .toObject()
        .value(QStringLiteral("code"))
        .toString()
        .toUtf8();
}

QByteArray httpRequest(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                       const QByteArray &extraHeaders)
{
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders;
    if (!body.isEmpty() || method == "POST")
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    request += "\r\n" + body;
    return request;
}

QByteArray withPort(QByteArray request, quint16 port)
{
    return request.replace("\r\nHost: 127.0.0.1\r\n",
                           "\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n");
}

RawReply rawExchange(quint16 port, const QByteArray &request, int timeoutMs)
{
    RawReply reply;
    QDeadlineTimer deadline(timeoutMs);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(int(deadline.remainingTime())))
        return reply;
    socket.write(withPort(request, port));
    QByteArray buffer;
    qint64 contentLength = -1;
    qsizetype headerEnd = -1;
    while (!deadline.hasExpired()) {
        if (headerEnd >= 0 && buffer.size() - headerEnd - 4 >= contentLength)
            break;
        if (!socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())))) {
            if (socket.state() != QAbstractSocket::ConnectedState) {
                reply.closedByServer = true;
                buffer += socket.readAll();
                break;
            }
            continue;
        }
        buffer += socket.readAll();
        if (headerEnd < 0 && (headerEnd = buffer.indexOf("\r\n\r\n")) >= 0) {
            const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
            reply.status = lines.value(0).split(' ').value(1).toInt();
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines.at(i).indexOf(':');
                if (colon > 0)
                    reply.headers.append(
                        {lines.at(i).left(colon).trimmed(), lines.at(i).mid(colon + 1).trimmed()});
            }
            contentLength = reply.header("Content-Length").toLongLong();
        }
    }
    if (headerEnd >= 0)
        reply.body = buffer.mid(headerEnd + 4, contentLength);
    return reply;
}

} // namespace standby::test
