#pragma once

#include <QDateTime>

#include <functional>

namespace standby {

// Milliseconds since the epoch. Injected wherever expiry is decided, so tests move time instead
// of waiting for it.
using Clock = std::function<qint64()>;

inline Clock systemClock()
{
    return [] { return QDateTime::currentMSecsSinceEpoch(); };
}

} // namespace standby
