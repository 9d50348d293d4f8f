#pragma once

#include "core/Error.h"
#include "core/Paths.h"
#include "core/RegistryEntry.h"

#include <QString>

#include <optional>

namespace standby {

// Ending sessions, for the daemon and the CLI alike. A kill goes to the holder, which passes the
// signal to the agent's process group and escalates to SIGKILL after the grace period; SIGKILL,
// which no holder can catch, goes straight to the agent's group.
class SessionControl
{
public:
    // "TERM", "SIGTERM", "term", "15" → 15. Only signals that end or interrupt a process.
    static std::optional<int> parseSignal(const QString &text);
    static QString signalName(int signal);

    // Errors: not_found (the session is gone), remote (a remote worker cannot be signalled),
    // refused (kill(2) said no).
    static Status kill(const RegistryEntry &entry, int signal);
};

} // namespace standby
