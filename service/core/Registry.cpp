#include "core/Registry.h"

#include "core/JsonFile.h"
#include "core/LogCategories.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <sys/stat.h>

#include <algorithm>

namespace standby {

// A PID file is a few hundred bytes; anything near this is not ours.
static constexpr qint64 kMaxEntryBytes = 64 * 1024;

Registry::Registry(const Paths &paths, const ProcessTable &processes, Clock clock)
    : m_paths(paths)
    , m_processes(processes)
    , m_clock(std::move(clock))
{}

static QString fileFor(const Paths &paths, const RegistryEntry &entry)
{
    return entry.isRemote() ? paths.manualFile(entry.id) : paths.pidFile(entry.pid);
}

Status Registry::add(const RegistryEntry &entry) const
{
    if (entry.isRemote() ? !entry.id.startsWith(QLatin1String("manual-")) : entry.pid <= 0)
        return Error{QStringLiteral("invalid_entry"),
                     QStringLiteral("registry entry without a pid or remote id")};
    // PID files describe running processes; after a crash of the machine they are stale anyway,
    // so they are renamed into place atomically but not forced to disk.
    return JsonFile::writeVolatile(fileFor(m_paths, entry), entry.toJson());
}

Status Registry::remove(qint64 pid) const
{
    QFile file(m_paths.pidFile(pid));
    if (!file.exists())
        return std::nullopt;
    if (!file.remove())
        return Error{
            QStringLiteral("io_error"),
            QStringLiteral("cannot remove %1: %2").arg(file.fileName(), file.errorString())};
    return std::nullopt;
}

Result<RegistryEntry> Registry::addRemote(const QString &url, const QString &name,
                                          const QString &hostname) const
{
    RegistryEntry entry;
    entry.mode = RegistryEntry::Mode::Remote;
    entry.kind = RegistryEntry::Kind::Bg;
    entry.id = QStringLiteral("manual-%1")
                   .arg(QRandomGenerator::system()->generate64() & 0xffffffffffffULL, 12, 16,
                        QLatin1Char('0'));
    entry.sessionId = entry.id;
    entry.url = url;
    entry.name = name;
    entry.hostname = hostname;
    entry.startedAt = m_clock();
    entry.lastHeartbeat = entry.startedAt;
    if (Status error = add(entry))
        return *error;
    return entry;
}

static bool isRemoteId(const QString &id)
{
    // Ids are generated as manual-<hex>; anything else could be a path escape.
    if (!id.startsWith(QLatin1String("manual-")) || id.size() > 64)
        return false;
    return std::all_of(id.begin() + 7, id.end(), [](QChar c) {
        return c.isDigit() || (c >= QLatin1Char('a') && c <= QLatin1Char('f'));
    });
}

Result<RegistryEntry> Registry::heartbeat(const QString &id) const
{
    if (!isRemoteId(id))
        return Error{QStringLiteral("not_found"), QStringLiteral("no remote worker %1").arg(id)};
    Result<QJsonObject> object = JsonFile::read(m_paths.manualFile(id), kMaxEntryBytes);
    if (!object)
        return Error{QStringLiteral("not_found"), QStringLiteral("no remote worker %1").arg(id)};
    Result<RegistryEntry> entry = RegistryEntry::fromJson(*object);
    if (!entry)
        return entry.error();
    RegistryEntry updated = *entry;
    updated.lastHeartbeat = m_clock();
    if (Status error = add(updated))
        return *error;
    return updated;
}

Status Registry::removeRemote(const QString &id) const
{
    if (!isRemoteId(id) || !QFile::exists(m_paths.manualFile(id)))
        return Error{QStringLiteral("not_found"), QStringLiteral("no remote worker %1").arg(id)};
    if (!QFile::remove(m_paths.manualFile(id)))
        return Error{QStringLiteral("io_error"),
                     QStringLiteral("cannot remove %1").arg(m_paths.manualFile(id))};
    return std::nullopt;
}

QList<Registry::Loaded> Registry::loadAll() const
{
    QList<Loaded> loaded;
    const QDir dir(m_paths.sessionsDir());
    const QStringList names = dir.entryList({QStringLiteral("*.json")}, QDir::Files);
    loaded.reserve(names.size());
    QHash<QString, Cached> seen;
    seen.reserve(names.size());
    for (const QString &name : names) {
        const QString path = dir.filePath(name);
        struct stat st
        {
        };
        if (::stat(QFile::encodeName(path).constData(), &st) != 0)
            continue; // removed since the listing
        const qint64 mtimeNs = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
        auto cached = m_cache.constFind(path);
        if (cached != m_cache.constEnd() && cached->inode == st.st_ino &&
            cached->size == st.st_size && cached->mtimeNs == mtimeNs) {
            seen.insert(path, *cached);
            loaded.append({path, cached->entry});
            continue;
        }
        Result<QJsonObject> object = JsonFile::read(path, kMaxEntryBytes);
        Result<RegistryEntry> entry =
            object ? RegistryEntry::fromJson(*object) : Result<RegistryEntry>(object.error());
        if (entry && !entry->isRemote() && mtimeNs / 1000000 < ProcessTable::bootTimeMs())
            entry.value().fromPreviousBoot = true;
        seen.insert(path, Cached{quint64(st.st_ino), qint64(st.st_size), mtimeNs, entry});
        loaded.append({path, entry});
    }
    // Forget files that are gone.
    m_cache = std::move(seen);
    return loaded;
}

bool Registry::isNameTaken(const QString &name) const
{
    for (const Loaded &item : loadAll()) {
        if (item.entry && item.entry->name == name && isAlive(*item.entry))
            return true;
    }
    return false;
}

bool Registry::isAlive(const RegistryEntry &entry) const
{
    if (entry.isRemote())
        return m_clock() - entry.lastHeartbeat < kHeartbeatTtlMs;
    return !entry.fromPreviousBoot && m_processes.isAlive(entry.pid, entry.procStart);
}

QList<RegistryEntry> Registry::list() const
{
    QList<RegistryEntry> live;
    for (const Loaded &item : loadAll()) {
        if (item.entry && isAlive(*item.entry))
            live.append(*item.entry);
    }
    std::sort(live.begin(), live.end(), [](const RegistryEntry &a, const RegistryEntry &b) {
        return a.startedAt != b.startedAt ? a.startedAt < b.startedAt : a.pid < b.pid;
    });
    return live;
}

QList<RegistryEntry> Registry::entries() const
{
    QList<RegistryEntry> out;
    for (const Loaded &item : loadAll()) {
        if (item.entry)
            out.append(*item.entry);
    }
    return out;
}

int Registry::sweep() const
{
    int removed = 0;
    for (const Loaded &item : loadAll()) {
        if (!item.entry) {
            // Half-written files cannot exist (writes are atomic): this is foreign or corrupt.
            // Keep it for a person to look at rather than deleting what we do not understand.
            qCWarning(lcRegistry, "ignoring %s: %s", qUtf8Printable(item.path),
                      qUtf8Printable(item.entry.error().message));
            continue;
        }
        if (isAlive(*item.entry))
            continue;
        if (QFile::remove(item.path)) {
            ++removed;
            qCInfo(lcRegistry, "swept dead entry %s (%s)", qUtf8Printable(item.entry->name),
                   qUtf8Printable(QFileInfo(item.path).fileName()));
        }
    }
    return removed;
}

std::optional<RegistryEntry> Registry::find(const QString &key) const
{
    if (key.isEmpty())
        return std::nullopt;
    bool isNumber = false;
    const qint64 pid = key.toLongLong(&isNumber);
    const QList<RegistryEntry> entries = list();
    // A PID wins over a name that happens to be all digits, as with kill(1).
    for (const RegistryEntry &entry : entries) {
        if (isNumber && !entry.isRemote() && entry.pid == pid)
            return entry;
    }
    for (const RegistryEntry &entry : entries) {
        if ((entry.isRemote() && entry.id == key) || entry.name == key)
            return entry;
    }
    return std::nullopt;
}

} // namespace standby
