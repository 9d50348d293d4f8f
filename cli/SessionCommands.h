#pragma once

#include <QStringList>

namespace standby::cli {

// standby [--bg] [--name N] [--agent A] [--cwd D] [--json] "task"
int runTaskCommand(const QStringList &arguments);
// standby ps [--json] [--kind K]
int runPsCommand(const QStringList &arguments);
// standby kill NAME|PID [--signal S]
int runKillCommand(const QStringList &arguments);
// standby logs NAME|PID [--type T] [--tail N] [--grep TEXT] [-i]
int runLogsCommand(const QStringList &arguments);
// standby attach NAME|PID
int runAttachCommand(const QStringList &arguments);
// standby runs [--json] [--limit N]
int runRunsCommand(const QStringList &arguments);

} // namespace standby::cli
