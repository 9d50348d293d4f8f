#pragma once

#include "core/Error.h"

#include <QDate>
#include <QString>

namespace standby {

// The one place that knows where everything lives under $STANDBY_HOME (DESIGN.md, "Home
// directory"). Every program and test resolves files through it.
class Paths
{
public:
    explicit Paths(const QString &home);

    // $STANDBY_HOME when set and non-empty, else ~/.standby.
    static Paths fromEnvironment();

    QString home() const { return m_home; }

    QString daemonRecord() const;
    QString daemonLock() const;
    QString config() const;
    QString sessionsDir() const;
    QString pidFile(qint64 pid) const;
    QString socketFile(qint64 pid) const;
    QString manualFile(const QString &id) const;
    QString logsDir() const;
    QString processLog(const QString &name) const;
    QString daemonLog() const;
    QString telemetryLog(const QDate &date, const QString &workspace) const;
    QString debugDir() const;
    QString debugLog(const QString &sessionId) const;
    QString projectsDir() const;
    // projects/{projectId(workingDirectory)}/{sessionId}.jsonl
    QString transcript(const QString &workingDirectory, const QString &sessionId) const;
    QString runsDir() const;

    // Creates the home and its folders with mode 0700 (they hold secrets and logs).
    Status ensureLayout() const;

    // The base name of a working directory reduced to [A-Za-z0-9._-], never empty or hidden.
    static QString workspaceName(const QString &workingDirectory);
    // The absolute working directory with every '/' turned into '-'.
    static QString projectId(const QString &workingDirectory);

private:
    QString m_home;
};

} // namespace standby
