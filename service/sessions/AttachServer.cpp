#include "sessions/AttachServer.h"

#include "core/LogCategories.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QTimer>

#include <csignal>
#include <sys/stat.h>

namespace standby {

namespace {

// Consecutive output of one stream is kept as one chunk up to this size, so the ring stays a
// handful of chunks rather than one per read.
constexpr qsizetype kChunkMergeBytes = 16 * 1024;
// How much of a client's input is taken off its socket at a time: with the frame size cap this
// bounds what one client can make the holder hold, and the socket's own buffer is capped too.
constexpr qint64 kReadChunk = 64 * 1024;
constexpr qint64 kSocketReadBuffer = 256 * 1024;
// A client being closed gets this long to take its last frames, then it is cut off.
constexpr int kCloseGraceMs = 2000;
// At the holder's end, the last frames (the Exit above all) get this long to leave, in total.
constexpr int kFinalFlushMs = 1000;

struct NamedSignal
{
    const char *name;
    int number;
};

// A client may interrupt or notify the agent; ending it for good is a kill request, which goes
// through the holder (standby kill) and its grace period instead.
constexpr NamedSignal kClientSignals[] = {
    {"INT", SIGINT},   {"TERM", SIGTERM}, {"HUP", SIGHUP},     {"QUIT", SIGQUIT},
    {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"WINCH", SIGWINCH},
};

bool isUtf8Continuation(char byte)
{
    return (quint8(byte) & 0xC0) == 0x80;
}

} // namespace

AttachServer::AttachServer(const QString &socketPath, Agent agent, QObject *parent)
    : QObject(parent)
    , m_socketPath(socketPath)
    , m_agent(std::move(agent))
{}

AttachServer::~AttachServer()
{
    close();
}

Status AttachServer::listen()
{
    // Our own PID's socket: whatever file is there was left by a dead process that had this PID.
    QLocalServer::removeServer(m_socketPath);
    m_server = new QLocalServer(this);
    m_server->setMaxPendingConnections(kMaxClients);
    if (!m_server->listen(m_socketPath)) {
        const QString reason = m_server->errorString();
        delete m_server;
        m_server = nullptr;
        return Error{QStringLiteral("attach_unavailable"),
                     QStringLiteral("cannot listen on %1: %2").arg(m_socketPath, reason)};
    }
    // The folder is 0700 already; the socket itself is the session's input, so owner only.
    ::chmod(QFile::encodeName(m_socketPath).constData(), 0600);
    connect(m_server, &QLocalServer::newConnection, this, &AttachServer::onNewConnection);
    return std::nullopt;
}

void AttachServer::onNewConnection()
{
    while (m_server && m_server->hasPendingConnections()) {
        QLocalSocket *socket = m_server->nextPendingConnection();
        // Removal is always queued, with the socket as context: nothing is erased from
        // m_clients while a caller holds one of its entries, and a late call for a deleted
        // socket is dropped.
        connect(
            socket, &QLocalSocket::disconnected, socket, [this, socket] { forget(socket); },
            Qt::QueuedConnection);
        if (m_clients.size() >= kMaxClients) {
            qCWarning(lcSession, "attach: refusing a client, %d are connected already",
                      kMaxClients);
            const QJsonObject failure{
                {QStringLiteral("code"), QStringLiteral("too_many_clients")},
                {QStringLiteral("message"),
                 QStringLiteral("%1 clients are attached already").arg(kMaxClients)}};
            socket->write(AttachFrame::encode(
                AttachFrame::Failure, QJsonDocument(failure).toJson(QJsonDocument::Compact)));
            socket->disconnectFromServer();
            QTimer::singleShot(kCloseGraceMs, socket, [socket] { socket->abort(); });
            // Not in m_clients: delete it once it is gone.
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            continue;
        }
        socket->setReadBufferSize(kSocketReadBuffer);
        m_clients.insert(socket, Client{});
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    }
}

void AttachServer::onReadyRead(QLocalSocket *socket)
{
    auto it = m_clients.find(socket);
    if (it == m_clients.end()) {
        socket->readAll();
        return;
    }
    Client &client = *it;
    while (socket->bytesAvailable() > 0) {
        const QByteArray bytes = socket->read(kReadChunk);
        if (client.closing)
            continue; // it is being let go: what it still sends is dropped
        client.reader.feed(bytes);
        while (std::optional<AttachFrame> frame = client.reader.next()) {
            handle(socket, client, *frame);
            if (client.closing)
                break;
        }
        if (!client.closing && !client.reader.error().isEmpty()) {
            qCWarning(lcSession, "attach: protocol error from a client: %s",
                      qUtf8Printable(client.reader.error()));
            refuse(socket, client, QStringLiteral("protocol_error"), client.reader.error(), true);
        }
    }
}

void AttachServer::handle(QLocalSocket *socket, Client &client, const AttachFrame &frame)
{
    switch (frame.type) {
    case AttachFrame::Attach:
        if (!client.attached)
            attach(socket, client);
        return;
    case AttachFrame::Input:
        if (frame.payload.isEmpty())
            return;
        if (m_exit || m_inputClosed) {
            refuse(socket, client, QStringLiteral("input_closed"),
                   QStringLiteral("the session's input is closed"), false);
        } else if (m_agent.pendingInput() > kMaxPendingInput) {
            // The agent is not reading: refusing keeps the holder's memory bounded, and the
            // client knows what did not arrive.
            refuse(socket, client, QStringLiteral("input_full"),
                   QStringLiteral("the session has %1 bytes of input it has not read yet")
                       .arg(m_agent.pendingInput()),
                   false);
        } else if (!m_agent.writeInput(frame.payload)) {
            m_inputClosed = true;
            refuse(socket, client, QStringLiteral("input_closed"),
                   QStringLiteral("the session's input is closed"), false);
        }
        return;
    case AttachFrame::Signal: {
        const std::optional<int> signal = parseSignal(frame.payload);
        if (!signal) {
            refuse(socket, client, QStringLiteral("invalid_signal"),
                   QStringLiteral("cannot send \"%1\"; one of INT, TERM, HUP, QUIT, USR1, USR2, "
                                  "WINCH")
                       .arg(QString::fromUtf8(frame.payload.left(32))),
                   false);
        } else if (m_exit || !m_agent.signalGroup(*signal)) {
            refuse(socket, client, QStringLiteral("not_running"),
                   QStringLiteral("the session's agent is not running"), false);
        }
        return;
    }
    case AttachFrame::EndOfInput:
        if (!m_inputClosed && !m_exit) {
            m_inputClosed = true;
            m_agent.closeInput();
        }
        return;
    default:
        refuse(socket, client, QStringLiteral("protocol_error"),
               QStringLiteral("a client does not send frames of type '%1'")
                   .arg(QLatin1Char(char(frame.type))),
               true);
        return;
    }
}

void AttachServer::attach(QLocalSocket *socket, Client &client)
{
    client.attached = true;
    qCInfo(lcSession, "attach: a client attached (%lld connected)", qint64(m_clients.size()));
    for (const Chunk &chunk : m_recent) {
        send(socket, client, AttachFrame::encode(chunk.stream, chunk.bytes));
        if (client.closing)
            return;
    }
    send(socket, client, AttachFrame::encode(AttachFrame::Live));
    if (m_exit) {
        send(socket, client, *m_exit);
        closeClient(socket, client);
    }
}

void AttachServer::send(QLocalSocket *socket, Client &client, const QByteArray &frame)
{
    // A client that hung up stays listed until its queued removal runs; it gets nothing more.
    if (client.closing || socket->state() != QLocalSocket::ConnectedState)
        return;
    socket->write(frame);
    if (socket->bytesToWrite() <= kMaxUnsent)
        return;
    // Before calling it slow, hand the kernel what it will take now.
    socket->flush();
    if (socket->bytesToWrite() <= kMaxUnsent)
        return;
    qCWarning(lcSession, "attach: disconnecting a client that fell %lld bytes behind",
              socket->bytesToWrite());
    refuse(socket, client, QStringLiteral("too_slow"),
           QStringLiteral("fell more than %1 MiB behind the session's output; disconnected")
               .arg(kMaxUnsent / (1024 * 1024)),
           true);
}

void AttachServer::refuse(QLocalSocket *socket, Client &client, const QString &code,
                          const QString &message, bool thenClose)
{
    if (client.closing || socket->state() != QLocalSocket::ConnectedState)
        return;
    const QJsonObject failure{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    socket->write(AttachFrame::encode(AttachFrame::Failure,
                                      QJsonDocument(failure).toJson(QJsonDocument::Compact)));
    // A client that provokes refusals and reads none of them is as slow as any other.
    if (thenClose || socket->bytesToWrite() > kMaxUnsent)
        closeClient(socket, client);
}

void AttachServer::closeClient(QLocalSocket *socket, Client &client)
{
    if (client.closing)
        return;
    client.closing = true;
    // Graceful: what was queued still goes out, then the connection closes; one that will not
    // take it is cut off after the grace period, so a closing client holds memory only briefly.
    socket->disconnectFromServer();
    if (socket->state() != QLocalSocket::UnconnectedState)
        QTimer::singleShot(kCloseGraceMs, socket, [socket] { socket->abort(); });
}

void AttachServer::forget(QLocalSocket *socket)
{
    if (m_clients.remove(socket) == 0)
        return;
    socket->disconnect(this);
    socket->deleteLater();
}

void AttachServer::output(AttachFrame::Type stream, const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    remember(stream, bytes);
    bool anyone = false;
    for (const Client &client : std::as_const(m_clients))
        anyone = anyone || (client.attached && !client.closing);
    if (!anyone)
        return;
    QList<QByteArray> frames;
    for (qsizetype at = 0; at < bytes.size(); at += kOutputFrameBytes)
        frames.append(AttachFrame::encode(stream, bytes.mid(at, kOutputFrameBytes)));
    // send() never removes an entry (removal is queued), so iterating here is safe.
    for (auto it = m_clients.begin(); it != m_clients.end(); ++it) {
        if (!it->attached)
            continue;
        for (const QByteArray &frame : std::as_const(frames))
            send(it.key(), *it, frame);
    }
}

void AttachServer::remember(AttachFrame::Type stream, const QByteArray &bytes)
{
    const QByteArray kept = bytes.size() > kRecentBytes ? bytes.right(kRecentBytes) : bytes;
    if (!m_recent.empty() && m_recent.back().stream == stream &&
        m_recent.back().bytes.size() + kept.size() <= kChunkMergeBytes)
        m_recent.back().bytes.append(kept);
    else
        m_recent.push_back(Chunk{stream, kept});
    m_recentSize += kept.size();
    while (m_recentSize > kRecentBytes) {
        Chunk &front = m_recent.front();
        const qsizetype excess = m_recentSize - kRecentBytes;
        if (front.bytes.size() <= excess) {
            m_recentSize -= front.bytes.size();
            m_recent.pop_front();
            continue;
        }
        // Cut the oldest chunk, and not in the middle of a character: a replay that starts with
        // half a UTF-8 sequence shows as garbage.
        qsizetype cut = excess;
        while (cut < front.bytes.size() && isUtf8Continuation(front.bytes.at(cut)) &&
               cut < excess + 3)
            ++cut;
        front.bytes.remove(0, cut);
        m_recentSize -= cut;
        if (front.bytes.isEmpty())
            m_recent.pop_front();
    }
}

void AttachServer::agentEnded(const RunRecord &record)
{
    if (m_exit)
        return;
    m_exit = AttachFrame::encode(AttachFrame::Exit, exitPayload(record));
    for (auto it = m_clients.begin(); it != m_clients.end(); ++it) {
        if (it->attached)
            send(it.key(), *it, *m_exit);
        closeClient(it.key(), *it);
    }
}

void AttachServer::close()
{
    if (m_closed)
        return;
    m_closed = true;
    if (m_server) {
        m_server->close();
        // close() removes the file too; this covers a server that failed half way.
        QFile::remove(m_socketPath);
        m_server->disconnect(this);
    }
    // Blocking, but bounded and only at the holder's very end, when the agent is gone and
    // nothing is left to be slowed down: without it the Exit frame could still sit in a buffer
    // when the process exits.
    QDeadlineTimer deadline(kFinalFlushMs);
    const QList<QLocalSocket *> sockets = m_clients.keys();
    for (QLocalSocket *socket : sockets)
        socket->flush();
    for (QLocalSocket *socket : sockets) {
        while (socket->state() != QLocalSocket::UnconnectedState && socket->bytesToWrite() > 0 &&
               !deadline.hasExpired()) {
            if (!socket->waitForBytesWritten(int(qMax<qint64>(1, deadline.remainingTime()))))
                break;
        }
    }
}

QByteArray AttachServer::exitPayload(const RunRecord &record)
{
    const bool exited = record.status == RunRecord::State::Exited;
    const qint64 duration = record.startedAt > 0 && record.endedAt >= record.startedAt
                                ? record.endedAt - record.startedAt
                                : 0;
    const QJsonObject payload{
        {QStringLiteral("status"), RunRecord::statusName(record.status)},
        {QStringLiteral("exitCode"), exited ? QJsonValue(record.exitCode) : QJsonValue()},
        {QStringLiteral("signal"),
         record.signal.isEmpty() ? QJsonValue() : QJsonValue(record.signal)},
        {QStringLiteral("durationMs"), duration},
    };
    return QJsonDocument(payload).toJson(QJsonDocument::Compact);
}

std::optional<int> AttachServer::parseSignal(const QByteArray &name)
{
    QByteArray upper = name.trimmed().toUpper();
    if (upper.startsWith("SIG"))
        upper = upper.mid(3);
    for (const NamedSignal &signal : kClientSignals) {
        if (upper == signal.name)
            return signal.number;
    }
    return std::nullopt;
}

} // namespace standby
