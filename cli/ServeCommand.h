#pragma once

#include <QStringList>

namespace standby::cli {

// standby --serve [--port N] [--host ADDR]: replaces this process with standbyd in the
// foreground, so Ctrl+C and signals reach the daemon itself.
int runServeCommand(const QStringList &arguments);

} // namespace standby::cli
