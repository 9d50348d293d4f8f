#pragma once

#include "core/DaemonRecord.h"
#include "core/Error.h"
#include "core/Paths.h"

#include <QJsonObject>

#include <optional>

namespace standby {

// Starts, finds, asks and stops the resident daemon of one STANDBY_HOME, for the CLI (and later
// the desktop app). Blocking: meant for programs that may wait.
class DaemonControl
{
public:
    struct StartOptions
    {
        QString host = QStringLiteral("127.0.0.1");
        quint16 port = 0; // 0: any free port
        QString daemonProgram = defaultDaemonProgram();
        int timeoutMs = 15000;
    };
    struct Started
    {
        DaemonRecord record;
        bool alreadyRunning = false;
    };

    explicit DaemonControl(const Paths &paths);

    // Idempotent: with a daemon running, returns it and starts nothing. Concurrent starts are
    // serialised by an flock on the home folder, so any number of them leave exactly one daemon.
    // Errors carry the daemon's own code (port_in_use, address_unavailable, …).
    Result<Started> start(const StartOptions &options) const;

    // The resident daemon per daemon.json, if its process is alive.
    std::optional<DaemonRecord> running() const;

    // Asks the running daemon for its status. Errors: not_running, unresponsive.
    Result<QJsonObject> status(int timeoutMs = 3000) const;

    // Graceful over the API, then SIGTERM, then SIGKILL, each given graceMs to work.
    // Errors: not_running, stop_failed.
    Result<DaemonRecord> stop(int graceMs) const;

    // A listen address as users may write it: an IP literal, or "localhost" (→ 127.0.0.1). Only
    // literals, so the daemon binds exactly what was asked and never what DNS says.
    static std::optional<QString> normalizeHost(const QString &text);

    // $STANDBY_DAEMON_BIN, else standbyd beside the running program, else on PATH.
    static QString defaultDaemonProgram();

private:
    Paths m_paths;
};

} // namespace standby
