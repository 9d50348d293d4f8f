#include "core/Config.h"
#include "core/DaemonRecord.h"
#include "core/JsonFile.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace standby;

class TestStateFiles : public QObject
{
    Q_OBJECT

private:
    static void writeRaw(const QString &path, const QByteArray &bytes)
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(bytes);
    }

private Q_SLOTS:
    void jsonFileErrors()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x.json"));
        QCOMPARE(JsonFile::read(path).error().code, QStringLiteral("not_found"));
        writeRaw(path, "{\"a\": ");
        QCOMPARE(JsonFile::read(path).error().code, QStringLiteral("invalid_json"));
        writeRaw(path, "[1,2]");
        QCOMPARE(JsonFile::read(path).error().code, QStringLiteral("invalid_json"));
        writeRaw(path, "{\"a\":\"" + QByteArray(2000, 'x') + "\"}");
        QCOMPARE(JsonFile::read(path, 1000).error().code, QStringLiteral("too_large"));
        QVERIFY(JsonFile::read(path, 4000).ok());
    }

    void jsonFileWriteIsPrivate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x.json"));
        QVERIFY(!JsonFile::write(path, QJsonObject{{"k", 1}}).has_value());
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QCOMPARE(JsonFile::read(path)->value("k").toInt(), 1);
        QVERIFY(JsonFile::write(dir.filePath(QStringLiteral("missing/x.json")), {}).has_value());
    }

    void configIsCreatedWithDefaults()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        QVERIFY(!paths.ensureLayout().has_value());
        Result<Config> config = Config::load(paths);
        QVERIFY(config.ok());
        QVERIFY(QFile::exists(paths.config()));
        QCOMPARE(config->http().maxConnections, 256);
        QCOMPARE(config->daemon().stopGraceSec, 5);
        const QJsonObject written = *JsonFile::read(paths.config());
        QCOMPARE(written.value("defaultAgent").toString(), QStringLiteral("shell"));
        QCOMPARE(written.value("agents").toObject().value("shell").toObject().value("command"),
                 QJsonValue(QJsonArray{"/bin/sh", "-c", "{prompt}"}));
    }

    void configFallsBackPerKeyAndSaysWhy()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        QVERIFY(!paths.ensureLayout().has_value());
        writeRaw(paths.config(), R"({"http":{"maxConnections":-3,"idleTimeoutSec":7,
                                     "maxBodyBytes":"big"},"daemon":{"stopGraceSec":1.5}})");
        Result<Config> config = Config::load(paths);
        QVERIFY(config.ok());
        QCOMPARE(config->http().maxConnections, 256);
        QCOMPARE(config->http().idleTimeoutSec, 7);
        QCOMPARE(config->http().maxBodyBytes, 1024 * 1024);
        QCOMPARE(config->daemon().stopGraceSec, 5);
        QCOMPARE(config->warnings().size(), 3);
        QVERIFY(config->warnings().join('\n').contains(QStringLiteral("http.maxConnections")));
    }

    void brokenConfigIsAnErrorNamingTheFile()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        QVERIFY(!paths.ensureLayout().has_value());
        writeRaw(paths.config(), "{\"http\": {,}");
        Result<Config> config = Config::load(paths);
        QVERIFY(!config.ok());
        QCOMPARE(config.error().code, QStringLiteral("invalid_json"));
        QVERIFY(config.error().message.contains(paths.config()));
        // The user's file is left as it was.
        QFile file(paths.config());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("{\"http\": {,}"));
    }

    void daemonRecordRoundTripAndOwnership()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        DaemonRecord record;
        record.pid = QCoreApplication::applicationPid();
        record.procStart = ProcessTable::system().startTime(record.pid).value_or(0);
        record.endpoint = QStringLiteral("http://127.0.0.1:4000");
        record.host = QStringLiteral("127.0.0.1");
        record.port = 4000;
        record.requestedPort = 4000;
        record.startedAt = 123;
        record.auth = QStringLiteral("none");
        record.version = QStringLiteral("0.1.0");
        QVERIFY(!record.write(paths).has_value());
        Result<DaemonRecord> back = DaemonRecord::read(paths);
        QVERIFY(back.ok());
        QCOMPARE(back->port, 4000);
        QCOMPARE(back->requestedPort, 4000);
        QVERIFY(back->isAlive());
        const QJsonObject status = back->toStatusJson();
        QCOMPARE(status.value("status").toString(), QStringLiteral("running"));
        QCOMPARE(status.value("endpoint").toString(), record.endpoint);

        // Another daemon's cleanup must not remove this daemon's record...
        DaemonRecord::removeIfOwnedBy(paths, record.pid + 1);
        QVERIFY(QFile::exists(paths.daemonRecord()));
        DaemonRecord::removeIfOwnedBy(paths, record.pid);
        QVERIFY(!QFile::exists(paths.daemonRecord()));
    }

    void daemonRecordRejectsGarbage_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("no pid") << QByteArray(R"({"port":1,"endpoint":"e","host":"h"})");
        QTest::newRow("port too big")
            << QByteArray(R"({"pid":5,"port":70000,"endpoint":"e","host":"h"})");
        QTest::newRow("no endpoint") << QByteArray(R"({"pid":5,"port":80,"host":"h"})");
    }
    void daemonRecordRejectsGarbage()
    {
        QFETCH(QByteArray, json);
        QVERIFY(!DaemonRecord::fromJson(QJsonDocument::fromJson(json).object()).ok());
    }
};

QTEST_GUILESS_MAIN(TestStateFiles)
#include "tst_statefiles.moc"
