#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QUrlQuery>

namespace standby {

// A request as controllers see it: no QHttpServer types, so a newer Qt changes only the adapter.
struct HttpRequest
{
    QByteArray method; // GET, POST, …
    QString path;      // decoded, without the query
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress remoteAddress;
    QHostAddress localAddress;
    quint16 localPort = 0;
    QHash<QString, QString> params; // {name} segments of the matched route

    // Case-insensitive, the first occurrence; empty when absent.
    QByteArray header(const QByteArray &name) const;
    QString param(const QString &name) const { return params.value(name); }
    QString queryValue(const QString &key) const;

    // The body as a JSON object. An empty body is an empty object; anything else that is not a
    // JSON object is an invalid_json error saying what was wrong.
    Result<QJsonObject> jsonBody() const;
};

} // namespace standby
