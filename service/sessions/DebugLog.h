#pragma once

#include "core/Error.h"
#include "sessions/LogWriter.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace standby {

// debug/{sessionId}.txt, kept only for a session started with --debug: the holder's detailed
// record of the session, one timestamped line per fact (argv, working directory, environment,
// timings, signals, exit, bytes of output), for finding out why a session did what it did.
// The file is 0600 in a 0700 folder, and secrets in the environment are masked anyway, since a
// debug log is the kind of file that gets pasted into a bug report. Every call is a no-op while
// the log is not open, so the holder can report without asking whether --debug was given.
class DebugLog
{
public:
    Status open(const QString &path);
    bool isOpen() const { return m_file.isOpen(); }

    // "2026-11-24T20:35:30.123Z text\n"; newlines in text are escaped, so one fact is one line.
    void write(const QString &text);
    // "key: value" lines for the environment, sorted by name, secrets masked.
    void writeEnvironment(const QProcessEnvironment &environment);

    // Whether a variable's value is a secret: its name contains TOKEN, SECRET, KEY, PASSWORD,
    // PASS, AUTH, CREDENTIAL or COOKIE, in any case. Generous on purpose: a masked harmless value
    // costs nothing, a leaked key costs a lot.
    static bool isSecretName(const QString &name);
    static QStringList maskedEnvironment(const QProcessEnvironment &environment);
    // Credentials inside a value: "scheme://user:password@host" keeps only the user.
    static QString maskUrlCredentials(const QString &value);
    // An argv with the values of secret-looking flags masked (--api-key X, --token=X, …) and
    // URL credentials removed.
    static QStringList maskedArguments(const QStringList &argv);
    static constexpr QLatin1String kMask{"***"};

private:
    LogWriter m_file;
};

} // namespace standby
