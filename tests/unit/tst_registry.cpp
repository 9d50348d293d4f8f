#include "core/JsonFile.h"
#include "core/Registry.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/stat.h>

using namespace standby;

namespace {

// A process table the test controls: which PIDs exist and when each started.
class FakeProcessTable : public ProcessTable
{
public:
    QHash<qint64, quint64> started;
    bool exists(qint64 pid) const override { return started.contains(pid); }
    std::optional<ProcessStat> stat(qint64 pid) const override
    {
        if (!started.contains(pid))
            return std::nullopt;
        ProcessStat stat;
        stat.state = 'S';
        stat.startTime = started.value(pid);
        return stat;
    }
};

RegistryEntry localEntry(qint64 pid, const QString &name, quint64 procStart)
{
    RegistryEntry entry;
    entry.pid = pid;
    entry.sessionId = QStringLiteral("bg-%1").arg(pid);
    entry.name = name;
    entry.cwd = QStringLiteral("/home/u/proj");
    entry.startedAt = 1775498920401 + pid;
    entry.kind = RegistryEntry::Kind::Bg;
    entry.url = QStringLiteral("http://127.0.0.1:8080");
    entry.version = QStringLiteral("0.1.0");
    entry.hostname = QStringLiteral("box");
    entry.agent = QStringLiteral("shell");
    entry.childPid = pid + 1;
    entry.log = QStringLiteral("/home/u/.standby/logs/%1.log").arg(name);
    entry.runId = QStringLiteral("r-1");
    entry.procStart = procStart;
    return entry;
}

} // namespace

class TestRegistry : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Paths paths() const { return Paths(m_dir.path()); }

private Q_SLOTS:
    void init()
    {
        QDir(paths().sessionsDir()).removeRecursively();
        QVERIFY(!paths().ensureLayout().has_value());
    }

    void pidFileHasTheDocumentedShape()
    {
        const QJsonObject json = localEntry(12345, QStringLiteral("feature-login"), 99).toJson();
        QStringList keys = json.keys();
        keys.sort();
        QStringList expected{"pid",   "sessionId", "name", "cwd",     "startedAt",
                             "kind",  "url",       "mode", "version", "hostname",
                             "agent", "childPid",  "log",  "runId",   "procStart"};
        expected.sort();
        QCOMPARE(keys, expected);
        QCOMPARE(json.value("pid").toInteger(), 12345);
        QCOMPARE(json.value("kind").toString(), QStringLiteral("bg"));
        QCOMPARE(json.value("mode").toString(), QStringLiteral("local"));
        QCOMPARE(json.value("procStart").toInteger(), 99);

        Result<RegistryEntry> back = RegistryEntry::fromJson(json);
        QVERIFY(back.ok());
        QCOMPARE(back->name, QStringLiteral("feature-login"));
        QCOMPARE(back->childPid, 12346);
        QCOMPARE(back->procStart, 99u);
    }

    void rejectsMalformedEntries_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("no pid") << QByteArray("{\"sessionId\":\"s\",\"kind\":\"bg\"}");
        QTest::newRow("negative pid")
            << QByteArray("{\"pid\":-4,\"sessionId\":\"s\",\"kind\":\"bg\"}");
        QTest::newRow("fraction pid")
            << QByteArray("{\"pid\":1.5,\"sessionId\":\"s\",\"kind\":\"bg\"}");
        QTest::newRow("string pid")
            << QByteArray("{\"pid\":\"7\",\"sessionId\":\"s\",\"kind\":\"bg\"}");
        QTest::newRow("bad kind") << QByteArray(
            "{\"pid\":7,\"sessionId\":\"s\",\"kind\":\"zombie\"}");
        QTest::newRow("no session") << QByteArray("{\"pid\":7,\"kind\":\"bg\"}");
        QTest::newRow("remote without id")
            << QByteArray("{\"mode\":\"remote\",\"sessionId\":\"s\",\"kind\":\"bg\"}");
    }
    void rejectsMalformedEntries()
    {
        QFETCH(QByteArray, json);
        QVERIFY(!RegistryEntry::fromJson(QJsonDocument::fromJson(json).object()).ok());
    }

    void writesAtomicallyWithPrivateMode()
    {
        FakeProcessTable table;
        table.started.insert(500, 7);
        const Registry registry(paths(), table);
        QVERIFY(!registry.add(localEntry(500, QStringLiteral("a"), 7)).has_value());
        struct stat st
        {
        };
        QCOMPARE(::stat(QFile::encodeName(paths().pidFile(500)).constData(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        // QSaveFile leaves no temporary beside it.
        QCOMPARE(QDir(paths().sessionsDir()).entryList(QDir::Files).size(), 1);
    }

    void listsAndFindsLiveEntries()
    {
        FakeProcessTable table;
        table.started.insert(500, 7);
        table.started.insert(600, 8);
        const Registry registry(paths(), table);
        QVERIFY(!registry.add(localEntry(500, QStringLiteral("alpha"), 7)).has_value());
        QVERIFY(!registry.add(localEntry(600, QStringLiteral("700"), 8)).has_value());
        QCOMPARE(registry.list().size(), 2);
        QCOMPARE(registry.find(QStringLiteral("500"))->name, QStringLiteral("alpha"));
        QCOMPARE(registry.find(QStringLiteral("alpha"))->pid, 500);
        // A name made of digits is found by name when no PID matches.
        QCOMPARE(registry.find(QStringLiteral("700"))->pid, 600);
        QVERIFY(!registry.find(QStringLiteral("nobody")).has_value());
        QVERIFY(!registry.find(QString()).has_value());
    }

    void reusedPidIsNotAlive()
    {
        FakeProcessTable table;
        table.started.insert(500, 7);
        const Registry registry(paths(), table);
        QVERIFY(!registry.add(localEntry(500, QStringLiteral("alpha"), 7)).has_value());
        QCOMPARE(registry.list().size(), 1);
        // The worker died and another process got its PID: same number, later start time.
        table.started.insert(500, 12345);
        QVERIFY(registry.list().isEmpty());
        QVERIFY(!registry.find(QStringLiteral("500")).has_value());
        QCOMPARE(registry.sweep(), 1);
        QVERIFY(!QFile::exists(paths().pidFile(500)));
    }

    void realProcessTableKnowsThisProcess()
    {
        const ProcessTable &table = ProcessTable::system();
        const qint64 self = QCoreApplication::applicationPid();
        const std::optional<quint64> started = table.startTime(self);
        QVERIFY(started.has_value());
        QVERIFY(*started > 0);
        QVERIFY(table.isAlive(self, *started));
        QVERIFY(!table.isAlive(self, *started + 1));
        QVERIFY(!table.exists(0));
        QVERIFY(!table.exists(-1));
    }

    void entriesFromBeforeTheLastBootAreDead()
    {
        // This very process, correctly described, but by a file written before the boot: after a
        // reboot PIDs and start ticks begin again, so such a file can match a stranger.
        const qint64 self = QCoreApplication::applicationPid();
        const quint64 started = ProcessTable::system().startTime(self).value();
        const Registry registry(paths());
        QVERIFY(!registry.add(localEntry(self, QStringLiteral("old"), started)).has_value());
        QCOMPARE(registry.list().size(), 1);
        QFile file(paths().pidFile(self));
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(
            file.setFileTime(QDateTime::fromMSecsSinceEpoch(ProcessTable::bootTimeMs() - 3600000),
                             QFileDevice::FileModificationTime));
        file.close();
        QVERIFY(registry.list().isEmpty());
        QVERIFY(!registry.isNameTaken(QStringLiteral("old")));
    }

    void signalsOnlyTheRecordedProcess()
    {
        const qint64 self = QCoreApplication::applicationPid();
        const quint64 started = ProcessTable::system().startTime(self).value();
        QCOMPARE(ProcessTable::signalIfAlive(self, started + 1, SIGTERM).value_or(Error{}).code,
                 QStringLiteral("not_found"));
        QVERIFY(!ProcessTable::signalIfAlive(self, started, 0).has_value()); // signal 0: a probe
    }

    void sweepRemovesDeadAndKeepsForeignFiles()
    {
        FakeProcessTable table;
        table.started.insert(500, 7);
        const Registry registry(paths(), table);
        QVERIFY(!registry.add(localEntry(500, QStringLiteral("alive"), 7)).has_value());
        QVERIFY(!registry.add(localEntry(501, QStringLiteral("dead"), 9)).has_value());
        QFile garbage(paths().sessionsDir() + QStringLiteral("/999.json"));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("{not json");
        garbage.close();

        QCOMPARE(registry.list().size(), 1);
        QCOMPARE(registry.sweep(), 1);
        QVERIFY(QFile::exists(paths().pidFile(500)));
        QVERIFY(!QFile::exists(paths().pidFile(501)));
        QVERIFY(garbage.exists()); // not ours to delete
    }

    void remoteEntriesLiveOnHeartbeats()
    {
        qint64 now = 1000000;
        FakeProcessTable table;
        const Registry registry(paths(), table, [&now] { return now; });
        Result<RegistryEntry> added = registry.addRemote(
            QStringLiteral("http://127.0.0.1:9000"), QStringLiteral("far"), QStringLiteral("box2"));
        QVERIFY(added.ok());
        QVERIFY(added->id.startsWith(QStringLiteral("manual-")));
        QVERIFY(QFile::exists(paths().manualFile(added->id)));
        QCOMPARE(registry.find(added->id)->name, QStringLiteral("far"));

        now += Registry::kHeartbeatTtlMs - 1;
        QCOMPARE(registry.list().size(), 1);
        QVERIFY(registry.heartbeat(added->id).ok());
        now += Registry::kHeartbeatTtlMs - 1;
        QCOMPARE(registry.list().size(), 1); // the heartbeat renewed it
        now += 2;
        QVERIFY(registry.list().isEmpty());
        QCOMPARE(registry.sweep(), 1);
        QVERIFY(!registry.heartbeat(added->id).ok());
    }

    void remoteIdsCannotEscapeTheFolder()
    {
        const Registry registry(paths());
        QCOMPARE(registry.heartbeat(QStringLiteral("manual-../../daemon")).error().code,
                 QStringLiteral("not_found"));
        QCOMPARE(registry.removeRemote(QStringLiteral("manual-../x")).value_or(Error{}).code,
                 QStringLiteral("not_found"));
        QCOMPARE(registry.heartbeat(QStringLiteral("12")).error().code,
                 QStringLiteral("not_found"));
    }

    void oversizeEntryIsIgnored()
    {
        FakeProcessTable table;
        table.started.insert(77, 1);
        QFile big(paths().pidFile(77));
        QVERIFY(big.open(QIODevice::WriteOnly));
        big.write("{\"pid\":77,\"sessionId\":\"s\",\"kind\":\"bg\",\"name\":\"");
        big.write(QByteArray(200 * 1024, 'x'));
        big.write("\"}");
        big.close();
        const Registry registry(paths(), table);
        QVERIFY(registry.list().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
