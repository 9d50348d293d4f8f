#pragma once

#include <QList>
#include <QObject>

class QSocketNotifier;

namespace standby {

// Turns Unix signals (by default SIGINT, SIGTERM and SIGHUP) into a Qt signal on the event loop
// (self-pipe), so shutdown runs as ordinary code instead of inside a signal handler. SIGPIPE is
// ignored: a reader that hangs up must never kill the process. One per process.
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    SignalWatcher(const QList<int> &signalNumbers, QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signal);

private:
    void readSignal();

    QSocketNotifier *m_notifier = nullptr;
    QList<int> m_signals;
};

} // namespace standby
