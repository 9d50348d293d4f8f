#pragma once

#include "core/Error.h"

#include <QList>
#include <QStringList>

#include <optional>

#include <functional>
#include <memory>

namespace standby {

// The files of one log opened at one moment, oldest first, each with its size at that moment:
// what a download sends. The open descriptors keep reading the right bytes while a rotation
// renames (or drops) the files, and the sizes fix the length however much is written meanwhile,
// so the length can be announced before the first byte.
class LogSnapshot
{
public:
    struct File
    {
        QString path; // where it was when opened
        int fd = -1;
        qint64 size = 0;
    };

    // How often the listing is taken again when a rotation moved the files while they were being
    // opened; rotations are megabytes apart, so a second try nearly always holds.
    static constexpr int kAttempts = 5;

    // listNewestFirst names the files as they are now (SessionLogs::filesOf). Errors: no_logs
    // (nothing to open), io_error, log_busy (the files kept moving).
    static Result<std::shared_ptr<LogSnapshot>>
    open(const std::function<QStringList()> &listNewestFirst);

    ~LogSnapshot();
    LogSnapshot(const LogSnapshot &) = delete;
    LogSnapshot &operator=(const LogSnapshot &) = delete;

    const QList<File> &files() const { return m_files; }
    qint64 totalSize() const;

private:
    LogSnapshot() = default;

    QList<File> m_files;
};

} // namespace standby
