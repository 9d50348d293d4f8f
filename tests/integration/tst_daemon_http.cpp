// standbyd over real sockets: the envelope, limits and lifecycle of a real daemon process.
#include "common/RawHttp.h"
#include "common/TestHome.h"

#include "core/DaemonRecord.h"
#include "core/Registry.h"

#include <QDate>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

#include <csignal>

using namespace standby;
using namespace standby::test;

class TestDaemonHttp : public QObject
{
    Q_OBJECT

private:
    TestHome m_home;
    TestHome::Served m_daemon;

    static QJsonObject bodyJson(const RawReply &reply)
    {
        return QJsonDocument::fromJson(reply.body).object();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_daemon = m_home.serve({QStringLiteral("--port"), QStringLiteral("0")});
        QVERIFY2(m_daemon.port() > 0, m_daemon.process->readAllStandardError().constData());
        QCOMPARE(m_daemon.status.value("status").toString(), QStringLiteral("running"));
    }

    void healthAndInfoUseTheEnvelope()
    {
        RawReply reply = rawExchange(m_daemon.port(), httpRequest("GET", "/api/v1/health"));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("Content-Type").startsWith("application/json"));
        QCOMPARE(bodyJson(reply).value("data").toObject().value("status").toString(),
                 QStringLiteral("ok"));

        reply = rawExchange(m_daemon.port(), httpRequest("GET", "/api/v1/info"));
        const QJsonObject info = bodyJson(reply).value("data").toObject();
        QCOMPARE(info.value("pid").toInteger(), m_daemon.pid());
        QCOMPARE(info.value("version").toString(), QStringLiteral("0.1.0"));
        QCOMPARE(info.value("auth").toString(), QStringLiteral("none"));
        QCOMPARE(info.value("home").toString(), m_home.paths().home());
        QVERIFY(info.value("resident").toBool());
    }

    void daemonStatusMatchesTheRecord()
    {
        const RawReply reply =
            rawExchange(m_daemon.port(), httpRequest("GET", "/api/v1/daemon/status"));
        QCOMPARE(reply.status, 200);
        const QJsonObject status = bodyJson(reply).value("data").toObject();
        QCOMPARE(status.value("status").toString(), QStringLiteral("running"));
        QCOMPARE(status.value("pid").toInteger(), m_daemon.pid());
        Result<DaemonRecord> record = DaemonRecord::read(m_home.paths());
        QVERIFY(record.ok());
        QCOMPARE(status.value("endpoint").toString(), record->endpoint);
        QCOMPARE(status.value("startedAt").toInteger(), record->startedAt);
    }

    void unknownRouteIsJson404()
    {
        const RawReply reply = rawExchange(m_daemon.port(), httpRequest("GET", "/api/v1/nope"));
        QCOMPARE(reply.status, 404);
        QVERIFY(reply.header("Content-Type").startsWith("application/json"));
        QCOMPARE(reply.errorCode(), QByteArray("not_found"));
        QVERIFY(!bodyJson(reply).value("error").toObject().value("message").toString().isEmpty());
    }

    void wrongMethodIsJson405()
    {
        const RawReply reply =
            rawExchange(m_daemon.port(), httpRequest("DELETE", "/api/v1/health"));
        QCOMPARE(reply.status, 405);
        QCOMPARE(reply.errorCode(), QByteArray("method_not_allowed"));
        QCOMPARE(reply.header("Allow"), QByteArray("GET"));
    }

    void oversizeBodyIs413AndTheDaemonStillAnswers()
    {
        const QByteArray body(2 * 1024 * 1024, 'x');
        const RawReply reply =
            rawExchange(m_daemon.port(), httpRequest("POST", "/api/v1/daemon/start", body));
        QCOMPARE(reply.status, 413);
        QCOMPARE(reply.errorCode(), QByteArray("body_too_large"));
        QCOMPARE(reply.header("Connection"), QByteArray("close"));
        QCOMPARE(rawExchange(m_daemon.port(), httpRequest("GET", "/api/v1/health")).status, 200);
    }

    void oversizeHeadersAre431AndLongUrisAre414()
    {
        RawReply reply =
            rawExchange(m_daemon.port(), httpRequest("GET", "/api/v1/health", {},
                                                     "X-Big: " + QByteArray(40000, 'a') + "\r\n"));
        QCOMPARE(reply.status, 431);
        QCOMPARE(reply.errorCode(), QByteArray("headers_too_large"));
        reply = rawExchange(m_daemon.port(),
                            httpRequest("GET", "/api/v1/health?" + QByteArray(9000, 'a')));
        QCOMPARE(reply.status, 414);
        QCOMPARE(rawExchange(m_daemon.port(), httpRequest("GET", "/api/v1/health")).status, 200);
    }

    void garbageIs400AndTheDaemonStillAnswers()
    {
        // A TLS ClientHello (someone used https://) is refused at once, without a header block.
        RawReply reply = rawExchange(m_daemon.port(), QByteArray("\x16\x03\x01\x02\x00\x01", 6));
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.errorCode(), QByteArray("bad_request"));
        reply = rawExchange(m_daemon.port(), "hello there\r\n\r\n");
        QCOMPARE(reply.status, 400);
        reply = rawExchange(m_daemon.port(), "POST /api/v1/daemon/start HTTP/1.1\r\nHost: "
                                             "127.0.0.1\r\nContent-Length: 7\r\n\r\n{broken");
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.errorCode(), QByteArray("invalid_json"));
        reply = rawExchange(m_daemon.port(),
                            httpRequest("POST", "/api/v1/daemon/start", "{\"port\":\"eighty\"}"));
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.errorCode(), QByteArray("invalid_port"));
        QCOMPARE(rawExchange(m_daemon.port(), httpRequest("GET", "/api/v1/health")).status, 200);
    }

    void accessIsDecidedBeforeAnyRoute()
    {
        const quint16 port = m_daemon.port();
        const QByteArray own = "http://127.0.0.1:" + QByteArray::number(port);
        // DNS rebinding: a foreign name for our address reaches nothing, reads included.
        RawReply reply = rawExchange(port, "GET /api/v1/info HTTP/1.1\r\nHost: evil.example:" +
                                               QByteArray::number(port) + "\r\n\r\n");
        QCOMPARE(reply.status, 421);
        QCOMPARE(reply.errorCode(), QByteArray("misdirected_request"));
        reply = rawExchange(port, "GET /api/v1/info HTTP/1.1\r\n\r\n");
        QCOMPARE(reply.status, 421);
        reply = rawExchange(port, "GET /api/v1/info HTTP/1.1\r\nHost: localhost:" +
                                      QByteArray::number(port) + "\r\n\r\n");
        QCOMPARE(reply.status, 200);
        // A cross-site page cannot start anything, even with a "simple" request.
        const QByteArray run = "{\"prompt\":\"echo pwned\"}";
        reply = rawExchange(
            port, httpRequest("POST", "/api/v1/runs", run,
                              "Origin: http://evil.example\r\nContent-Type: text/plain\r\n"));
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.errorCode(), QByteArray("forbidden_origin"));
        reply = rawExchange(
            port, httpRequest("POST", "/api/v1/daemon/stop", {}, "Sec-Fetch-Site: cross-site\r\n"));
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.errorCode(), QByteArray("csrf_check_failed"));
        reply = rawExchange(
            port, httpRequest("POST", "/api/v1/daemon/start", "{}", "Origin: " + own + "\r\n"));
        QCOMPARE(reply.status, 403);
        // Our own page, with the header, may.
        reply = rawExchange(port, httpRequest("POST", "/api/v1/daemon/start", "{}",
                                              "Origin: " + own + "\r\nX-Standby-Request: 1\r\n"));
        QCOMPARE(reply.status, 200);
        QVERIFY(QDir(m_home.paths().runsDir()).entryList(QDir::Files).isEmpty());
    }

    void framingCannotBeSidestepped()
    {
        const quint16 port = m_daemon.port();
        // An Upgrade that is no WebSocket upgrade must not switch the size checks off.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(10000));
        socket.write(withPort(httpRequest("GET", "/api/v1/health", {}, "Upgrade: h2c\r\n"), port));
        socket.write(withPort("POST /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                              "5000000\r\n\r\n",
                              port));
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("body_too_large"), 10000);
        // Folded headers and bare LF line ends are refused outright.
        RawReply reply = rawExchange(port, "POST /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Transfer-Encoding:\r\n chunked\r\n\r\n");
        QCOMPARE(reply.status, 400);
        reply = rawExchange(port, "GET /api/v1/health HTTP/1.1\nHost: 127.0.0.1\n\n");
        QCOMPARE(reply.status, 400);
        QCOMPARE(rawExchange(port, httpRequest("GET", "/api/v1/health")).status, 200);
    }

    static qint64 rssKb(qint64 pid)
    {
        QFile status(QStringLiteral("/proc/%1/status").arg(pid));
        if (!status.open(QIODevice::ReadOnly))
            return 0;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
        return 0;
    }

    void aRefusedUploadIsNotBuffered()
    {
        const quint16 port = m_daemon.port();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(10000));
        // The request line alone first, so QHttpServer has begun its read transaction.
        socket.write("POST /api/v1/runs HTTP/1.1\r\n");
        QVERIFY(socket.waitForBytesWritten(5000));
        QTRY_VERIFY_WITH_TIMEOUT(socket.bytesToWrite() == 0, 5000);
        socket.write(withPort("Host: 127.0.0.1\r\nContent-Length: 999999999\r\n\r\n", port));
        const QByteArray chunk(1024 * 1024, 'x');
        for (int i = 0; i < 200 && socket.state() == QAbstractSocket::ConnectedState; ++i) {
            socket.write(chunk);
            socket.waitForBytesWritten(1000);
        }
        QVERIFY2(rssKb(m_daemon.pid()) < 80 * 1024, "the daemon kept a refused upload in memory");
        QCOMPARE(rawExchange(port, httpRequest("GET", "/api/v1/health")).status, 200);
    }

    void whatAStreamsClientSendsIsNotBuffered()
    {
        const quint16 port = m_daemon.port();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(10000));
        socket.write(withPort("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", port));
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("stream open"), 10000);
        const qint64 before = rssKb(m_daemon.pid());
        // 100 MB of nonsense on an open event stream: it must stay in the kernel (the client
        // gets stuck), not in the daemon.
        const QByteArray chunk(1024 * 1024, 'x');
        int stalls = 0;
        for (int sent = 0;
             sent < 100 && stalls < 5 && socket.state() == QAbstractSocket::ConnectedState;) {
            if (socket.bytesToWrite() < 4 * chunk.size()) {
                socket.write(chunk);
                ++sent;
            }
            if (!socket.waitForBytesWritten(200))
                ++stalls;
        }
        QVERIFY2(rssKb(m_daemon.pid()) - before < 30 * 1024,
                 "the daemon buffered what a stream's client sent");
        QCOMPARE(rawExchange(port, withPort(httpRequest("GET", "/api/v1/health"), port)).status,
                 200);
    }

    void pipelinedRequestsAreFramedOnce()
    {
        // A GET and the start of a POST in one segment, the rest of the POST later: the framer
        // must see each byte once, or it loses track of where the POST begins.
        const quint16 port = m_daemon.port();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(socket.waitForConnected(10000));
        socket.write(withPort("GET /nothing-a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", port) +
                     withPort("POST /nothing-b HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Content-Length: 10\r\n\r\n12345",
                              port));
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("nothing-a"), 10000);
        socket.write("67890");
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("nothing-b"), 10000);
        QCOMPARE(received.count("HTTP/1.1 404"), 2);
        QVERIFY2(!received.contains("400"), received.constData());
    }

    void slowHeadersTimeOut()
    {
        TestHome home;
        home.writeConfig(QJsonObject{{"http", QJsonObject{{"headerTimeoutSec", 1}}}});
        TestHome::Served daemon = home.serve();
        QVERIFY(daemon.port() > 0);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, daemon.port());
        QVERIFY(socket.waitForConnected(10000));
        socket.write("GET /api/v1/health HTTP/1.1\r\nX-Slow: 1\r\n");
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("request_timeout"), 15000);
        QVERIFY(received.startsWith("HTTP/1.1 408"));
    }

    void keepAliveServesSeveralRequestsOnOneConnection()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_daemon.port());
        QVERIFY(socket.waitForConnected(10000));
        QByteArray received;
        for (int i = 0; i < 3; ++i) {
            socket.write(withPort(httpRequest("GET", "/api/v1/health"), m_daemon.port()));
            QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).count("\"ok\"") == i + 1,
                                     10000);
        }
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(received.count("HTTP/1.1 200 OK"), 3);
    }

    void connectionCloseIsHonoured()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_daemon.port());
        QVERIFY(socket.waitForConnected(10000));
        socket.write(withPort(httpRequest("GET", "/api/v1/health", {}, "Connection: close\r\n"),
                              m_daemon.port()));
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
        QVERIFY(socket.readAll().contains("\"ok\""));
    }

    void headAnswersWithoutBody()
    {
        const RawReply reply =
            rawExchange(m_daemon.port(), "HEAD /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                         "Connection: close\r\n\r\n");
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("Content-Length").toInt() > 0);
        QVERIFY(reply.body.isEmpty());
    }

    void webUiIsServed()
    {
        RawReply reply = rawExchange(m_daemon.port(), httpRequest("GET", "/"));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("Content-Type").startsWith("text/html"));
        QVERIFY(reply.body.contains("<title>Standby</title>"));
        // Only the daemon's own files; of inline styles, only an empty <style> (its hash).
        QCOMPARE(reply.header("Content-Security-Policy"),
                 QByteArray("default-src 'self'; style-src 'self' "
                            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='; "
                            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"));
#ifdef STANDBY_HAS_WEB_UI
        // The Vite build: one script and one style sheet, as files, no inline code.
        QVERIFY(reply.body.contains("src=\"/assets/app.js\""));
        QVERIFY(reply.body.contains("href=\"/assets/app.css\""));
        QVERIFY(!reply.body.contains("<style"));
        QCOMPARE(reply.body.count("<script"), 1);
        reply = rawExchange(m_daemon.port(), httpRequest("GET", "/assets/app.js"));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("Content-Type").startsWith("text/javascript"));
        QVERIFY(reply.body.size() > 100000); // the bundle, not a placeholder
        reply = rawExchange(m_daemon.port(), httpRequest("GET", "/assets/app.css"));
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("Content-Type").startsWith("text/css"));
        QVERIFY(reply.body.contains(".xterm")); // the libraries' style sheets are in it
        reply = rawExchange(m_daemon.port(), httpRequest("GET", "/assets/favicon.svg"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("Content-Type"), QByteArray("image/svg+xml"));
#endif
        reply = rawExchange(m_daemon.port(), httpRequest("GET", "/assets/..%2Findex.html"));
        QCOMPARE(reply.status, 404);
        reply = rawExchange(m_daemon.port(), httpRequest("GET", "/assets/missing.js"));
        QCOMPARE(reply.status, 404);
    }

    void listensOnlyOnTheGivenAddress()
    {
        // Bound to 127.0.0.1, not to every interface: another loopback address finds nothing.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress(QStringLiteral("127.0.0.2")), m_daemon.port());
        QVERIFY(!socket.waitForConnected(5000));
        QCOMPARE(socket.error(), QAbstractSocket::ConnectionRefusedError);
    }

    void registersItselfAsDaemon()
    {
        const Registry registry(m_home.paths());
        const std::optional<RegistryEntry> entry = registry.find(QString::number(m_daemon.pid()));
        QVERIFY(entry.has_value());
        QCOMPARE(entry->kind, RegistryEntry::Kind::Daemon);
        QCOMPARE(entry->url, m_daemon.status.value("endpoint").toString());
        QCOMPARE(entry->procStart, ProcessTable::system().startTime(m_daemon.pid()).value());
    }

    void writesTelemetry()
    {
        // The daemon's start may have been on the previous day (UTC) if this runs at midnight.
        const QStringList days =
            QDir(m_home.paths().logsDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        QVERIFY(!days.isEmpty());
        QFile log(m_home.paths().logsDir() + QLatin1Char('/') + days.constFirst() +
                  QStringLiteral("/standbyd.log"));
        QVERIFY2(log.open(QIODevice::ReadOnly), qPrintable(log.fileName()));
        const QString text = QString::fromUtf8(log.readAll());
        const QRegularExpression line(
            QStringLiteral(
                "^\\S+Z INFO standby\\.daemon pid=%1 session=daemon-[0-9a-f]{6} .*serving")
                .arg(m_daemon.pid()),
            QRegularExpression::MultilineOption);
        QVERIFY2(line.match(text).hasMatch(), qPrintable(text));
    }

    void secondServeIsNotResident()
    {
        TestHome::Served second = m_home.serve({QStringLiteral("--port"), QStringLiteral("0")});
        QVERIFY(second.port() > 0);
        QVERIFY(second.port() != m_daemon.port());
        RawReply reply = rawExchange(second.port(), httpRequest("GET", "/api/v1/info"));
        QVERIFY(!bodyJson(reply).value("data").toObject().value("resident").toBool());
        // It reports the resident daemon's status, and refuses to restart itself.
        reply = rawExchange(second.port(), httpRequest("GET", "/api/v1/daemon/status"));
        QCOMPARE(bodyJson(reply).value("data").toObject().value("pid").toInteger(), m_daemon.pid());
        reply = rawExchange(second.port(), httpRequest("POST", "/api/v1/daemon/restart"));
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.errorCode(), QByteArray("not_resident"));
        // Starting the resident from it is idempotent: it is already running.
        reply = rawExchange(second.port(), httpRequest("POST", "/api/v1/daemon/start", "{}"));
        QCOMPARE(reply.status, 200);
        QCOMPARE(bodyJson(reply).value("data").toObject().value("pid").toInteger(), m_daemon.pid());
        ::kill(pid_t(second.pid()), SIGTERM);
        QVERIFY(second.process->waitForFinished(20000));
        QCOMPARE(second.process->exitCode(), 0);
        // Its exit left the resident's record alone.
        QCOMPARE(DaemonRecord::read(m_home.paths())->pid, m_daemon.pid());
    }

    void stopOverTheApi()
    {
        TestHome home;
        TestHome::Served daemon = home.serve();
        QVERIFY(daemon.port() > 0);
        const RawReply reply =
            rawExchange(daemon.port(), httpRequest("POST", "/api/v1/daemon/stop"));
        QCOMPARE(reply.status, 202);
        QCOMPARE(QJsonDocument::fromJson(reply.body)
                     .object()
                     .value("data")
                     .toObject()
                     .value("status")
                     .toString(),
                 QStringLiteral("stopping"));
        QVERIFY(daemon.process->waitForFinished(20000));
        QCOMPARE(daemon.process->exitCode(), 0);
        QVERIFY(!QFile::exists(home.paths().daemonRecord()));
        QVERIFY(!QFile::exists(home.paths().pidFile(daemon.pid())));
    }

    void signalsStopItCleanly_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }
    void signalsStopItCleanly()
    {
        QFETCH(int, signal);
        TestHome home;
        TestHome::Served daemon = home.serve();
        QVERIFY(daemon.port() > 0);
        QVERIFY(QFile::exists(home.paths().daemonRecord()));
        QVERIFY(QFile::exists(home.paths().pidFile(daemon.pid())));
        ::kill(pid_t(daemon.pid()), signal);
        QVERIFY(daemon.process->waitForFinished(20000));
        QCOMPARE(daemon.process->exitStatus(), QProcess::NormalExit);
        QCOMPARE(daemon.process->exitCode(), 0);
        QVERIFY(!QFile::exists(home.paths().daemonRecord()));
        QVERIFY(!QFile::exists(home.paths().pidFile(daemon.pid())));
        QVERIFY(!QFile::exists(home.paths().daemonLock()));
    }

    void connectionCapAnswers503()
    {
        TestHome home;
        home.writeConfig(QJsonObject{{"http", QJsonObject{{"maxConnections", 3}}}});
        TestHome::Served daemon = home.serve();
        QVERIFY(daemon.port() > 0);
        std::vector<std::unique_ptr<QTcpSocket>> held;
        for (int i = 0; i < 3; ++i) {
            held.push_back(std::make_unique<QTcpSocket>());
            held.back()->connectToHost(QHostAddress::LocalHost, daemon.port());
            QVERIFY(held.back()->waitForConnected(10000));
            // Each connection answers, so the daemon has surely counted it.
            held.back()->write(httpRequest("GET", "/api/v1/health"));
            QTRY_VERIFY_WITH_TIMEOUT(held.back()->bytesAvailable() > 0, 10000);
            held.back()->readAll();
        }
        RawReply reply = rawExchange(daemon.port(), httpRequest("GET", "/api/v1/health"));
        QCOMPARE(reply.status, 503);
        QCOMPARE(reply.errorCode(), QByteArray("too_many_connections"));
        // A freed slot is usable again.
        held.front()->disconnectFromHost();
        held.erase(held.begin());
        // Each try is itself a connection that counts until the daemon sees it close, so tries
        // can alternate; once one got through, the slot was shown to be free.
        bool gotThrough = false;
        auto tryOnce = [&] {
            gotThrough =
                gotThrough ||
                rawExchange(daemon.port(), httpRequest("GET", "/api/v1/health")).status == 200;
            return gotThrough;
        };
        QTRY_VERIFY_WITH_TIMEOUT(tryOnce(), 10000);
    }

    void idleConnectionsAreClosed()
    {
        TestHome home;
        home.writeConfig(QJsonObject{{"http", QJsonObject{{"idleTimeoutSec", 1}}}});
        TestHome::Served daemon = home.serve();
        QVERIFY(daemon.port() > 0);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, daemon.port());
        QVERIFY(socket.waitForConnected(10000));
        socket.write(withPort(httpRequest("GET", "/api/v1/health"), daemon.port()));
        QTRY_VERIFY_WITH_TIMEOUT(socket.bytesAvailable() > 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 15000);
    }

    void nonLoopbackHostIsRefusedWithoutAuth()
    {
        TestHome home;
        const RunResult result =
            home.run(QStringLiteral("standbyd"),
                     {QStringLiteral("--serve"), QStringLiteral("--host"),
                      QStringLiteral("0.0.0.0"), QStringLiteral("--port"), QStringLiteral("0")});
        QCOMPARE(result.exitCode, 4);
        QVERIFY2(result.err.contains("password auth"), result.err.constData());
        QVERIFY(!QFile::exists(home.paths().daemonRecord()));
        QVERIFY(!QFile::exists(home.paths().daemonLock()));
    }

    void badArgumentsAreUsageErrors()
    {
        TestHome home;
        RunResult result = home.run(QStringLiteral("standbyd"),
                                    {QStringLiteral("--port"), QStringLiteral("99999")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.err.contains("--port"));
        result = home.run(QStringLiteral("standbyd"),
                          {QStringLiteral("--host"), QStringLiteral("example.com")});
        QCOMPARE(result.exitCode, 1);
        QVERIFY(result.err.contains("IP address"));
        result = home.run(QStringLiteral("standbyd"), {QStringLiteral("--version")});
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(result.out.trimmed(), QByteArray("standbyd 0.1.0"));
    }

    void cleanupTestCase()
    {
        if (m_daemon.process) {
            ::kill(pid_t(m_daemon.pid()), SIGTERM);
            QVERIFY(m_daemon.process->waitForFinished(20000));
        }
    }
};

QTEST_GUILESS_MAIN(TestDaemonHttp)
#include "tst_daemon_http.moc"
