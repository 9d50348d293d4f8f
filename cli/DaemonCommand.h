#pragma once

#include <QStringList>

namespace standby::cli {

// standby daemon start|status|stop|restart. arguments[0] is "daemon".
int runDaemonCommand(const QStringList &arguments);

} // namespace standby::cli
