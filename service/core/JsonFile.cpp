#include "core/JsonFile.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

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

Status writeVolatile(const QString &path, const QJsonObject &object)
{
    const QByteArray bytes = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    QByteArray temp = QFile::encodeName(path) + ".tmp-XXXXXX";
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC); // mode 0600
    if (fd < 0)
        return Error{QStringLiteral("io_error"),
                     QStringLiteral("cannot write %1: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(errno)))};
    qsizetype written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + written, size_t(bytes.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        written += n;
    }
    const int savedErrno = errno;
    ::close(fd);
    if (written != bytes.size() ||
        ::rename(temp.constData(), QFile::encodeName(path).constData()) != 0) {
        const int error = written != bytes.size() ? savedErrno : errno;
        ::unlink(temp.constData());
        return Error{QStringLiteral("io_error"),
                     QStringLiteral("cannot write %1: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(error)))};
    }
    return std::nullopt;
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
