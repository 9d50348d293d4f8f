// Live follow, events and the WebSocket gate against a real daemon and real sessions.
#include "common/RawHttp.h"
#include "common/SseClient.h"
#include "common/TestHome.h"

#include "client/ApiClient.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>
#include <QWebSocket>

using namespace standby;
using namespace standby::test;

namespace {

// inotify watches a process holds, from /proc/{pid}/fdinfo.
int inotifyWatches(qint64 pid)
{
    int count = 0;
    const QString fdDir = QStringLiteral("/proc/%1/fd").arg(pid);
    for (const QString &fd : QDir(fdDir).entryList(QDir::Files | QDir::System)) {
        // The link reads "anon_inode:inotify".
        if (!QFile::symLinkTarget(fdDir + QLatin1Char('/') + fd).endsWith(QLatin1String("inotify")))
            continue;
        QFile info(QStringLiteral("/proc/%1/fdinfo/%2").arg(pid).arg(fd));
        if (!info.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : info.readAll().split('\n'))
            count += line.startsWith("inotify wd:") ? 1 : 0;
    }
    return count;
}

QJsonObject json(const QByteArray &data)
{
    return QJsonDocument::fromJson(data).object();
}

} // namespace

class TestStreams : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestHome> m_home;
    QString m_endpoint;
    quint16 m_port = 0;
    qint64 m_daemonPid = 0;

    QJsonObject startRun(const QJsonObject &body) const
    {
        Result<ApiClient::Reply> reply =
            ApiClient(m_endpoint, 30000)
                .request("POST", QStringLiteral("/api/v1/runs"),
                         QJsonDocument(body).toJson(QJsonDocument::Compact));
        return reply ? json(reply->body).value(QStringLiteral("data")).toObject() : QJsonObject();
    }

    // A shell script that waits for a file before it prints: the test decides when output
    // begins, without sleeping itself.
    QString gated(const QString &gate, const QString &then) const
    {
        return QStringLiteral("while [ ! -f '%1' ]; do sleep 0.02; done; %2").arg(gate, then);
    }

    static void touch(const QString &path)
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
    }

    static QList<QByteArray> numbered(const QByteArray &prefix, int count)
    {
        QList<QByteArray> out;
        for (int i = 1; i <= count; ++i)
            out.append(prefix + QByteArray::number(i));
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_home = std::make_unique<TestHome>();
        m_daemonPid = 0;
        startDaemon();
    }

    void cleanup() { m_home.reset(); }

private:
    // (Re)starts the daemon, so that it reads the config written since.
    void startDaemon()
    {
        if (m_daemonPid > 0)
            QCOMPARE(m_home->cli({QStringLiteral("daemon"), QStringLiteral("stop")}).exitCode, 0);
        const RunResult started = m_home->cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(started.exitCode, 0);
        m_endpoint = started.json().value("endpoint").toString();
        m_port = quint16(QUrl(m_endpoint).port());
        m_daemonPid = started.json().value("pid").toInteger();
        QVERIFY(m_port > 0);
    }

private Q_SLOTS:

    void followDeliversNewLinesInOrderAndEndsWithTheExit()
    {
        const QString gate = m_home->path() + QStringLiteral("/go");
        const QJsonObject run = startRun(
            {{"name", "follow"},
             {"prompt", gated(gate, QStringLiteral("i=1; while [ $i -le 300 ]; do echo \"line "
                                                   "$i\"; i=$((i+1)); done; printf tail-end; "
                                                   "exit 5"))}});
        QVERIFY(!run.value("runId").toString().isEmpty());
        SseClient sse(m_port, "/api/v1/workers/follow/logs?follow=1&type=process");
        QTRY_COMPARE_WITH_TIMEOUT(sse.eventsNamed("session").size(), 1, 20000);
        QCOMPARE(sse.status(), 200);
        QCOMPARE(json(sse.eventsNamed("session").constFirst().data).value("type").toString(),
                 QStringLiteral("process"));
        touch(gate);
        QTRY_COMPARE_WITH_TIMEOUT(sse.eventsNamed("exit").size(), 1, 30000);
        // Every line once, in order, and the last unterminated one too.
        QCOMPARE(sse.logLines(), numbered("line ", 300) + QList<QByteArray>{"tail-end"});
        const QJsonObject exit = json(sse.eventsNamed("exit").constFirst().data);
        QCOMPARE(exit.value("status").toString(), QStringLiteral("exited"));
        QCOMPARE(exit.value("exitCode").toInt(), 5);
        QCOMPARE(exit.value("runId").toString(), run.value("runId").toString());
        // The exit is the last event, and the stream ends with it.
        QCOMPARE(sse.events().constLast().event, QByteArray("exit"));
        QTRY_VERIFY_WITH_TIMEOUT(sse.isClosed(), 10000);
    }

    void followCrossesRotationWithoutLossOrRepeat()
    {
        // 4 KB logs: 20000 short lines (130 KB, read in chunks of at most 64 KB) rotate the log
        // several times while it is followed. Enough files are kept that none is dropped before
        // a follower slowed by a loaded machine reads it (with 50 MB files, a follower would
        // have to fall 150 MB behind to lose any).
        m_home->writeConfig(
            QJsonObject{{"logs", QJsonObject{{"maxSizeBytes", 4096}, {"keep", 60}}}});
        const QString gate = m_home->path() + QStringLiteral("/go");
        startRun({{"name", "rotating"},
                  {"prompt", gated(gate, QStringLiteral("i=1; while [ $i -le 20000 ]; do echo "
                                                        "\"r $i\"; i=$((i+1)); done"))}});
        SseClient sse(m_port, "/api/v1/workers/rotating/logs?follow=1&type=process");
        QTRY_COMPARE_WITH_TIMEOUT(sse.eventsNamed("session").size(), 1, 20000);
        touch(gate);
        QTRY_COMPARE_WITH_TIMEOUT(sse.eventsNamed("exit").size(), 1, 60000);
        QCOMPARE(sse.logLines(), numbered("r ", 20000));
        // It did rotate, and kept only what it was told to.
        const QString log = m_home->paths().processLog(QStringLiteral("rotating"));
        QVERIFY(QFile::exists(log + QStringLiteral(".2")));
        QVERIFY(!QFile::exists(log + QStringLiteral(".61")));
        // And reading the ended session's tail spans the files.
        const RunResult tail = m_home->cli({QStringLiteral("logs"), QStringLiteral("rotating"),
                                            QStringLiteral("--tail"), QStringLiteral("3")});
        QCOMPARE(tail.out, QByteArray("r 19998\nr 19999\nr 20000\n"));
    }

    void aSlowFollowerIsSlowedNotDropped()
    {
        // 16 MB of 41-byte lines, to a client that takes about 5 MB/s: far more than the daemon
        // may queue for it, so it must pause reading the log rather than drop the client.
        const QString gate = m_home->path() + QStringLiteral("/go");
        startRun({{"name", "flood"},
                  {"prompt", gated(gate, QStringLiteral("yes 0123456789012345678901234567890123456"
                                                        "789 | head -c 16000000"))}});
        QTcpSocket socket;
        socket.setReadBufferSize(256 * 1024);
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(10000));
        socket.write("GET /api/v1/workers/flood/logs?follow=1&type=process HTTP/1.1\r\nHost: "
                     "127.0.0.1:" +
                     QByteArray::number(m_port) + "\r\n\r\n");
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("event: session"), 20000);
        touch(gate);
        qint64 dataLines = 0;
        QByteArray pending("\n");
        bool sawExit = false;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                pending += socket.readAll();
                const qsizetype cut = pending.lastIndexOf('\n');
                if (cut >= 0) {
                    // Up to the last newline, which stays to begin the next piece.
                    const QByteArray complete = pending.left(cut);
                    dataLines += complete.count("\ndata: 0123");
                    sawExit = sawExit || complete.contains("event: exit");
                    pending.remove(0, cut);
                }
                return sawExit || socket.state() != QAbstractSocket::ConnectedState;
            }(),
            120000);
        QVERIFY2(sawExit, "the follower was dropped instead of slowed down");
        // 16000000 / 41 = 390243 whole lines and a last one of 37 bytes.
        QCOMPARE(dataLines, qint64(390244));
    }

    void followOfAnEndedSessionGivesTheTailAndTheExit()
    {
        const QJsonObject run = startRun(
            {{"name", "ended"}, {"prompt", "echo a; echo b; echo c; exit 2"}, {"wait", true}});
        QCOMPARE(run.value("status").toString(), QStringLiteral("exited"));
        SseClient sse(m_port, "/api/v1/workers/ended/logs?follow=1&type=process&tail=2");
        QTRY_VERIFY_WITH_TIMEOUT(sse.isClosed(), 20000);
        QCOMPARE(sse.logLines(), (QList<QByteArray>{"b", "c"}));
        QCOMPARE(json(sse.eventsNamed("exit").value(0).data).value("exitCode").toInt(), 2);
    }

    void followErrorsAreAnswersNotStreams()
    {
        SseClient missing(m_port, "/api/v1/workers/nobody/logs?follow=1");
        QTRY_VERIFY_WITH_TIMEOUT(missing.status() != 0, 20000);
        QCOMPARE(missing.status(), 404);
        SseClient bad(m_port, "/api/v1/workers/nobody/logs?follow=yes");
        QTRY_VERIFY_WITH_TIMEOUT(bad.status() != 0, 20000);
        QCOMPARE(bad.status(), 400);
    }

    void aFollowerThatLeavesFreesWhatItHeld()
    {
        startRun({{"name", "idle"}, {"prompt", "echo up; exec sleep 120"}});
        const int before = inotifyWatches(m_daemonPid);
        QVERIFY(before >= 1); // the registry watch
        {
            SseClient first(m_port, "/api/v1/workers/idle/logs?follow=1&type=process");
            SseClient second(m_port, "/api/v1/workers/idle/logs?follow=1&type=process");
            QTRY_VERIFY_WITH_TIMEOUT(first.eventsNamed("session").size() == 1 &&
                                         second.eventsNamed("session").size() == 1,
                                     20000);
            // The log and its folder, shared by both followers.
            QTRY_COMPARE_WITH_TIMEOUT(inotifyWatches(m_daemonPid), before + 2, 10000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(inotifyWatches(m_daemonPid), before, 10000);
    }

    void cliFollowPrintsEveryLineOnceAndTheExit()
    {
        const QString gate = m_home->path() + QStringLiteral("/go");
        startRun({{"name", "clifollow"},
                  {"prompt", gated(gate, QStringLiteral("i=1; while [ $i -le 400 ]; do echo "
                                                        "\"n $i\"; i=$((i+1)); done; exit 3"))}});
        QProcess cli;
        cli.setProcessEnvironment(m_home->environment());
        cli.start(TestHome::binary(QStringLiteral("standby")),
                  {QStringLiteral("logs"), QStringLiteral("clifollow"), QStringLiteral("-f"),
                   QStringLiteral("--tail"), QStringLiteral("1000")});
        QVERIFY(cli.waitForStarted(10000));
        // Output starts while the CLI is starting up: wherever the tail ends and the follow
        // begins, no line may be lost or repeated.
        touch(gate);
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        QList<QByteArray> lines = cli.readAllStandardOutput().split('\n');
        QCOMPARE(lines.takeLast(), QByteArray());
        QCOMPARE(lines, numbered("n ", 400));
        QVERIFY(cli.readAllStandardError().contains("clifollow exited with code 3"));
    }

    void eventsTellTheLifeOfASessionAndReplayWhatWasMissed()
    {
        SseClient sse(m_port, "/api/v1/events");
        QTRY_COMPARE_WITH_TIMEOUT(sse.status(), 200, 20000);
        startRun({{"name", "evt"}, {"prompt", "exit 6"}});
        auto forEvt = [](const QList<SseEvent> &events) {
            QList<SseEvent> out;
            for (const SseEvent &event : events) {
                if (json(event.data).value("name").toString() == QLatin1String("evt"))
                    out.append(event);
            }
            return out;
        };
        QTRY_COMPARE_WITH_TIMEOUT(forEvt(sse.events()).size(), 4, 20000);
        const QList<SseEvent> events = forEvt(sse.events());
        QList<QByteArray> names;
        for (const SseEvent &event : events)
            names.append(event.event);
        QCOMPARE(names, (QList<QByteArray>{"worker.added", "worker.started", "worker.exited",
                                           "worker.removed"}));
        const QJsonObject exited = json(events.at(2).data);
        QCOMPARE(exited.value("exitCode").toInt(), 6);
        QCOMPARE(exited.value("status").toString(), QStringLiteral("exited"));
        QVERIFY(exited.contains("durationMs"));
        QVERIFY(!events.at(1).id.isEmpty());

        // Reconnecting after "started": the two events after it come first.
        SseClient again(m_port, "/api/v1/events", "Last-Event-ID: " + events.at(1).id + "\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(again.events().size() >= 2, 20000);
        QCOMPARE(again.events().at(0).id, events.at(2).id);
        QCOMPARE(again.events().at(1).id, events.at(3).id);
        // An id from another daemon instance gets the whole backlog.
        SseClient stranger(m_port, "/api/v1/events", "Last-Event-ID: other-5\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(stranger.events().size() >= 4, 20000);
    }

    void eventsSayTheDaemonIsStopping()
    {
        SseClient sse(m_port, "/api/v1/events");
        QTRY_COMPARE_WITH_TIMEOUT(sse.status(), 200, 20000);
        QCOMPARE(m_home->cli({QStringLiteral("daemon"), QStringLiteral("stop")}).exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(sse.eventsNamed("daemon.stopping").size(), 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(sse.isClosed(), 20000);
    }

    void attachOverWebSocketAndInputRoundTrip()
    {
        const QJsonObject run = startRun({{"name", "wscat"}, {"prompt", "echo ready; exec cat"}});
        const QString socketFile = m_home->paths().socketFile(run.value("pid").toInteger());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socketFile), 20000);
        const QUrl url(QStringLiteral("ws://127.0.0.1:%1/api/v1/workers/wscat/attach").arg(m_port));

        QWebSocket ws;
        QByteArray out;
        QList<QJsonObject> events;
        connect(&ws, &QWebSocket::binaryMessageReceived, this,
                [&](const QByteArray &bytes) { out += bytes; });
        connect(&ws, &QWebSocket::textMessageReceived, this,
                [&](const QString &text) { events.append(json(text.toUtf8())); });
        auto sawEvent = [&](const QString &type) {
            for (const QJsonObject &event : std::as_const(events)) {
                if (event.value("type").toString() == type)
                    return true;
            }
            return false;
        };
        ws.open(url);
        QTRY_VERIFY_WITH_TIMEOUT(sawEvent(QStringLiteral("live")), 20000);
        // The recent output came first.
        QVERIFY2(out.contains("ready"), out.constData());
        ws.sendBinaryMessage("typed line\n");
        QTRY_VERIFY_WITH_TIMEOUT(out.contains("typed line"), 20000);
        ws.sendTextMessage(QStringLiteral("{\"type\":\"input\",\"data\":\"as json\\n\"}"));
        QTRY_VERIFY_WITH_TIMEOUT(out.contains("as json"), 20000);
        ws.sendTextMessage(QStringLiteral("nonsense"));
        QTRY_VERIFY_WITH_TIMEOUT(sawEvent(QStringLiteral("error")), 20000);

        // POST …/input reaches the same stdin; the attached client sees the echo.
        Result<ApiClient::Reply> posted =
            ApiClient(m_endpoint, 30000)
                .request("POST", QStringLiteral("/api/v1/workers/wscat/input"),
                         "{\"data\":\"posted line\\n\"}");
        QVERIFY(posted);
        QCOMPARE(posted->status, 202);
        QTRY_VERIFY_WITH_TIMEOUT(out.contains("posted line"), 20000);
        Result<ApiClient::Reply> empty =
            ApiClient(m_endpoint, 30000)
                .request("POST", QStringLiteral("/api/v1/workers/wscat/input"), "{\"data\":42}");
        QVERIFY(empty);
        QCOMPARE(empty->status, 400);

        // Detaching leaves the session running.
        ws.close();
        QTRY_COMPARE_WITH_TIMEOUT(ws.state(), QAbstractSocket::UnconnectedState, 20000);
        Result<ApiClient::Reply> still =
            ApiClient(m_endpoint, 30000).request("GET", QStringLiteral("/api/v1/workers/wscat"));
        QVERIFY(still);
        QCOMPARE(still->status, 200);

        // End of input ends cat; the exit event comes and the server closes.
        QWebSocket second;
        events.clear();
        connect(&second, &QWebSocket::textMessageReceived, this,
                [&](const QString &text) { events.append(json(text.toUtf8())); });
        second.open(url);
        QTRY_VERIFY_WITH_TIMEOUT(sawEvent(QStringLiteral("live")), 20000);
        second.sendTextMessage(QStringLiteral("{\"type\":\"eof\"}"));
        QTRY_VERIFY_WITH_TIMEOUT(sawEvent(QStringLiteral("exit")), 20000);
        for (const QJsonObject &event : std::as_const(events)) {
            if (event.value("type").toString() == QLatin1String("exit")) {
                QCOMPARE(event.value("status").toString(), QStringLiteral("exited"));
                QCOMPARE(event.value("exitCode").toInt(), 0);
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(second.state(), QAbstractSocket::UnconnectedState, 20000);
    }

    void webSocketsGiveBackTheirConnectionSlots()
    {
        // A cap of 8 connections, and 30 attach sessions opened and closed one after another:
        // each must give its slot back, or the daemon would refuse everyone.
        m_home->writeConfig(QJsonObject{{"http", QJsonObject{{"maxConnections", 8}}}});
        startDaemon();
        const QJsonObject run = startRun({{"name", "slots"}, {"prompt", "exec cat"}});
        const QString socketFile = m_home->paths().socketFile(run.value("pid").toInteger());
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socketFile), 20000);
        const QUrl url(QStringLiteral("ws://127.0.0.1:%1/api/v1/workers/slots/attach").arg(m_port));
        for (int i = 0; i < 30; ++i) {
            QWebSocket ws;
            bool live = false;
            connect(&ws, &QWebSocket::textMessageReceived, this,
                    [&](const QString &text) { live = live || text.contains("live"); });
            ws.open(url);
            QTRY_VERIFY_WITH_TIMEOUT(live, 20000);
            ws.close();
            QTRY_COMPARE_WITH_TIMEOUT(ws.state(), QAbstractSocket::UnconnectedState, 20000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(
            rawExchange(m_port, withPort(httpRequest("GET", "/api/v1/health"), m_port)).status, 200,
            20000);
    }

    void webSocketUpgradesAreCheckedBeforeTheHandshake()
    {
        auto upgrade = [this](const QByteArray &path, const QByteArray &extra = {}) {
            return rawExchange(m_port,
                               withPort("GET " + path +
                                            " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
                                            extra + "\r\n",
                                        m_port));
        };
        // No such session.
        RawReply reply = upgrade("/api/v1/workers/nobody/attach");
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.errorCode(), QByteArray("not_found"));
        // Not a WebSocket route: never switched.
        reply = upgrade("/api/v1/health");
        QCOMPARE(reply.status, 404);
        // A page on another site may not open one (cross-site WebSocket hijacking).
        reply = upgrade("/api/v1/workers/nobody/attach", "Origin: http://evil.example\r\n");
        QCOMPARE(reply.status, 403);
        // Forms QHttpServer would switch on but that a gate could be fooled by: refused.
        reply = rawExchange(m_port, withPort("GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                             "Sec-WebSocket-Version: 13\r\n"
                                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                             "Content-Length: 1\r\n\r\nx",
                                             m_port));
        QCOMPARE(reply.status, 400);
        QVERIFY(!reply.body.contains("101"));
        reply = rawExchange(m_port, withPort("GET /api/v1/workers/x/attach HTTP/1.1\r\n"
                                             "Host: 127.0.0.1\r\nUpgrade: websocketx\r\n"
                                             "Connection: Upgrade\r\n\r\n",
                                             m_port));
        QCOMPARE(reply.status, 400);
        // A plain GET on a WebSocket route.
        reply =
            rawExchange(m_port, withPort(httpRequest("GET", "/api/v1/workers/x/attach"), m_port));
        QCOMPARE(reply.status, 426);
        QCOMPARE(reply.header("Upgrade"), QByteArray("websocket"));
    }
};

QTEST_GUILESS_MAIN(TestStreams)
#include "tst_streams.moc"
