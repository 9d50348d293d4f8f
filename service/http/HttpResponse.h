#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QPair>

namespace standby {

// An answer before it goes on the wire. Every JSON answer is an envelope: {"data": …} on
// success, {"error": {"code", "message"}} on failure.
class HttpResponse
{
public:
    HttpResponse() = default;

    static HttpResponse data(const QJsonValue &data, int status = 200);
    static HttpResponse error(int status, const QString &code, const QString &message);
    static HttpResponse error(int status, const Error &error);
    static HttpResponse raw(int status, const QByteArray &contentType, const QByteArray &body);

    int status() const { return m_status; }
    const QByteArray &body() const { return m_body; }
    QByteArray header(const QByteArray &name) const;
    HttpResponse &setHeader(const QByteArray &name, const QByteArray &value);

    // Status line, headers (with Content-Length and the daemon's security headers) and body.
    // headOnly leaves the body out but keeps its length, as HEAD requires.
    QByteArray serialize(bool closeConnection, bool headOnly = false) const;

    static QByteArray reasonPhrase(int status);

private:
    int m_status = 200;
    QByteArray m_contentType = "application/json";
    QByteArray m_body;
    QList<QPair<QByteArray, QByteArray>> m_headers;
};

} // namespace standby
