// A session's logs end to end: rotation read across, the debug log, the transcript, the CLI's
// telemetry. A real daemon, real holders, real shells, and the real CLI.
#include "common/TestHome.h"

#include "client/ApiClient.h"
#include "core/LogFiles.h"
#include "core/Registry.h"
#include "core/RunRecord.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <sys/stat.h>

using namespace standby;
using namespace standby::test;

namespace {

#define WAIT_FOR(condition, timeoutMs) QTRY_VERIFY_WITH_TIMEOUT((condition), (timeoutMs))

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

mode_t modeOf(const QString &path)
{
    struct stat st
    {
    };
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_mode & 0777 : 0;
}

// Each line of a JSONL file parsed; an empty list when any line is not a JSON object.
QList<QJsonObject> events(const QString &path)
{
    QList<QJsonObject> out;
    const QByteArray text = readAll(path);
    if (!text.endsWith('\n'))
        return {};
    for (const QByteArray &line : text.chopped(1).split('\n')) {
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            qWarning("not a JSON object: %s", line.constData());
            return {};
        }
        out.append(document.object());
    }
    return out;
}

QList<QJsonObject> ofType(const QList<QJsonObject> &all, const QString &type)
{
    QList<QJsonObject> out;
    for (const QJsonObject &event : all) {
        if (event.value("type").toString() == type)
            out.append(event);
    }
    return out;
}

QString outputOf(const QList<QJsonObject> &all, const QString &stream)
{
    QString out;
    for (const QJsonObject &event : ofType(all, QStringLiteral("output"))) {
        if (event.value("stream").toString() == stream)
            out += event.value("data").toString();
    }
    return out;
}

QStringList numberedLines(int from, int to)
{
    QStringList lines;
    for (int i = from; i <= to; ++i)
        lines.append(QStringLiteral("line %1").arg(i, 5, 10, QLatin1Char('0')));
    return lines;
}

} // namespace

class TestSessionLogs : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestHome> m_home;
    QString m_endpoint;

    ApiClient api() const { return ApiClient(m_endpoint, 60000); }

    QJsonObject startRun(const QJsonObject &body) const
    {
        Result<ApiClient::Reply> reply =
            api().request("POST", QStringLiteral("/api/v1/runs"),
                          QJsonDocument(body).toJson(QJsonDocument::Compact));
        if (!reply)
            return {};
        return QJsonDocument::fromJson(reply->body).object().value("data").toObject();
    }

    std::optional<RunRecord> finishedRun(const QString &runId) const
    {
        Result<RunRecord> record = RunRecord::read(m_home->paths(), runId);
        if (record && record->isFinished())
            return *record;
        return std::nullopt;
    }

    QStringList logLines(const QString &query) const
    {
        Result<QJsonValue> shown = api().get(QStringLiteral("/api/v1/workers/") + query);
        if (!shown)
            return {QStringLiteral("error: ") + shown.error().message};
        QStringList lines;
        for (const QJsonValue &line : shown->toObject().value("lines").toArray())
            lines.append(line.toString());
        return lines;
    }

private Q_SLOTS:
    void init()
    {
        m_home = std::make_unique<TestHome>();
        // Tiny process logs (the bytes key exists for this), all rotated files kept, and an
        // agent that speaks stream-json.
        m_home->writeConfig(QJsonObject{
            {"sessions", QJsonObject{{"killGraceSec", 2}}},
            {"logs", QJsonObject{{"maxSizeBytes", 4096}, {"keep", 100}}},
            {"agents",
             QJsonObject{{"jsonl", QJsonObject{{"command", QJsonArray{"/bin/sh", "-c", "{prompt}"}},
                                               {"output", "stream-json"}}}}}});
        const RunResult started = m_home->cli({QStringLiteral("daemon"), QStringLiteral("start")});
        QCOMPARE(started.exitCode, 0);
        m_endpoint = started.json().value("endpoint").toString();
        QVERIFY(!m_endpoint.isEmpty());
    }

    void cleanup() { m_home.reset(); }

    void aRotatedLogIsReadAcrossItsFiles()
    {
        // 20000 lines of 11 bytes: far more than one 4 KiB file, in reads of any size.
        const QJsonObject run =
            startRun({{"prompt", "i=0; while [ $i -lt 20000 ]; do printf 'line %05d\\n' $i; "
                                 "i=$((i+1)); done"},
                      {"name", "rot"},
                      {"wait", true}});
        QCOMPARE(run.value("exitCode").toInt(), 0);
        const QString log = m_home->paths().processLog(QStringLiteral("rot"));
        const QStringList files = LogFiles::newestFirst(log);
        QVERIFY2(files.size() >= 4, qPrintable(files.join(' ')));
        QCOMPARE(files.first(), log);
        for (const QString &file : files)
            QCOMPARE(modeOf(file), mode_t(0600));
        // The run's output now begins at the start of the current file.
        QCOMPARE(finishedRun(run.value("runId").toString())->logOffset, 0);

        // The CLI: the last N lines in order, across the files, none cut by a rotation.
        RunResult logs = m_home->cli({QStringLiteral("logs"), QStringLiteral("rot"),
                                      QStringLiteral("--tail"), QStringLiteral("20000")});
        QCOMPARE(logs.exitCode, 0);
        QCOMPARE(QString::fromUtf8(logs.out).split('\n', Qt::SkipEmptyParts),
                 numberedLines(0, 19999));
        logs = m_home->cli({QStringLiteral("logs"), QStringLiteral("rot"), QStringLiteral("--tail"),
                            QStringLiteral("7000")});
        QCOMPARE(QString::fromUtf8(logs.out).split('\n', Qt::SkipEmptyParts),
                 numberedLines(13000, 19999));
        // A search finds a line that only an old rotated file has.
        QVERIFY(!readAll(log).contains("line 00100"));
        logs = m_home->cli({QStringLiteral("logs"), QStringLiteral("rot"), QStringLiteral("--grep"),
                            QStringLiteral("line 00100"), QStringLiteral("--tail"),
                            QStringLiteral("5")});
        QCOMPARE(logs.out, QByteArray("line 00100\n"));
        // The API answers the same.
        QCOMPARE(logLines(QStringLiteral("rot/logs?type=process&tail=7000")),
                 numberedLines(13000, 19999));
        QCOMPARE(logLines(QStringLiteral("rot/logs?type=process&q=line%2000007&tail=3")),
                 QStringList{QStringLiteral("line 00007")});
    }

    void debugLogMasksSecrets()
    {
        const QString secret = QStringLiteral("abc-5ec7e7-value");
        const QJsonObject run = startRun({{"prompt", "echo visible; exit 4"},
                                          {"name", "dbg"},
                                          {"env", QJsonObject{{"SECRET_TOKEN", secret}}},
                                          {"debug", true},
                                          {"wait", true}});
        QCOMPARE(run.value("exitCode").toInt(), 4);
        QVERIFY(run.value("debug").toBool());
        const RunRecord record = *finishedRun(run.value("runId").toString());
        const QString path = m_home->paths().debugLog(record.sessionId);
        QCOMPARE(record.debugLog, path);
        QCOMPARE(run.value("logs").toObject().value("debug").toString(), path);
        const QByteArray text = readAll(path);
        QVERIFY2(text.contains("argv: [\"/bin/sh\",\"-c\",\"echo visible; exit 4\"]"),
                 text.constData());
        QVERIFY(text.contains("cwd: "));
        QVERIFY(text.contains(" env SECRET_TOKEN=***\n"));
        QVERIFY(!text.contains(secret.toUtf8()));
        QVERIFY(text.contains(" env STANDBY_SESSION_NAME=dbg\n"));
        QVERIFY(text.contains("agent started: pid "));
        QVERIFY(text.contains("agent ended: exited, exit code 4"));
        QVERIFY(text.contains("output: 8 bytes on stdout, 0 on stderr"));
        QCOMPARE(modeOf(path), mode_t(0600));
        QCOMPARE(modeOf(m_home->paths().debugDir()), mode_t(0700));

        // Served by the API and the CLI as the "debug" type.
        const QStringList lines = logLines(QStringLiteral("dbg/logs?type=debug&tail=1000"));
        QVERIFY(std::any_of(lines.cbegin(), lines.cend(), [](const QString &line) {
            return line.endsWith(QLatin1String(" env SECRET_TOKEN=***"));
        }));
        const RunResult logs = m_home->cli({QStringLiteral("logs"), QStringLiteral("dbg"),
                                            QStringLiteral("--type"), QStringLiteral("debug")});
        QCOMPARE(logs.exitCode, 0);
        QVERIFY(logs.out.contains("agent ended: exited, exit code 4"));

        // Without debug, no debug log.
        const QJsonObject plain = startRun({{"prompt", "true"}, {"name", "nodbg"}, {"wait", true}});
        QVERIFY(!QFile::exists(
            m_home->paths().debugLog(finishedRun(plain.value("runId").toString())->sessionId)));
        QVERIFY(plain.value("logs").toObject().value("debug").isNull());
    }

    void debugLogRecordsSignals()
    {
        // --debug through the CLI, then a kill: both sides of the signal are in the log.
        const RunResult started = m_home->cli({QStringLiteral("--bg"), QStringLiteral("--debug"),
                                               QStringLiteral("--json"), QStringLiteral("--name"),
                                               QStringLiteral("sig"), QStringLiteral("sleep 300")});
        QCOMPARE(started.exitCode, 0);
        const QString runId = started.json().value("runId").toString();
        WAIT_FOR(Registry(m_home->paths())
                         .find(QStringLiteral("sig"))
                         .value_or(RegistryEntry{})
                         .childPid > 0,
                 20000);
        QCOMPARE(m_home->cli({QStringLiteral("kill"), QStringLiteral("sig")}).exitCode, 0);
        WAIT_FOR(finishedRun(runId).has_value(), 20000);
        const RunRecord record = *finishedRun(runId);
        QVERIFY(record.debug);
        const QByteArray text = readAll(m_home->paths().debugLog(record.sessionId));
        QVERIFY2(text.contains("holder received SIGTERM"), text.constData());
        QVERIFY(text.contains("sent SIGTERM to the agent's group"));
        QVERIFY(text.contains("agent ended: killed by SIGTERM"));
    }

    void foregroundDebug()
    {
        const RunResult done =
            m_home->cli({QStringLiteral("--debug"), QStringLiteral("--name"), QStringLiteral("fgd"),
                         QStringLiteral("echo in the foreground")});
        QCOMPARE(done.exitCode, 0);
        QCOMPARE(done.out, QByteArray("in the foreground\n"));
        const RunRecord record = RunRecord::list(m_home->paths(), 1).constFirst();
        QCOMPARE(record.kind, QStringLiteral("interactive"));
        QVERIFY(record.debug);
        const QByteArray text = readAll(m_home->paths().debugLog(record.sessionId));
        QVERIFY2(text.contains("echo in the foreground\"]"), text.constData());
        QVERIFY(text.contains("foreground"));
        QVERIFY(text.contains("agent ended: exited, exit code 0"));
    }

    void transcriptOfASession()
    {
        const QString prompt =
            QStringLiteral("echo hello; echo oops >&2; printf 'caf\\303\\251\\n'; exit 3");
        const QJsonObject run = startRun({{"prompt", prompt}, {"name", "talk"}, {"wait", true}});
        QCOMPARE(run.value("exitCode").toInt(), 3);
        const RunRecord record = *finishedRun(run.value("runId").toString());
        const QString path = m_home->paths().projectsDir() + QLatin1Char('/') +
                             Paths::projectId(record.cwd) + QLatin1Char('/') + record.sessionId +
                             QStringLiteral(".jsonl");
        QCOMPARE(run.value("logs").toObject().value("transcript").toString(), path);
        const QList<QJsonObject> all = events(path);
        QVERIFY2(all.size() >= 4, readAll(path).constData());
        for (const QJsonObject &event : all)
            QVERIFY(
                QDateTime::fromString(event.value("time").toString(), Qt::ISODateWithMs).isValid());
        QCOMPARE(all.first().value("type").toString(), QStringLiteral("prompt"));
        QCOMPARE(all.first().value("text").toString(), prompt);
        QCOMPARE(outputOf(all, QStringLiteral("stdout")), QStringLiteral("hello\ncaf\u00e9\n"));
        QCOMPARE(outputOf(all, QStringLiteral("stderr")), QStringLiteral("oops\n"));
        const QJsonObject exit = all.last();
        QCOMPARE(exit.value("type").toString(), QStringLiteral("exit"));
        QCOMPARE(exit.value("status").toString(), QStringLiteral("exited"));
        QCOMPARE(exit.value("exitCode").toInt(), 3);
        QVERIFY(exit.value("signal").isNull());
        QVERIFY(exit.value("durationMs").toInteger() >= 0);
        QCOMPARE(modeOf(path), mode_t(0600));
        QCOMPARE(modeOf(QFileInfo(path).absolutePath()), mode_t(0700));

        // Served as the "transcript" type, a JSON event a line.
        const QStringList lines = logLines(QStringLiteral("talk/logs?type=transcript&tail=100"));
        QCOMPARE(lines.size(), all.size());
        QCOMPARE(QJsonDocument::fromJson(lines.last().toUtf8()).object(), exit);
        const RunResult logs = m_home->cli({QStringLiteral("logs"), QStringLiteral("talk"),
                                            QStringLiteral("--type"), QStringLiteral("transcript"),
                                            QStringLiteral("--tail"), QStringLiteral("1")});
        QCOMPARE(QJsonDocument::fromJson(logs.out).object(), exit);
    }

    void streamJsonAgentEvents()
    {
        const QJsonObject run =
            startRun({{"prompt", "printf '{\"type\":\"system\",\"n\":1}\\nplain text\\n'; "
                                 "printf '{\"type\":\"result\",' ; printf '\"ok\":true}\\n'"},
                      {"name", "agentic"},
                      {"agent", "jsonl"},
                      {"wait", true}});
        QCOMPARE(run.value("exitCode").toInt(), 0);
        const RunRecord record = *finishedRun(run.value("runId").toString());
        const QList<QJsonObject> all = events(record.transcript);
        const QList<QJsonObject> agent = ofType(all, QStringLiteral("agent"));
        QCOMPARE(agent.size(), 2);
        QCOMPARE(agent.at(0).value("event").toObject(),
                 (QJsonObject{{"type", "system"}, {"n", 1}}));
        QCOMPARE(agent.at(1).value("event").toObject(),
                 (QJsonObject{{"type", "result"}, {"ok", true}}));
        QCOMPARE(outputOf(all, QStringLiteral("stdout")), QStringLiteral("plain text\n"));
        // The process log has all of it as printed.
        QCOMPARE(readAll(record.log), QByteArray("{\"type\":\"system\",\"n\":1}\nplain text\n"
                                                 "{\"type\":\"result\",\"ok\":true}\n"));
    }

    void cliTelemetry()
    {
        // A home of its own, to see exactly what the CLI creates.
        TestHome home;
        for (const QStringList &arguments :
             {QStringList{QStringLiteral("--help")}, QStringList{QStringLiteral("--version")},
              QStringList{QStringLiteral("logs"), QStringLiteral("--help")},
              QStringList{QStringLiteral("--bg"), QStringLiteral("--help")}}) {
            QCOMPARE(home.cli(arguments).exitCode, 0);
        }
        QVERIFY2(QDir(home.path()).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
                 qPrintable(QDir(home.path()).entryList().join(' ')));

        // A failing command: the user reads the same line as ever; the log has it with the pid.
        QProcess cli;
        cli.setProcessEnvironment(home.environment());
        cli.start(TestHome::binary(QStringLiteral("standby")),
                  {QStringLiteral("logs"), QStringLiteral("nobody-here")});
        QVERIFY(cli.waitForStarted(30000));
        const qint64 pid = cli.processId();
        QVERIFY(cli.waitForFinished(30000));
        QCOMPARE(cli.exitCode(), 2);
        QCOMPARE(cli.readAllStandardError(),
                 QByteArray("standby: no session \"nobody-here\" (see standby ps and standby "
                            "runs)\n"));
        QVERIFY(cli.readAllStandardOutput().isEmpty());
        // Today's file, or yesterday's when this ran across midnight (UTC).
        const QStringList days =
            QDir(home.paths().logsDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        QCOMPARE(days.size(), 1);
        const QString telemetry = home.paths().telemetryLog(
            QDate::fromString(days.constFirst(), Qt::ISODate), QDir::currentPath());
        const QByteArray text = readAll(telemetry);
        QVERIFY2(text.contains(" WARN standby.cli pid=" + QByteArray::number(pid) +
                               " session=- no session \"nobody-here\""),
                 text.constData());
        QCOMPARE(modeOf(telemetry), mode_t(0600));
        QCOMPARE(modeOf(QFileInfo(telemetry).absolutePath()), mode_t(0700));
    }
};

QTEST_GUILESS_MAIN(TestSessionLogs)
#include "tst_sessionlogs.moc"
