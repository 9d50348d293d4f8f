#include "client/ApiClient.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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

namespace {

// A socket descriptor closed on every way out.
struct Socket
{
    int fd = -1;
    ~Socket()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

// Waits for the descriptor to become ready for `events`; false on timeout.
bool waitFor(int fd, short events, const QDeadlineTimer &deadline)
{
    for (;;) {
        pollfd entry{fd, events, 0};
        const int ready = ::poll(&entry, 1, int(qMax<qint64>(0, deadline.remainingTime())));
        if (ready < 0 && errno == EINTR)
            continue;
        return ready > 0;
    }
}

} // namespace

Result<ApiClient::Reply> ApiClient::request(const QByteArray &method, const QString &path,
                                            const QByteArray &body) const
{
    const QDeadlineTimer deadline(m_timeoutMs);
    const QString where = QStringLiteral("%1:%2").arg(m_host).arg(m_port);
    auto failure = [&](const char *code, const QString &what) {
        return Error{QString::fromLatin1(code),
                     QStringLiteral("cannot reach the daemon at %1: %2").arg(where, what)};
    };

    // The daemon's endpoint is always an IP literal (daemon.json), so no resolver is involved.
    sockaddr_storage address{};
    socklen_t addressLength = 0;
    const QByteArray host = m_host.toLatin1();
    auto *v4 = reinterpret_cast<sockaddr_in *>(&address);
    auto *v6 = reinterpret_cast<sockaddr_in6 *>(&address);
    if (::inet_pton(AF_INET, host.constData(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(m_port);
        addressLength = sizeof(sockaddr_in);
    } else if (::inet_pton(AF_INET6, host.constData(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(m_port);
        addressLength = sizeof(sockaddr_in6);
    } else {
        return failure("unreachable", QStringLiteral("the host is not an IP address"));
    }

    Socket socket;
    socket.fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (socket.fd < 0)
        return failure("unreachable", QString::fromLocal8Bit(std::strerror(errno)));
    if (::connect(socket.fd, reinterpret_cast<sockaddr *>(&address), addressLength) != 0) {
        if (errno != EINPROGRESS)
            return failure("unreachable", QString::fromLocal8Bit(std::strerror(errno)));
        if (!waitFor(socket.fd, POLLOUT, deadline))
            return failure("timeout",
                           QStringLiteral("no connection within %1 ms").arg(m_timeoutMs));
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(socket.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0)
            return failure("unreachable", QString::fromLocal8Bit(std::strerror(error)));
    }

    QByteArray out = method + ' ' + QUrl(path).toEncoded() + " HTTP/1.1\r\nHost: " + m_hostHeader +
                     "\r\nConnection: close\r\nX-Standby-Request: 1\r\nAccept: application/json";
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        out += "\r\nContent-Type: application/json\r\nContent-Length: " +
               QByteArray::number(body.size());
    out += "\r\n\r\n" + body;
    for (qsizetype sent = 0; sent < out.size();) {
        const ssize_t n =
            ::send(socket.fd, out.constData() + sent, size_t(out.size() - sent), MSG_NOSIGNAL);
        if (n > 0) {
            sent += n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!waitFor(socket.fd, POLLOUT, deadline))
                return failure("timeout", QStringLiteral("the request could not be sent in time"));
        } else {
            return failure("unreachable", QString::fromLocal8Bit(std::strerror(errno)));
        }
    }

    QByteArray buffer;
    qsizetype headerEnd = -1;
    qint64 contentLength = -1;
    Reply reply;
    for (;;) {
        if (headerEnd >= 0 && contentLength >= 0 &&
            buffer.size() - (headerEnd + 4) >= contentLength)
            break;
        char chunk[16384];
        const ssize_t n = ::recv(socket.fd, chunk, sizeof chunk, 0);
        if (n == 0)
            break; // the daemon closed: the answer is complete
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                return failure("unreachable", QString::fromLocal8Bit(std::strerror(errno)));
            if (!waitFor(socket.fd, POLLIN, deadline))
                return Error{QStringLiteral("timeout"),
                             QStringLiteral("the daemon did not answer %1 %2 within %3 ms")
                                 .arg(QString::fromLatin1(method), path)
                                 .arg(m_timeoutMs)};
            continue;
        }
        buffer.append(chunk, n);
        if (buffer.size() > kMaxReplyBytes)
            return Error{QStringLiteral("protocol"), QStringLiteral("the reply is too large")};
        if (headerEnd >= 0)
            continue;
        headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            continue;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        bool ok = false;
        reply.status = statusLine.value(1).toInt(&ok);
        if (!statusLine.value(0).startsWith("HTTP/") || !ok)
            return Error{QStringLiteral("protocol"),
                         QStringLiteral("%1 did not answer in HTTP").arg(where)};
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
    if (headerEnd < 0)
        return Error{QStringLiteral("protocol"),
                     QStringLiteral("the daemon closed the connection without an answer")};
    reply.body = buffer.mid(headerEnd + 4);
    if (contentLength >= 0) {
        if (reply.body.size() < contentLength)
            return Error{QStringLiteral("protocol"),
                         QStringLiteral("the daemon's answer was cut off after %1 of %2 bytes")
                             .arg(reply.body.size())
                             .arg(contentLength)};
        reply.body.truncate(contentLength);
    }
    return reply;
}

Result<QJsonValue> ApiClient::unwrap(const Reply &reply)
{
    QJsonParseError parseError{};
    const QJsonObject object = QJsonDocument::fromJson(reply.body, &parseError).object();
    if (reply.status >= 200 && reply.status < 300) {
        if (parseError.error != QJsonParseError::NoError ||
            !object.contains(QStringLiteral("data")))
            return Error{
                QStringLiteral("protocol"),
                QStringLiteral("the daemon answered %1 without a JSON envelope").arg(reply.status)};
        return object.value(QStringLiteral("data"));
    }
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
