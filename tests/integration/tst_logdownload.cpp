// GET /api/v1/workers/{id}/logs/download against a real daemon and real sessions: the whole log
// across its rotated files, the other per-session logs, the refusals, and a client that does not
// read, which must neither hold up the daemon nor make it buffer the log.
#include "common/RawHttp.h"
#include "common/TestHome.h"

#include "client/ApiClient.h"
#include "core/LogFiles.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

using namespace standby;
using namespace standby::test;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The log's files joined oldest first: what a download must send.
QByteArray joinedLog(const QString &path)
{
    QByteArray out;
    const QStringList files = LogFiles::newestFirst(path);
    for (auto it = files.crbegin(); it != files.crend(); ++it)
        out += readAll(*it);
    return out;
}

qint64 residentKiB(qint64 pid)
{
    for (const QByteArray &line : readAll(QStringLiteral("/proc/%1/status").arg(pid)).split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

} // namespace

class TestLogDownload : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestHome> m_home;
    QString m_endpoint;
    quint16 m_port = 0;
    qint64 m_daemonPid = 0;

    QJsonObject runToEnd(const QJsonObject &body) const
    {
        QJsonObject withWait = body;
        withWait.insert(QStringLiteral("wait"), true);
        withWait.insert(QStringLiteral("cwd"), m_home->path());
        Result<ApiClient::Reply> reply =
            ApiClient(m_endpoint, 120000)
                .request("POST", QStringLiteral("/api/v1/runs"),
                         QJsonDocument(withWait).toJson(QJsonDocument::Compact));
        if (!reply)
            return {};
        return QJsonDocument::fromJson(reply->body).object().value("data").toObject();
    }

    RawReply get(const QByteArray &path, const QByteArray &method = "GET") const
    {
        return rawExchange(m_port, httpRequest(method, path), 60000);
    }

private Q_SLOTS:
    void init()
    {
        m_home = std::make_unique<TestHome>();
        // Process logs rotate at 1 MiB and every rotated file is kept.
        m_home->writeConfig(
            QJsonObject{{"logs", QJsonObject{{"maxSizeBytes", 1024 * 1024}, {"keep", 100}}}});
        const RunResult started = m_home->cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(started.exitCode, 0);
        m_endpoint = started.json().value("endpoint").toString();
        m_port = quint16(QUrl(m_endpoint).port());
        m_daemonPid = started.json().value("pid").toInteger();
        QVERIFY(m_port > 0);
    }

    void cleanup() { m_home.reset(); }

    void theWholeProcessLogComesAcrossItsRotatedFiles()
    {
        const QJsonObject run =
            runToEnd({{"name", "rot"}, {"prompt", "seq -f 'line %06g' 0 199999"}});
        QCOMPARE(run.value("exitCode").toInt(), 0);
        const QString log = m_home->paths().processLog(QStringLiteral("rot"));
        QVERIFY2(LogFiles::newestFirst(log).size() >= 3, "the log did not rotate");
        const QByteArray expected = joinedLog(log);
        QCOMPARE(expected.size(), 200000 * 12);

        const RawReply reply = get("/api/v1/workers/rot/logs/download?type=process");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("Content-Type"), QByteArray("text/plain; charset=utf-8"));
        QCOMPARE(reply.header("Content-Disposition"),
                 QByteArray("attachment; filename=\"rot.log\""));
        QCOMPARE(reply.header("Content-Length").toLongLong(), qint64(expected.size()));
        QVERIFY(reply.body == expected);

        // The process log is the default, and an ended session is found by its run id too.
        const RawReply byRun =
            get("/api/v1/workers/" + run.value("runId").toString().toLatin1() + "/logs/download");
        QCOMPARE(byRun.status, 200);
        QVERIFY(byRun.body == expected);

        // HEAD: the same head, no body.
        const RawReply head = get("/api/v1/workers/rot/logs/download", "HEAD");
        QCOMPARE(head.status, 200);
        QCOMPARE(head.header("Content-Length").toLongLong(), qint64(expected.size()));
        QVERIFY(head.body.isEmpty());
    }

    void theTranscriptAndTheDebugLogToo()
    {
        const QJsonObject run =
            runToEnd({{"name", "dbg"}, {"prompt", "echo hello; exit 3"}, {"debug", true}});
        QCOMPARE(run.value("exitCode").toInt(), 3);
        const QString sessionId = run.value("sessionId").toString();

        const RawReply transcript = get("/api/v1/workers/dbg/logs/download?type=transcript");
        QCOMPARE(transcript.status, 200);
        QCOMPARE(transcript.header("Content-Type"), QByteArray("application/x-ndjson"));
        QCOMPARE(transcript.header("Content-Disposition"),
                 QByteArray("attachment; filename=\"dbg-transcript.jsonl\""));
        QCOMPARE(transcript.body, readAll(m_home->paths().transcript(m_home->path(), sessionId)));
        QVERIFY(transcript.body.contains("\"type\":\"prompt\""));

        const RawReply debug = get("/api/v1/workers/dbg/logs/download?type=debug");
        QCOMPARE(debug.status, 200);
        QCOMPARE(debug.header("Content-Disposition"),
                 QByteArray("attachment; filename=\"dbg-debug.txt\""));
        QCOMPARE(debug.body, readAll(m_home->paths().debugLog(sessionId)));
        QVERIFY(!debug.body.isEmpty());
    }

    void refusalsSayWhy()
    {
        QCOMPARE(runToEnd({{"name", "plain"}, {"prompt", "echo hi"}}).value("exitCode").toInt(), 0);
        RawReply reply = get("/api/v1/workers/plain/logs/download?type=telemetry");
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.errorCode(), QByteArray("not_downloadable"));
        reply = get("/api/v1/workers/plain/logs/download?type=everything");
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.errorCode(), QByteArray("invalid_type"));
        reply = get("/api/v1/workers/plain/logs/download?type=debug");
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.errorCode(), QByteArray("no_logs"));
        QVERIFY(QString::fromUtf8(reply.body).contains(QStringLiteral("--debug")));
        reply = get("/api/v1/workers/nobody/logs/download");
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.errorCode(), QByteArray("not_found"));
    }

    void aClientThatDoesNotReadNeitherHoldsUpNorFillsTheDaemon()
    {
        // About 16 MB over 16 rotated files.
        const QJsonObject run = runToEnd(
            {{"name", "big"}, {"prompt", "head -c 12000000 /dev/urandom | base64 -w 100"}});
        QCOMPARE(run.value("exitCode").toInt(), 0);
        const QByteArray expected = joinedLog(m_home->paths().processLog(QStringLiteral("big")));
        QVERIFY(expected.size() > 15000000);
        const qint64 before = residentKiB(m_daemonPid);

        // Asks, then reads nothing: Qt stops taking bytes from the kernel at 64 KiB, the kernel's
        // buffers fill, and the daemon must stop reading the log rather than queue it.
        QTcpSocket slow;
        slow.setReadBufferSize(64 * 1024);
        slow.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(slow.waitForConnected(10000));
        slow.write(withPort(httpRequest("GET", "/api/v1/workers/big/logs/download"), m_port));
        QVERIFY(slow.waitForBytesWritten(10000));
        QTRY_VERIFY_WITH_TIMEOUT(slow.bytesAvailable() >= 64 * 1024, 20000);

        // The daemon answers others meanwhile, at once.
        QElapsedTimer timer;
        timer.start();
        const RawReply health = get("/api/v1/health");
        QCOMPARE(health.status, 200);
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        const qint64 during = residentKiB(m_daemonPid);
        QVERIFY2(during - before < 8 * 1024,
                 qPrintable(QStringLiteral("RSS grew from %1 to %2 KiB").arg(before).arg(during)));

        // Read on: every byte arrives, then the server closes.
        slow.setReadBufferSize(0);
        QByteArray received;
        QDeadlineTimer deadline(60000);
        while (!deadline.hasExpired() && slow.state() == QAbstractSocket::ConnectedState) {
            slow.waitForReadyRead(1000);
            received += slow.readAll();
        }
        received += slow.readAll();
        const qsizetype headEnd = received.indexOf("\r\n\r\n");
        QVERIFY(headEnd > 0);
        QVERIFY(received.left(headEnd).contains("Content-Length: " +
                                                QByteArray::number(expected.size())));
        const QByteArray body = received.mid(headEnd + 4);
        QCOMPARE(body.size(), expected.size());
        QVERIFY(body == expected);
    }
};

QTEST_GUILESS_MAIN(TestLogDownload)
#include "tst_logdownload.moc"
