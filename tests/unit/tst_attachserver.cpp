// The attach server on its own, in this process, with a fake agent: the recent-output ring, the
// limits that keep a holder safe from its clients, and what reaches the agent.
#include "core/RunRecord.h"
#include "sessions/AttachServer.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace standby;

namespace {

struct FakeAgent
{
    QByteArray input;
    qint64 pending = 0;
    bool open = true;
    int closed = 0;
    QList<int> signals_;
    bool running = true;

    AttachServer::Agent callbacks()
    {
        AttachServer::Agent agent;
        agent.pendingInput = [this] { return pending; };
        agent.writeInput = [this](const QByteArray &bytes) {
            if (!open)
                return false;
            input += bytes;
            return true;
        };
        agent.closeInput = [this] { ++closed; };
        agent.signalGroup = [this](int signal) {
            signals_.append(signal);
            return running;
        };
        return agent;
    }
};

struct Client
{
    QLocalSocket socket;
    AttachFrameReader reader;
    QList<AttachFrame> frames;

    bool connectTo(const QString &path)
    {
        socket.connectToServer(path);
        return socket.waitForConnected(5000);
    }
    void send(AttachFrame::Type type, const QByteArray &payload = {})
    {
        socket.write(AttachFrame::encode(type, payload));
        socket.flush();
    }
    Client &pump()
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
    QString failure()
    {
        const int at = indexOf(AttachFrame::Failure);
        return at < 0 ? QString()
                      : QJsonDocument::fromJson(frames.at(at).payload)
                            .object()
                            .value("code")
                            .toString();
    }
    bool closed()
    {
        pump();
        return socket.state() == QLocalSocket::UnconnectedState;
    }
};

RunRecord endedRecord()
{
    RunRecord record;
    record.status = RunRecord::State::Killed;
    record.signal = QStringLiteral("TERM");
    record.startedAt = 1000;
    record.endedAt = 3500;
    return record;
}

} // namespace

class TestAttachServer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString socketPath() const { return m_dir.filePath(QStringLiteral("1.sock")); }

private Q_SLOTS:
    void listensOwnerOnlyOverAStaleFileAndRemovesItAtTheEnd()
    {
        {
            QFile stale(socketPath());
            QVERIFY(stale.open(QIODevice::WriteOnly));
        }
        FakeAgent agent;
        AttachServer server(socketPath(), agent.callbacks());
        QVERIFY(!server.listen().has_value());
        struct stat info = {};
        QCOMPARE(::stat(QFile::encodeName(socketPath()).constData(), &info), 0);
        QVERIFY(S_ISSOCK(info.st_mode));
        QCOMPARE(info.st_mode & 0777, mode_t(0600));
        server.close();
        QVERIFY(!QFile::exists(socketPath()));
    }

    void theRingKeepsTheLast64KiBWithTheirStreams()
    {
        FakeAgent agent;
        AttachServer server(socketPath(), agent.callbacks());
        QVERIFY(!server.listen().has_value());
        server.output(AttachFrame::Stdout, QByteArray(40 * 1024, 'a'));
        for (int i = 0; i < 40; ++i) // many small reads, as from a pipe
            server.output(AttachFrame::Stderr, QByteArray(1024, 'b'));
        server.output(AttachFrame::Stdout, QByteArray(10 * 1024, 'c'));

        Client client;
        QVERIFY(client.connectTo(socketPath()));
        client.send(AttachFrame::Attach);
        QTRY_VERIFY(client.has(AttachFrame::Live));
        QByteArray out;
        QByteArray err;
        for (int i = 0; i < client.indexOf(AttachFrame::Live); ++i) {
            const AttachFrame &frame = client.frames.at(i);
            QVERIFY(frame.type == AttachFrame::Stdout || frame.type == AttachFrame::Stderr);
            (frame.type == AttachFrame::Stdout ? out : err) += frame.payload;
        }
        QCOMPARE(out, QByteArray(14 * 1024, 'a') + QByteArray(10 * 1024, 'c'));
        QCOMPARE(err, QByteArray(40 * 1024, 'b'));
        // Order across streams is kept: a, then b, then c.
        QCOMPARE(client.frames.first().payload.at(0), 'a');
        QCOMPARE(client.frames.at(client.indexOf(AttachFrame::Live) - 1).payload.back(), 'c');
    }

    void theRingNeverStartsInsideACharacter()
    {
        FakeAgent agent;
        AttachServer server(socketPath(), agent.callbacks());
        QVERIFY(!server.listen().has_value());
        // "é" is two bytes; one byte more than the ring holds puts the cut inside one.
        const QByteArray text = QByteArray("x") + QByteArray("\xc3\xa9").repeated(32 * 1024);
        server.output(AttachFrame::Stdout, text);
        Client client;
        QVERIFY(client.connectTo(socketPath()));
        client.send(AttachFrame::Attach);
        QTRY_VERIFY(client.has(AttachFrame::Live));
        const QByteArray recent = client.frames.first().payload;
        QCOMPARE(quint8(recent.at(0)), quint8(0xc3));
        QVERIFY(recent.size() <= AttachServer::kRecentBytes);
        QVERIFY(text.endsWith(recent));
    }

    void inputEndOfInputAndSignalsReachTheAgent()
    {
        FakeAgent agent;
        AttachServer server(socketPath(), agent.callbacks());
        QVERIFY(!server.listen().has_value());
        Client client;
        QVERIFY(client.connectTo(socketPath()));
        // No Attach needed to give input (the daemon's input route does just that).
        client.send(AttachFrame::Input, "one\n");
        client.send(AttachFrame::Signal, "int");
        client.send(AttachFrame::Signal, "SIGWINCH");
        QTRY_COMPARE(agent.signals_.size(), 2);
        QCOMPARE(agent.input, QByteArray("one\n"));
        QCOMPARE(agent.signals_, (QList<int>{SIGINT, SIGWINCH}));

        agent.pending = AttachServer::kMaxPendingInput + 1;
        client.send(AttachFrame::Input, "two\n");
        QTRY_COMPARE(client.failure(), QStringLiteral("input_full"));
        QCOMPARE(agent.input, QByteArray("one\n"));
        client.frames.clear();

        agent.pending = 0;
        client.send(AttachFrame::EndOfInput);
        client.send(AttachFrame::EndOfInput);
        client.send(AttachFrame::Input, "three\n");
        QTRY_COMPARE(client.failure(), QStringLiteral("input_closed"));
        QCOMPARE(agent.closed, 1);
        QCOMPARE(agent.input, QByteArray("one\n"));
        client.frames.clear();

        agent.running = false;
        client.send(AttachFrame::Signal, "TERM");
        QTRY_COMPARE(client.failure(), QStringLiteral("not_running"));
        client.frames.clear();
        client.send(AttachFrame::Signal, "KILL");
        QTRY_COMPARE(client.failure(), QStringLiteral("invalid_signal"));
        QCOMPARE(agent.signals_.size(), 3); // KILL never got to the agent
        QVERIFY(!client.closed());
    }

    void theExitGoesToEveryoneAndToLateComers()
    {
        FakeAgent agent;
        AttachServer server(socketPath(), agent.callbacks());
        QVERIFY(!server.listen().has_value());
        Client early;
        QVERIFY(early.connectTo(socketPath()));
        early.send(AttachFrame::Attach);
        QTRY_VERIFY(early.has(AttachFrame::Live));
        server.output(AttachFrame::Stdout, "bye\n");
        server.agentEnded(endedRecord());
        server.agentEnded(RunRecord{}); // only the first counts
        QTRY_VERIFY(early.closed());
        QCOMPARE(early.frames.last().type, AttachFrame::Exit);
        const QJsonObject exit = QJsonDocument::fromJson(early.frames.last().payload).object();
        QCOMPARE(exit.value("status").toString(), QStringLiteral("killed"));
        QVERIFY(exit.value("exitCode").isNull());
        QCOMPARE(exit.value("signal").toString(), QStringLiteral("TERM"));
        QCOMPARE(exit.value("durationMs").toInteger(), 2500);

        Client late;
        QVERIFY(late.connectTo(socketPath()));
        late.send(AttachFrame::Attach);
        QTRY_VERIFY(late.closed());
        QCOMPARE(late.frames.size(), 3);
        QCOMPARE(late.frames.at(0).payload, QByteArray("bye\n"));
        QCOMPARE(late.frames.at(1).type, AttachFrame::Live);
        QCOMPARE(late.frames.at(2).type, AttachFrame::Exit);
    }

    void aSlowClientIsDroppedAndTheOthersKeepUp()
    {
        FakeAgent agent;
        AttachServer server(socketPath(), agent.callbacks());
        QVERIFY(!server.listen().has_value());

        // The slow one: a plain socket that asks to attach and then never reads.
        const int slow = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        QVERIFY(slow >= 0);
        sockaddr_un address = {};
        address.sun_family = AF_UNIX;
        const QByteArray path = QFile::encodeName(socketPath());
        std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
        QCOMPARE(::connect(slow, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
        const QByteArray attach = AttachFrame::encode(AttachFrame::Attach);
        QCOMPARE(::write(slow, attach.constData(), size_t(attach.size())), ssize_t(attach.size()));
        pollfd readable = {slow, POLLIN, 0};
        QTRY_VERIFY(::poll(&readable, 1, 0) == 1); // its Live frame is there: it is attached

        Client fast;
        QVERIFY(fast.connectTo(socketPath()));
        fast.send(AttachFrame::Attach);
        QTRY_VERIFY(fast.has(AttachFrame::Live));
        QTRY_COMPARE(server.clientCount(), 2);

        // 24 MiB in pipe-sized reads, the event loop turning in between as in the holder.
        const QByteArray piece(64 * 1024, 'z');
        qint64 received = 0;
        for (int i = 0; i < 384; ++i) {
            server.output(AttachFrame::Stdout, piece);
            QCoreApplication::processEvents();
            fast.pump();
            for (const AttachFrame &frame : std::as_const(fast.frames))
                received += frame.type == AttachFrame::Stdout ? frame.payload.size() : 0;
            fast.frames.clear();
        }
        QTRY_COMPARE(server.clientCount(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                fast.pump();
                for (const AttachFrame &frame : std::as_const(fast.frames))
                    received += frame.type == AttachFrame::Stdout ? frame.payload.size() : 0;
                fast.frames.clear();
                return received >= 384 * piece.size();
            }(),
            20000);
        QCOMPARE(received, 384 * piece.size());
        QVERIFY(!fast.closed());

        // The slow one got at most what was queued before it fell 4 MiB behind, then the end.
        ::fcntl(slow, F_SETFL, ::fcntl(slow, F_GETFL) | O_NONBLOCK);
        qint64 slowGot = 0;
        bool ended = false;
        QTRY_VERIFY([&] {
            char buffer[64 * 1024];
            ssize_t got = 0;
            while ((got = ::read(slow, buffer, sizeof buffer)) > 0)
                slowGot += got;
            ended = ended || got == 0;
            return ended;
        }());
        ::close(slow);
        QVERIFY2(slowGot < 8 * 1024 * 1024, qPrintable(QString::number(slowGot)));
    }

    void clientsBeyondTheCapAreTurnedAway()
    {
        FakeAgent agent;
        AttachServer server(socketPath(), agent.callbacks());
        QVERIFY(!server.listen().has_value());
        std::vector<std::unique_ptr<Client>> clients;
        for (int i = 0; i < AttachServer::kMaxClients; ++i) {
            clients.push_back(std::make_unique<Client>());
            QVERIFY2(clients.back()->connectTo(socketPath()), qPrintable(QString::number(i)));
            // Let the server accept, as its event loop would between connections.
            QTRY_COMPARE(server.clientCount(), i + 1);
        }
        QTRY_COMPARE(server.clientCount(), AttachServer::kMaxClients);
        Client extra;
        QVERIFY(extra.connectTo(socketPath()));
        QTRY_VERIFY(extra.closed());
        QCOMPARE(extra.failure(), QStringLiteral("too_many_clients"));
        QCOMPARE(server.clientCount(), AttachServer::kMaxClients);
        // One leaving makes room.
        clients.front()->socket.disconnectFromServer();
        QTRY_COMPARE(server.clientCount(), AttachServer::kMaxClients - 1);
        Client next;
        QVERIFY(next.connectTo(socketPath()));
        next.send(AttachFrame::Attach);
        QTRY_VERIFY(next.has(AttachFrame::Live));
    }

    void aProtocolErrorClosesOnlyThatClient()
    {
        FakeAgent agent;
        AttachServer server(socketPath(), agent.callbacks());
        QVERIFY(!server.listen().has_value());
        Client good;
        QVERIFY(good.connectTo(socketPath()));
        good.send(AttachFrame::Attach);
        Client bad;
        QVERIFY(bad.connectTo(socketPath()));
        // Valid input first, then a frame over the size limit: the input still counts.
        bad.send(AttachFrame::Input, "fine\n");
        bad.socket.write(QByteArray("I\x00\x10\x00\x01", 5));
        QTRY_VERIFY(bad.closed());
        QCOMPARE(bad.failure(), QStringLiteral("protocol_error"));
        QCOMPARE(agent.input, QByteArray("fine\n"));
        server.output(AttachFrame::Stdout, "on\n");
        QTRY_VERIFY(good.pump().frames.size() >= 2);
        QCOMPARE(good.frames.last().payload, QByteArray("on\n"));
        QVERIFY(!good.closed());
    }

    void signalNames()
    {
        QCOMPARE(AttachServer::parseSignal("INT"), std::optional<int>(SIGINT));
        QCOMPARE(AttachServer::parseSignal("sigterm"), std::optional<int>(SIGTERM));
        QCOMPARE(AttachServer::parseSignal(" HUP "), std::optional<int>(SIGHUP));
        QCOMPARE(AttachServer::parseSignal("USR2"), std::optional<int>(SIGUSR2));
        QVERIFY(!AttachServer::parseSignal("KILL"));
        QVERIFY(!AttachServer::parseSignal("9"));
        QVERIFY(!AttachServer::parseSignal(""));
    }
};

QTEST_GUILESS_MAIN(TestAttachServer)
#include "tst_attachserver.moc"
