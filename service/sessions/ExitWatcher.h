#pragma once

#include <QHash>
#include <QObject>

class QSocketNotifier;
class QTimer;

namespace standby {

// Tells when processes that are not our children end, without polling: a pidfd per process,
// readable the moment it exits, watched by the event loop.
class ExitWatcher : public QObject
{
    Q_OBJECT

public:
    explicit ExitWatcher(QObject *parent = nullptr);
    ~ExitWatcher() override;

    // False when the process is already gone (exited() is not emitted then).
    bool watch(qint64 pid, quint64 procStart);
    bool isWatching(qint64 pid) const { return m_watched.contains(pid) || m_polled.contains(pid); }

Q_SIGNALS:
    void exited(qint64 pid);

private:
    QHash<qint64, QSocketNotifier *> m_watched;
    QHash<qint64, QTimer *> m_polled; // where no pidfd could be had
};

} // namespace standby
