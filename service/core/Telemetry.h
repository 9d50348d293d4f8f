#pragma once

#include "core/Paths.h"

#include <QDateTime>
#include <QString>

namespace standby {

// Routes Qt logging (qCInfo/qCWarning/qCCritical on the standby.* categories and Qt's own) to the
// telemetry log logs/{YYYY-MM-DD}/{workspace}.log, one line per message:
//   2026-11-24T20:35:30.123Z INFO standby.daemon pid=123 session=daemon-1a2b3c listening on …
// Debug messages stay out. The day's file is opened once and switched at midnight (UTC); it and
// its folders are made only when the first line comes, private (0600 in 0700 folders).
class Telemetry
{
public:
    struct Options
    {
        QString workspace;
        QString sessionId;
        bool echoToStderr = false; // a foreground program also shows its lines on stderr
        // Every message also goes on to the handler installed before (Qt's own, which prints
        // to stderr), exactly as it would without telemetry: the CLI shows what it always showed.
        // Except those of standby.cli: the CLI writes them for this log alone, as what a user
        // should read it prints itself.
        bool passThrough = false;
    };

    static void install(const Paths &paths, const Options &options);
    static void uninstall();

    static QByteArray formatLine(const QDateTime &timeUtc, QtMsgType type, const char *category,
                                 qint64 pid, const QString &sessionId, const QString &message);
};

} // namespace standby
