#pragma once

#include "core/Error.h"
#include "core/RunRecord.h"
#include "sessions/AttachFrame.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>
#include <optional>

class QLocalServer;
class QLocalSocket;

namespace standby {

// Serves the attach protocol (AttachFrame.h) of one background session on sessions/{pid}.sock,
// for `standby attach` and the daemon's relay. It keeps the session's most recent output so a
// client that attaches late sees what came before, fans live output out to every attached client,
// and passes clients' input and signals to the agent through the holder's callbacks.
//
// Nothing a client does can stall or grow the holder without bound: output is only ever queued
// (never waited for), a client more than kMaxUnsent behind is dropped, at most kMaxClients are
// served, incoming frames are capped by AttachFrameReader, and input is refused once
// kMaxPendingInput waits unwritten for the agent.
class AttachServer : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype kRecentBytes = 64 * 1024;
    static constexpr qint64 kMaxUnsent = 4 * 1024 * 1024;
    static constexpr qint64 kMaxPendingInput = 1024 * 1024;
    static constexpr int kMaxClients = 64;
    // Output goes out in frames of at most this much, far below AttachFrame::kMaxPayload, so a
    // burst never makes a frame a client must refuse.
    static constexpr qsizetype kOutputFrameBytes = 64 * 1024;

    // What the server may do to the agent; the holder owns it.
    struct Agent
    {
        // Bytes written to the agent's stdin that it has not taken yet.
        std::function<qint64()> pendingInput;
        // false when stdin is closed (by EndOfInput, or the agent closed its end).
        std::function<bool(const QByteArray &bytes)> writeInput;
        std::function<void()> closeInput;
        // To the agent's process group; false when there is no agent (not started, or ended).
        std::function<bool(int signal)> signalGroup;
    };

    AttachServer(const QString &socketPath, Agent agent, QObject *parent = nullptr);
    ~AttachServer() override;

    // Removes a stale socket file and listens; the file is made 0600.
    Status listen();
    QString socketPath() const { return m_socketPath; }

    // Every piece of the agent's output, as it is appended to the log.
    void output(AttachFrame::Type stream, const QByteArray &bytes);
    // The agent has ended: every attached client gets the Exit frame and is closed; clients that
    // attach from now on get the recent output and the Exit at once. Only the first call counts.
    void agentEnded(const RunRecord &record);
    // The holder is done: stop listening, remove the socket file, give the last frames a short,
    // bounded moment to reach their clients.
    void close();

    int clientCount() const { return int(m_clients.size()); }

    // {"status","exitCode","signal","durationMs"}: exitCode null unless exited, signal null unless
    // killed.
    static QByteArray exitPayload(const RunRecord &record);
    // "INT", "SIGINT", "int" → SIGINT; only the signals a client may send through attach.
    static std::optional<int> parseSignal(const QByteArray &name);

private:
    struct Client
    {
        AttachFrameReader reader;
        bool attached = false;
        bool closing = false;
    };
    struct Chunk
    {
        AttachFrame::Type stream;
        QByteArray bytes;
    };

    void onNewConnection();
    void onReadyRead(QLocalSocket *socket);
    void handle(QLocalSocket *socket, Client &client, const AttachFrame &frame);
    void attach(QLocalSocket *socket, Client &client);
    void send(QLocalSocket *socket, Client &client, const QByteArray &frame);
    void refuse(QLocalSocket *socket, Client &client, const QString &code, const QString &message,
                bool thenClose);
    void closeClient(QLocalSocket *socket, Client &client);
    void forget(QLocalSocket *socket);
    void remember(AttachFrame::Type stream, const QByteArray &bytes);

    QString m_socketPath;
    Agent m_agent;
    QLocalServer *m_server = nullptr;
    QHash<QLocalSocket *, Client> m_clients;
    std::deque<Chunk> m_recent;
    qsizetype m_recentSize = 0;
    std::optional<QByteArray> m_exit; // the Exit frame, once the agent has ended
    bool m_inputClosed = false;
    bool m_closed = false;
};

} // namespace standby
