// Attach end to end: a real daemon, real holders serving sessions/{pid}.sock, real shells, the
// raw protocol through QLocalSocket and the real `standby attach`, piped and on a pseudo-terminal.
#include "common/TestHome.h"

#include "core/Registry.h"
#include "sessions/AttachFrame.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcess>
#include <QTest>

#include <array>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

using namespace standby;
using namespace standby::test;

namespace {

#define WAIT_FOR(condition, timeoutMs) QTRY_VERIFY_WITH_TIMEOUT((condition), (timeoutMs))

// A client speaking the attach protocol by hand.
struct RawClient
{
    QLocalSocket socket;
    AttachFrameReader reader;
    QList<AttachFrame> frames;

    bool connectTo(const QString &path)
    {
        // The file appears at bind(), a moment before the holder listen()s: until then a
        // connection is refused.
        return QTest::qWaitFor(
            [&] {
                if (socket.state() != QLocalSocket::ConnectedState) {
                    socket.abort();
                    socket.connectToServer(path);
                    socket.waitForConnected(1000);
                }
                return socket.state() == QLocalSocket::ConnectedState;
            },
            10000);
    }
    void send(AttachFrame::Type type, const QByteArray &payload = {})
    {
        socket.write(AttachFrame::encode(type, payload));
        socket.flush();
    }
    // Takes in what has arrived; called from the conditions that tests wait on.
    RawClient &pump()
    {
        reader.feed(socket.readAll());
        while (std::optional<AttachFrame> frame = reader.next())
            frames.append(*frame);
        return *this;
    }
    int indexOf(AttachFrame::Type type)
    {
        pump();
        for (int i = 0; i < frames.size(); ++i) {
            if (frames.at(i).type == type)
                return i;
        }
        return -1;
    }
    bool has(AttachFrame::Type type) { return indexOf(type) >= 0; }
    // Stdout and Stderr payloads, in order, from frame `from` up to (not including) `to`.
    QByteArray output(int from = 0, int to = -1)
    {
        pump();
        QByteArray out;
        for (int i = from; i < (to < 0 ? frames.size() : to); ++i) {
            if (frames.at(i).type == AttachFrame::Stdout ||
                frames.at(i).type == AttachFrame::Stderr)
                out += frames.at(i).payload;
        }
        return out;
    }
    QJsonObject json(AttachFrame::Type type)
    {
        const int at = indexOf(type);
        return at < 0 ? QJsonObject() : QJsonDocument::fromJson(frames.at(at).payload).object();
    }
    QStringList failureCodes()
    {
        pump();
        QStringList codes;
        for (const AttachFrame &frame : std::as_const(frames)) {
            if (frame.type == AttachFrame::Failure)
                codes.append(
                    QJsonDocument::fromJson(frame.payload).object().value("code").toString());
        }
        return codes;
    }
    bool closed()
    {
        pump();
        return socket.state() == QLocalSocket::UnconnectedState;
    }
};

} // namespace

class TestAttach : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestHome> m_home;

    // Starts a background session with `standby --bg` and waits until its socket is there.
    RegistryEntry startSession(const QString &name, const QString &script)
    {
        const RunResult started =
            m_home->cli({QStringLiteral("--bg"), QStringLiteral("--name"), name, script});
        if (started.exitCode != 0)
            qWarning("standby --bg failed: %s", started.err.constData());
        std::optional<RegistryEntry> entry;
        const bool there = QTest::qWaitFor(
            [&] {
                entry = Registry(m_home->paths()).find(name);
                return entry && QFile::exists(socketOf(*entry));
            },
            20000);
        return there ? *entry : RegistryEntry{};
    }

    QString socketOf(const RegistryEntry &entry) const
    {
        return m_home->paths().socketFile(entry.pid);
    }

    bool isLive(const QString &name) const
    {
        return Registry(m_home->paths()).find(name).has_value();
    }

    std::unique_ptr<QProcess> startAttach(const QString &name)
    {
        auto process = std::make_unique<QProcess>();
        process->setProcessEnvironment(m_home->environment());
        process->start(TestHome::binary(QStringLiteral("standby")),
                       {QStringLiteral("attach"), name});
        return process;
    }

private Q_SLOTS:
    void init()
    {
        m_home = std::make_unique<TestHome>();
        m_home->writeConfig(QJsonObject{{"sessions", QJsonObject{{"killGraceSec", 2}}}});
        QCOMPARE(m_home->cli({QStringLiteral("daemon"), QStringLiteral("start")}).exitCode, 0);
    }

    void cleanup() { m_home.reset(); }

    // (a) Attach, Live, Input reaches the agent, its output reaches every attached client.
    void inputReachesTheSessionAndOutputEveryClient()
    {
        const RegistryEntry entry = startSession(QStringLiteral("echoer"), QStringLiteral("cat"));
        QVERIFY(entry.pid > 0);
        struct stat info = {};
        QCOMPARE(::stat(QFile::encodeName(socketOf(entry)).constData(), &info), 0);
        QVERIFY(S_ISSOCK(info.st_mode));
        QCOMPARE(info.st_mode & 0777, mode_t(0600));

        RawClient first;
        RawClient second;
        QVERIFY(first.connectTo(socketOf(entry)));
        QVERIFY(second.connectTo(socketOf(entry)));
        first.send(AttachFrame::Attach);
        second.send(AttachFrame::Attach);
        WAIT_FOR(first.has(AttachFrame::Live) && second.has(AttachFrame::Live), 10000);

        first.send(AttachFrame::Input, "hello\n");
        WAIT_FOR(first.output().contains("hello\n") && second.output().contains("hello\n"), 10000);
        second.send(AttachFrame::Input, "from the second\n");
        WAIT_FOR(first.output().contains("from the second\n") &&
                     second.output().contains("from the second\n"),
                 10000);
        // Output came after Live, as live output, and no refusal was sent.
        QVERIFY(first.output(first.indexOf(AttachFrame::Live)).contains("hello"));
        QVERIFY(!first.has(AttachFrame::Failure) && !second.has(AttachFrame::Failure));
    }

    // (b) A late client gets the recent output (the last 64 KiB) before Live.
    void recentOutputComesFirst()
    {
        // About 100 KB of numbered lines, then it waits for input.
        const RegistryEntry entry = startSession(
            QStringLiteral("early"),
            QStringLiteral("i=0; while [ $i -lt 10000 ]; do echo \"line $i\"; i=$((i+1)); done; "
                           "echo done-printing; cat"));
        QVERIFY(entry.pid > 0);
        const QString log = m_home->paths().processLog(QStringLiteral("early"));
        WAIT_FOR(
            QFile(log).size() > 0 &&
                [&] {
                    QFile file(log);
                    return file.open(QIODevice::ReadOnly) &&
                           file.readAll().contains("done-printing");
                }(),
            30000);

        RawClient late;
        QVERIFY(late.connectTo(socketOf(entry)));
        late.send(AttachFrame::Attach);
        WAIT_FOR(late.has(AttachFrame::Live), 10000);
        const QByteArray recent = late.output(0, late.indexOf(AttachFrame::Live));
        QVERIFY(recent.endsWith("line 9999\ndone-printing\n"));
        QVERIFY(recent.size() <= 64 * 1024);
        QVERIFY(recent.size() > 60 * 1024);
        QVERIFY(!recent.contains("line 100\n")); // the oldest part is gone
        // And live output follows.
        late.send(AttachFrame::Input, "after\n");
        WAIT_FOR(late.output(late.indexOf(AttachFrame::Live)).contains("after\n"), 10000);
    }

    // (c) standby attach with piped stdin: a round trip, then the session's end ends it.
    void cliAttachRoundTripAndKill()
    {
        const RegistryEntry entry = startSession(QStringLiteral("piped"), QStringLiteral("cat"));
        QVERIFY(entry.pid > 0);
        std::unique_ptr<QProcess> attach = startAttach(QStringLiteral("piped"));
        QVERIFY(attach->waitForStarted(10000));
        attach->write("hello through the cli\n");
        QByteArray out;
        WAIT_FOR((out += attach->readAllStandardOutput()).contains("hello through the cli\n"),
                 20000);
        // Not on a terminal: no hint, no editing, bytes as they are.
        QVERIFY(!attach->readAllStandardError().contains("Ctrl+P"));

        QCOMPARE(m_home->cli({QStringLiteral("kill"), QStringLiteral("piped")}).exitCode, 0);
        QVERIFY(attach->waitForFinished(20000));
        QCOMPARE(attach->exitStatus(), QProcess::NormalExit);
        QCOMPARE(attach->exitCode(), 128 + SIGTERM);
        QVERIFY2(attach->readAllStandardError().contains("[piped killed by SIGTERM]"),
                 "the exit line is printed");
        // The holder removed its socket on the way out.
        WAIT_FOR(!QFile::exists(socketOf(entry)), 20000);
    }

    void cliAttachExitsWithTheSessionsCode()
    {
        startSession(QStringLiteral("three"),
                     QStringLiteral("read line; echo \"got $line\"; exit 3"));
        std::unique_ptr<QProcess> attach = startAttach(QStringLiteral("three"));
        QVERIFY(attach->waitForStarted(10000));
        attach->write("x\n");
        QVERIFY(attach->waitForFinished(20000));
        QCOMPARE(attach->exitCode(), 3);
        QVERIFY(attach->readAllStandardOutput().contains("got x\n"));
        QVERIFY(attach->readAllStandardError().contains("[three exited with code 3]"));
    }

    void cliAttachRefusesWhatCannotBeAttached()
    {
        const RunResult missing =
            m_home->cli({QStringLiteral("attach"), QStringLiteral("no-such-session")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("no live session"));
        const RunResult daemon =
            m_home->cli({QStringLiteral("attach"), QStringLiteral("standbyd")});
        QCOMPARE(daemon.exitCode, 2);
        const RunResult usage = m_home->cli({QStringLiteral("attach")});
        QCOMPARE(usage.exitCode, 1);
        const RunResult help = m_home->cli({QStringLiteral("attach"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("Ctrl+P Ctrl+Q"));

        // A foreground session has no socket: a clear refusal.
        const QString gate = m_home->path() + QStringLiteral("/gate");
        QProcess foreground;
        foreground.setProcessEnvironment(m_home->environment());
        foreground.start(TestHome::binary(QStringLiteral("standby")),
                         {QStringLiteral("--name"), QStringLiteral("fg"),
                          QStringLiteral("while [ ! -e '%1' ]; do sleep 0.05; done").arg(gate)});
        WAIT_FOR(isLive(QStringLiteral("fg")), 20000);
        const RunResult fg = m_home->cli({QStringLiteral("attach"), QStringLiteral("fg")});
        QFile(gate).open(QIODevice::WriteOnly);
        QVERIFY(foreground.waitForFinished(20000));
        QCOMPARE(fg.exitCode, 2);
        QVERIFY(fg.err.contains("foreground session"));
    }

    // (d) Detaching leaves the session running, and it can be attached to again.
    void detachingLeavesTheSessionRunning()
    {
        const RegistryEntry entry = startSession(QStringLiteral("stays"), QStringLiteral("cat"));
        {
            RawClient client;
            QVERIFY(client.connectTo(socketOf(entry)));
            client.send(AttachFrame::Attach);
            client.send(AttachFrame::Input, "before detach\n");
            WAIT_FOR(client.output().contains("before detach\n"), 10000);
            client.socket.disconnectFromServer();
        }
        // The CLI's way: stdin ends, then it is told to go (a signal).
        std::unique_ptr<QProcess> attach = startAttach(QStringLiteral("stays"));
        QVERIFY(attach->waitForStarted(10000));
        QByteArray out;
        WAIT_FOR((out += attach->readAllStandardOutput()).contains("before detach\n"), 20000);
        attach->closeWriteChannel();
        ::kill(pid_t(attach->processId()), SIGTERM);
        QVERIFY(attach->waitForFinished(20000));
        QCOMPARE(attach->exitCode(), 128 + SIGTERM);
        QVERIFY(attach->readAllStandardError().contains("[detached from stays; it keeps running]"));

        QVERIFY(isLive(QStringLiteral("stays")));
        const RunResult ps = m_home->cli({QStringLiteral("ps"), QStringLiteral("--json")});
        bool listed = false;
        for (const QJsonValue &worker : QJsonDocument::fromJson(ps.out).array())
            listed = listed || worker.toObject().value("name").toString() == "stays";
        QVERIFY(listed);
        RawClient again;
        QVERIFY(again.connectTo(socketOf(entry)));
        again.send(AttachFrame::Attach);
        again.send(AttachFrame::Input, "after detach\n");
        WAIT_FOR(again.output().contains("before detach\nafter detach\n"), 10000);
    }

    // (e) Garbage and oversize frames: a Failure, that client closed, everyone else unharmed.
    void badFramesCloseOnlyTheirClient()
    {
        const RegistryEntry entry = startSession(QStringLiteral("robust"), QStringLiteral("cat"));
        RawClient good;
        QVERIFY(good.connectTo(socketOf(entry)));
        good.send(AttachFrame::Attach);
        WAIT_FOR(good.has(AttachFrame::Live), 10000);

        RawClient garbage;
        QVERIFY(garbage.connectTo(socketOf(entry)));
        garbage.socket.write(QByteArray("GET / HTTP/1.1\r\n\r\n"));
        RawClient oversize;
        QVERIFY(oversize.connectTo(socketOf(entry)));
        oversize.socket.write(QByteArray("I\x7f\xff\xff\xff", 5) + QByteArray(1000, 'x'));
        RawClient wrongWay;
        QVERIFY(wrongWay.connectTo(socketOf(entry)));
        wrongWay.send(AttachFrame::Stdout, "a client does not send output");

        for (RawClient *bad : {&garbage, &oversize, &wrongWay}) {
            WAIT_FOR(bad->closed(), 10000);
            QCOMPARE(bad->json(AttachFrame::Failure).value("code").toString(),
                     QStringLiteral("protocol_error"));
            QVERIFY(!bad->json(AttachFrame::Failure).value("message").toString().isEmpty());
        }
        good.send(AttachFrame::Input, "still here\n");
        WAIT_FOR(good.output().contains("still here\n"), 10000);
        QVERIFY(!good.closed());
        QVERIFY(isLive(QStringLiteral("robust")));
    }

    // (f) Signal INT goes to the session's process group; it is not a kill request.
    void signalReachesTheSession()
    {
        const RegistryEntry entry = startSession(
            QStringLiteral("trapper"),
            QStringLiteral("trap 'echo got-int' INT; echo ready; while :; do sleep 0.1; done"));
        RawClient client;
        QVERIFY(client.connectTo(socketOf(entry)));
        client.send(AttachFrame::Attach);
        WAIT_FOR(client.output().contains("ready\n"), 10000);
        client.send(AttachFrame::Signal, "INT");
        WAIT_FOR(client.output().contains("got-int\n"), 10000);
        client.send(AttachFrame::Signal, "SIGINT");
        WAIT_FOR(client.output().count("got-int\n") == 2, 10000);
        // Still running: no Exit, still registered.
        QVERIFY(!client.has(AttachFrame::Exit));
        QVERIFY(isLive(QStringLiteral("trapper")));
        // Ending it for good is standby kill's business.
        client.send(AttachFrame::Signal, "KILL");
        WAIT_FOR(client.has(AttachFrame::Failure), 10000);
        QCOMPARE(client.json(AttachFrame::Failure).value("code").toString(),
                 QStringLiteral("invalid_signal"));
        QVERIFY(!client.closed());
    }

    // EndOfInput closes the agent's stdin: cat ends, every client gets the Exit and is closed.
    void endOfInputAndTheExitFrame()
    {
        const RegistryEntry entry = startSession(QStringLiteral("eof"), QStringLiteral("cat"));
        RawClient client;
        QVERIFY(client.connectTo(socketOf(entry)));
        client.send(AttachFrame::Attach);
        client.send(AttachFrame::Input, "last words\n");
        client.send(AttachFrame::EndOfInput);
        WAIT_FOR(client.closed(), 20000);
        QVERIFY(client.output().contains("last words\n"));
        // The Exit is the last frame.
        QCOMPARE(client.frames.last().type, AttachFrame::Exit);
        const QJsonObject exit = client.json(AttachFrame::Exit);
        QCOMPARE(exit.value("status").toString(), QStringLiteral("exited"));
        QCOMPARE(exit.value("exitCode").toInt(-1), 0);
        QVERIFY(exit.value("signal").isNull());
        QVERIFY(exit.value("durationMs").toInteger(-1) >= 0);
        WAIT_FOR(!QFile::exists(socketOf(entry)), 20000);
    }

    void inputIsRefusedWhenClosedOrFull()
    {
        // sleep never reads its stdin: the pipe fills, then the holder's buffer.
        const RegistryEntry entry =
            startSession(QStringLiteral("deaf"), QStringLiteral("sleep 300"));
        RawClient client;
        QVERIFY(client.connectTo(socketOf(entry)));
        const QByteArray mebibyte(AttachFrame::kMaxPayload, 'x');
        for (int i = 0; i < 4; ++i)
            client.send(AttachFrame::Input, mebibyte);
        WAIT_FOR(client.failureCodes().contains(QStringLiteral("input_full")), 20000);
        // The first two fit (1 MiB may wait unwritten); what comes on top is refused.
        client.send(AttachFrame::EndOfInput);
        client.send(AttachFrame::Input, "too late\n");
        WAIT_FOR(client.failureCodes().contains(QStringLiteral("input_closed")), 20000);
        const QStringList codes = client.failureCodes();
        QCOMPARE(codes.count(QStringLiteral("input_full")), 2);
        QCOMPARE(codes.last(), QStringLiteral("input_closed"));
        QCOMPARE(codes.size(), 3);
        QVERIFY(!client.closed());
        QVERIFY(isLive(QStringLiteral("deaf")));
    }

    // On a terminal: the line editor, Ctrl+C to the session, the terminal restored.
    void terminalInterruptEndsACatAndRestoresTheTerminal()
    {
        startSession(QStringLiteral("tty"),
                     QStringLiteral("while IFS= read -r l; do echo \"got:$l\"; done"));
        Pty pty;
        QVERIFY(pty.open());
        std::unique_ptr<QProcess> attach = startOnPty(pty, QStringLiteral("tty"));
        QVERIFY(attach->waitForStarted(10000));
        // Non-canonical, no echo by the terminal while attached.
        WAIT_FOR((pty.localFlags() & (ICANON | ECHO)) == 0, 20000);
        QByteArray err;
        WAIT_FOR((err += attach->readAllStandardError())
                     .contains("attached to tty; Ctrl+P Ctrl+Q detaches, Ctrl+C interrupts it"),
                 10000);

        pty.type("helx\x7flo\r");
        QByteArray screen;
        WAIT_FOR((screen += pty.read()).contains("got:hello"), 20000);
        QVERIFY(screen.contains("helx\b \blo")); // echoed and erased locally
        QVERIFY(!screen.contains("got:helx"));

        pty.type("\x03"); // Ctrl+C: SIGINT to attach, passed on to the session's group
        QVERIFY(attach->waitForFinished(20000));
        QCOMPARE(attach->exitCode(), 128 + SIGINT);
        QVERIFY(attach->readAllStandardError().contains("[tty killed by SIGINT]"));
        QCOMPARE(pty.localFlags() & (ICANON | ECHO), tcflag_t(ICANON | ECHO));
    }

    void terminalDetachKeysLeaveTheSessionRunning()
    {
        const RegistryEntry entry = startSession(QStringLiteral("ttyd"), QStringLiteral("cat"));
        Pty pty;
        QVERIFY(pty.open());
        std::unique_ptr<QProcess> attach = startOnPty(pty, QStringLiteral("ttyd"));
        QVERIFY(attach->waitForStarted(10000));
        WAIT_FOR((pty.localFlags() & ICANON) == 0, 20000);
        pty.type("partial\x10\x11"); // Ctrl+P Ctrl+Q
        QVERIFY(attach->waitForFinished(20000));
        QCOMPARE(attach->exitCode(), 0);
        QVERIFY(attach->readAllStandardError().contains("[detached from ttyd; it keeps running]"));
        QCOMPARE(pty.localFlags() & (ICANON | ECHO), tcflag_t(ICANON | ECHO));
        QVERIFY(isLive(QStringLiteral("ttyd")));
        // The unfinished line was never sent.
        RawClient client;
        QVERIFY(client.connectTo(socketOf(entry)));
        client.send(AttachFrame::Attach);
        client.send(AttachFrame::Input, "next\n");
        WAIT_FOR(client.output().contains("next\n"), 10000);
        QVERIFY(!client.output().contains("partial"));
    }

private:
    // A pseudo-terminal whose far end becomes the controlling terminal, stdin and stdout of a
    // `standby attach`; this end types and reads the screen. The far end is held open here too,
    // so its settings can be read after attach has ended.
    struct Pty
    {
        int master = -1;
        int slave = -1;
        std::array<char, 128> slaveName{};

        ~Pty()
        {
            if (master >= 0)
                ::close(master);
            if (slave >= 0)
                ::close(slave);
        }
        bool open()
        {
            master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
            if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0 ||
                ::ptsname_r(master, slaveName.data(), slaveName.size()) != 0)
                return false;
            ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
            slave = ::open(slaveName.data(), O_RDWR | O_NOCTTY | O_CLOEXEC);
            return slave >= 0;
        }
        tcflag_t localFlags() const
        {
            struct termios attributes = {};
            ::tcgetattr(slave, &attributes);
            return attributes.c_lflag;
        }
        void type(const QByteArray &keys) const
        {
            QVERIFY(::write(master, keys.constData(), size_t(keys.size())) == keys.size());
        }
        QByteArray read() const
        {
            QByteArray screen;
            char buffer[4096];
            ssize_t got = 0;
            while ((got = ::read(master, buffer, sizeof buffer)) > 0)
                screen.append(buffer, got);
            return screen;
        }
    };

    std::unique_ptr<QProcess> startOnPty(const Pty &pty, const QString &name)
    {
        auto process = std::make_unique<QProcess>();
        process->setProcessEnvironment(m_home->environment());
        const std::array<char, 128> slaveName = pty.slaveName;
        process->setChildProcessModifier([slaveName] {
            // A session of its own whose controlling terminal is the pty, so Ctrl+C typed
            // there is SIGINT for attach, as in a real terminal.
            ::setsid();
            const int fd = ::open(slaveName.data(), O_RDWR);
            if (fd < 0)
                ::_exit(127);
            ::dup2(fd, STDIN_FILENO);
            ::dup2(fd, STDOUT_FILENO);
            if (fd > STDERR_FILENO)
                ::close(fd);
        });
        process->start(TestHome::binary(QStringLiteral("standby")),
                       {QStringLiteral("attach"), name});
        return process;
    }
};

QTEST_GUILESS_MAIN(TestAttach)
#include "tst_attach.moc"
