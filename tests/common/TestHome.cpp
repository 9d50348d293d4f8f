#include "common/TestHome.h"

#include "client/ProcessWaiter.h"
#include "core/JsonFile.h"
#include "core/Registry.h"
#include "core/RunRecord.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTest>
#include <QTimer>

#include <csignal>

namespace standby::test {

QJsonObject RunResult::json() const
{
    return QJsonDocument::fromJson(out.split('\n').value(0)).object();
}

TestHome::TestHome()
{
    m_dir.setAutoRemove(true);
}

TestHome::~TestHome()
{
    killRegistered();
}

QProcessEnvironment TestHome::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("STANDBY_HOME"), m_dir.path());
    env.remove(QStringLiteral("STANDBY_GATEWAY_AUTH"));
    env.remove(QStringLiteral("STANDBY_DAEMON_BIN"));
    return env;
}

QString TestHome::binary(const QString &name)
{
    return QStringLiteral(STANDBY_BIN_DIR) + QLatin1Char('/') + name;
}

RunResult TestHome::run(const QString &program, const QStringList &arguments, int timeoutMs) const
{
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(binary(program), arguments);
    RunResult result;
    if (!process.waitForStarted(timeoutMs)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.err = "timed out";
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

TestHome::Served TestHome::serve(const QStringList &arguments, const QString &program,
                                 int timeoutMs, const QProcessEnvironment &extra) const
{
    Served served;
    served.process = std::make_unique<QProcess>();
    QProcessEnvironment env = environment();
    for (const QString &key : extra.keys())
        env.insert(key, extra.value(key));
    served.process->setProcessEnvironment(env);
    QStringList all{QStringLiteral("--serve")};
    all += arguments;
    served.process->start(binary(program), all);
    if (!served.process->waitForStarted(timeoutMs))
        return served;
    QDeadlineTimer deadline(timeoutMs);
    while (!served.process->canReadLine() && !deadline.hasExpired() &&
           served.process->state() == QProcess::Running)
        served.process->waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
    if (served.process->canReadLine())
        served.status = QJsonDocument::fromJson(served.process->readLine()).object();
    return served;
}

void TestHome::writeConfig(const QJsonObject &config) const
{
    const Paths home = paths();
    QVERIFY(!home.ensureLayout().has_value());
    QVERIFY(!JsonFile::write(home.config(), config).has_value());
}

// Ends a holder and its agent's process group, checking both are still who they were.
static bool endHolder(qint64 pid, quint64 procStart, qint64 childPid)
{
    const ProcessTable &processes = ProcessTable::system();
    if (!processes.isAlive(pid, procStart))
        return false;
    // The agent's group first (only while it is surely the holder's child), or it would outlive
    // its holder.
    if (childPid > 0) {
        const std::optional<ProcessStat> child = processes.stat(childPid);
        if (child && child->parentPid == pid && child->groupId == childPid)
            ::kill(-pid_t(childPid), SIGKILL);
    }
    ::kill(pid_t(pid), SIGKILL);
    ProcessWaiter::waitForExit(pid, procStart, 10000);
    return true;
}

int TestHome::killRegistered() const
{
    int killed = 0;
    // A run can be between its holder's start and its registration: keep going until no run
    // is accepted or has a live holder, for a bounded time.
    QDeadlineTimer deadline(15000);
    for (;;) {
        const QDir sessions(paths().sessionsDir());
        for (const QString &name : sessions.entryList({QStringLiteral("*.json")}, QDir::Files)) {
            Result<QJsonObject> object = JsonFile::read(sessions.filePath(name));
            Result<RegistryEntry> entry =
                object ? RegistryEntry::fromJson(*object) : Result<RegistryEntry>(object.error());
            if (entry && !entry->isRemote() &&
                endHolder(entry->pid, entry->procStart, entry->childPid))
                ++killed;
        }
        bool unsettled = false;
        for (const RunRecord &run : RunRecord::list(paths(), 1000)) {
            if (run.isFinished())
                continue;
            if (run.pid > 0 && run.holderStart > 0)
                killed += endHolder(run.pid, run.holderStart, run.childPid) ? 1 : 0;
            else if (QDateTime::currentMSecsSinceEpoch() - run.acceptedAt < 10000)
                unsettled = true; // its holder has not written its pid yet
        }
        if (!unsettled || deadline.hasExpired())
            break;
        // Poll again shortly for those holders; the loop as a whole has its deadline.
        QEventLoop loop;
        QTimer::singleShot(20, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return killed;
}

quint16 freeLoopbackPort()
{
    // Below the kernel's ephemeral range (32768+ by default), where no outgoing connection or
    // "port 0" daemon of a parallel test can take it between this check and its use.
    for (int attempt = 0; attempt < 200; ++attempt) {
        const quint16 port = quint16(20000 + QRandomGenerator::global()->bounded(12000));
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, port))
            return port;
    }
    return 0;
}

bool waitForExit(qint64 pid, int timeoutMs)
{
    return ProcessWaiter::waitForExit(pid, 0, timeoutMs);
}

} // namespace standby::test
