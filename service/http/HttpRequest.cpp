#include "http/HttpRequest.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace standby {

QByteArray HttpRequest::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return QByteArray();
}

QString HttpRequest::queryValue(const QString &key) const
{
    return query.queryItemValue(key, QUrl::FullyDecoded);
}

Result<QJsonObject> HttpRequest::jsonBody() const
{
    if (body.trimmed().isEmpty())
        return QJsonObject();
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return Error{QStringLiteral("invalid_json"),
                     QStringLiteral("the request body is not valid JSON: %1 at byte %2")
                         .arg(error.errorString())
                         .arg(error.offset)};
    if (!document.isObject())
        return Error{QStringLiteral("invalid_json"),
                     QStringLiteral("the request body must be a JSON object")};
    return document.object();
}

} // namespace standby
