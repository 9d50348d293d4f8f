#include "core/Paths.h"

#include <QDir>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace standby {

Paths::Paths(const QString &home)
    : m_home(QDir::cleanPath(QFileInfo(home).absoluteFilePath()))
{}

Paths Paths::fromEnvironment()
{
    const QString fromEnv = qEnvironmentVariable("STANDBY_HOME");
    if (!fromEnv.trimmed().isEmpty())
        return Paths(fromEnv);
    return Paths(QDir::homePath() + QStringLiteral("/.standby"));
}

QString Paths::daemonRecord() const
{
    return m_home + QStringLiteral("/daemon.json");
}
QString Paths::daemonLock() const
{
    return m_home + QStringLiteral("/daemon.lock");
}
QString Paths::config() const
{
    return m_home + QStringLiteral("/config.json");
}
QString Paths::sessionsDir() const
{
    return m_home + QStringLiteral("/sessions");
}
QString Paths::logsDir() const
{
    return m_home + QStringLiteral("/logs");
}
QString Paths::debugDir() const
{
    return m_home + QStringLiteral("/debug");
}
QString Paths::debugLog(const QString &sessionId) const
{
    return debugDir() + QLatin1Char('/') + sessionId + QStringLiteral(".txt");
}
QString Paths::projectsDir() const
{
    return m_home + QStringLiteral("/projects");
}
QString Paths::transcript(const QString &workingDirectory, const QString &sessionId) const
{
    return projectsDir() + QLatin1Char('/') + projectId(workingDirectory) + QLatin1Char('/') +
           sessionId + QStringLiteral(".jsonl");
}
QString Paths::runsDir() const
{
    return m_home + QStringLiteral("/runs");
}

QString Paths::pidFile(qint64 pid) const
{
    return sessionsDir() + QLatin1Char('/') + QString::number(pid) + QStringLiteral(".json");
}

QString Paths::socketFile(qint64 pid) const
{
    return sessionsDir() + QLatin1Char('/') + QString::number(pid) + QStringLiteral(".sock");
}

QString Paths::manualFile(const QString &id) const
{
    return sessionsDir() + QLatin1Char('/') + id + QStringLiteral(".json");
}

QString Paths::processLog(const QString &name) const
{
    return logsDir() + QLatin1Char('/') + name + QStringLiteral(".log");
}

QString Paths::daemonLog() const
{
    return processLog(QStringLiteral("daemon"));
}

QString Paths::telemetryLog(const QDate &date, const QString &workspace) const
{
    return logsDir() + QLatin1Char('/') + date.toString(Qt::ISODate) + QLatin1Char('/') +
           workspaceName(workspace) + QStringLiteral(".log");
}

static Status makePrivateDir(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST) {
        // mkpath covers missing parents; the mode is fixed right after.
        if (!QDir().mkpath(path))
            return Error{QStringLiteral("io_error"),
                         QStringLiteral("cannot create %1: %2")
                             .arg(path, QString::fromLocal8Bit(std::strerror(errno)))};
    }
    struct stat st
    {
    };
    if (::stat(native.constData(), &st) != 0 || !S_ISDIR(st.st_mode))
        return Error{QStringLiteral("io_error"), QStringLiteral("%1 is not a folder").arg(path)};
    if ((st.st_mode & 0777) != 0700 && st.st_uid == ::getuid())
        ::chmod(native.constData(), 0700);
    return std::nullopt;
}

Status Paths::ensureLayout() const
{
    for (const QString &dir :
         {m_home, sessionsDir(), logsDir(), debugDir(), projectsDir(), runsDir()}) {
        if (Status error = makePrivateDir(dir))
            return error;
    }
    return std::nullopt;
}

QString Paths::workspaceName(const QString &workingDirectory)
{
    QString base = QFileInfo(QDir::cleanPath(workingDirectory)).fileName();
    QString safe;
    safe.reserve(base.size());
    for (const QChar c : base) {
        const bool allowed = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
                             (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
                             (c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
                             c == QLatin1Char('.') || c == QLatin1Char('_') ||
                             c == QLatin1Char('-');
        safe.append(allowed ? c : QLatin1Char('_'));
    }
    while (safe.startsWith(QLatin1Char('.')))
        safe.remove(0, 1);
    safe.truncate(64);
    return safe.isEmpty() ? QStringLiteral("root") : safe;
}

QString Paths::projectId(const QString &workingDirectory)
{
    QString path = QDir::cleanPath(QFileInfo(workingDirectory).absoluteFilePath());
    return path.replace(QLatin1Char('/'), QLatin1Char('-'));
}

} // namespace standby
