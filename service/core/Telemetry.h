#pragma once

#include "core/Paths.h"

#include <QDateTime>
#include <QString>

namespace standby {

// Routes Qt logging (qCInfo/qCWarning/qCCritical on the standby.* categories and Qt's own) to the
// telemetry log logs/{YYYY-MM-DD}/{workspace}.log, one line per message:
//   2026-11-24T20:35:30.123Z INFO standby.daemon pid=123 session=daemon-1a2b3c listening on …
// Debug messages stay out. The day's file is opened once and switched at midnight (UTC).
class Telemetry
{
public:
    struct Options
    {
        QString workspace;
        QString sessionId;
        bool echoToStderr = false; // a foreground program also shows its lines on stderr
    };

    static void install(const Paths &paths, const Options &options);
    static void uninstall();

    static QByteArray formatLine(const QDateTime &timeUtc, QtMsgType type, const char *category,
                                 qint64 pid, const QString &sessionId, const QString &message);
};

} // namespace standby
