#include "logs/LogSnapshot.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace standby {

namespace {

struct Identity
{
    dev_t device = 0;
    ino_t inode = 0;
    bool operator==(const Identity &other) const = default;
};

std::optional<Identity> identityOf(const QString &path)
{
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return std::nullopt;
    return Identity{st.st_dev, st.st_ino};
}

} // namespace

LogSnapshot::~LogSnapshot()
{
    for (const File &file : m_files)
        ::close(file.fd);
}

qint64 LogSnapshot::totalSize() const
{
    qint64 total = 0;
    for (const File &file : m_files)
        total += file.size;
    return total;
}

Result<std::shared_ptr<LogSnapshot>>
LogSnapshot::open(const std::function<QStringList()> &listNewestFirst)
{
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        const QStringList paths = listNewestFirst();
        if (paths.isEmpty())
            return Error{QStringLiteral("no_logs"), QStringLiteral("the log has no files yet")};
        std::shared_ptr<LogSnapshot> snapshot(new LogSnapshot());
        QList<Identity> opened;
        bool moved = false;
        // Oldest first: the order the bytes were written in.
        for (auto it = paths.crbegin(); it != paths.crend(); ++it) {
            const int fd = ::open(QFile::encodeName(*it).constData(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                if (errno == ENOENT) { // renamed or dropped since the listing
                    moved = true;
                    break;
                }
                return Error{QStringLiteral("io_error"),
                             QStringLiteral("cannot open %1: %2").arg(*it, strerror(errno))};
            }
            struct stat st
            {
            };
            ::fstat(fd, &st);
            snapshot->m_files.append(File{*it, fd, qint64(st.st_size)});
            opened.append(Identity{st.st_dev, st.st_ino});
        }
        // A rotation between the listing and the last open shifts names by one, and a file
        // would be sent twice or not at all: every name must still lead to what was opened.
        for (qsizetype i = 0; !moved && i < snapshot->m_files.size(); ++i)
            moved = identityOf(snapshot->m_files.at(i).path) != opened.at(i);
        if (!moved)
            return snapshot;
    }
    return Error{QStringLiteral("log_busy"),
                 QStringLiteral("the log kept rotating while it was opened; try again")};
}

} // namespace standby
