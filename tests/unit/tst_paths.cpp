#include "core/Paths.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace standby;

class TestPaths : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void honoursStandbyHome()
    {
        QTemporaryDir dir;
        qputenv("STANDBY_HOME", dir.path().toUtf8());
        QCOMPARE(Paths::fromEnvironment().home(), QFileInfo(dir.path()).absoluteFilePath());
        qputenv("STANDBY_HOME", "");
        QCOMPARE(Paths::fromEnvironment().home(), QDir::homePath() + QStringLiteral("/.standby"));
        qunsetenv("STANDBY_HOME");
    }

    void layoutIsPrivate()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path() + QStringLiteral("/home"));
        QVERIFY(!paths.ensureLayout().has_value());
        for (const QString &folder : {paths.home(), paths.sessionsDir(), paths.logsDir(),
                                      paths.runsDir(), paths.projectsDir(), paths.debugDir()}) {
            struct stat st
            {
            };
            QCOMPARE(::stat(QFile::encodeName(folder).constData(), &st), 0);
            QCOMPARE(st.st_mode & 0777, 0700u);
        }
        // Idempotent, and it tightens a folder someone loosened.
        ::chmod(QFile::encodeName(paths.sessionsDir()).constData(), 0755);
        QVERIFY(!paths.ensureLayout().has_value());
        struct stat st
        {
        };
        ::stat(QFile::encodeName(paths.sessionsDir()).constData(), &st);
        QCOMPARE(st.st_mode & 0777, 0700u);
    }

    void fileNames()
    {
        const Paths paths(QStringLiteral("/h"));
        QCOMPARE(paths.pidFile(42), QStringLiteral("/h/sessions/42.json"));
        QCOMPARE(paths.socketFile(42), QStringLiteral("/h/sessions/42.sock"));
        QCOMPARE(paths.daemonRecord(), QStringLiteral("/h/daemon.json"));
        QCOMPARE(paths.processLog(QStringLiteral("feature-login")),
                 QStringLiteral("/h/logs/feature-login.log"));
        QCOMPARE(paths.telemetryLog(QDate(2026, 11, 24), QStringLiteral("/home/u/my proj")),
                 QStringLiteral("/h/logs/2026-11-24/my_proj.log"));
    }

    void workspaceNameIsSafe_data()
    {
        QTest::addColumn<QString>("cwd");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << "/home/u/proj"
                               << "proj";
        QTest::newRow("spaces and unicode") << "/x/mon projet é"
                                            << "mon_projet__";
        QTest::newRow("hidden") << "/x/.secret"
                                << "secret";
        QTest::newRow("root") << "/"
                              << "root";
        QTest::newRow("dots only") << "/x/..."
                                   << "root";
        QTest::newRow("trailing slash") << "/x/app/"
                                        << "app";
    }
    void workspaceNameIsSafe()
    {
        QFETCH(QString, cwd);
        QFETCH(QString, expected);
        QCOMPARE(Paths::workspaceName(cwd), expected);
    }

    void projectIdReplacesSlashes()
    {
        QCOMPARE(Paths::projectId(QStringLiteral("/home/u/proj")), QStringLiteral("-home-u-proj"));
    }
};

QTEST_GUILESS_MAIN(TestPaths)
#include "tst_paths.moc"
