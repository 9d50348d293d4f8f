// The small pieces behind sessions: names, agent profiles, run records, tails of logs.
#include "core/AgentProfile.h"
#include "core/Config.h"
#include "core/JsonFile.h"
#include "core/LogTail.h"
#include "core/RunRecord.h"
#include "core/SessionName.h"
#include "logs/LogScan.h"
#include "sessions/AttachFrame.h"
#include "sessions/SessionControl.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace standby;

class TestSessionParts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << "feature-login" << true;
        QTest::newRow("dots and underscores") << "a.b_c-1" << true;
        QTest::newRow("64 chars") << QString(64, QLatin1Char('a')) << true;
        QTest::newRow("65 chars") << QString(65, QLatin1Char('a')) << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("leading dot") << ".hidden" << false;
        QTest::newRow("dot dot") << ".." << false;
        QTest::newRow("slash") << "a/b" << false;
        QTest::newRow("space") << "a b" << false;
        QTest::newRow("unicode") << QStringLiteral("caf\u00e9") << false;
        QTest::newRow("newline") << "a\nb" << false;
        QTest::newRow("reserved") << "daemon" << false;
        QTest::newRow("digits only") << "16424" << false;
        QTest::newRow("digits and letters") << "16424a" << true;
        QTest::newRow("leading dash") << "-rf" << false;
    }
    void validNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        const Status error = SessionName::validate(name);
        QCOMPARE(!error.has_value(), valid);
        if (error)
            QCOMPARE(error->code, QStringLiteral("invalid_name"));
    }

    void generatedNamesAreReadableValidAndFree()
    {
        const QString name =
            SessionName::generate(QStringLiteral("Fix the login bug, please!"), {});
        QVERIFY2(name.startsWith(QStringLiteral("fix-the-login-")), qPrintable(name));
        QVERIFY(!SessionName::validate(name).has_value());
        QVERIFY(SessionName::generate(QStringLiteral("!!!"), {})
                    .startsWith(QStringLiteral("session-")));
        QVERIFY(!SessionName::validate(SessionName::generate(QString(500, QLatin1Char('x')), {})));
        // Avoids what is taken.
        QSet<QString> taken;
        for (int i = 0; i < 0x10000 - 1; ++i)
            taken.insert(QStringLiteral("go-%1").arg(i, 4, 16, QLatin1Char('0')));
        QCOMPARE(SessionName::generate(QStringLiteral("go"), taken), QStringLiteral("go-ffff"));
    }

    void promptIsOneArgument()
    {
        const AgentProfile profile = *AgentProfile::fromJson(
            QStringLiteral("claude"),
            QJsonObject{{"command", QJsonArray{"claude", "-p", "{prompt}", "--flag={prompt}"}}});
        const QString hostile = QStringLiteral("x\"; rm -rf / ; echo '$(id)'");
        QCOMPARE(profile.argv(hostile),
                 (QStringList{"claude", "-p", hostile, QStringLiteral("--flag=") + hostile}));
    }

    void missingAgentProgramIsNamed()
    {
        const AgentProfile profile = *AgentProfile::fromJson(
            QStringLiteral("ghost"),
            QJsonObject{{"command", QJsonArray{"no-such-program-x", "{prompt}"}}});
        QProcessEnvironment env;
        env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
        Result<QString> program = profile.resolveProgram(env);
        QVERIFY(!program.ok());
        QCOMPARE(program.error().code, QStringLiteral("agent_not_installed"));
        QVERIFY(program.error().message.contains(QStringLiteral("no-such-program-x")));
        const AgentProfile sh = *AgentProfile::fromJson(QStringLiteral("sh"),
                                                        QJsonObject{{"command", QJsonArray{"sh"}}});
        QVERIFY(sh.resolveProgram(env)->endsWith(QStringLiteral("/sh")));
        QVERIFY(
            !AgentProfile::fromJson(QStringLiteral("bad"), QJsonObject{{"command", QJsonArray{}}})
                 .ok());
        QVERIFY(
            !AgentProfile::fromJson(QStringLiteral("bad"), QJsonObject{{"command", QJsonArray{1}}})
                 .ok());
    }

    void configAgentsAndSessionSettings()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        QVERIFY(!paths.ensureLayout().has_value());
        QVERIFY(!JsonFile::write(
            paths.config(),
            QJsonObject{
                {"defaultAgent", "echo"},
                {"agents",
                 QJsonObject{{"echo", QJsonObject{{"command", QJsonArray{"echo", "{prompt}"}}}}}},
                {"sessions", QJsonObject{{"killGraceSec", 3}}}}));
        const Config config = *Config::load(paths);
        QCOMPARE(config.sessions().killGraceSec, 3);
        QCOMPARE(config.agent(QString())->name, QStringLiteral("echo"));
        // "shell" is built in even when the file does not list it.
        QCOMPARE(config.agent(QStringLiteral("shell"))->command.constFirst(),
                 QStringLiteral("/bin/sh"));
        const Result<AgentProfile> unknown = config.agent(QStringLiteral("nope"));
        QCOMPARE(unknown.error().code, QStringLiteral("unknown_agent"));
        QVERIFY(unknown.error().message.contains(QStringLiteral("echo, shell")));
    }

    void runIdsSortByTime()
    {
        const QString earlier = RunRecord::newRunId(1775498920401);
        const QString later = RunRecord::newRunId(1775498920402);
        QVERIFY(RunRecord::isValidRunId(earlier));
        QVERIFY(earlier.left(11) < later.left(11));
        QVERIFY(!RunRecord::isValidRunId(QStringLiteral("r-../../x")));
        QVERIFY(!RunRecord::isValidRunId(QStringLiteral("x-123")));
    }

    void runRecordsRoundTripAndListNewestFirst()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        QVERIFY(!paths.ensureLayout().has_value());
        for (int i = 0; i < 5; ++i) {
            RunRecord record;
            record.runId = RunRecord::newRunId(1775498920000 + i * 1000);
            record.name = QStringLiteral("run%1").arg(i);
            record.env.insert(QStringLiteral("TOKEN"), QStringLiteral("secret"));
            record.status = RunRecord::State::Exited;
            record.exitCode = i;
            QVERIFY(!record.write(paths).has_value());
        }
        const QList<RunRecord> newest = RunRecord::list(paths, 3);
        QCOMPARE(newest.size(), 3);
        QCOMPARE(newest.at(0).name, QStringLiteral("run4"));
        QCOMPARE(newest.at(2).name, QStringLiteral("run2"));
        QCOMPARE(newest.at(0).env.value(QStringLiteral("TOKEN")), QStringLiteral("secret"));
        const QJsonObject shown = newest.at(0).toPublicJson();
        QVERIFY(!shown.contains(QStringLiteral("env")));
        QCOMPARE(shown.value("envKeys").toArray(), QJsonArray{"TOKEN"});
        QCOMPARE(shown.value("exitCode").toInt(), 4);
        QCOMPARE(RunRecord::read(paths, QStringLiteral("r-zzzz")).error().code,
                 QStringLiteral("not_found"));
    }

    void oldRunRecordsArePruned()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        QVERIFY(!paths.ensureLayout().has_value());
        QStringList ids;
        for (int i = 0; i < 30; ++i) {
            RunRecord record;
            record.runId = RunRecord::newRunId(1775498920000 + i * 1000);
            record.status = RunRecord::State::Exited;
            // The oldest run is still going (its holder is this process): it must stay.
            if (i == 0) {
                record.status = RunRecord::State::Running;
                record.pid = QCoreApplication::applicationPid();
                record.holderStart = ProcessTable::system().startTime(record.pid).value();
            }
            QVERIFY(!record.write(paths).has_value());
            ids.append(record.runId);
        }
        QCOMPARE(RunRecord::prune(paths, 10, 5), 5); // bounded per call
        QCOMPARE(RunRecord::prune(paths, 10), 14);
        QCOMPARE(RunRecord::prune(paths, 10), 0);
        const QStringList left = QDir(paths.runsDir()).entryList(QDir::Files, QDir::Name);
        QCOMPARE(left.size(), 11);
        QCOMPARE(left.first(), ids.first() + QStringLiteral(".json"));
        QCOMPARE(left.last(), ids.last() + QStringLiteral(".json"));
    }

    void logScanFiltersFromTheEndWithinItsBudget()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big.log"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int i = 0; i < 200000; ++i)
            file.write((i % 1000 == 0 ? "match " : "other ") + QByteArray::number(i) + '\n');
        file.write("no newline at the end");
        file.close();
        LogScan::Result all = LogScan::lastLines(path, 2);
        QCOMPARE(all.lines, (QList<QByteArray>{"other 199999", "no newline at the end"}));
        const auto matches = [](const QByteArray &line) { return line.startsWith("match"); };
        LogScan::Result found = LogScan::lastLines(path, 3, matches);
        QCOMPARE(found.lines, (QList<QByteArray>{"match 197000", "match 198000", "match 199000"}));
        QVERIFY(!found.truncated);
        // Everything from the very first line, across block boundaries.
        found = LogScan::lastLines(path, 1000, matches);
        QCOMPARE(found.lines.size(), 200);
        QCOMPARE(found.lines.first(), QByteArray("match 0"));
        // A budget stops the search early, and says so.
        found = LogScan::lastLines(path, 1000, matches, 100000);
        QVERIFY(found.truncated);
        QVERIFY(found.lines.size() < 200);
    }

    void tailReadsFromTheEnd()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("log"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int i = 0; i < 100000; ++i)
            file.write("line " + QByteArray::number(i) + '\n');
        file.close();
        QCOMPARE(LogTail::lastLines(path, 3), QByteArray("line 99997\nline 99998\nline 99999"));
        QCOMPARE(LogTail::lastLines(path, 1), QByteArray("line 99999"));
        QCOMPARE(LogTail::lastLines(path, 0), QByteArray());
        // Bounded: it never reads more than asked, and then drops the cut first line.
        const QByteArray bounded = LogTail::lastLines(path, 100000, 1000);
        QVERIFY(bounded.size() <= 1000);
        QVERIFY(bounded.startsWith("line "));
        QVERIFY(bounded.endsWith("line 99999"));

        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("only\nno newline at end");
        file.close();
        QCOMPARE(LogTail::lastLines(path, 5), QByteArray("only\nno newline at end"));
        QCOMPARE(LogTail::lastLines(dir.filePath(QStringLiteral("missing")), 5), QByteArray());
    }

    void signalNames()
    {
        QCOMPARE(SessionControl::parseSignal(QStringLiteral("TERM")), SIGTERM);
        QCOMPARE(SessionControl::parseSignal(QStringLiteral("sigkill")), SIGKILL);
        QCOMPARE(SessionControl::parseSignal(QStringLiteral("2")), SIGINT);
        QVERIFY(!SessionControl::parseSignal(QStringLiteral("STOP")).has_value());
        QVERIFY(!SessionControl::parseSignal(QStringLiteral("999")).has_value());
        QCOMPARE(SessionControl::signalName(SIGUSR1), QStringLiteral("USR1"));
    }

    void attachFramesSurviveAnySplit()
    {
        QByteArray binary;
        for (int i = 0; i < 256; ++i)
            binary.append(char(i));
        const QByteArray stream = AttachFrame::encode(AttachFrame::Attach) +
                                  AttachFrame::encode(AttachFrame::Stdout, binary) +
                                  AttachFrame::encode(AttachFrame::Input, "line\n");
        // Byte by byte, as a slow socket would deliver it.
        AttachFrameReader reader;
        QList<AttachFrame> frames;
        for (char c : stream) {
            reader.feed(QByteArray(1, c));
            while (std::optional<AttachFrame> frame = reader.next())
                frames.append(*frame);
        }
        QCOMPARE(frames.size(), 3);
        QCOMPARE(frames[0].type, AttachFrame::Attach);
        QVERIFY(frames[0].payload.isEmpty());
        QCOMPARE(frames[1].type, AttachFrame::Stdout);
        QCOMPARE(frames[1].payload, binary);
        QCOMPARE(frames[2].payload, QByteArray("line\n"));
        QCOMPARE(reader.buffered(), 0);
    }

    void attachFramesRefuseGarbageAndOversize()
    {
        AttachFrameReader garbage;
        garbage.feed("GET / HTTP/1.1\r\n");
        QVERIFY(!garbage.next().has_value());
        QVERIFY(garbage.error().contains(QLatin1String("unknown frame type")));

        AttachFrameReader oversize;
        QByteArray head = AttachFrame::encode(AttachFrame::Input).left(1);
        head.append("\x7f\xff\xff\xff", 4);
        oversize.feed(head);
        QVERIFY(!oversize.next().has_value());
        QVERIFY(oversize.error().contains(QLatin1String("over the limit")));
        // Nothing it fed is kept.
        QCOMPARE(oversize.buffered(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSessionParts)
#include "tst_sessionparts.moc"
