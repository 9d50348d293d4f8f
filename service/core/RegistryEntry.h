#pragma once

#include "core/Error.h"

#include <QJsonObject>
#include <QString>

namespace standby {

// One PID file, sessions/{pid}.json, or one remote worker added by hand, sessions/manual-{id}.json
// (DESIGN.md, "PID file"). This class is the only code that knows their JSON shape.
struct RegistryEntry
{
    enum class Kind { Interactive, Bg, Daemon };
    enum class Mode { Local, Remote };

    qint64 pid = 0;
    QString sessionId;
    QString name;
    QString cwd;
    qint64 startedAt = 0; // ms since the epoch
    Kind kind = Kind::Bg;
    QString url;
    Mode mode = Mode::Local;
    QString version;
    QString hostname;
    QString agent;
    qint64 childPid = 0;
    QString log;
    QString runId;
    quint64 procStart = 0;
    // Remote entries only: their id (manual-…) and the time of the last heartbeat.
    QString id;
    qint64 lastHeartbeat = 0;
    // Not stored: set when the file was written before the last boot, so the entry names no
    // live process, whatever process has its PID now.
    bool fromPreviousBoot = false;

    bool isRemote() const { return mode == Mode::Remote; }

    QJsonObject toJson() const;
    static Result<RegistryEntry> fromJson(const QJsonObject &object);

    static QString kindName(Kind kind);
    static std::optional<Kind> kindFromName(const QString &name);
};

} // namespace standby
