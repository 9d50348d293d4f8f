// The log store's parts on their own: rotation, reading across it, the debug log, the transcript.
#include "core/AgentProfile.h"
#include "core/Config.h"
#include "core/JsonFile.h"
#include "core/LogFiles.h"
#include "logs/LogScan.h"
#include "sessions/DebugLog.h"
#include "sessions/LogWriter.h"
#include "sessions/TranscriptWriter.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace standby;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

// The rotated log's files joined oldest first: the stream as it was written.
QByteArray joined(const QString &path)
{
    QByteArray out;
    const QStringList files = LogFiles::newestFirst(path);
    for (auto it = files.crbegin(); it != files.crend(); ++it)
        out += readAll(*it);
    return out;
}

mode_t modeOf(const QString &path)
{
    struct stat st
    {
    };
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_mode & 0777 : 0;
}

// Every line of a JSONL file as an object; fails the test on a line that is not one.
QList<QJsonObject> jsonLines(const QString &path)
{
    QList<QJsonObject> events;
    const QList<QByteArray> lines = readAll(path).split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (i == lines.size() - 1 && lines.at(i).isEmpty())
            break; // after the last newline
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(lines.at(i), &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            qWarning("line %lld is not a JSON object: %s", qint64(i), lines.at(i).constData());
            return {};
        }
        events.append(document.object());
    }
    return events;
}

QList<QJsonObject> ofType(const QList<QJsonObject> &events, const QString &type)
{
    QList<QJsonObject> out;
    for (const QJsonObject &event : events) {
        if (event.value("type").toString() == type)
            out.append(event);
    }
    return out;
}

// What the output events of one stream say, decoded.
QByteArray outputOf(const QList<QJsonObject> &events, const QString &stream)
{
    QByteArray out;
    for (const QJsonObject &event : ofType(events, QStringLiteral("output"))) {
        if (event.value("stream").toString() != stream)
            continue;
        const QString data = event.value("data").toString();
        out += event.value("encoding").toString() == QLatin1String("base64")
                   ? QByteArray::fromBase64(data.toLatin1())
                   : data.toUtf8();
    }
    return out;
}

} // namespace

class TestLogStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rotationKeepsEveryByteInOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("work.log"));
        writeFile(path, "from an earlier run\n");
        LogWriter writer;
        QVERIFY(!writer.open(path, {1000, LogFiles::kMaxFiles}).has_value());
        int rotated = 0;
        writer.setRotatedHandler([&] {
            ++rotated;
            // Called with the new file open and empty.
            QCOMPARE(QFileInfo(path).size(), 0);
        });
        QByteArray written = "from an earlier run\n";
        // Chunks of every size up to the limit, with lines cut anywhere.
        for (int i = 0; i < 300; ++i) {
            const QByteArray chunk =
                QByteArray::number(i) + ' ' +
                QByteArray(QRandomGenerator::global()->bounded(1, 900), char('a' + i % 26)) +
                (i % 3 ? "\n" : "");
            writer.append(chunk);
            written += chunk;
        }
        QVERIFY(rotated > 50);
        QCOMPARE(writer.rotations(), rotated);
        QCOMPARE(writer.failedBytes(), 0);
        // With room to keep them all, the files joined are exactly what was written.
        const QStringList files = LogFiles::newestFirst(path);
        QCOMPARE(files.size(), rotated + 1);
        QCOMPARE(joined(path), written);
        for (const QString &file : files) {
            // Rotated before a write would pass the size: no file is over it.
            QVERIFY2(QFileInfo(file).size() <= 1000, qPrintable(file));
            // Those it made are private (the oldest is the test's own).
            if (file != files.last())
                QCOMPARE(modeOf(file), mode_t(0600));
        }
    }

    void rotationDropsWhatIsBeyondKeep()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("work.log"));
        // Left from a configuration that kept more.
        writeFile(LogFiles::rotated(path, 4), "old 4");
        writeFile(LogFiles::rotated(path, 5), "old 5");
        LogWriter writer;
        QVERIFY(!writer.open(path, {100, 3}).has_value());
        QByteArray written;
        for (int i = 0; i < 50; ++i) {
            const QByteArray line = "line " + QByteArray::number(i).rightJustified(3, '0') + '\n';
            writer.append(line);
            written += line;
        }
        QCOMPARE(LogFiles::newestFirst(path),
                 (QStringList{path, path + ".1", path + ".2", path + ".3"}));
        QVERIFY(!QFile::exists(path + ".4"));
        QVERIFY(!QFile::exists(path + ".5"));
        // What is kept is the newest part of what was written, with nothing missing in between.
        const QByteArray kept = joined(path);
        QVERIFY(kept.size() > 300);
        QVERIFY(written.endsWith(kept));
        QVERIFY(kept.startsWith("line "));
        QCOMPARE(readAll(path + ".1").size(), 99); // eleven 9-byte lines fit in 100
    }

    void aChunkLargerThanTheLimitIsWrittenWhole()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big.log"));
        LogWriter writer;
        QVERIFY(!writer.open(path, {100, 2}).has_value());
        writer.append("small\n");
        writer.append(QByteArray(250, 'x'));
        writer.append("after\n");
        QCOMPARE(readAll(path + ".2"), QByteArray("small\n"));
        QCOMPARE(readAll(path + ".1"), QByteArray(250, 'x'));
        QCOMPARE(readAll(path), QByteArray("after\n"));
    }

    void keepOneKeepsOneRotatedFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("one.log"));
        LogWriter writer;
        QVERIFY(!writer.open(path, {100, 1}).has_value());
        for (char c : {'a', 'b', 'c', 'd'})
            writer.append(QByteArray(80, c));
        QCOMPARE(writer.rotations(), 3);
        QCOMPARE(LogFiles::newestFirst(path), (QStringList{path, path + ".1"}));
        QCOMPARE(readAll(path + ".1"), QByteArray(80, 'c'));
        QCOMPARE(readAll(path), QByteArray(80, 'd'));
    }

    void withoutALimitTheLogJustGrows()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("plain.log"));
        LogWriter writer;
        QVERIFY(!writer.open(path).has_value());
        for (int i = 0; i < 100; ++i)
            writer.append(QByteArray(1000, 'y'));
        QCOMPARE(writer.rotations(), 0);
        QCOMPARE(LogFiles::newestFirst(path), QStringList{path});
        QCOMPARE(QFileInfo(path).size(), 100000);
    }

    void logFilesAreListedNewestFirst()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.log"));
        QVERIFY(LogFiles::newestFirst(path).isEmpty());
        writeFile(path + ".1", "1");
        writeFile(path + ".2", "2");
        writeFile(path + ".4", "4"); // after a gap: not part of the set
        // name.log itself may be missing for a moment after a failed reopen.
        QCOMPARE(LogFiles::newestFirst(path), (QStringList{path + ".1", path + ".2"}));
        writeFile(path, "0");
        QCOMPARE(LogFiles::newestFirst(path), (QStringList{path, path + ".1", path + ".2"}));
        QCOMPARE(LogFiles::rotated(path, 0), path);
        QCOMPARE(LogFiles::rotated(path, 3), path + ".3");
    }

    void tailAndGrepSpanRotatedFiles()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.log"));
        // "line 5" is cut by the rotation: its start ends .1, its end begins the log.
        writeFile(path + ".2", "line 0\nline 1\nneedle 2\n");
        writeFile(path + ".1", "line 3\nline 4\nli");
        writeFile(path, "ne 5\nline 6\n");
        const QStringList files = LogFiles::newestFirst(path);
        QCOMPARE(LogScan::lastLines(files, 3).lines,
                 (QList<QByteArray>{"line 4", "line 5", "line 6"}));
        QCOMPARE(LogScan::lastLines(files, 100).lines,
                 (QList<QByteArray>{"line 0", "line 1", "needle 2", "line 3", "line 4", "line 5",
                                    "line 6"}));
        const LogScan::Result found = LogScan::lastLines(
            files, 5, [](const QByteArray &line) { return line.startsWith("needle"); });
        QCOMPARE(found.lines, QList<QByteArray>{"needle 2"});
        QVERIFY(!found.truncated);
        // The search's budget covers the files together.
        const LogScan::Result bounded = LogScan::lastLines(
            files, 5, [](const QByteArray &line) { return line.startsWith("needle"); }, 20);
        QVERIFY(bounded.truncated);
        QVERIFY(bounded.lines.isEmpty());
        // An empty current file (right after a rotation) ends the stream without a line.
        writeFile(path, QByteArray());
        QCOMPARE(LogScan::lastLines(LogFiles::newestFirst(path), 2).lines,
                 (QList<QByteArray>{"line 4", "li"}));
    }

    void aFileSeenTwiceIsReadOnce()
    {
        // A rotation between listing and reading makes name.log and name.log.1 the same file.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("r.log"));
        writeFile(path, "b 1\nb 2\n");
        QVERIFY(::link(QFile::encodeName(path).constData(),
                       QFile::encodeName(path + ".1").constData()) == 0);
        writeFile(path + ".2", "a 1\na 2\n");
        QCOMPARE(LogScan::lastLines(LogFiles::newestFirst(path), 10).lines,
                 (QList<QByteArray>{"a 1", "a 2", "b 1", "b 2"}));
    }

    void credentialsInValuesAndFlagsAreMasked()
    {
        QCOMPARE(DebugLog::maskUrlCredentials(
                     QStringLiteral("postgres://app:s3cr3t@db:5432/x and https://h/p")),
                 QStringLiteral("postgres://app:***@db:5432/x and https://h/p"));
        QCOMPARE(DebugLog::maskedArguments({QStringLiteral("/usr/bin/agent"),
                                            QStringLiteral("--api-key"), QStringLiteral("sk-1"),
                                            QStringLiteral("--token=tok-2"),
                                            QStringLiteral("--model"), QStringLiteral("m"),
                                            QStringLiteral("https://u:pw@h/")}),
                 (QStringList{QStringLiteral("/usr/bin/agent"), QStringLiteral("--api-key"),
                              QStringLiteral("***"), QStringLiteral("--token=***"),
                              QStringLiteral("--model"), QStringLiteral("m"),
                              QStringLiteral("https://u:***@h/")}));
        QProcessEnvironment env;
        env.insert(QStringLiteral("DATABASE_URL"), QStringLiteral("mysql://root:pw9@localhost/db"));
        const QString line = DebugLog::maskedEnvironment(env).constFirst();
        QVERIFY2(!line.contains(QLatin1String("pw9")), qPrintable(line));
    }

    void secretsAreMaskedInTheDebugLog()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("debug/bg-1.txt"));
        DebugLog log;
        QVERIFY(!log.isOpen());
        log.write(QStringLiteral("before open: dropped"));
        QVERIFY(!log.open(path).has_value());
        QProcessEnvironment env;
        env.insert(QStringLiteral("SECRET_TOKEN"), QStringLiteral("abc-7f3a"));
        env.insert(QStringLiteral("github_pat_key"), QStringLiteral("ghp-zz"));
        env.insert(QStringLiteral("MyPassword"), QStringLiteral("hunter2"));
        env.insert(QStringLiteral("HTTP_AUTHORIZATION"), QStringLiteral("Bearer q"));
        env.insert(QStringLiteral("session_cookie"), QStringLiteral("c00k"));
        env.insert(QStringLiteral("AWS_CREDENTIALS"), QStringLiteral("aws-c"));
        env.insert(QStringLiteral("HOME"), QStringLiteral("/home/u"));
        env.insert(QStringLiteral("MULTI"), QStringLiteral("one\ntwo"));
        log.writeEnvironment(env);
        log.write(QStringLiteral("argv: [\"/bin/sh\"]"));
        const QByteArray text = readAll(path);
        for (const char *secret : {"abc-7f3a", "ghp-zz", "hunter2", "Bearer", "c00k", "aws-c"})
            QVERIFY2(!text.contains(secret), secret);
        QVERIFY(text.contains(" env SECRET_TOKEN=***\n"));
        QVERIFY(text.contains(" env MyPassword=***\n"));
        QVERIFY(text.contains(" env HOME=/home/u\n"));
        QVERIFY(text.contains(" env MULTI=one\\ntwo\n")); // one fact, one line
        QVERIFY(!text.contains("dropped"));
        const QList<QByteArray> lines = text.trimmed().split('\n');
        QCOMPARE(lines.size(), 10);
        for (const QByteArray &line : lines)
            QVERIFY2(QDateTime::fromString(QString::fromLatin1(line.left(24)), Qt::ISODateWithMs)
                         .isValid(),
                     line.constData());
        QCOMPARE(modeOf(path), mode_t(0600));
        QCOMPARE(modeOf(dir.filePath(QStringLiteral("debug"))), mode_t(0700));
        QVERIFY(!DebugLog::isSecretName(QStringLiteral("PATH")));
        QVERIFY(DebugLog::isSecretName(QStringLiteral("npm_config__auth")));
    }

    void transcriptRecordsASession()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("projects/-home-u-proj/bg-1.jsonl"));
        TranscriptWriter transcript;
        QVERIFY(!transcript.open(path, {}).has_value());
        transcript.recordPrompt(QStringLiteral("say \"hi\"\n"));
        transcript.recordOutput(QProcess::StandardOutput, "hello\n");
        // A character cut between two reads is put back together.
        transcript.recordOutput(QProcess::StandardOutput, "caf\xc3");
        transcript.recordOutput(QProcess::StandardError, "warn\n");
        transcript.recordOutput(QProcess::StandardOutput, "\xa9\n");
        // Bytes that are no UTF-8 at all, and a NUL.
        transcript.recordOutput(QProcess::StandardOutput, QByteArray("\xff\xfe\x00!", 4));
        transcript.recordInput("y\n");
        transcript.recordOutput(QProcess::StandardOutput, "\xe2\x82"); // never completed
        transcript.recordExit(QStringLiteral("exited"), 3, QString(), 1234);

        const QList<QJsonObject> events = jsonLines(path);
        QVERIFY(!events.isEmpty());
        for (const QJsonObject &event : events) {
            QVERIFY(
                QDateTime::fromString(event.value("time").toString(), Qt::ISODateWithMs).isValid());
            QVERIFY(event.value("time").toString().endsWith(QLatin1Char('Z')));
        }
        QCOMPARE(events.first().value("type").toString(), QStringLiteral("prompt"));
        QCOMPARE(events.first().value("text").toString(), QStringLiteral("say \"hi\"\n"));
        QCOMPARE(outputOf(events, QStringLiteral("stdout")), QByteArray("hello\ncaf\xc3\xa9\n") +
                                                                 QByteArray("\xff\xfe\x00!", 4) +
                                                                 QByteArray("\xe2\x82"));
        QCOMPARE(outputOf(events, QStringLiteral("stderr")), QByteArray("warn\n"));
        // Valid text stays readable text; only what is not UTF-8 is base64.
        const QList<QJsonObject> output = ofType(events, QStringLiteral("output"));
        QCOMPARE(output.size(), 6);
        QCOMPARE(output.at(1).value("data").toString(), QStringLiteral("caf"));
        QCOMPARE(output.at(3).value("data").toString(), QStringLiteral("\u00e9\n"));
        QVERIFY(!output.at(3).contains("encoding"));
        QCOMPARE(output.at(4).value("encoding").toString(), QStringLiteral("base64"));
        QCOMPARE(output.at(5).value("encoding").toString(), QStringLiteral("base64"));
        const QList<QJsonObject> input = ofType(events, QStringLiteral("input"));
        QCOMPARE(input.size(), 1);
        QCOMPARE(input.first().value("data").toString(), QStringLiteral("y\n"));
        const QJsonObject exit = events.last();
        QCOMPARE(exit.value("type").toString(), QStringLiteral("exit"));
        QCOMPARE(exit.value("status").toString(), QStringLiteral("exited"));
        QCOMPARE(exit.value("exitCode").toInt(), 3);
        QVERIFY(exit.value("signal").isNull());
        QCOMPARE(exit.value("durationMs").toInt(), 1234);
        QCOMPARE(modeOf(path), mode_t(0600));
        QCOMPARE(modeOf(QFileInfo(path).absolutePath()), mode_t(0700));
    }

    void transcriptCapsPlainOutputOnly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.jsonl"));
        TranscriptWriter transcript;
        QVERIFY(!transcript.open(path, {100, true}).has_value());
        transcript.recordOutput(QProcess::StandardOutput, QByteArray(60, 'a') + '\n');
        transcript.recordOutput(QProcess::StandardOutput, QByteArray(60, 'b') + '\n');
        transcript.recordOutput(QProcess::StandardError, QByteArray(60, 'c') + '\n');
        // Past the cap: agent events, input and the exit still come through.
        transcript.recordOutput(QProcess::StandardOutput, "{\"type\":\"result\",\"n\":1}\n");
        transcript.recordInput("more\n");
        transcript.recordExit(QStringLiteral("killed"), std::nullopt, QStringLiteral("TERM"), 5);
        const QList<QJsonObject> events = jsonLines(path);
        const QList<QJsonObject> truncated = ofType(events, QStringLiteral("truncated"));
        QCOMPARE(truncated.size(), 1);
        QVERIFY(!truncated.first().value("reason").toString().isEmpty());
        QCOMPARE(truncated.first().value("limitBytes").toInt(), 100);
        QCOMPARE(outputOf(events, QStringLiteral("stdout")),
                 QByteArray(60, 'a') + '\n' + QByteArray(39, 'b'));
        QCOMPARE(outputOf(events, QStringLiteral("stderr")), QByteArray());
        QCOMPARE(transcript.recordedOutputBytes(), 100);
        QCOMPARE(transcript.omittedOutputBytes(), 22 + 61);
        QCOMPARE(ofType(events, QStringLiteral("agent")).size(), 1);
        QCOMPARE(ofType(events, QStringLiteral("input")).size(), 1);
        QCOMPARE(events.last().value("signal").toString(), QStringLiteral("TERM"));
        QVERIFY(events.last().value("exitCode").isNull());
    }

    void streamJsonLinesBecomeAgentEvents()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.jsonl"));
        TranscriptWriter transcript;
        QVERIFY(!transcript.open(path, {1024 * 1024, true}).has_value());
        // An event cut across reads, plain lines around it, things that are JSON but no object,
        // an object on stderr (stays output), and big numbers kept exactly as printed.
        transcript.recordOutput(QProcess::StandardOutput, "starting\n{\"type\":\"assis");
        transcript.recordOutput(QProcess::StandardOutput,
                                "tant\",\"text\":\"hi\"}\n[1,2]\n\"str\"\n  {\"n\":"
                                "12345678901234567890}\r\nnot {json}\n{broken\n");
        transcript.recordOutput(QProcess::StandardError, "{\"on\":\"stderr\"}\n");
        // A raw tab in a string: Qt's parser takes it, strict readers would not.
        transcript.recordOutput(QProcess::StandardOutput, "{\"tab\":\"a\tb\"}\n");
        transcript.recordOutput(QProcess::StandardOutput, "{\"last\":true}"); // no newline
        transcript.recordExit(QStringLiteral("exited"), 0, QString(), 1);

        const QList<QJsonObject> events = jsonLines(path);
        const QList<QJsonObject> agent = ofType(events, QStringLiteral("agent"));
        QCOMPARE(agent.size(), 4);
        QCOMPARE(agent.at(0).value("event").toObject(),
                 (QJsonObject{{"type", "assistant"}, {"text", "hi"}}));
        QVERIFY(readAll(path).contains("\"event\":{\"n\":12345678901234567890}"));
        QCOMPARE(agent.at(2).value("event").toObject(), (QJsonObject{{"tab", "a\tb"}}));
        QVERIFY(!readAll(path).contains('\t'));
        QCOMPARE(agent.at(3).value("event").toObject(), (QJsonObject{{"last", true}}));
        QCOMPARE(outputOf(events, QStringLiteral("stdout")),
                 QByteArray("starting\n[1,2]\n\"str\"\nnot {json}\n{broken\n"));
        QCOMPARE(outputOf(events, QStringLiteral("stderr")), QByteArray("{\"on\":\"stderr\"}\n"));
        // In order: the plain line, the event, the plain lines after it.
        QCOMPARE(events.at(0).value("type").toString(), QStringLiteral("output"));
        QCOMPARE(events.at(1).value("type").toString(), QStringLiteral("agent"));
        QCOMPARE(events.at(2).value("type").toString(), QStringLiteral("output"));
    }

    void anOverlongLineGoesOutAsPlainOutput()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("o.jsonl"));
        TranscriptWriter transcript;
        QVERIFY(!transcript.open(path, {64 * 1024 * 1024, true}).has_value());
        // A JSON object line over 1 MiB, in 64 KiB reads: never held whole.
        QByteArray line =
            "{\"big\":\"" + QByteArray(TranscriptWriter::kMaxLineBytes + 10, 'z') + "\"}\n";
        for (qsizetype at = 0; at < line.size(); at += 65536)
            transcript.recordOutput(QProcess::StandardOutput, line.mid(at, 65536));
        transcript.recordOutput(QProcess::StandardOutput, "{\"after\":1}\n");
        transcript.recordExit(QStringLiteral("exited"), 0, QString(), 1);
        const QList<QJsonObject> events = jsonLines(path);
        QCOMPARE(outputOf(events, QStringLiteral("stdout")), line);
        const QList<QJsonObject> agent = ofType(events, QStringLiteral("agent"));
        QCOMPARE(agent.size(), 1);
        QCOMPARE(agent.first().value("event").toObject(), (QJsonObject{{"after", 1}}));
    }

    void dataIsTextOnlyWhenValidUtf8_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("text");
        QTest::newRow("ascii run with a quote past 8 bytes")
            << QByteArray("abcdefghi\"jklmnopqrstu\\vwxyz0123456789") << true;
        QTest::newRow("control characters")
            << QByteArray("\x01\x1f\x7f\t\r\n\b\f end of it", 22) << true;
        QTest::newRow("NUL") << QByteArray("a\0b", 3) << true;
        QTest::newRow("two, three, four bytes")
            << QByteArray("\xc3\xa9 \xe0\xa0\x80 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf")
            << true;
        QTest::newRow("byte order mark") << QByteArray("\xef\xbb\xbfhi") << true;
        QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << false;
        QTest::newRow("overlong three") << QByteArray("\xe0\x80\xaf") << false;
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << false;
        QTest::newRow("past U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false;
        QTest::newRow("lone continuation") << QByteArray("plain text and then \x80") << false;
        QTest::newRow("latin-1") << QByteArray("caf\xe9 au lait") << false;
    }
    void dataIsTextOnlyWhenValidUtf8()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, text);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("e.jsonl"));
        TranscriptWriter transcript;
        QVERIFY(!transcript.open(path, {}).has_value());
        transcript.recordInput(bytes);
        const QList<QJsonObject> events = jsonLines(path);
        QCOMPARE(events.size(), 1);
        const QJsonObject input = events.first();
        QCOMPARE(input.value("encoding").toString() != QLatin1String("base64"), text);
        const QString data = input.value("data").toString();
        QCOMPARE(text ? data.toUtf8() : QByteArray::fromBase64(data.toLatin1()), bytes);
    }

    void completeUtf8Prefix()
    {
        QCOMPARE(TranscriptWriter::completeUtf8Prefix("abc"), 3);
        QCOMPARE(TranscriptWriter::completeUtf8Prefix("ab\xc3"), 2);
        QCOMPARE(TranscriptWriter::completeUtf8Prefix("ab\xc3\xa9"), 4);
        QCOMPARE(TranscriptWriter::completeUtf8Prefix("a\xf0\x9f\x98"), 1);
        QCOMPARE(TranscriptWriter::completeUtf8Prefix("a\xf0\x9f\x98\x80"), 5);
        QCOMPARE(TranscriptWriter::completeUtf8Prefix("\xff"), 1); // invalid, nothing to wait for
        QCOMPARE(TranscriptWriter::completeUtf8Prefix(QByteArray()), 0);
    }

    void logsSettingsInConfig()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        QVERIFY(!paths.ensureLayout().has_value());
        const Config defaults = *Config::load(paths); // writes the defaults
        QCOMPARE(defaults.logs().maxSizeBytes, 50LL * 1024 * 1024);
        QCOMPARE(defaults.logs().keep, 3);
        QCOMPARE(defaults.logs().transcriptOutputBytes, 16LL * 1024 * 1024);
        QCOMPARE(
            JsonFile::read(paths.config())->value("logs").toObject().value("maxSizeMb").toInt(),
            50);
        QVERIFY(defaults.warnings().isEmpty());

        QVERIFY(!JsonFile::write(
            paths.config(),
            QJsonObject{
                {"logs", QJsonObject{{"maxSizeMb", 7}, {"keep", 5}, {"transcriptOutputMb", 0}}}}));
        Config config = *Config::load(paths);
        QCOMPARE(config.logs().maxSizeBytes, 7LL * 1024 * 1024);
        QCOMPARE(config.logs().keep, 5);
        QCOMPARE(config.logs().transcriptOutputBytes, 0);

        // The bytes key (for tests) wins; bad values fall back with a warning naming the key.
        QVERIFY(!JsonFile::write(
            paths.config(), QJsonObject{{"logs", QJsonObject{{"maxSizeMb", 7},
                                                             {"maxSizeBytes", 4096},
                                                             {"keep", 0},
                                                             {"transcriptOutputMb", "lots"}}}}));
        config = *Config::load(paths);
        QCOMPARE(config.logs().maxSizeBytes, 4096);
        QCOMPARE(config.logs().keep, 3);
        QCOMPARE(config.logs().transcriptOutputBytes, 16LL * 1024 * 1024);
        QCOMPARE(config.warnings().size(), 2);
        QVERIFY(config.warnings().join('\n').contains(QStringLiteral("logs.keep")));
        QVERIFY(config.warnings().join('\n').contains(QStringLiteral("logs.transcriptOutputMb")));
    }

    void agentOutputKind()
    {
        const Result<AgentProfile> json = AgentProfile::fromJson(
            QStringLiteral("c"),
            QJsonObject{{"command", QJsonArray{"c", "{prompt}"}}, {"output", "stream-json"}});
        QVERIFY(json->printsStreamJson());
        const Result<AgentProfile> text = AgentProfile::fromJson(
            QStringLiteral("t"), QJsonObject{{"command", QJsonArray{"t"}}, {"output", "text"}});
        QVERIFY(!text->printsStreamJson());
        QVERIFY(
            !AgentProfile::fromJson(QStringLiteral("p"), QJsonObject{{"command", QJsonArray{"p"}}})
                 ->printsStreamJson());
        const Result<AgentProfile> wrong = AgentProfile::fromJson(
            QStringLiteral("w"), QJsonObject{{"command", QJsonArray{"w"}}, {"output", "jsonl"}});
        QCOMPARE(wrong.error().code, QStringLiteral("invalid_agent"));
        QVERIFY(wrong.error().message.contains(QStringLiteral("agents.w.output")));
    }
};

QTEST_GUILESS_MAIN(TestLogStore)
#include "tst_logstore.moc"
