#include "core/JsonFile.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

namespace standby::JsonFile {

Result<QJsonObject> read(const QString &path, qint64 maxBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (!file.exists())
            return Error{QStringLiteral("not_found"),
                         QStringLiteral("%1 does not exist").arg(path)};
        return Error{QStringLiteral("io_error"),
                     QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
    }
    // Read one byte past the limit to tell "exactly at the limit" from "over it".
    const QByteArray bytes = file.read(maxBytes + 1);
    if (bytes.size() > maxBytes)
        return Error{QStringLiteral("too_large"),
                     QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(maxBytes)};
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error{QStringLiteral("invalid_json"), QStringLiteral("%1: %2 at byte %3")
                                                         .arg(path, parseError.errorString())
                                                         .arg(parseError.offset)};
    if (!document.isObject())
        return Error{QStringLiteral("invalid_json"),
                     QStringLiteral("%1: expected a JSON object").arg(path)};
    return document.object();
}

Status write(const QString &path, const QJsonObject &object, QFileDevice::Permissions permissions)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{QStringLiteral("io_error"),
                     QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    file.setPermissions(permissions);
    file.write(QJsonDocument(object).toJson(QJsonDocument::Compact));
    file.write("\n");
    if (!file.commit())
        return Error{QStringLiteral("io_error"),
                     QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    return std::nullopt;
}

} // namespace standby::JsonFile
