// Background and foreground sessions end to end: a real daemon, real holders, real shells.
#include "common/TestHome.h"

#include "client/ApiClient.h"
#include "core/DaemonRecord.h"
#include "core/JsonFile.h"
#include "core/LogTail.h"
#include "core/Registry.h"
#include "core/RunRecord.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

#include <csignal>
#include <sys/stat.h>

using namespace standby;
using namespace standby::test;

namespace {

// A condition polled until it holds or the deadline passes, evaluated once per poll.
#define WAIT_FOR(condition, timeoutMs) QTRY_VERIFY_WITH_TIMEOUT((condition), (timeoutMs))

} // namespace

class TestSessions : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestHome> m_home;
    QString m_endpoint;
    qint64 m_daemonPid = 0;

    ApiClient api(int timeoutMs = 30000) const { return ApiClient(m_endpoint, timeoutMs); }

    QJsonObject startRun(const QJsonObject &body, int *status = nullptr) const
    {
        Result<ApiClient::Reply> reply =
            api().request("POST", QStringLiteral("/api/v1/runs"),
                          QJsonDocument(body).toJson(QJsonDocument::Compact));
        if (!reply)
            return {};
        if (status)
            *status = reply->status;
        return QJsonDocument::fromJson(reply->body).object();
    }

    std::optional<RunRecord> finishedRun(const QString &runId) const
    {
        Result<RunRecord> record = RunRecord::read(m_home->paths(), runId);
        if (record && record->isFinished())
            return *record;
        return std::nullopt;
    }

    int liveCount(RegistryEntry::Kind kind) const
    {
        int count = 0;
        for (const RegistryEntry &entry : Registry(m_home->paths()).list())
            count += entry.kind == kind ? 1 : 0;
        return count;
    }

    // The PID a session's script wrote into a file (0 when there is none).
    static qint64 readPid(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed().toLongLong() : 0;
    }

    QString shellQuote(const QString &path) const
    {
        return QLatin1Char('\'') + path + QLatin1Char('\'');
    }

private Q_SLOTS:
    void init()
    {
        m_home = std::make_unique<TestHome>();
        m_home->writeConfig(QJsonObject{{"sessions", QJsonObject{{"killGraceSec", 2}}}});
        const RunResult started = m_home->cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(started.exitCode, 0);
        m_endpoint = started.json().value("endpoint").toString();
        m_daemonPid = started.json().value("pid").toInteger();
        QVERIFY(!m_endpoint.isEmpty());
    }

    void cleanup() { m_home.reset(); }

    void exitCodesAreRecorded()
    {
        const QJsonObject answer = startRun(
            {{"prompt", "echo out; echo err >&2; exit 7"}, {"name", "seven"}, {"wait", true}});
        const QJsonObject run = answer.value("data").toObject();
        QCOMPARE(run.value("status").toString(), QStringLiteral("exited"));
        QCOMPARE(run.value("exitCode").toInt(), 7);
        // stdout and stderr are two pipes: each keeps its order, not their interleaving.
        const QStringList tail = run.value("tail").toString().split(QLatin1Char('\n'));
        QCOMPARE(tail.size(), 2);
        QVERIFY(tail.contains(QStringLiteral("out")) && tail.contains(QStringLiteral("err")));
        QVERIFY(run.value("endedAt").toInteger() >= run.value("startedAt").toInteger());
        const RunRecord record = *RunRecord::read(m_home->paths(), run.value("runId").toString());
        QCOMPARE(record.status, RunRecord::State::Exited);
        QCOMPARE(record.exitCode, 7);
        // The holder is gone and so is its PID file.
        WAIT_FOR(liveCount(RegistryEntry::Kind::Bg) == 0, 10000);
    }

    void aPipelinedRequestNeverOvertakesAWaitedRun()
    {
        QTcpSocket socket;
        const QUrl url(m_endpoint);
        socket.connectToHost(QHostAddress::LocalHost, quint16(url.port()));
        QVERIFY(socket.waitForConnected(10000));
        const QByteArray host = "Host: " + url.authority().toUtf8() + "\r\n";
        const QByteArray body = "{\"prompt\":\"sleep 0.3; echo waited\",\"wait\":true}";
        socket.write("POST /api/v1/runs HTTP/1.1\r\n" + host +
                     "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY(socket.waitForBytesWritten(5000));
        QTRY_VERIFY_WITH_TIMEOUT(socket.bytesToWrite() == 0, 5000);
        socket.write("GET /api/v1/health HTTP/1.1\r\n" + host + "\r\n");
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("waited") ||
                                     socket.state() != QAbstractSocket::ConnectedState,
                                 20000);
        received += socket.readAll();
        // The first answer is the run's, the health answer never overtakes it, and the
        // connection ends after it.
        QVERIFY2(received.startsWith("HTTP/1.1 200 OK"), received.constData());
        QVERIFY(received.contains("waited"));
        QVERIFY(!received.contains("\"status\":\"ok\""));
        QVERIFY(received.contains("Connection: close"));
    }

    void signalsAreRecorded()
    {
        const QJsonObject run =
            startRun({{"prompt", "kill -USR1 $$"}, {"wait", true}}).value("data").toObject();
        QCOMPARE(run.value("status").toString(), QStringLiteral("killed"));
        QCOMPARE(run.value("signal").toString(), QStringLiteral("USR1"));
        QVERIFY(run.value("exitCode").isNull());
    }

    void outputIsCompleteAndInOrder()
    {
        // 20000 numbered lines on stdout and 2000 on stderr, as fast as the shell can print.
        const QString script =
            QStringLiteral("i=0; while [ $i -lt 20000 ]; do echo \"out $i\"; i=$((i+1)); done; "
                           "i=0; while [ $i -lt 2000 ]; do echo \"err $i\" >&2; i=$((i+1)); done");
        const QJsonObject run = startRun({{"prompt", script}, {"name", "lines"}, {"wait", true}})
                                    .value("data")
                                    .toObject();
        QCOMPARE(run.value("exitCode").toInt(), 0);
        QFile log(m_home->paths().processLog(QStringLiteral("lines")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        int nextOut = 0;
        int nextErr = 0;
        for (const QByteArray &line : log.readAll().split('\n')) {
            if (line.startsWith("out "))
                QCOMPARE(line.mid(4).toInt(), nextOut++);
            else if (line.startsWith("err "))
                QCOMPARE(line.mid(4).toInt(), nextErr++);
        }
        QCOMPARE(nextOut, 20000);
        QCOMPARE(nextErr, 2000);
    }

    void environmentAndStdin()
    {
        const QJsonObject run =
            startRun({{"prompt", "echo kind=$STANDBY_SESSION_KIND name=$STANDBY_SESSION_NAME "
                                 "id=$STANDBY_SESSION_ID log=$STANDBY_SESSION_LOG mine=$MINE; "
                                 "readlink /proc/self/fd/0; [ -t 0 ] || echo notty"},
                      {"name", "envy"},
                      {"env", QJsonObject{{"MINE", "yes"}}},
                      {"wait", true}})
                .value("data")
                .toObject();
        const QString tail = run.value("tail").toString();
        QVERIFY2(tail.contains(QStringLiteral("kind=bg name=envy id=bg-")), qPrintable(tail));
        QVERIFY2(tail.contains(QStringLiteral("log=") + m_home->paths().processLog("envy")),
                 qPrintable(tail));
        QVERIFY(tail.contains(QStringLiteral("mine=yes")));
        QVERIFY2(tail.contains(QStringLiteral("pipe:[")),
                 qPrintable(tail)); // stdin is an open pipe
        QVERIFY(tail.contains(QStringLiteral("notty")));
        // The caller's env values are secrets to the API: only their names are shown.
        QVERIFY(!QJsonDocument(run).toJson().contains("\"yes\""));
    }

    void fiftySessionsAtOnce()
    {
        std::vector<std::unique_ptr<QProcess>> clis;
        for (int i = 0; i < 50; ++i) {
            auto process = std::make_unique<QProcess>();
            process->setProcessEnvironment(m_home->environment());
            process->start(TestHome::binary(QStringLiteral("standby")),
                           {QStringLiteral("--bg"), QStringLiteral("--name"),
                            QStringLiteral("many-%1").arg(i), QStringLiteral("sleep 60")});
            clis.push_back(std::move(process));
        }
        for (auto &process : clis) {
            QVERIFY(process->waitForFinished(60000));
            QCOMPARE(process->exitCode(), 0);
        }
        WAIT_FOR(liveCount(RegistryEntry::Kind::Bg) == 50, 30000);
        const RunResult ps = m_home->cli({QStringLiteral("ps"), QStringLiteral("--json"),
                                          QStringLiteral("--kind"), QStringLiteral("bg")});
        QCOMPARE(ps.exitCode, 0);
        const QJsonArray listed = QJsonDocument::fromJson(ps.out).array();
        QCOMPARE(listed.size(), 50);
        for (const QJsonValue &worker : listed)
            QVERIFY(worker.toObject().value("childPid").toInteger() > 0);
        Result<QJsonValue> viaApi = api().get(QStringLiteral("/api/v1/workers?kind=bg"));
        QVERIFY(viaApi.ok());
        QCOMPARE(viaApi->toArray().size(), 50);
    }

    void killLeavesNoOrphan()
    {
        const QString pidFile = m_home->path() + QStringLiteral("/grandchild.pid");
        const QJsonObject run =
            startRun({{"prompt",
                       QStringLiteral("sleep 300 & echo $! > %1; wait").arg(shellQuote(pidFile))},
                      {"name", "parent"}})
                .value("data")
                .toObject();
        QVERIFY(!run.isEmpty());
        WAIT_FOR(QFile(pidFile).size() > 0, 20000);
        WAIT_FOR(Registry(m_home->paths()).find(QStringLiteral("parent")).has_value(), 20000);
        const qint64 grandchild = readPid(pidFile);
        QVERIFY(grandchild > 0);
        QVERIFY(ProcessTable::system().isAlive(grandchild, 0));

        const RunResult killed = m_home->cli({QStringLiteral("kill"), QStringLiteral("parent")});
        QCOMPARE(killed.exitCode, 0);
        QVERIFY(waitForExit(grandchild, 20000));
        const RunRecord record = *finishedRun(run.value("runId").toString());
        QCOMPARE(record.status, RunRecord::State::Killed);
        QCOMPARE(record.signal, QStringLiteral("TERM"));
    }

    void aDescendantThatLeftTheGroupIsEndedToo()
    {
        const QString pidFile = m_home->path() + QStringLiteral("/escaped.pid");
        startRun({{"prompt", QStringLiteral("setsid sleep 300 & echo $! > %1; sleep 300")
                                 .arg(shellQuote(pidFile))},
                  {"name", "escape"}});
        WAIT_FOR(QFile(pidFile).size() > 0, 20000);
        WAIT_FOR(Registry(m_home->paths()).find(QStringLiteral("escape")).has_value(), 20000);
        const qint64 escaped = readPid(pidFile);
        WAIT_FOR(ProcessTable::system().stat(escaped).value_or(ProcessStat{}).groupId == escaped,
                 20000);
        QCOMPARE(m_home->cli({QStringLiteral("kill"), QStringLiteral("escape")}).exitCode, 0);
        QVERIFY(waitForExit(escaped, 20000));
    }

    void foregroundKillEndsTheWholeFamily_data()
    {
        QTest::addColumn<QString>("signal");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("TERM") << "TERM" << 128 + SIGTERM;
        QTest::newRow("INT") << "INT" << 128 + SIGINT;
    }
    void foregroundKillEndsTheWholeFamily()
    {
        QFETCH(QString, signal);
        QFETCH(int, exitCode);
        const QString pidFile = m_home->path() + QStringLiteral("/fg.pid");
        QFile::remove(pidFile);
        QProcess process;
        process.setProcessEnvironment(m_home->environment());
        process.start(TestHome::binary(QStringLiteral("standby")),
                      {QStringLiteral("--name"), QStringLiteral("fgk"),
                       QStringLiteral("sleep 300 & echo $! > %1; wait").arg(shellQuote(pidFile))});
        WAIT_FOR(QFile(pidFile).size() > 0, 20000);
        WAIT_FOR(Registry(m_home->paths()).find(QStringLiteral("fgk")).has_value(), 20000);
        const qint64 child = readPid(pidFile);
        const RunResult killed = m_home->cli(
            {QStringLiteral("kill"), QStringLiteral("fgk"), QStringLiteral("--signal"), signal});
        QCOMPARE(killed.exitCode, 0);
        QVERIFY(process.waitForFinished(20000));
        QCOMPARE(process.exitCode(), exitCode);
        QVERIFY(waitForExit(child, 20000));
    }

    void stubbornGroupGetsSigkillAfterGrace()
    {
        // The agent and its child ignore SIGTERM; the grace period (2 s here) ends them.
        const QString pidFile = m_home->path() + QStringLiteral("/stubborn.pid");
        const QJsonObject run =
            startRun({{"prompt", QStringLiteral("trap '' TERM; sleep 300 & echo $! > %1; wait")
                                     .arg(shellQuote(pidFile))},
                      {"name", "stubborn"}})
                .value("data")
                .toObject();
        WAIT_FOR(QFile(pidFile).size() > 0, 20000);
        WAIT_FOR(Registry(m_home->paths()).find(QStringLiteral("stubborn")).has_value(), 20000);
        const qint64 grandchild = readPid(pidFile);
        Result<ApiClient::Reply> reply =
            api().request("DELETE", QStringLiteral("/api/v1/workers/stubborn"));
        QVERIFY(reply.ok());
        QCOMPARE(reply->status, 202);
        QVERIFY(waitForExit(grandchild, 20000));
        WAIT_FOR(finishedRun(run.value("runId").toString()).has_value(), 20000);
        QCOMPARE(finishedRun(run.value("runId").toString())->status, RunRecord::State::Killed);
    }

    void sigkillGoesToTheWholeGroup()
    {
        const QString pidFile = m_home->path() + QStringLiteral("/k.pid");
        const QJsonObject run =
            startRun({{"prompt",
                       QStringLiteral("sleep 300 & echo $! > %1; wait").arg(shellQuote(pidFile))},
                      {"name", "hard"}})
                .value("data")
                .toObject();
        WAIT_FOR(QFile(pidFile).size() > 0, 20000);
        WAIT_FOR(Registry(m_home->paths()).find(QStringLiteral("hard")).has_value(), 20000);
        const qint64 grandchild = readPid(pidFile);
        const RunResult killed = m_home->cli({QStringLiteral("kill"), QStringLiteral("hard"),
                                              QStringLiteral("--signal"), QStringLiteral("KILL")});
        QCOMPARE(killed.exitCode, 0);
        QVERIFY(waitForExit(grandchild, 20000));
        QCOMPARE(finishedRun(run.value("runId").toString())->signal, QStringLiteral("KILL"));
    }

    void leftoverChildrenAreEndedWhenTheAgentExits()
    {
        const QString pidFile = m_home->path() + QStringLiteral("/left.pid");
        const QJsonObject run =
            startRun(
                {{"prompt", QStringLiteral("sleep 300 & echo $! > %1").arg(shellQuote(pidFile))},
                 {"wait", true}})
                .value("data")
                .toObject();
        QCOMPARE(run.value("exitCode").toInt(), 0);
        QVERIFY(waitForExit(readPid(pidFile), 20000));
    }

    void timeoutEndsARun()
    {
        const QJsonObject run =
            startRun({{"prompt", "sleep 300"}, {"timeoutSec", 1}, {"wait", true}})
                .value("data")
                .toObject();
        QCOMPARE(run.value("status").toString(), QStringLiteral("killed"));
        QVERIFY(run.value("timedOut").toBool());
    }

    void cancelARun()
    {
        const QJsonObject run =
            startRun({{"prompt", "sleep 300"}, {"name", "cancel-me"}}).value("data").toObject();
        const QString runId = run.value("runId").toString();
        WAIT_FOR(Registry(m_home->paths()).find(QStringLiteral("cancel-me")).has_value(), 20000);
        Result<ApiClient::Reply> reply =
            api().request("POST", QStringLiteral("/api/v1/runs/%1/cancel").arg(runId));
        QVERIFY(reply.ok());
        QCOMPARE(reply->status, 202);
        WAIT_FOR(finishedRun(runId).has_value(), 20000);
        QCOMPARE(finishedRun(runId)->status, RunRecord::State::Killed);
        reply = api().request("POST", QStringLiteral("/api/v1/runs/%1/cancel").arg(runId));
        QCOMPARE(reply->status, 409);
        reply = api().request("GET", QStringLiteral("/api/v1/runs/r-nosuchrun"));
        QCOMPARE(reply->status, 404);
    }

    void cancelRightAfterAcceptance()
    {
        const QString runId =
            startRun({{"prompt", "sleep 300"}}).value("data").toObject().value("runId").toString();
        Result<ApiClient::Reply> reply =
            api().request("POST", QStringLiteral("/api/v1/runs/%1/cancel").arg(runId));
        QVERIFY(reply.ok());
        QCOMPARE(reply->status, 202);
        WAIT_FOR(finishedRun(runId).has_value(), 20000);
        QCOMPARE(finishedRun(runId)->status, RunRecord::State::Killed);
    }

    void aWaitedRunShowsOnlyItsOwnOutput()
    {
        startRun({{"prompt", "echo from-the-first-run"}, {"name", "same"}, {"wait", true}});
        const QJsonObject second = startRun({{"prompt", "true"}, {"name", "same"}, {"wait", true}})
                                       .value("data")
                                       .toObject();
        QCOMPARE(second.value("exitCode").toInt(), 0);
        QCOMPARE(second.value("tail").toString(), QString());
    }

    void agentsInheritNoDaemonDescriptors()
    {
        const QJsonObject run =
            startRun({{"prompt", "for fd in 3 4 5 6 7 8 9; do [ -e /proc/$$/fd/$fd ] && echo open "
                                 "$fd; done; echo checked"},
                      {"wait", true}})
                .value("data")
                .toObject();
        QCOMPARE(run.value("tail").toString(), QStringLiteral("checked"));
    }

    void logsOfASession()
    {
        const QString runId =
            startRun(
                {{"prompt", "i=1; while [ $i -le 3000 ]; do echo \"line $i\"; i=$((i+1)); done; "
                            "echo \"ERROR boom\" >&2"},
                 {"name", "talker"},
                 {"wait", true}})
                .value("data")
                .toObject()
                .value("runId")
                .toString();
        QVERIFY(!runId.isEmpty());
        // The CLI reads the files itself: the last lines, a search, the telemetry.
        RunResult logs = m_home->cli({QStringLiteral("logs"), QStringLiteral("talker"),
                                      QStringLiteral("--tail"), QStringLiteral("2")});
        QCOMPARE(logs.exitCode, 0);
        QCOMPARE(logs.out, QByteArray("line 3000\nERROR boom\n"));
        logs = m_home->cli({QStringLiteral("logs"), QStringLiteral("talker"),
                            QStringLiteral("--grep"), QStringLiteral("line 299"),
                            QStringLiteral("--tail"), QStringLiteral("3")});
        QCOMPARE(logs.out, QByteArray("line 2997\nline 2998\nline 2999\n"));
        logs =
            m_home->cli({QStringLiteral("logs"), QStringLiteral("talker"), QStringLiteral("--grep"),
                         QStringLiteral("error"), QStringLiteral("-i")});
        QCOMPARE(logs.out, QByteArray("ERROR boom\n"));
        logs = m_home->cli(
            {QStringLiteral("logs"), runId, QStringLiteral("--type"), QStringLiteral("telemetry")});
        QVERIFY2(logs.out.contains("session talker ended: exited"), logs.out.constData());
        QVERIFY(!logs.out.contains("session=daemon-"));
        QCOMPARE(m_home->cli({QStringLiteral("logs"), QStringLiteral("nobody")}).exitCode, 2);
        logs = m_home->cli({QStringLiteral("logs"), QStringLiteral("talker"),
                            QStringLiteral("--type"), QStringLiteral("debug")});
        QCOMPARE(logs.exitCode, 2);
        QVERIFY(logs.err.contains("--debug"));

        // The API: telemetry first when no type is named, and every type that exists is listed.
        Result<QJsonValue> shown = api().get(QStringLiteral("/api/v1/workers/talker/logs?tail=5"));
        QVERIFY(shown.ok());
        QCOMPARE(shown->toObject().value("type").toString(), QStringLiteral("telemetry"));
        QCOMPARE(shown->toObject().value("available").toArray(),
                 (QJsonArray{"telemetry", "process", "transcript"}));
        shown = api().get(QStringLiteral(
            "/api/v1/workers/talker/logs?type=process&q=LINE%201&ignoreCase=1&tail=2"));
        QCOMPARE(shown->toObject().value("lines").toArray(),
                 (QJsonArray{"line 1998", "line 1999"}));
        Result<ApiClient::Reply> reply =
            api().request("GET", QStringLiteral("/api/v1/workers/talker/logs?type=nonsense"));
        QCOMPARE(reply->status, 400);
        reply = api().request("GET", QStringLiteral("/api/v1/workers/talker/logs?tail=0"));
        QCOMPARE(reply->status, 400);
        reply = api().request("GET", QStringLiteral("/api/v1/workers/nobody/logs"));
        QCOMPARE(reply->status, 404);
    }

    void sessionsSurviveADaemonKilledMidway()
    {
        // A session that writes all the time, and one that just waits.
        const QString script =
            QStringLiteral("i=0; while [ $i -lt 4000 ]; do echo \"line $i\"; i=$((i+1)); "
                           "[ $((i % 200)) -eq 0 ] && sleep 0.1; done");
        const QString writer = startRun({{"prompt", script}, {"name", "writer"}})
                                   .value("data")
                                   .toObject()
                                   .value("runId")
                                   .toString();
        const QString waiter = startRun({{"prompt", "sleep 300"}, {"name", "waiter"}})
                                   .value("data")
                                   .toObject()
                                   .value("runId")
                                   .toString();
        QVERIFY(!writer.isEmpty() && !waiter.isEmpty());
        WAIT_FOR(QFile(m_home->paths().processLog("writer")).size() > 0, 20000);

        ::kill(pid_t(m_daemonPid), SIGKILL);
        QVERIFY(waitForExit(m_daemonPid));

        WAIT_FOR(finishedRun(writer).has_value(), 60000);
        const RunRecord record = *finishedRun(writer);
        QCOMPARE(record.status, RunRecord::State::Exited);
        QCOMPARE(record.exitCode, 0);
        QFile log(m_home->paths().processLog("writer"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = log.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 4000);
        QCOMPARE(lines.last(), QByteArray("line 3999"));

        // A new daemon lists the session that is still running.
        const RunResult restarted =
            m_home->cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(restarted.exitCode, 0);
        m_endpoint = restarted.json().value("endpoint").toString();
        Result<QJsonValue> workers = api().get(QStringLiteral("/api/v1/workers/waiter"));
        QVERIFY(workers.ok());
        QCOMPARE(workers->toObject().value("runId").toString(), waiter);
        QCOMPARE(workers->toObject().value("kind").toString(), QStringLiteral("bg"));
    }

    void aLostHolderIsReportedNotRunning()
    {
        const QJsonObject run =
            startRun({{"prompt", "sleep 300"}, {"name", "orphaned"}}).value("data").toObject();
        const QString runId = run.value("runId").toString();
        WAIT_FOR(Registry(m_home->paths())
                         .find(QStringLiteral("orphaned"))
                         .value_or(RegistryEntry{})
                         .childPid > 0,
                 20000);
        const RegistryEntry entry = *Registry(m_home->paths()).find(QStringLiteral("orphaned"));
        ::kill(pid_t(entry.pid), SIGKILL);
        QVERIFY(waitForExit(entry.pid));
        Result<QJsonValue> shown = api().get(QStringLiteral("/api/v1/runs/") + runId);
        QVERIFY(shown.ok());
        QCOMPARE(shown->toObject().value("status").toString(), QStringLiteral("failed"));
        QVERIFY(shown->toObject().value("error").toString().startsWith(QStringLiteral("lost")));
        const RunResult runs = m_home->cli({QStringLiteral("runs")});
        QVERIFY(runs.out.contains("orphaned  failed"));
        ::kill(-pid_t(entry.childPid), SIGKILL); // the agent this test orphaned on purpose
    }

    void agentsGetTheCallersUmask()
    {
        const RunResult started = m_home->cli(
            {QStringLiteral("--bg"), QStringLiteral("--json"), QStringLiteral("umask")});
        const QString runId = started.json().value("runId").toString();
        WAIT_FOR(finishedRun(runId).has_value(), 20000);
        const mode_t mine = ::umask(0);
        ::umask(mine);
        const QByteArray printed = LogTail::lastLines(finishedRun(runId)->log, 1);
        QCOMPARE(printed, QByteArray::number(mine, 8).rightJustified(4, '0'));
    }

    void reusedPidIsNotALiveWorker()
    {
        // A PID file naming this test process, but with another start time: a stale entry whose
        // PID was reused. It is neither listed nor signalled.
        RegistryEntry stale;
        stale.pid = QCoreApplication::applicationPid();
        stale.procStart = ProcessTable::system().startTime(stale.pid).value() + 1;
        stale.sessionId = QStringLiteral("bg-dead01");
        stale.name = QStringLiteral("ghost");
        stale.kind = RegistryEntry::Kind::Bg;
        QVERIFY(!Registry(m_home->paths()).add(stale).has_value());
        const RunResult ps = m_home->cli({QStringLiteral("ps"), QStringLiteral("--json")});
        QVERIFY(!ps.out.contains("ghost"));
        const RunResult killed = m_home->cli({QStringLiteral("kill"), QStringLiteral("ghost")});
        QCOMPARE(killed.exitCode, 2);
        Result<ApiClient::Reply> reply =
            api().request("DELETE", QStringLiteral("/api/v1/workers/%1").arg(stale.pid));
        QCOMPARE(reply->status, 404);
    }

    void remoteWorkersByHand()
    {
        Result<ApiClient::Reply> reply = api().request(
            "POST", QStringLiteral("/api/v1/workers"),
            "{\"url\":\"http://127.0.0.1:9\",\"name\":\"far-away\",\"hostname\":\"box2\"}");
        QVERIFY(reply.ok());
        QCOMPARE(reply->status, 201);
        const QString id = QJsonDocument::fromJson(reply->body)
                               .object()
                               .value("data")
                               .toObject()
                               .value("id")
                               .toString();
        QVERIFY(id.startsWith(QStringLiteral("manual-")));
        QVERIFY(QFile::exists(m_home->paths().manualFile(id)));
        reply = api().request("POST", QStringLiteral("/api/v1/workers/%1/heartbeat").arg(id));
        QCOMPARE(reply->status, 200);
        Result<QJsonValue> listed = api().get(QStringLiteral("/api/v1/workers?local=true"));
        QVERIFY(!QJsonDocument(listed->toArray()).toJson().contains("far-away"));
        listed = api().get(QStringLiteral("/api/v1/workers"));
        QVERIFY(QJsonDocument(listed->toArray()).toJson().contains("far-away"));
        reply = api().request("DELETE", QStringLiteral("/api/v1/workers/far-away"));
        QCOMPARE(reply->status, 200);
        QVERIFY(!QFile::exists(m_home->paths().manualFile(id)));
        for (const char *body :
             {"{\"url\":\"ftp://x\",\"name\":\"a\"}", "{\"url\":\"http://x\",\"name\":\"../a\"}",
              "{\"url\":\"http://x\",\"name\":\"a\",\"hostname\":\"a b\"}", "{\"name\":\"a\"}",
              "{\"url\":\"http://x\",\"name\":\"a\",\"extra\":1}"}) {
            reply = api().request("POST", QStringLiteral("/api/v1/workers"), body);
            QCOMPARE(reply->status, 400);
        }
    }

    void invalidRequestsStartNothing_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::newRow("no prompt") << QByteArray("{}") << "invalid_field";
        QTest::newRow("empty prompt") << QByteArray("{\"prompt\":\"  \"}") << "invalid_field";
        QTest::newRow("prompt not a string") << QByteArray("{\"prompt\":5}") << "invalid_field";
        QTest::newRow("path in name")
            << QByteArray("{\"prompt\":\"x\",\"name\":\"../evil\"}") << "invalid_name";
        QTest::newRow("hidden name")
            << QByteArray("{\"prompt\":\"x\",\"name\":\".hidden\"}") << "invalid_name";
        QTest::newRow("long name")
            << ("{\"prompt\":\"x\",\"name\":\"" + QByteArray(65, 'a') + "\"}") << "invalid_field";
        QTest::newRow("space in name")
            << QByteArray("{\"prompt\":\"x\",\"name\":\"a b\"}") << "invalid_name";
        QTest::newRow("relative cwd")
            << QByteArray("{\"prompt\":\"x\",\"cwd\":\"tmp\"}") << "invalid_cwd";
        QTest::newRow("missing cwd")
            << QByteArray("{\"prompt\":\"x\",\"cwd\":\"/no/such/dir\"}") << "invalid_cwd";
        QTest::newRow("file as cwd")
            << QByteArray("{\"prompt\":\"x\",\"cwd\":\"/etc/hostname\"}") << "invalid_cwd";
        QTest::newRow("unknown agent")
            << QByteArray("{\"prompt\":\"x\",\"agent\":\"nope\"}") << "unknown_agent";
        QTest::newRow("agent not installed")
            << QByteArray("{\"prompt\":\"x\",\"agent\":\"ghost\"}") << "agent_not_installed";
        QTest::newRow("bad env name")
            << QByteArray("{\"prompt\":\"x\",\"env\":{\"A-B\":\"1\"}}") << "invalid_field";
        QTest::newRow("env not strings")
            << QByteArray("{\"prompt\":\"x\",\"env\":{\"A\":1}}") << "invalid_field";
        QTest::newRow("zero timeout")
            << QByteArray("{\"prompt\":\"x\",\"timeoutSec\":0}") << "invalid_field";
        QTest::newRow("wait not bool")
            << QByteArray("{\"prompt\":\"x\",\"wait\":\"yes\"}") << "invalid_field";
        QTest::newRow("unknown field")
            << QByteArray("{\"prompt\":\"x\",\"nmae\":\"typo\"}") << "invalid_field";
        QTest::newRow("not json") << QByteArray("{prompt") << "invalid_json";
    }
    void invalidRequestsStartNothing()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        m_home->writeConfig(QJsonObject{
            {"agents",
             QJsonObject{{"ghost", QJsonObject{{"command", QJsonArray{"no-such-agent-program",
                                                                      "{prompt}"}}}}}}});
        // The daemon read its config at start; restart it to see the ghost profile.
        QCOMPARE(m_home->cli({QStringLiteral("daemon"), QStringLiteral("restart")}).exitCode, 0);
        m_endpoint = DaemonRecord::read(m_home->paths())->endpoint;
        Result<ApiClient::Reply> reply =
            api().request("POST", QStringLiteral("/api/v1/runs"), body);
        QVERIFY(reply.ok());
        QCOMPARE(reply->status, 400);
        const QJsonObject error =
            QJsonDocument::fromJson(reply->body).object().value("error").toObject();
        QCOMPARE(error.value("code").toString(), code);
        QVERIFY(!error.value("message").toString().isEmpty());
        if (code == QLatin1String("agent_not_installed"))
            QVERIFY(error.value("message").toString().contains("no-such-agent-program"));
        QVERIFY(QDir(m_home->paths().runsDir()).entryList(QDir::Files).isEmpty());
        QCOMPARE(liveCount(RegistryEntry::Kind::Bg), 0);
        QVERIFY(QDir(m_home->paths().logsDir()).entryList({"*.log"}, QDir::Files) ==
                QStringList{QStringLiteral("daemon.log")});
    }

    void aMissingHolderProgramIsAClearError()
    {
        TestHome home;
        QProcessEnvironment env;
        env.insert(QStringLiteral("STANDBY_WORKER_BIN"),
                   QStringLiteral("/nonexistent/standby-worker"));
        TestHome::Served daemon = home.serve({}, QStringLiteral("standbyd"), 30000, env);
        QVERIFY(daemon.port() > 0);
        Result<ApiClient::Reply> reply =
            ApiClient(daemon.status.value("endpoint").toString())
                .request("POST", QStringLiteral("/api/v1/runs"), "{\"prompt\":\"true\"}");
        QVERIFY(reply.ok());
        QCOMPARE(reply->status, 500);
        QVERIFY(reply->body.contains("session holder"));
        QVERIFY(QDir(home.paths().runsDir()).entryList(QDir::Files).isEmpty());
        QCOMPARE(Registry(home.paths()).list().size(), 1); // the daemon alone
    }

    void takenNameIsRefused()
    {
        QCOMPARE(m_home
                     ->cli({QStringLiteral("--bg"), QStringLiteral("--name"),
                            QStringLiteral("only"), QStringLiteral("sleep 60")})
                     .exitCode,
                 0);
        const RunResult second = m_home->cli({QStringLiteral("--bg"), QStringLiteral("--name"),
                                              QStringLiteral("only"), QStringLiteral("sleep 60")});
        QCOMPARE(second.exitCode, 4);
        QVERIFY(second.err.contains("already running"));
    }

    void simultaneousStartsNeverShareAName()
    {
        // Foreground and background starts at the same moment, all asking for one name.
        std::vector<std::unique_ptr<QProcess>> starts;
        for (int i = 0; i < 6; ++i) {
            auto process = std::make_unique<QProcess>();
            process->setProcessEnvironment(m_home->environment());
            QStringList arguments{QStringLiteral("--name"), QStringLiteral("dup"),
                                  QStringLiteral("sleep 3")};
            if (i % 2 == 0)
                arguments.prepend(QStringLiteral("--bg"));
            process->start(TestHome::binary(QStringLiteral("standby")), arguments);
            starts.push_back(std::move(process));
        }
        int refused = 0;
        for (auto &process : starts) {
            QVERIFY(process->waitForFinished(60000));
            refused += process->exitCode() == 4 ? 1 : 0;
        }
        // Exactly one got the name; the others were refused (foreground ones that won would
        // have run their 3 s, background ones return at once).
        QCOMPARE(refused, 5);
    }

    void cliBackgroundPrintsWhereThingsAre()
    {
        const RunResult started = m_home->cli({QStringLiteral("--bg"), QStringLiteral("echo hi")});
        QCOMPARE(started.exitCode, 0);
        QVERIFY2(started.out.startsWith("started echo-hi-"), started.out.constData());
        QVERIFY(started.out.contains("run r-"));
        QVERIFY(started.out.contains("log: " + m_home->paths().logsDir().toUtf8()));
        const RunResult json =
            m_home->cli({QStringLiteral("--bg"), QStringLiteral("--json"), QStringLiteral("--cwd"),
                         m_home->path(), QStringLiteral("pwd")});
        const QJsonObject run = json.json();
        QVERIFY(run.value("pid").toInteger() > 0);
        WAIT_FOR(finishedRun(run.value("runId").toString()).has_value(), 20000);
        QCOMPARE(finishedRun(run.value("runId").toString())->cwd, m_home->path());
        const RunResult runs = m_home->cli({QStringLiteral("runs"), QStringLiteral("--json")});
        const QJsonArray history = QJsonDocument::fromJson(runs.out).array();
        QCOMPARE(history.size(), 2);
        QCOMPARE(history.first().toObject().value("runId").toString(),
                 run.value("runId").toString());
    }

    void foregroundTaskIsRegisteredWhileItRuns()
    {
        const QString gate = m_home->path() + QStringLiteral("/gate");
        QProcess process;
        process.setProcessEnvironment(m_home->environment());
        process.start(
            TestHome::binary(QStringLiteral("standby")),
            {QStringLiteral("--name"), QStringLiteral("fg"),
             QStringLiteral(
                 "echo $STANDBY_SESSION_KIND; while [ ! -e %1 ]; do sleep 0.05; done; exit 3")
                 .arg(shellQuote(gate))});
        WAIT_FOR(liveCount(RegistryEntry::Kind::Interactive) == 1, 20000);
        const std::optional<RegistryEntry> entry =
            Registry(m_home->paths()).find(QStringLiteral("fg"));
        QVERIFY(entry.has_value());
        QCOMPARE(entry->pid, process.processId());
        QFile(gate).open(QIODevice::WriteOnly);
        QVERIFY(process.waitForFinished(20000));
        QCOMPARE(process.exitCode(), 3);
        QCOMPARE(process.readAllStandardOutput().trimmed(), QByteArray("interactive"));
        QCOMPARE(liveCount(RegistryEntry::Kind::Interactive), 0);
        const QList<RunRecord> runs = RunRecord::list(m_home->paths(), 1);
        QCOMPARE(runs.first().kind, QStringLiteral("interactive"));
        QCOMPARE(runs.first().exitCode, 3);
    }
};

QTEST_GUILESS_MAIN(TestSessions)
#include "tst_sessions.moc"
