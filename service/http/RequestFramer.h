#pragma once

#include "http/HttpLimits.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>
#include <utility>

namespace standby {

// Follows the request byte stream of one connection, ahead of QHttpServer (which buffers any
// amount before a handler runs), and tells as early as possible when a request breaks a limit:
// 414 request line too long, 431 header block too large, 413 body too large, 411 a body without
// a length, 400 not HTTP at all.
class RequestFramer
{
public:
    struct Violation
    {
        int status;
        QString code;
        QString message;
    };

    explicit RequestFramer(const HttpLimits &limits);

    // Bytes as they arrive, in order. Returns the first violation; after one, stop feeding.
    std::optional<Violation> feed(QByteArrayView bytes);

    // The last complete header block asked for "Expect: 100-continue" with an acceptable length:
    // the caller answers 100 so the client sends the body at once instead of after a delay.
    bool takeExpectContinue();
    // An Upgrade request (WebSocket): the bytes after it are not HTTP and are not examined.
    bool isUpgraded() const { return m_upgraded; }
    // The header block of the upgrade request, once (empty afterwards).
    QByteArray takeUpgradeHead() { return std::exchange(m_upgradeHead, {}); }
    // Between requests: nothing of a next request has arrived yet.
    bool isIdle() const { return m_state == State::Headers && m_header.isEmpty(); }
    // Part of a header block has arrived, not yet all of it.
    bool inHeaders() const { return m_state == State::Headers && !m_header.isEmpty(); }

private:
    enum class State { Headers, Body, Upgraded };

    std::optional<Violation> headerBlockComplete();

    HttpLimits m_limits;
    State m_state = State::Headers;
    QByteArray m_header;
    qint64 m_bodyRemaining = 0;
    bool m_expectContinue = false;
    bool m_upgraded = false;
    QByteArray m_upgradeHead;
};

} // namespace standby
