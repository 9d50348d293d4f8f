#pragma once

#include "core/ProcessTable.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace standby {

// Reads a /proc file system, or a directory laid out like one (tests point it at fixtures).
// Plain open/read/getdents with stack buffers: a sampling pass reads hundreds of these files,
// and the cost of each read is most of the cost of metrics.
class ProcFs
{
public:
    explicit ProcFs(const QString &root = QStringLiteral("/proc"));

    QString root() const { return QString::fromLocal8Bit(m_root); }

    struct Entry
    {
        qint64 pid = 0;
        // The inode of /proc/{pid} as the listing gives it: procfs hands a new process a new
        // inode, so the same inode means the same process (1 or 0: not known).
        quint64 inode = 0;
    };
    // The numeric entries of the root: the PIDs of every process.
    QList<Entry> listProcesses() const;

    std::optional<ProcessStat> stat(qint64 pid) const;

    // /proc/{pid}/stat kept open and re-read from offset 0 (procfs regenerates it on every read
    // from the start): a third of the cost of opening it each time, and immune to PID reuse, as
    // the descriptor stays bound to the process it was opened for (reads fail once it is gone).
    // -1 when it cannot be opened; the caller closes it with closeHandle().
    int openStat(qint64 pid) const;
    static std::optional<ProcessStat> readStat(int handle);
    static void closeHandle(int handle);

    // /proc/{pid}/schedstat, held the same way: the CPU time of the process's main thread in
    // nanoseconds, five times cheaper to read than stat. For a single-threaded process an
    // unchanged value means it has not run at all. -1 where the kernel has no schedstat.
    int openRuntime(qint64 pid) const;
    static std::optional<quint64> readRuntime(int handle);

    struct Io
    {
        qint64 readBytes = 0;  // rchar: bytes through read()-family calls (files, pipes, sockets)
        qint64 writeBytes = 0; // wchar
    };
    // Null when unreadable (another user's process, or a kernel without I/O accounting).
    std::optional<Io> io(qint64 pid) const;
    static std::optional<Io> parseIo(const char *text, qsizetype size);

    // Open descriptors: entries of /proc/{pid}/fd. Null when unreadable.
    std::optional<int> openFds(qint64 pid) const;

    // A whole small file under the root ("meminfo", "loadavg"); empty when unreadable. Reads at
    // most maxBytes.
    QByteArray readFile(const char *name, qsizetype maxBytes = 64 * 1024) const;

private:
    // Reads root/{pid}/{name} into buffer; the byte count, or -1.
    qsizetype readPidFile(qint64 pid, const char *name, char *buffer, qsizetype size) const;
    int countEntries(const char *path) const;

    QByteArray m_root;
    // Since Linux 6.2 stat() of /proc/{pid}/fd gives the descriptor count as its size, far
    // cheaper than listing the folder. Only trusted on a real procfs (fixtures are not one).
    bool m_isProcfs = false;
};

} // namespace standby
