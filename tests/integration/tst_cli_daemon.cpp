// The CLI's daemon verbs against real detached daemons.
#include "common/RawHttp.h"
#include "common/TestHome.h"

#include "core/DaemonRecord.h"
#include "core/Registry.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
#include <QTest>

#include <csignal>

using namespace standby;
using namespace standby::test;

class TestCliDaemon : public QObject
{
    Q_OBJECT

private:
    static qint64 pidOf(const RunResult &result) { return result.json().value("pid").toInteger(); }

    static int liveDaemons(const TestHome &home)
    {
        int count = 0;
        for (const RegistryEntry &entry : Registry(home.paths()).list())
            count += entry.kind == RegistryEntry::Kind::Daemon ? 1 : 0;
        return count;
    }

private Q_SLOTS:
    void statusWhenStopped()
    {
        TestHome home;
        const RunResult result = home.cli({QStringLiteral("daemon"), QStringLiteral("status")});
        QCOMPARE(result.exitCode, 3);
        QCOMPARE(result.json(), QJsonObject({{"status", "stopped"}}));
    }

    void startIsIdempotent()
    {
        TestHome home;
        const RunResult first = home.cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(first.exitCode, 0);
        QCOMPARE(first.json().value("status").toString(), QStringLiteral("running"));
        const qint64 pid = pidOf(first);
        QVERIFY(pid > 0);
        const quint16 port = quint16(first.json().value("port").toInt());
        QCOMPARE(rawExchange(port, httpRequest("GET", "/api/v1/health")).status, 200);
        QVERIFY(QFile::exists(home.paths().daemonRecord()));
        QVERIFY(QFile::exists(home.paths().daemonLock()));

        const RunResult second = home.cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(second.exitCode, 0);
        QCOMPARE(pidOf(second), pid);
        const RunResult status = home.cli({QStringLiteral("daemon"), QStringLiteral("status")});
        QCOMPARE(status.exitCode, 0);
        QCOMPARE(pidOf(status), pid);
        QCOMPARE(status.json().value("endpoint").toString(),
                 QStringLiteral("http://127.0.0.1:%1").arg(port));
        QCOMPARE(liveDaemons(home), 1);
        // The daemon's stdout and stderr go to logs/daemon.log.
        QVERIFY(QFile(home.paths().daemonLog()).size() > 0);
    }

    void eightConcurrentStartsLeaveOneDaemon()
    {
        TestHome home;
        std::vector<std::unique_ptr<QProcess>> starts;
        for (int i = 0; i < 8; ++i) {
            auto process = std::make_unique<QProcess>();
            process->setProcessEnvironment(home.environment());
            process->start(TestHome::binary(QStringLiteral("standby")),
                           {QStringLiteral("daemon"), QStringLiteral("start")});
            starts.push_back(std::move(process));
        }
        QSet<qint64> pids;
        for (auto &process : starts) {
            QVERIFY(process->waitForFinished(60000));
            QCOMPARE(process->exitCode(), 0);
            RunResult result;
            result.out = process->readAllStandardOutput();
            pids.insert(pidOf(result));
        }
        QCOMPARE(pids.size(), 1);
        QVERIFY(*pids.begin() > 0);
        QCOMPARE(liveDaemons(home), 1);
        QCOMPARE(DaemonRecord::read(home.paths())->pid, *pids.begin());
    }

    void killedDaemonDoesNotBlockTheNextStart()
    {
        TestHome home;
        const RunResult first = home.cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(first.exitCode, 0);
        const qint64 pid = pidOf(first);
        ::kill(pid_t(pid), SIGKILL);
        QVERIFY(waitForExit(pid));
        // Its lock, record and PID file are still on disk, and mean nothing.
        QVERIFY(QFile::exists(home.paths().daemonRecord()));
        QVERIFY(QFile::exists(home.paths().daemonLock()));

        RunResult status = home.cli({QStringLiteral("daemon"), QStringLiteral("status")});
        QCOMPARE(status.exitCode, 3);
        const RunResult second = home.cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(second.exitCode, 0);
        QVERIFY(pidOf(second) != pid);
        QCOMPARE(rawExchange(quint16(second.json().value("port").toInt()),
                             httpRequest("GET", "/api/v1/health"))
                     .status,
                 200);
        // The new daemon swept the dead one's PID file.
        QVERIFY(!QFile::exists(home.paths().pidFile(pid)));
        QCOMPARE(liveDaemons(home), 1);
    }

    void portInUseIsRefusedAndLeavesNothing()
    {
        TestHome home;
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        const RunResult result =
            home.cli({QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--port"),
                      QString::number(squatter.serverPort())});
        QCOMPARE(result.exitCode, 4);
        QVERIFY2(result.err.contains("in use"), result.err.constData());
        QCOMPARE(result.err.count('\n'), 1); // one clear line
        QVERIFY(!QFile::exists(home.paths().daemonRecord()));
        QVERIFY(!QFile::exists(home.paths().daemonLock()));
        QVERIFY(QDir(home.paths().sessionsDir()).entryList(QDir::Files).isEmpty());
        QCOMPARE(QDir(home.path()).entryList(QDir::Files),
                 QStringList{QStringLiteral("config.json")});
        QCOMPARE(home.cli({QStringLiteral("daemon"), QStringLiteral("status")}).exitCode, 3);
    }

    void stopEndsTheDaemon()
    {
        TestHome home;
        const RunResult started = home.cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(started.exitCode, 0);
        const qint64 pid = pidOf(started);
        const RunResult stopped = home.cli({QStringLiteral("daemon"), QStringLiteral("stop")});
        QCOMPARE(stopped.exitCode, 0);
        QCOMPARE(stopped.json().value("status").toString(), QStringLiteral("stopped"));
        QCOMPARE(pidOf(stopped), pid);
        QVERIFY(!ProcessTable::system().isAlive(pid, 0));
        QVERIFY(!QFile::exists(home.paths().daemonRecord()));
        QCOMPARE(home.cli({QStringLiteral("daemon"), QStringLiteral("status")}).exitCode, 3);
        // Stopping again is no failure.
        QCOMPARE(home.cli({QStringLiteral("daemon"), QStringLiteral("stop")}).exitCode, 0);
    }

    void stopEscalatesToSignalsWhenTheApiDoesNotAnswer()
    {
        TestHome home;
        home.writeConfig(QJsonObject{{"daemon", QJsonObject{{"stopGraceSec", 1}}}});
        const RunResult started = home.cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(started.exitCode, 0);
        const qint64 pid = pidOf(started);
        // A frozen daemon answers nothing and handles no SIGTERM; only SIGKILL ends it.
        ::kill(pid_t(pid), SIGSTOP);
        const RunResult stopped = home.cli({QStringLiteral("daemon"), QStringLiteral("stop")});
        QCOMPARE(stopped.exitCode, 0);
        QVERIFY(waitForExit(pid, 10000));
        QVERIFY(!QFile::exists(home.paths().daemonRecord()));
        QVERIFY(!QFile::exists(home.paths().pidFile(pid)));
    }

    void restartKeepsTheAskedPort()
    {
        TestHome home;
        const quint16 port = freeLoopbackPort();
        const RunResult started = home.cli({QStringLiteral("daemon"), QStringLiteral("start"),
                                            QStringLiteral("--port"), QString::number(port)});
        QCOMPARE(started.exitCode, 0);
        QCOMPARE(started.json().value("port").toInt(), port);
        const RunResult restarted = home.cli({QStringLiteral("daemon"), QStringLiteral("restart")});
        QCOMPARE(restarted.exitCode, 0);
        QVERIFY(pidOf(restarted) != pidOf(started));
        QCOMPARE(restarted.json().value("port").toInt(), port);
        QVERIFY(waitForExit(pidOf(started)));
        QCOMPARE(liveDaemons(home), 1);
    }

    void restartWhenStoppedStarts()
    {
        TestHome home;
        const RunResult restarted = home.cli({QStringLiteral("daemon"), QStringLiteral("restart")});
        QCOMPARE(restarted.exitCode, 0);
        QCOMPARE(restarted.json().value("status").toString(), QStringLiteral("running"));
    }

    void restartOverTheApi()
    {
        TestHome home;
        const quint16 port = freeLoopbackPort();
        const RunResult started = home.cli({QStringLiteral("daemon"), QStringLiteral("start"),
                                            QStringLiteral("--port"), QString::number(port)});
        QCOMPARE(started.exitCode, 0);
        const RawReply reply = rawExchange(port, httpRequest("POST", "/api/v1/daemon/restart"));
        QCOMPARE(reply.status, 202);
        QVERIFY(waitForExit(pidOf(started)));
        QTRY_VERIFY_WITH_TIMEOUT(
            home.cli({QStringLiteral("daemon"), QStringLiteral("status")}).exitCode == 0, 20000);
        const RunResult status = home.cli({QStringLiteral("daemon"), QStringLiteral("status")});
        QVERIFY(pidOf(status) != pidOf(started));
        QCOMPARE(status.json().value("port").toInt(), port);
    }

    void serveRunsInTheForeground()
    {
        TestHome home;
        TestHome::Served served = home.serve({}, QStringLiteral("standby"));
        QVERIFY(served.port() > 0);
        // exec: the CLI process became the daemon, so Ctrl+C reaches it directly.
        QCOMPARE(served.pid(), served.process->processId());
        ::kill(pid_t(served.pid()), SIGINT);
        QVERIFY(served.process->waitForFinished(20000));
        QCOMPARE(served.process->exitCode(), 0);
        QVERIFY(!QFile::exists(home.paths().daemonRecord()));
    }

    void helpOnEveryVerb_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("top") << QStringList{"--help"};
        QTest::newRow("daemon") << QStringList{"daemon", "--help"};
        QTest::newRow("start") << QStringList{"daemon", "start", "--help"};
        QTest::newRow("status") << QStringList{"daemon", "status", "--help"};
        QTest::newRow("stop") << QStringList{"daemon", "stop", "-h"};
        QTest::newRow("restart") << QStringList{"daemon", "restart", "--help"};
    }
    void helpOnEveryVerb()
    {
        QFETCH(QStringList, arguments);
        TestHome home;
        const RunResult result = home.cli(arguments);
        QCOMPARE(result.exitCode, 0);
        QVERIFY(result.out.startsWith("Usage: standby"));
        // Help starts nothing.
        QVERIFY(!QFile::exists(home.paths().daemonRecord()));
    }

    void versionAndUsageErrors()
    {
        TestHome home;
        RunResult result = home.cli({QStringLiteral("--version")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.out.trimmed(), QByteArray("standby 0.1.0"));
        result = home.cli({QStringLiteral("daemon"), QStringLiteral("explode")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.err.contains("unknown daemon verb"));
        result = home.cli({QStringLiteral("daemon"), QStringLiteral("start"),
                           QStringLiteral("--port"), QStringLiteral("http")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.err.contains("--port"));
        result = home.cli({QStringLiteral("daemon"), QStringLiteral("status"),
                           QStringLiteral("--port"), QStringLiteral("1")});
        QCOMPARE(result.exitCode, 1);
        result = home.cli({});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.err.startsWith("Usage: standby"));
        result = home.cli({QStringLiteral("--frobnicate"), QStringLiteral("x")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.err.contains("frobnicate"));
        QVERIFY(!QFile::exists(home.paths().daemonRecord()));
    }
};

QTEST_GUILESS_MAIN(TestCliDaemon)
#include "tst_cli_daemon.moc"
