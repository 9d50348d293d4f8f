#pragma once

#include "core/Clock.h"
#include "core/Error.h"
#include "core/Paths.h"
#include "core/ProcessTable.h"
#include "core/RegistryEntry.h"

#include <QHash>
#include <QList>

namespace standby {

// The PID registry under sessions/: who is alive, by PID or name. Liveness is decided here and
// nowhere else: a local entry lives while its process does (same start time); a remote one while
// its last heartbeat is younger than kHeartbeatTtlMs.
class Registry
{
public:
    static constexpr qint64 kHeartbeatTtlMs = 2 * 60 * 1000;

    explicit Registry(const Paths &paths, const ProcessTable &processes = ProcessTable::system(),
                      Clock clock = systemClock());

    // Writes sessions/{pid}.json, or sessions/{id}.json for a remote entry.
    Status add(const RegistryEntry &entry) const;
    Status remove(qint64 pid) const;

    Result<RegistryEntry> addRemote(const QString &url, const QString &name,
                                    const QString &hostname) const;
    Result<RegistryEntry> heartbeat(const QString &id) const;
    Status removeRemote(const QString &id) const;

    // Live entries, local and remote, oldest first. Dead and unreadable files are left alone
    // here; sweep() removes the dead ones.
    QList<RegistryEntry> list() const;
    // Every readable entry, live or not, without asking the process table: for a caller that
    // decides liveness from its own reading of /proc (the metrics sampler reads every process's
    // stat anyway, so asking again per entry would double its cost).
    QList<RegistryEntry> entries() const;
    // Removes the files of dead entries; returns how many went.
    int sweep() const;

    // By PID ("12345"), remote id ("manual-…") or name; only live entries are found.
    std::optional<RegistryEntry> find(const QString &key) const;
    // Whether a live entry has this name. Checks liveness of same-named entries only, so it
    // costs one directory scan however many sessions run.
    bool isNameTaken(const QString &name) const;

    bool isAlive(const RegistryEntry &entry) const;

private:
    struct Loaded
    {
        QString path;
        Result<RegistryEntry> entry;
    };
    QList<Loaded> loadAll() const;

    // Parsed files by path, reused while the file is unchanged (same inode, size and mtime:
    // every write is an atomic rename, so a rewrite always shows). Keeps a long-lived Registry
    // (the daemon's) from re-reading hundreds of unchanged files on every request.
    struct Cached
    {
        quint64 inode = 0;
        qint64 size = 0;
        qint64 mtimeNs = 0;
        Result<RegistryEntry> entry = Error{};
    };
    mutable QHash<QString, Cached> m_cache;

    Paths m_paths;
    const ProcessTable &m_processes;
    Clock m_clock;
};

} // namespace standby
