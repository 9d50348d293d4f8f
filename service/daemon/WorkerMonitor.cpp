#include "daemon/WorkerMonitor.h"

#include "api/EventBus.h"
#include "core/FileWatch.h"
#include "core/JsonFile.h"
#include "core/ProcessTable.h"
#include "core/RunRecord.h"
#include "sessions/ExitWatcher.h"
#include "sessions/SessionFollow.h"

#include <QDir>
#include <QRegularExpression>
#include <QSet>

#include <sys/inotify.h>

namespace standby {

// Local PID files only: "12345.json". Remote entries and temporary files of atomic writes
// do not match.
static std::optional<qint64> pidOfFile(const QByteArray &name)
{
    if (!name.endsWith(".json"))
        return std::nullopt;
    bool ok = false;
    const qint64 pid = name.chopped(5).toLongLong(&ok);
    if (!ok || pid <= 0)
        return std::nullopt;
    return pid;
}

WorkerMonitor::WorkerMonitor(const Paths &paths, EventBus &bus, QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_bus(bus)
    , m_exits(new ExitWatcher(this))
{
    connect(m_exits, &ExitWatcher::exited, this, &WorkerMonitor::onExited);
}

WorkerMonitor::~WorkerMonitor()
{
    if (m_wd >= 0)
        FileWatch::instance()->remove(m_wd);
}

bool WorkerMonitor::start()
{
    FileWatch *watch = FileWatch::instance();
    connect(watch, &FileWatch::changed, this, &WorkerMonitor::onChanged);
    m_wd =
        watch->add(m_paths.sessionsDir(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM);
    const QStringList files =
        QDir(m_paths.sessionsDir()).entryList({QStringLiteral("*.json")}, QDir::Files);
    for (const QString &file : files) {
        if (std::optional<qint64> pid = pidOfFile(QFile::encodeName(file)))
            refresh(*pid, false);
    }
    return m_wd >= 0;
}

void WorkerMonitor::rescan()
{
    // The kernel dropped events: compare the folder with what is known, as the events would
    // have told it.
    QSet<qint64> present;
    const QStringList files =
        QDir(m_paths.sessionsDir()).entryList({QStringLiteral("*.json")}, QDir::Files);
    for (const QString &file : files) {
        if (std::optional<qint64> pid = pidOfFile(QFile::encodeName(file))) {
            present.insert(*pid);
            refresh(*pid, true);
        }
    }
    const QList<qint64> known = m_known.keys();
    for (qint64 pid : known) {
        if (!present.contains(pid) && !m_known.value(pid).removed)
            onRemoved(pid);
    }
}

void WorkerMonitor::onChanged(int wd, quint32 mask, const QByteArray &name)
{
    if (wd != m_wd)
        return;
    if (mask & IN_Q_OVERFLOW) {
        rescan();
        return;
    }
    const std::optional<qint64> pid = pidOfFile(name);
    if (!pid)
        return;
    if (mask & (IN_DELETE | IN_MOVED_FROM))
        onRemoved(*pid);
    else
        refresh(*pid, true);
}

QJsonObject WorkerMonitor::describe(const RegistryEntry &entry) const
{
    return QJsonObject{{QStringLiteral("pid"), entry.pid},
                       {QStringLiteral("name"), entry.name},
                       {QStringLiteral("sessionId"), entry.sessionId},
                       {QStringLiteral("runId"), entry.runId},
                       {QStringLiteral("kind"), RegistryEntry::kindName(entry.kind)},
                       {QStringLiteral("agent"), entry.agent},
                       {QStringLiteral("childPid"), entry.childPid},
                       {QStringLiteral("cwd"), entry.cwd}};
}

void WorkerMonitor::refresh(qint64 pid, bool announce)
{
    Result<QJsonObject> json = JsonFile::read(m_paths.pidFile(pid));
    if (!json)
        return;
    Result<RegistryEntry> entry = RegistryEntry::fromJson(*json);
    if (!entry || entry->kind == RegistryEntry::Kind::Daemon || entry->isRemote())
        return;
    auto it = m_known.find(pid);
    if (it == m_known.end()) {
        if (!ProcessTable::system().isAlive(pid, entry->procStart))
            return; // a stale file: nothing to announce
        it = m_known.insert(pid, Known{*entry, entry->childPid > 0, false, false});
        if (announce)
            m_bus.publish(QStringLiteral("worker.added"), describe(*entry));
        if (announce && entry->childPid > 0)
            m_bus.publish(QStringLiteral("worker.started"), describe(*entry));
        if (!m_exits->watch(pid, entry->procStart))
            onExited(pid);
        return;
    }
    it->entry = *entry;
    if (!it->started && entry->childPid > 0) {
        it->started = true;
        m_bus.publish(QStringLiteral("worker.started"), describe(*entry));
    }
}

void WorkerMonitor::reportExit(Known &known)
{
    if (known.exitReported)
        return;
    known.exitReported = true;
    QJsonObject data = describe(known.entry);
    const QJsonObject exit = SessionFollow::exitOf(m_paths, known.entry.runId);
    for (auto it = exit.begin(); it != exit.end(); ++it)
        data.insert(it.key(), it.value());
    m_bus.publish(QStringLiteral("worker.exited"), data);
}

void WorkerMonitor::onRemoved(qint64 pid)
{
    auto it = m_known.find(pid);
    if (it == m_known.end())
        return;
    // The holder removes its PID file after writing the end of its run: report the exit first.
    if (!it->exitReported) {
        Result<RunRecord> run = RunRecord::read(m_paths, it->entry.runId);
        if (run && run->isFinished())
            reportExit(*it);
    }
    m_bus.publish(QStringLiteral("worker.removed"), describe(it->entry));
    if (it->exitReported)
        m_known.erase(it);
    else
        it->removed = true;
}

void WorkerMonitor::onExited(qint64 pid)
{
    auto it = m_known.find(pid);
    if (it == m_known.end())
        return;
    reportExit(*it);
    if (!it->removed)
        m_bus.publish(QStringLiteral("worker.removed"), describe(it->entry));
    m_known.erase(it);
}

} // namespace standby
