#pragma once

#include "core/Error.h"
#include "core/Paths.h"
#include "core/ProcessTable.h"

#include <QJsonObject>

namespace standby {

// daemon.json: the resident daemon's address card. Written by the daemon once it listens,
// removed by it when it stops; a record whose process is gone is stale and means "stopped".
struct DaemonRecord
{
    qint64 pid = 0;
    quint64 procStart = 0;
    QString sessionId;
    QString endpoint; // http://host:port
    QString host;
    quint16 port = 0;
    quint16 requestedPort = 0; // 0: the port was picked by the OS, a restart may pick another
    qint64 startedAt = 0;
    QString auth; // none | password
    QString version;
    bool fromPreviousBoot = false; // not stored: daemon.json was written before the last boot

    QJsonObject toJson() const;
    // The shape of `standby daemon status` and GET /api/v1/daemon/status.
    QJsonObject toStatusJson() const;
    static Result<DaemonRecord> fromJson(const QJsonObject &object);

    static Result<DaemonRecord> read(const Paths &paths);
    Status write(const Paths &paths) const;
    // Removes daemon.json only if it still describes this daemon, so a successor's record survives.
    static void removeIfOwnedBy(const Paths &paths, qint64 pid);

    bool isAlive(const ProcessTable &processes = ProcessTable::system()) const;

    static QJsonObject stoppedStatusJson();
};

} // namespace standby
