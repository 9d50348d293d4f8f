#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QString>

namespace standby {

// A small blocking HTTP/1.1 client for the daemon's API, for programs that may wait (the CLI).
// It speaks just what the daemon needs over one plain socket: no resolver, no proxy lookup, no
// thread, no TLS. Plain POSIX sockets keep QtNetwork (and the Kerberos, libproxy and brotli
// libraries it drags in) out of the CLI, which halves its start-up time.
class ApiClient
{
public:
    struct Reply
    {
        int status = 0;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
    };

    // endpoint: "http://127.0.0.1:8080" (as in daemon.json).
    explicit ApiClient(const QString &endpoint, int timeoutMs = 5000);

    // Errors: unreachable (nothing listens), timeout, protocol (not an HTTP answer).
    Result<Reply> request(const QByteArray &method, const QString &path,
                          const QByteArray &body = QByteArray()) const;

    // The envelope unwrapped: data on 2xx, the server's {code, message} otherwise.
    Result<QJsonValue> get(const QString &path) const;
    Result<QJsonValue> post(const QString &path, const QJsonValue &body = QJsonValue()) const;

    static Result<QJsonValue> unwrap(const Reply &reply);

private:
    QString m_host; // an IP literal, without brackets
    quint16 m_port = 0;
    QByteArray m_hostHeader;
    int m_timeoutMs;
};

} // namespace standby
