// LogFollower against real files and real inotify: order, rotation, partial lines, the end.
#include "logs/LogFollower.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace standby;

namespace {

void append(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Append));
    QCOMPARE(file.write(bytes), bytes.size());
}

} // namespace

class TestLogFollower : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void followsFromTheOffsetInOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.log"));
        append(path, "old 1\nold 2\n");
        LogFollower follower(path, QFile(path).size());
        QByteArray seen;
        connect(&follower, &LogFollower::lines, this, [&](const QByteArray &c) { seen += c; });
        QVERIFY(follower.start());
        QByteArray expected;
        for (int i = 0; i < 500; ++i) {
            const QByteArray line = "new " + QByteArray::number(i) + '\n';
            append(path, line);
            expected += line;
        }
        QTRY_COMPARE_WITH_TIMEOUT(seen, expected, 10000);
    }

    void followsAcrossRotationWithoutLossOrRepeat()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.log"));
        append(path, "a1\n");
        LogFollower follower(path, 0);
        QByteArray seen;
        connect(&follower, &LogFollower::lines, this, [&](const QByteArray &c) { seen += c; });
        QVERIFY(follower.start());
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("a1\n"), 10000);

        // A writer holding the old file writes on after the rename, then reopens the name.
        QFile old(path);
        QVERIFY(old.open(QIODevice::WriteOnly | QIODevice::Append));
        old.write("a2\n");
        old.flush();
        QVERIFY(QFile::rename(path, path + QStringLiteral(".1")));
        old.write("a3\n");
        old.flush();
        append(path, "b1\n");
        append(path, "b2\n");
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("a1\na2\na3\nb1\nb2\n"), 10000);
        // And on in the new file.
        append(path, "b3\n");
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("a1\na2\na3\nb1\nb2\nb3\n"), 10000);
    }

    void twoRotationsBeforeItReadsLoseNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.log"));
        append(path, "a1\n");
        LogFollower follower(path, 0);
        QByteArray seen;
        connect(&follower, &LogFollower::lines, this, [&](const QByteArray &c) { seen += c; });
        QVERIFY(follower.start());
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("a1\n"), 10000);
        // All before the follower gets a turn: the file it reads ends up two places back.
        append(path, "a2\n");
        QVERIFY(QFile::rename(path, path + QStringLiteral(".1")));
        append(path, "b1\n");
        QVERIFY(QFile::rename(path + QStringLiteral(".1"), path + QStringLiteral(".2")));
        QVERIFY(QFile::rename(path, path + QStringLiteral(".1")));
        append(path, "c1\n");
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("a1\na2\nb1\nc1\n"), 10000);
    }

    void aRotationHalfDoneIsWaitedOut()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.log"));
        auto rotated = [&](int k) { return path + QLatin1Char('.') + QString::number(k); };
        append(path, "a1\n");
        LogFollower follower(path, 0);
        QByteArray seen;
        connect(&follower, &LogFollower::lines, this, [&](const QByteArray &c) { seen += c; });
        QVERIFY(follower.start());
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("a1\n"), 10000);
        QFile a(path);
        QVERIFY(a.open(QIODevice::WriteOnly | QIODevice::Append));
        // Two rotations: a at .2, b at .1, c the log.
        QVERIFY(QFile::rename(path, rotated(1)));
        append(path, "b1\n");
        QVERIFY(QFile::rename(rotated(1), rotated(2)));
        QVERIFY(QFile::rename(path, rotated(1)));
        append(path, "c1\n");
        // A third, half done (renames go oldest first): a at .3, b at .2, nothing at .1 yet.
        QVERIFY(QFile::rename(rotated(2), rotated(3)));
        QVERIFY(QFile::rename(rotated(1), rotated(2)));
        a.write("a2\n");
        a.flush();
        QTRY_VERIFY_WITH_TIMEOUT(seen.endsWith("a2\n"), 10000);
        // The rotation completes: c at .1, d the log.
        QVERIFY(QFile::rename(path, rotated(1)));
        append(path, "d1\n");
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("a1\na2\nb1\nc1\nd1\n"), 10000);
    }

    void theOffsetStaysWithItsFileAcrossARotationBeforeStart()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.log"));
        append(path, "a1\na2\n");
        // Measured (as startFollow does on a pool thread) …
        const QFileInfo measured(path);
        struct stat info = {};
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
        const qint64 offset = measured.size();
        // … then, before the follower opens anything, a last write and a rotation.
        append(path, "a3\n");
        QVERIFY(QFile::rename(path, path + QStringLiteral(".1")));
        append(path, "b1\n");
        LogFollower follower(path, offset);
        follower.setExpectedFile(quint64(info.st_dev), quint64(info.st_ino));
        QByteArray seen;
        connect(&follower, &LogFollower::lines, this, [&](const QByteArray &c) { seen += c; });
        QVERIFY(follower.start());
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("a3\nb1\n"), 10000);
    }

    void movesOnToTheNextDaysFile()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("day1")));
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("day2")));
        const QString first = dir.filePath(QStringLiteral("day1/w.log"));
        const QString second = dir.filePath(QStringLiteral("day2/w.log"));
        append(first, "one\n");
        LogFollower follower(first, 0);
        QByteArray seen;
        connect(&follower, &LogFollower::lines, this, [&](const QByteArray &c) { seen += c; });
        QVERIFY(follower.start());
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("one\n"), 10000);
        append(first, "late\n");
        follower.moveTo(second);
        append(second, "two\n");
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("one\nlate\ntwo\n"), 10000);
        append(second, "three\n");
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("one\nlate\ntwo\nthree\n"), 10000);
    }

    void lostEventsAreMadeUpFor()
    {
        int queueLimit = 0;
        {
            QFile limit(QStringLiteral("/proc/sys/fs/inotify/max_queued_events"));
            if (limit.open(QIODevice::ReadOnly))
                queueLimit = limit.readAll().trimmed().toInt();
        }
        if (queueLimit <= 0 || queueLimit > 100000)
            QSKIP("cannot overflow this machine's inotify queue in a test");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("late.log"));
        LogFollower follower(path, 0);
        QByteArray seen;
        connect(&follower, &LogFollower::lines, this, [&](const QByteArray &c) { seen += c; });
        QVERIFY(follower.start());
        // More events than the kernel queues, before the follower gets a turn: the one that
        // mattered (the log appearing) is lost in the overflow.
        for (int i = 0; i <= queueLimit; ++i) {
            QFile noise(dir.filePath(QStringLiteral("n%1").arg(i)));
            QVERIFY(noise.open(QIODevice::WriteOnly));
        }
        append(path, "found anyway\n");
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("found anyway\n"), 20000);
    }

    void aPartialLineWaitsForItsNewline()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.log"));
        append(path, "");
        LogFollower follower(path, 0);
        QList<QByteArray> chunks;
        connect(&follower, &LogFollower::lines, this,
                [&](const QByteArray &c) { chunks.append(c); });
        QVERIFY(follower.start());
        append(path, "half");
        append(path, " and the rest\nnext\n");
        QTRY_COMPARE_WITH_TIMEOUT(chunks.join(), QByteArray("half and the rest\nnext\n"), 10000);
        // Never a piece of a line on its own.
        for (const QByteArray &chunk : std::as_const(chunks))
            QVERIFY2(chunk.endsWith('\n'), chunk.constData());
    }

    void finishPassesOnTheLastUnterminatedLine()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("s.log"));
        append(path, "x\ny");
        LogFollower follower(path, 0);
        QByteArray seen;
        bool finished = false;
        connect(&follower, &LogFollower::lines, this, [&](const QByteArray &c) { seen += c; });
        connect(&follower, &LogFollower::finished, this, [&] { finished = true; });
        QVERIFY(follower.start());
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("x\n"), 10000);
        follower.finish();
        QTRY_VERIFY_WITH_TIMEOUT(finished, 10000);
        QCOMPARE(seen, QByteArray("x\ny"));
    }

    void aLogCreatedLaterIsPickedUp()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("later.log"));
        LogFollower follower(path, 0);
        QByteArray seen;
        connect(&follower, &LogFollower::lines, this, [&](const QByteArray &c) { seen += c; });
        QVERIFY(follower.start());
        append(path, "first\n");
        QTRY_COMPARE_WITH_TIMEOUT(seen, QByteArray("first\n"), 10000);
    }

    void aHugeBacklogIsReadInSlices()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big.log"));
        // 8 MB behind: read over several event-loop turns, still all of it, in order.
        QByteArray line(999, 'x');
        line += '\n';
        QByteArray big;
        for (int i = 0; i < 8 * 1024; ++i)
            big += line;
        append(path, big);
        LogFollower follower(path, 0);
        qint64 total = 0;
        int chunks = 0;
        connect(&follower, &LogFollower::lines, this, [&](const QByteArray &c) {
            total += c.size();
            ++chunks;
        });
        QVERIFY(follower.start());
        QTRY_COMPARE_WITH_TIMEOUT(total, qint64(big.size()), 20000);
        QVERIFY(chunks >= 8);
    }

    void missingFolderIsAnError()
    {
        LogFollower follower(QStringLiteral("/nonexistent-standby-dir/x.log"), 0);
        QVERIFY(!follower.start());
    }
};

QTEST_GUILESS_MAIN(TestLogFollower)
#include "tst_logfollower.moc"
