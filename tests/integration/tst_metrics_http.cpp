// Metrics over real sockets: a real daemon sampling real sessions (a busy loop, a sleep, a shell
// with children), its JSON and its Prometheus exposition.
#include "common/PrometheusCheck.h"
#include "common/RawHttp.h"
#include "common/TestHome.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <csignal>

using namespace standby;
using namespace standby::test;

class TestMetricsHttp : public QObject
{
    Q_OBJECT

private:
    TestHome m_home;
    TestHome::Served m_daemon;

    RawReply get(const QByteArray &path) const
    {
        return rawExchange(m_daemon.port(), httpRequest("GET", path));
    }

    QJsonObject getData(const QByteArray &path) const
    {
        return QJsonDocument::fromJson(get(path).body).object().value("data").toObject();
    }

    // Starts a background session through the API; its name.
    QString startRun(const QString &name, const QString &prompt) const
    {
        const QByteArray body =
            QJsonDocument(QJsonObject{{"prompt", prompt}, {"name", name}}).toJson();
        const RawReply reply =
            rawExchange(m_daemon.port(), httpRequest("POST", "/api/v1/runs", body));
        return reply.status == 202 ? name : QString();
    }

    void killRun(const QString &name) const
    {
        rawExchange(m_daemon.port(),
                    httpRequest("DELETE", "/api/v1/workers/" + name.toUtf8() + "?signal=KILL"));
    }

    // The session's figures once its agent runs and it has been sampled `samples` times; empty
    // while not.
    QJsonObject sampled(const QString &name, int samples = 1) const
    {
        const RawReply reply = get("/api/v1/workers/" + name.toUtf8() + "/metrics");
        if (reply.status != 200)
            return {};
        const QJsonObject worker =
            QJsonDocument::fromJson(reply.body).object().value("data").toObject();
        return worker.value("history").toArray().size() >= samples ? worker : QJsonObject();
    }

    static QString describe(const QJsonObject &object)
    {
        return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_home.writeConfig(QJsonObject{{"metrics", QJsonObject{{"intervalSec", 1}}}});
        m_daemon = m_home.serve({QStringLiteral("--port"), QStringLiteral("0")});
        QVERIFY2(m_daemon.port() > 0, m_daemon.process->readAllStandardError().constData());
    }

    void theFirstAnswerAlreadyHasTheWorkers()
    {
        // Nobody has asked yet, so no tree has been walked; the request wakes sampling and is
        // answered by that pass, with the daemon itself among the workers.
        const RawReply reply = get("/api/v1/metrics");
        QCOMPARE(reply.status, 200);
        QVERIFY(reply.header("Content-Type").startsWith("application/json"));
        const QJsonObject data =
            QJsonDocument::fromJson(reply.body).object().value("data").toObject();
        QCOMPARE(data.value("intervalMs").toInt(), 1000);
        const QJsonArray workers = data.value("workers").toArray();
        QVERIFY2(!workers.isEmpty(), reply.body.constData());
        const QJsonObject daemon = workers.first().toObject();
        QCOMPARE(daemon.value("kind").toString(), QStringLiteral("daemon"));
        QCOMPARE(daemon.value("pid").toInteger(), m_daemon.pid());
        QCOMPARE(daemon.value("name").toString(), QStringLiteral("standbyd"));
    }

    void shapeAndPlausibleValues()
    {
        const QJsonObject data = getData("/api/v1/metrics");
        QCOMPARE(data.keys(),
                 (QStringList{"history", "intervalMs", "sampledAt", "system", "workers"}));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(qAbs(now - data.value("sampledAt").toInteger()) < 60000);
        const QJsonObject system = data.value("system").toObject();
        QCOMPARE(system.keys(),
                 (QStringList{"cpuCount", "cpuPercent", "diskTotalBytes", "diskUsedBytes", "load1",
                              "load15", "load5", "memoryTotalBytes", "memoryUsedBytes",
                              "swapTotalBytes", "swapUsedBytes", "uptimeSec"}));
        QVERIFY(system.value("cpuCount").toInt() >= 1);
        QVERIFY(system.value("memoryTotalBytes").toInteger() > 0);
        QVERIFY(system.value("memoryUsedBytes").toInteger() > 0);
        QVERIFY(system.value("memoryUsedBytes").toInteger() <=
                system.value("memoryTotalBytes").toInteger());
        QVERIFY(system.value("swapUsedBytes").toInteger() <=
                system.value("swapTotalBytes").toInteger());
        QVERIFY(system.value("diskTotalBytes").toInteger() > 0);
        QVERIFY(system.value("diskUsedBytes").toInteger() <=
                system.value("diskTotalBytes").toInteger());
        const double cpu = system.value("cpuPercent").toDouble(-1);
        QVERIFY(cpu >= 0 && cpu <= 100);
        QVERIFY(system.value("load1").toDouble(-1) >= 0);
        QVERIFY(system.value("uptimeSec").toInteger() > 0);

        const QJsonObject daemon = data.value("workers").toArray().first().toObject();
        QCOMPARE(daemon.keys(),
                 (QStringList{"cpuPercent", "fds", "history", "kind", "name", "pid", "processes",
                              "readBytes", "rssBytes", "threads", "uptimeSec", "writeBytes"}));
        QVERIFY(daemon.value("processes").toInt() >= 1);
        QVERIFY(daemon.value("rssBytes").toInteger() > 1024 * 1024);
        QVERIFY(daemon.value("threads").toInt() >= 1);
        QVERIFY(daemon.value("fds").toInt() >= 3);
        QVERIFY(daemon.value("uptimeSec").toInteger() >= 0);
        // Our own process: its io is readable.
        QVERIFY(daemon.value("readBytes").toInteger() > 0);

        // ?history=0 leaves the history arrays out; anything else but 0/1 is refused.
        const QJsonObject bare = getData("/api/v1/metrics?history=0");
        QVERIFY(!bare.contains("history"));
        QVERIFY(!bare.value("workers").toArray().first().toObject().contains("history"));
        const RawReply refused = get("/api/v1/metrics?history=maybe");
        QCOMPARE(refused.status, 400);
        QCOMPARE(refused.errorCode(), QByteArray("invalid_history"));
    }

    void busyAndSleepingSessionsAreToldApart()
    {
        QVERIFY(!startRun("spin", "while :; do :; done").isEmpty());
        QVERIFY(!startRun("nap", "sleep 600").isEmpty());
        // After a few samples (1 s apart) the figures are deltas over the last second: the loop
        // keeps a core busy, even on a loaded 2-core machine sharing it, while sleep uses none.
        QJsonObject spin;
        QJsonObject nap;
        QTRY_VERIFY2_WITH_TIMEOUT(
            !(spin = sampled("spin", 3)).isEmpty() && !(nap = sampled("nap", 3)).isEmpty() &&
                spin.value("cpuPercent").toDouble() > 10 && nap.value("cpuPercent").toDouble() < 5,
            qPrintable(describe(spin) + describe(nap)), 30000);
        killRun("spin");
        QVERIFY(nap.value("rssBytes").toInteger() > 0);
        // Holder, and sleep (the shell execs it, or waits for it: one more).
        QVERIFY2(nap.value("processes").toInt() >= 2, qPrintable(describe(nap)));
        killRun("nap");
    }

    void childrenAreCountedInTheTree()
    {
        QVERIFY(!startRun("family", "sleep 600 & sleep 600 & sleep 600 & wait").isEmpty());
        QJsonObject family;
        // Holder, the shell and its three children.
        QTRY_VERIFY2_WITH_TIMEOUT(!(family = sampled("family")).isEmpty() &&
                                      family.value("processes").toInt() >= 5,
                                  qPrintable(describe(family)), 20000);
        QVERIFY(family.value("rssBytes").toInteger() > 0);
        QVERIFY(family.value("threads").toInt() >= family.value("processes").toInt());
        QVERIFY(family.value("fds").toInt() > 0);
        QCOMPARE(family.value("kind").toString(), QStringLiteral("bg"));
        // By PID as well as by name.
        const QByteArray pid = QByteArray::number(family.value("pid").toInteger());
        QCOMPARE(getData("/api/v1/workers/" + pid + "/metrics").value("name").toString(),
                 QStringLiteral("family"));
        killRun("family");
    }

    void historyGrowsOverTicks()
    {
        QVERIFY(!startRun("ticker", "sleep 600").isEmpty());
        QJsonObject first;
        QTRY_VERIFY_WITH_TIMEOUT(!(first = sampled("ticker")).isEmpty(), 20000);
        const qsizetype before = first.value("history").toArray().size();
        const qsizetype systemBefore = getData("/api/v1/metrics").value("history").toArray().size();
        QJsonObject later;
        QTRY_VERIFY_WITH_TIMEOUT(!(later = sampled("ticker", int(before) + 2)).isEmpty(), 20000);
        const QJsonArray points = later.value("history").toArray();
        for (qsizetype i = 1; i < points.size(); ++i)
            QVERIFY(points.at(i).toObject().value("time").toInteger() >
                    points.at(i - 1).toObject().value("time").toInteger());
        QVERIFY(points.last().toObject().value("rssBytes").toInteger() > 0);
        QVERIFY(getData("/api/v1/metrics").value("history").toArray().size() > systemBefore);
        killRun("ticker");
    }

    void unknownWorkersAre404()
    {
        RawReply reply = get("/api/v1/workers/no-such-worker/metrics");
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.errorCode(), QByteArray("not_found"));
        reply = get("/api/v1/workers/999999999/metrics");
        QCOMPARE(reply.status, 404);
        // A remote worker has no local processes to measure.
        const RawReply added = rawExchange(
            m_daemon.port(), httpRequest("POST", "/api/v1/workers",
                                         "{\"url\":\"http://127.0.0.1:9\",\"name\":\"far\"}"));
        QCOMPARE(added.status, 201);
        reply = get("/api/v1/workers/far/metrics");
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.errorCode(), QByteArray("not_found"));
    }

    void prometheusExpositionIsWellFormed()
    {
        QVERIFY(!startRun("scraped", "while :; do :; done").isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!sampled("scraped", 2).isEmpty(), 20000);
        RawReply reply = get("/metrics");
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("Content-Type"),
                 QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        PromExposition parsed = parsePrometheus(reply.body);
        QVERIFY2(parsed.problems.isEmpty(), qPrintable(parsed.problems.join('\n')));
        for (const char *name :
             {"process_cpu_seconds_total", "process_resident_memory_bytes",
              "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
              "process_start_time_seconds", "standby_worker_cpu_seconds_total",
              "standby_worker_resident_memory_bytes", "standby_worker_processes",
              "standby_worker_open_fds", "standby_workers", "standby_runs",
              "standby_system_cpu_ratio", "standby_up", "standby_build_info"})
            QVERIFY2(parsed.families.contains(QLatin1String(name)), name);
        QCOMPARE(parsed.families.value("standby_up").samples.first().value, 1.0);
        QCOMPARE(parsed.families.value("process_open_fds").type, QStringLiteral("gauge"));
        QVERIFY(parsed.families.value("process_resident_memory_bytes").samples.first().value >
                1024 * 1024);
        const double start =
            parsed.families.value("process_start_time_seconds").samples.first().value;
        QVERIFY(qAbs(start - double(QDateTime::currentMSecsSinceEpoch()) / 1000) < 3600);
        const double ratio =
            parsed.families.value("standby_system_cpu_ratio").samples.first().value;
        QVERIFY(ratio >= 0 && ratio <= 1);

        auto workerValue = [](const PromExposition &p, const char *family, const QString &name) {
            for (const PromSample &s : p.families.value(QLatin1String(family)).samples) {
                if (s.labels.value("name") == name && s.labels.value("kind") == QLatin1String("bg"))
                    return s.value;
            }
            return -1.0;
        };
        const double cpuBefore = workerValue(parsed, "standby_worker_cpu_seconds_total", "scraped");
        QVERIFY(cpuBefore > 0);
        QVERIFY(workerValue(parsed, "standby_worker_resident_memory_bytes", "scraped") > 0);
        QVERIFY(workerValue(parsed, "standby_worker_processes", "scraped") >= 2);
        QVERIFY(workerValue(parsed, "standby_worker_open_fds", "scraped") > 0);
        bool running = false;
        for (const PromSample &s : parsed.families.value("standby_workers").samples)
            running =
                running || (s.labels.value("kind") == QLatin1String("bg") &&
                            s.labels.value("status") == QLatin1String("running") && s.value >= 1);
        QVERIFY(running);
        // Run records by status, every status present; this test's own run is running.
        QMap<QString, double> runs;
        for (const PromSample &s : parsed.families.value("standby_runs").samples)
            runs.insert(s.labels.value("status"), s.value);
        QCOMPARE(runs.keys(), (QStringList{"accepted", "exited", "failed", "killed", "running"}));
        QVERIFY(runs.value("running") >= 1);

        // The busy tree's CPU counter moves on between scrapes.
        QTRY_VERIFY_WITH_TIMEOUT(workerValue(parsePrometheus(get("/metrics").body),
                                             "standby_worker_cpu_seconds_total",
                                             "scraped") > cpuBefore,
                                 20000);
        killRun("scraped");

        // The access checks hold here as everywhere: a foreign Host reaches nothing.
        reply = rawExchange(m_daemon.port(), "GET /metrics HTTP/1.1\r\nHost: evil.example:" +
                                                 QByteArray::number(m_daemon.port()) + "\r\n\r\n");
        QCOMPARE(reply.status, 421);
    }

    void promtoolAcceptsTheExposition()
    {
        const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
        if (promtool.isEmpty())
            QSKIP("promtool is not installed (Debian package prometheus, which "
                  "scripts/setup-deps.sh installs); the exposition was checked by the test's own "
                  "parser only");
        QVERIFY(!startRun("linted", "sleep 600").isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!sampled("linted").isEmpty(), 20000);
        const RawReply reply = get("/metrics");
        QCOMPARE(reply.status, 200);
        QProcess check;
        check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY(check.waitForStarted(10000));
        check.write(reply.body);
        check.closeWriteChannel();
        QVERIFY(check.waitForFinished(30000));
        const QByteArray said = check.readAllStandardOutput() + check.readAllStandardError();
        QVERIFY2(check.exitStatus() == QProcess::NormalExit && check.exitCode() == 0,
                 qPrintable(QString::fromUtf8(said + "\n--- exposition:\n" + reply.body)));
        killRun("linted");
    }

    void cleanupTestCase()
    {
        if (m_daemon.process) {
            ::kill(pid_t(m_daemon.pid()), SIGTERM);
            QVERIFY(m_daemon.process->waitForFinished(20000));
        }
    }
};

QTEST_GUILESS_MAIN(TestMetricsHttp)
#include "tst_metrics_http.moc"
