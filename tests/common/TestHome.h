#pragma once

#include "core/Paths.h"

#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace standby::test {

// The result of running one of our programs to completion.
struct RunResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QJsonObject json() const; // stdout's first line as a JSON object
};

// A fresh STANDBY_HOME for one test, and the means to run our real programs against it. On
// destruction it SIGKILLs every process registered in that home (by PID, checking the start
// time), so a failing test leaves no daemon behind.
class TestHome
{
public:
    TestHome();
    ~TestHome();

    QString path() const { return m_dir.path(); }
    Paths paths() const { return Paths(m_dir.path()); }
    QProcessEnvironment environment() const;

    static QString binary(const QString &name);

    // Runs bin/{program} with the arguments and waits for it (deadline, not a sleep).
    RunResult run(const QString &program, const QStringList &arguments,
                  int timeoutMs = 60000) const;
    RunResult cli(const QStringList &arguments, int timeoutMs = 60000) const
    {
        return run(QStringLiteral("standby"), arguments, timeoutMs);
    }

    // Starts `standbyd --serve` (or `standby --serve`) in the foreground and waits for the status
    // line it prints once it listens. Null when it did not get there within the deadline.
    struct Served
    {
        std::unique_ptr<QProcess> process;
        QJsonObject status;
        quint16 port() const { return quint16(status.value(QStringLiteral("port")).toInt()); }
        qint64 pid() const { return status.value(QStringLiteral("pid")).toInteger(); }
    };
    Served serve(const QStringList &arguments = {},
                 const QString &program = QStringLiteral("standbyd"), int timeoutMs = 30000,
                 const QProcessEnvironment &extra = {}) const;

    void writeConfig(const QJsonObject &config) const;
    // Kills what is registered under this home; returns how many processes it signalled.
    int killRegistered() const;

private:
    QTemporaryDir m_dir;
};

// A free TCP port on 127.0.0.1 at the moment of asking.
quint16 freeLoopbackPort();

// Waits until the process is gone (pidfd), up to the deadline.
bool waitForExit(qint64 pid, int timeoutMs = 20000);

} // namespace standby::test
