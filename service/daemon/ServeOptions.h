#pragma once

#include "core/Error.h"

#include <QHostAddress>
#include <QStringList>

namespace standby {

// The command line of `standbyd --serve`.
struct ServeOptions
{
    QHostAddress host = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 0;          // 0: any free port
    bool residentOnly = false; // --resident: be the resident daemon or exit (daemon start)
    int readyFd = -1;          // --ready-fd N: where to report readiness (daemon start)
    bool showVersion = false;

    // Errors: usage (with a message that names the bad argument).
    static Result<ServeOptions> parse(const QStringList &arguments);
    static QString helpText();
    static std::optional<QHostAddress> parseHost(const QString &text);
};

} // namespace standby
