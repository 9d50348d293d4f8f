#pragma once

#include "core/Error.h"

#include <QJsonObject>

namespace standby {

// What the API may ask of the running daemon about itself; the daemon implements it, so
// controllers stay free of process and socket details.
class DaemonLifecycle
{
public:
    virtual ~DaemonLifecycle() = default;

    // The resident daemon's status, as `standby daemon status` prints it.
    virtual QJsonObject residentStatus() const = 0;
    // This process: pid, endpoint, resident or not, auth, version, home.
    virtual QJsonObject selfInfo() const = 0;
    virtual bool isResident() const = 0;

    // Each takes effect after the current answer has gone out.
    virtual void requestStop() = 0;
    virtual Status requestRestart() = 0;
    // From a non-resident --serve process: launch the resident daemon.
    virtual Status launchResident(const QString &host, quint16 port) = 0;
};

} // namespace standby
