#include "client/ApiClient.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QUrl>

namespace standby {

static constexpr qint64 kMaxReplyBytes = 64LL * 1024 * 1024;

ApiClient::ApiClient(const QString &endpoint, int timeoutMs)
    : m_timeoutMs(timeoutMs)
{
    const QUrl url(endpoint);
    m_host = url.host();
    m_port = quint16(url.port(80));
    m_hostHeader = url.authority().toUtf8();
}

Result<ApiClient::Reply> ApiClient::request(const QByteArray &method, const QString &path,
                                            const QByteArray &body) const
{
    QDeadlineTimer deadline(m_timeoutMs);
    QTcpSocket socket;
    socket.connectToHost(m_host, m_port);
    if (!socket.waitForConnected(int(deadline.remainingTime())))
        return Error{socket.error() == QAbstractSocket::SocketTimeoutError
                         ? QStringLiteral("timeout")
                         : QStringLiteral("unreachable"),
                     QStringLiteral("cannot reach the daemon at %1:%2: %3")
                         .arg(m_host)
                         .arg(m_port)
                         .arg(socket.errorString())};

    QByteArray head = method + ' ' + QUrl(path).toEncoded() + " HTTP/1.1\r\nHost: " + m_hostHeader +
                      "\r\nConnection: close\r\nX-Standby-Request: 1\r\nAccept: application/json";
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        head += "\r\nContent-Type: application/json\r\nContent-Length: " +
                QByteArray::number(body.size());
    head += "\r\n\r\n";
    socket.write(head + body);

    QByteArray buffer;
    qsizetype headerEnd = -1;
    qint64 contentLength = -1;
    Reply reply;
    for (;;) {
        if (headerEnd >= 0 && contentLength >= 0 &&
            buffer.size() - (headerEnd + 4) >= contentLength)
            break;
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0)
            break;
        if (!socket.bytesAvailable() && !socket.waitForReadyRead(int(deadline.remainingTime()))) {
            if (deadline.hasExpired())
                return Error{QStringLiteral("timeout"),
                             QStringLiteral("the daemon did not answer %1 %2 within %3 ms")
                                 .arg(QString::fromLatin1(method), path)
                                 .arg(m_timeoutMs)};
            if (socket.state() != QAbstractSocket::ConnectedState)
                break;
        }
        buffer += socket.readAll();
        if (buffer.size() > kMaxReplyBytes)
            return Error{QStringLiteral("protocol"), QStringLiteral("the reply is too large")};
        if (headerEnd < 0) {
            headerEnd = buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                continue;
            const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
            const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
            bool ok = false;
            reply.status = statusLine.value(1).toInt(&ok);
            if (!statusLine.value(0).startsWith("HTTP/") || !ok)
                return Error{QStringLiteral("protocol"),
                             QStringLiteral("%1:%2 did not answer in HTTP").arg(m_host).arg(m_port)};
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines.at(i).indexOf(':');
                if (colon <= 0)
                    continue;
                const QByteArray name = lines.at(i).left(colon).trimmed();
                const QByteArray value = lines.at(i).mid(colon + 1).trimmed();
                reply.headers.append({name, value});
                if (name.compare("content-length", Qt::CaseInsensitive) == 0)
                    contentLength = value.toLongLong();
            }
        }
    }
    if (headerEnd < 0)
        return Error{QStringLiteral("protocol"),
                     QStringLiteral("the daemon closed the connection without an answer")};
    reply.body = buffer.mid(headerEnd + 4);
    if (contentLength >= 0)
        reply.body.truncate(contentLength);
    return reply;
}

Result<QJsonValue> ApiClient::unwrap(const Reply &reply)
{
    const QJsonObject object = QJsonDocument::fromJson(reply.body).object();
    if (reply.status >= 200 && reply.status < 300)
        return object.value(QStringLiteral("data"));
    const QJsonObject error = object.value(QStringLiteral("error")).toObject();
    QString code = error.value(QStringLiteral("code")).toString();
    QString message = error.value(QStringLiteral("message")).toString();
    if (code.isEmpty())
        code = QStringLiteral("http_%1").arg(reply.status);
    if (message.isEmpty())
        message = QStringLiteral("the daemon answered HTTP %1").arg(reply.status);
    return Error{code, message};
}

Result<QJsonValue> ApiClient::get(const QString &path) const
{
    Result<Reply> reply = request("GET", path);
    if (!reply)
        return reply.error();
    return unwrap(*reply);
}

Result<QJsonValue> ApiClient::post(const QString &path, const QJsonValue &body) const
{
    QByteArray bytes;
    if (body.isObject())
        bytes = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    else if (body.isArray())
        bytes = QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
    Result<Reply> reply = request("POST", path, bytes);
    if (!reply)
        return reply.error();
    return unwrap(*reply);
}

} // namespace standby
