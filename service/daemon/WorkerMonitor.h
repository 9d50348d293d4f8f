#pragma once

#include "core/Paths.h"
#include "core/RegistryEntry.h"

#include <QHash>
#include <QObject>

namespace standby {

class EventBus;
class ExitWatcher;

// Turns the PID registry's changes into events, as they happen: sessions/ is watched with
// inotify (whoever starts a session, the daemon or a foreground CLI, registers it there) and each
// holder's end with a pidfd. Publishes worker.added, worker.started (its agent runs),
// worker.exited {exitCode, signal, status, durationMs} and worker.removed, in that order.
class WorkerMonitor : public QObject
{
    Q_OBJECT

public:
    WorkerMonitor(const Paths &paths, EventBus &bus, QObject *parent = nullptr);
    ~WorkerMonitor() override;

    // Takes the workers registered now as known (no events for them), then watches.
    bool start();

private:
    struct Known
    {
        RegistryEntry entry;
        bool started = false;
        bool exitReported = false;
        bool removed = false; // its PID file is gone; its exit is still to come
    };

    void onChanged(int wd, quint32 mask, const QByteArray &name);
    void refresh(qint64 pid, bool announce);
    void rescan();
    void onRemoved(qint64 pid);
    void onExited(qint64 pid);
    void reportExit(Known &known);
    QJsonObject describe(const RegistryEntry &entry) const;

    Paths m_paths;
    EventBus &m_bus;
    ExitWatcher *m_exits;
    int m_wd = -1;
    QHash<qint64, Known> m_known;
};

} // namespace standby
