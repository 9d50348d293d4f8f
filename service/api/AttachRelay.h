#pragma once

#include "sessions/AttachFrame.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class QLocalSocket;
class QWebSocket;

namespace standby {

// One browser (or remote CLI) attached to a session: relays between its WebSocket and the
// holder's attach socket. Out: binary messages carry the session's output; text messages are
// JSON events {"type":"live"}, {"type":"exit", status, exitCode, signal, durationMs},
// {"type":"error", code, message}. In: a binary message is input for the session's stdin; a text
// message is JSON {"type":"input","data"}, {"type":"signal","signal":"INT"} or {"type":"eof"}.
// Ends, and deletes itself, when either side goes.
class AttachRelay : public QObject
{
    Q_OBJECT

public:
    // Output a browser has not taken yet, past which it is cut off instead of buffered.
    static constexpr qint64 kMaxBacklog = 4 * 1024 * 1024;

    AttachRelay(QWebSocket *webSocket, const QString &socketPath, QObject *parent = nullptr);
    ~AttachRelay() override;

private:
    void onHolderData();
    void onText(const QString &message);
    void onBinary(const QByteArray &message);
    void sendEvent(const QJsonObject &event);
    void sendToHolder(AttachFrame::Type type, const QByteArray &payload = {});
    void end(int closeCode, const QString &reason);

    QPointer<QWebSocket> m_webSocket;
    QSet<QString> m_errorsSent; // each error code goes out once: a loop of bad messages echoes none
    QLocalSocket *m_holder;
    AttachFrameReader m_reader;
    // A ping every 30 s; a peer silent for 90 s is gone (half-open TCP) and is let go.
    QTimer m_ping;
    QElapsedTimer m_lastHeard;
    bool m_ended = false;
};

} // namespace standby
