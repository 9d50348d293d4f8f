#include "core/LogCategories.h"
#include "core/Telemetry.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace standby;

class TestTelemetry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lineFormat()
    {
        const QDateTime time(QDate(2026, 11, 24), QTime(20, 35, 30, 123), Qt::UTC);
        const QByteArray line =
            Telemetry::formatLine(time, QtWarningMsg, "standby.http", 42,
                                  QStringLiteral("bg-7f3a9c"), QStringLiteral("two\nlines"));
        QCOMPARE(line, QByteArray("2026-11-24T20:35:30.123Z WARN standby.http pid=42 "
                                  "session=bg-7f3a9c two\\nlines\n"));
        QCOMPARE(Telemetry::formatLine(time, QtCriticalMsg, nullptr, 1, QString(), QString()),
                 QByteArray("2026-11-24T20:35:30.123Z ERROR default pid=1 session=- \n"));
    }

    void writesTheDaysWorkspaceFile()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        QVERIFY(!paths.ensureLayout().has_value());
        Telemetry::install(paths, {QStringLiteral("/home/u/proj"), QStringLiteral("s-1"), false});
        qCInfo(lcDaemon, "hello %d", 7);
        qCWarning(lcHttp, "careful");
        qCDebug(lcDaemon, "not for telemetry");
        Telemetry::uninstall();

        QFile file(
            paths.telemetryLog(QDateTime::currentDateTimeUtc().date(), QStringLiteral("proj")));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        const QString pid = QString::number(QCoreApplication::applicationPid());
        const QRegularExpression pattern(
            QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO "
                           "standby\\.daemon pid=%1 session=s-1 hello 7$")
                .arg(pid));
        QVERIFY2(pattern.match(QString::fromUtf8(lines.at(0))).hasMatch(), lines.at(0));
        QVERIFY(lines.at(1).contains(" WARN standby.http "));
        QCOMPARE(file.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    }

    void passesThroughToTheHandlerBefore()
    {
        // The CLI's set-up: what Qt's own handler showed on the terminal, it still shows, and
        // the CLI's own standby.cli lines go to the file alone.
        static QStringList shown;
        shown.clear();
        const QtMessageHandler before = qInstallMessageHandler(
            [](QtMsgType, const QMessageLogContext &context, const QString &message) {
                shown.append(QString::fromLatin1(context.category) + QLatin1Char(' ') + message);
            });
        QTemporaryDir dir;
        const Paths paths(dir.path() + QStringLiteral("/not-yet"));
        Telemetry::install(paths, {QStringLiteral("/w/cli"), QString(), false, true});
        QVERIFY(!QFile::exists(paths.home())); // nothing made before a line comes
        qCWarning(lcClient, "the daemon did not take the stop request");
        qCInfo(lcCli, "for the log alone");
        qDebug("debug: shown, not logged");
        Telemetry::uninstall();
        qInstallMessageHandler(before);

        QCOMPARE(shown, (QStringList{QStringLiteral("standby.client the daemon did not take the "
                                                    "stop request"),
                                     QStringLiteral("default debug: shown, not logged")}));
        const QString path =
            paths.telemetryLog(QDateTime::currentDateTimeUtc().date(), QStringLiteral("cli"));
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains(" WARN standby.client pid="));
        QVERIFY(text.contains(" INFO standby.cli pid="));
        QVERIFY(!text.contains("debug: shown"));
        // Folders it made are private whatever the umask.
        QCOMPARE(QFileInfo(paths.home()).permissions() &
                     (QFile::ReadGroup | QFile::ReadOther | QFile::ExeGroup | QFile::ExeOther),
                 QFile::Permissions());
    }
};

QTEST_GUILESS_MAIN(TestTelemetry)
#include "tst_telemetry.moc"
