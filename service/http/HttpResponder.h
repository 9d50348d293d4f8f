#pragma once

#include "http/HttpResponse.h"

#include <QPointer>

#include <memory>

class QTcpSocket;

namespace standby {

class HttpStream;

// The answer to one request, to be given now or later (a run that is waited for, a stream).
// Copies share the same answer; the first send() wins. If the client has gone, send() is a
// no-op. While an answer is owed, the connection's idle timeout does not close it.
class HttpResponder
{
public:
    HttpResponder() = default;
    HttpResponder(QTcpSocket *socket, bool closeAfter, bool headOnly);

    void send(const HttpResponse &response);
    bool isConnected() const;
    // The connection ends after this answer (an answer given later: what a client pipelined
    // behind its request is not served out of order, the client sends it again).
    void closeAfterAnswer();

    // Answers with a stream instead (Server-Sent Events when contentType is text/event-stream):
    // the head goes out now with the first body bytes, and the stream lives as long as the
    // connection. nullptr when the client has gone. A HEAD request gets the head and a close.
    // A contentLength of 0 or more is announced (a download whose size is known, so the client
    // can tell a complete body from a cut one); the connection still closes after it.
    HttpStream *beginStream(const QByteArray &contentType,
                            const QList<QPair<QByteArray, QByteArray>> &headers = {},
                            qint64 contentLength = -1);

private:
    struct State
    {
        // A handler that drops its responder without answering (a bug) gets a 500 sent for it,
        // so the connection neither hangs nor holds its slot.
        ~State();

        QPointer<QTcpSocket> socket;
        bool closeAfter = false;
        bool headOnly = false;
        bool sent = false;
    };
    std::shared_ptr<State> m_state;
};

} // namespace standby
