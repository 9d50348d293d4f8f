#pragma once

#include <QObject>

class QSocketNotifier;

namespace standby {

// Turns SIGINT, SIGTERM and SIGHUP into a Qt signal on the event loop (self-pipe), so shutdown
// runs as ordinary code instead of inside a signal handler. SIGPIPE is ignored: a client that
// hangs up must never kill the daemon.
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signal);

private:
    void readSignal();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace standby
