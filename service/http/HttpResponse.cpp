#include "http/HttpResponse.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace standby {

HttpResponse HttpResponse::data(const QJsonValue &data, int status)
{
    HttpResponse response;
    response.m_status = status;
    response.m_body =
        QJsonDocument(QJsonObject{{QStringLiteral("data"), data}}).toJson(QJsonDocument::Compact);
    return response;
}

HttpResponse HttpResponse::error(int status, const QString &code, const QString &message)
{
    HttpResponse response;
    response.m_status = status;
    const QJsonObject error{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    response.m_body =
        QJsonDocument(QJsonObject{{QStringLiteral("error"), error}}).toJson(QJsonDocument::Compact);
    return response;
}

HttpResponse HttpResponse::error(int status, const Error &error)
{
    return HttpResponse::error(status, error.code, error.message);
}

HttpResponse HttpResponse::raw(int status, const QByteArray &contentType, const QByteArray &body)
{
    HttpResponse response;
    response.m_status = status;
    response.m_contentType = contentType;
    response.m_body = body;
    return response;
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : m_headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return QByteArray();
}

HttpResponse &HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &entry : m_headers) {
        if (entry.first.compare(name, Qt::CaseInsensitive) == 0) {
            entry.second = value;
            return *this;
        }
    }
    m_headers.append({name, value});
    return *this;
}

QByteArray HttpResponse::reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 421:
        return "Misdirected Request";
    case 422:
        return "Unprocessable Entity";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
    }
}

QByteArray HttpResponse::serialize(bool closeConnection, bool headOnly) const
{
    QByteArray out;
    out.reserve(320 + m_body.size());
    out += "HTTP/1.1 ";
    out += QByteArray::number(m_status);
    out += ' ';
    out += reasonPhrase(m_status);
    out += "\r\nContent-Type: ";
    out += m_contentType;
    if (m_contentType.startsWith("application/json") || m_contentType.startsWith("text/"))
        out += m_contentType.contains("charset") ? "" : "; charset=utf-8";
    out += "\r\nContent-Length: ";
    out += QByteArray::number(m_body.size());
    // Nothing the daemon says may be cached, sniffed into another type or framed by a page.
    out += "\r\nCache-Control: no-store"
           "\r\nX-Content-Type-Options: nosniff"
           "\r\nX-Frame-Options: DENY"
           "\r\nReferrer-Policy: no-referrer";
    for (const auto &[name, value] : m_headers) {
        out += "\r\n";
        out += name;
        out += ": ";
        out += value;
    }
    if (closeConnection)
        out += "\r\nConnection: close";
    out += "\r\n\r\n";
    if (!headOnly)
        out += m_body;
    return out;
}

} // namespace standby
