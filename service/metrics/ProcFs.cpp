#include "metrics/ProcFs.h"

#include <QFile>

#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace standby {

static constexpr long kProcSuperMagic = 0x9fa0;

// getdents64 has no glibc wrapper before 2.30's; the record layout is the kernel's.
struct LinuxDirent64
{
    quint64 d_ino;
    qint64 d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

ProcFs::ProcFs(const QString &root)
    : m_root(QFile::encodeName(root))
{
    struct statfs fs
    {
    };
    m_isProcfs = ::statfs(m_root.constData(), &fs) == 0 && fs.f_type == kProcSuperMagic;
}

QList<ProcFs::Entry> ProcFs::listProcesses() const
{
    QList<Entry> out;
    const int fd = ::open(m_root.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return out;
    out.reserve(512);
    alignas(8) char buffer[32 * 1024];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        for (long offset = 0; offset < n;) {
            const auto *entry = reinterpret_cast<const LinuxDirent64 *>(buffer + offset);
            offset += entry->d_reclen;
            const char *name = entry->d_name;
            if (*name < '1' || *name > '9')
                continue;
            qint64 pid = 0;
            for (; *name >= '0' && *name <= '9'; ++name)
                pid = pid * 10 + (*name - '0');
            if (*name == '\0')
                out.append(Entry{pid, entry->d_ino});
        }
    }
    ::close(fd);
    return out;
}

qsizetype ProcFs::readPidFile(qint64 pid, const char *name, char *buffer, qsizetype size) const
{
    char path[512];
    std::snprintf(path, sizeof path, "%s/%lld/%s", m_root.constData(), static_cast<long long>(pid),
                  name);
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    const ssize_t n = ::read(fd, buffer, size_t(size));
    ::close(fd);
    return n;
}

std::optional<ProcessStat> ProcFs::stat(qint64 pid) const
{
    char buffer[1024];
    const qsizetype n = readPidFile(pid, "stat", buffer, sizeof buffer);
    if (n <= 0)
        return std::nullopt;
    return ProcessTable::parseStat(buffer, n);
}

int ProcFs::openStat(qint64 pid) const
{
    char path[512];
    std::snprintf(path, sizeof path, "%s/%lld/stat", m_root.constData(),
                  static_cast<long long>(pid));
    return ::open(path, O_RDONLY | O_CLOEXEC);
}

std::optional<ProcessStat> ProcFs::readStat(int handle)
{
    char buffer[1024];
    const ssize_t n = ::pread(handle, buffer, sizeof buffer, 0);
    if (n <= 0)
        return std::nullopt;
    return ProcessTable::parseStat(buffer, n);
}

int ProcFs::openRuntime(qint64 pid) const
{
    char path[512];
    std::snprintf(path, sizeof path, "%s/%lld/schedstat", m_root.constData(),
                  static_cast<long long>(pid));
    return ::open(path, O_RDONLY | O_CLOEXEC);
}

std::optional<quint64> ProcFs::readRuntime(int handle)
{
    // "123456789 4567 89\n": time on the CPU, time waiting for it (ns), timeslices.
    char buffer[128];
    const ssize_t n = ::pread(handle, buffer, sizeof buffer, 0);
    if (n <= 0 || buffer[0] < '0' || buffer[0] > '9')
        return std::nullopt;
    quint64 value = 0;
    for (ssize_t i = 0; i < n && buffer[i] >= '0' && buffer[i] <= '9'; ++i)
        value = value * 10 + quint64(buffer[i] - '0');
    return value;
}

void ProcFs::closeHandle(int handle)
{
    if (handle >= 0)
        ::close(handle);
}

std::optional<ProcFs::Io> ProcFs::parseIo(const char *text, qsizetype size)
{
    // "rchar: 6976\nwchar: 0\nsyscr: …": the two lines wanted come first, but go by name.
    std::optional<qint64> read;
    std::optional<qint64> write;
    const char *end = text + size;
    for (const char *line = text; line < end;) {
        const char *next = static_cast<const char *>(std::memchr(line, '\n', size_t(end - line)));
        if (!next)
            next = end;
        const char *colon = static_cast<const char *>(std::memchr(line, ':', size_t(next - line)));
        if (colon) {
            qint64 value = 0;
            const char *c = colon + 1;
            while (c < next && *c == ' ')
                ++c;
            for (; c < next && *c >= '0' && *c <= '9'; ++c)
                value = value * 10 + (*c - '0');
            const qsizetype keyLength = colon - line;
            if (keyLength == 5 && std::memcmp(line, "rchar", 5) == 0)
                read = value;
            else if (keyLength == 5 && std::memcmp(line, "wchar", 5) == 0)
                write = value;
        }
        if (read && write)
            break;
        line = next + 1;
    }
    if (!read || !write)
        return std::nullopt;
    return Io{*read, *write};
}

std::optional<ProcFs::Io> ProcFs::io(qint64 pid) const
{
    char buffer[512];
    const qsizetype n = readPidFile(pid, "io", buffer, sizeof buffer);
    if (n <= 0)
        return std::nullopt;
    return parseIo(buffer, n);
}

int ProcFs::countEntries(const char *path) const
{
    const int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int count = 0;
    alignas(8) char buffer[8 * 1024];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        for (long offset = 0; offset < n;) {
            const auto *entry = reinterpret_cast<const LinuxDirent64 *>(buffer + offset);
            offset += entry->d_reclen;
            if (entry->d_name[0] != '.')
                ++count;
        }
    }
    ::close(fd);
    return count;
}

std::optional<int> ProcFs::openFds(qint64 pid) const
{
    char path[512];
    std::snprintf(path, sizeof path, "%s/%lld/fd", m_root.constData(), static_cast<long long>(pid));
    if (m_isProcfs) {
        struct stat st
        {
        };
        if (::stat(path, &st) != 0)
            return std::nullopt;
        if (st.st_size > 0)
            return int(st.st_size);
        // An older kernel says 0 here: count the entries instead.
    }
    const int count = countEntries(path);
    return count < 0 ? std::nullopt : std::optional<int>(count);
}

QByteArray ProcFs::readFile(const char *name, qsizetype maxBytes) const
{
    char path[512];
    std::snprintf(path, sizeof path, "%s/%s", m_root.constData(), name);
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return QByteArray();
    // procfs files report size 0: read until end of file.
    QByteArray out;
    char buffer[16 * 1024];
    while (out.size() < maxBytes) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        out.append(buffer, qMin<qsizetype>(n, maxBytes - out.size()));
    }
    ::close(fd);
    return out;
}

} // namespace standby
