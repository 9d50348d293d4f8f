#pragma once

#include "core/Error.h"

#include <QFileDevice>
#include <QJsonObject>

namespace standby::JsonFile {

inline constexpr qint64 kDefaultMaxBytes = 1024 * 1024;

// Reads a JSON object, refusing files over maxBytes so a hostile or corrupt file cannot make a
// program allocate without bound. Errors: not_found, too_large, invalid_json, io_error.
Result<QJsonObject> read(const QString &path, qint64 maxBytes = kDefaultMaxBytes);

// Writes atomically (QSaveFile: readers see the old or the new file, never half of one) with
// the given mode; state files default to 0600.
Status write(const QString &path, const QJsonObject &object,
             QFileDevice::Permissions permissions = QFileDevice::ReadOwner |
                                                    QFileDevice::WriteOwner);

// Atomic like write() (a rename), mode 0600, but without forcing the data to disk: for state
// that means nothing after a reboot (PID files), where an fsync per write would only cost time.
Status writeVolatile(const QString &path, const QJsonObject &object);

} // namespace standby::JsonFile
