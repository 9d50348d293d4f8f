#include "http/RequestFramer.h"

#include <QList>

namespace standby {

RequestFramer::RequestFramer(const HttpLimits &limits)
    : m_limits(limits)
{}

static bool isToken(QByteArrayView method)
{
    if (method.isEmpty() || method.size() > 16)
        return false;
    for (char c : method) {
        if (c < 'A' || c > 'Z')
            return false;
    }
    return true;
}

// The bytes so far can begin "METHOD ": upper-case letters up to the first space.
static bool startsLikeRequest(QByteArrayView header)
{
    for (qsizetype i = 0; i < header.size(); ++i) {
        const char c = header.at(i);
        if (c == ' ')
            return i > 0;
        if (c < 'A' || c > 'Z' || i >= 16)
            return false;
    }
    return true;
}

// The index of a '\n' not preceded by '\r', searching from `from`; -1 when there is none.
static qsizetype bareLineFeed(const QByteArray &header, qsizetype from)
{
    for (qsizetype i = header.indexOf('\n', from); i >= 0; i = header.indexOf('\n', i + 1)) {
        if (i == 0 || header.at(i - 1) != '\r')
            return i;
    }
    return -1;
}

std::optional<RequestFramer::Violation> RequestFramer::feed(QByteArrayView bytes)
{
    while (!bytes.isEmpty()) {
        switch (m_state) {
        case State::Upgraded:
            return std::nullopt;
        case State::Body: {
            const qint64 take = qMin<qint64>(m_bodyRemaining, bytes.size());
            m_bodyRemaining -= take;
            bytes = bytes.sliced(take);
            if (m_bodyRemaining == 0)
                m_state = State::Headers;
            break;
        }
        case State::Headers: {
            // Empty lines before a request line are allowed (RFC 9112 2.2).
            while (m_header.isEmpty() && !bytes.isEmpty() &&
                   (bytes.front() == '\r' || bytes.front() == '\n'))
                bytes = bytes.sliced(1);
            if (bytes.isEmpty())
                return std::nullopt;
            const qsizetype before = m_header.size();
            const qsizetype room = m_limits.maxHeaderBytes + 1 - before;
            m_header.append(bytes.first(qMin<qsizetype>(room, bytes.size())));
            // Search from a little before the new bytes: the terminator may straddle two reads.
            const qsizetype from = qMax<qsizetype>(0, before - 3);
            const qsizetype end = m_header.indexOf("\r\n\r\n", from);
            // Not HTTP (a TLS handshake from an https:// URL, a stray protocol): say so at once
            // instead of waiting for a header block that will never come.
            // QHttpServer's parser also takes bare LF line ends; this framer does not, so that
            // the two can never disagree on where a request ends.
            const qsizetype bareLf = bareLineFeed(m_header, qMax<qsizetype>(0, before - 1));
            if (bareLf >= 0 && (end < 0 || bareLf < end))
                return Violation{400, QStringLiteral("bad_request"),
                                 QStringLiteral("request lines must end with CRLF")};
            if (!startsLikeRequest(m_header))
                return Violation{400, QStringLiteral("bad_request"),
                                 QStringLiteral("this is not an HTTP/1.1 request (the daemon "
                                                "speaks plain HTTP, not HTTPS)")};
            if (m_header.indexOf('\n') < 0 && m_header.size() > m_limits.maxRequestLineBytes)
                return Violation{414, QStringLiteral("uri_too_long"),
                                 QStringLiteral("the request line is longer than %1 bytes")
                                     .arg(m_limits.maxRequestLineBytes)};
            if (end < 0) {
                if (m_header.size() > m_limits.maxHeaderBytes)
                    return Violation{431, QStringLiteral("headers_too_large"),
                                     QStringLiteral("the request headers are larger than %1 bytes")
                                         .arg(m_limits.maxHeaderBytes)};
                return std::nullopt;
            }
            const qsizetype consumed = end + 4 - before;
            m_header.truncate(end + 4);
            bytes = bytes.sliced(consumed);
            if (std::optional<Violation> violation = headerBlockComplete())
                return violation;
            m_header.clear();
            break;
        }
        }
    }
    return std::nullopt;
}

std::optional<RequestFramer::Violation> RequestFramer::headerBlockComplete()
{
    const QList<QByteArray> lines = m_header.split('\n');
    const QByteArray requestLine = lines.value(0).trimmed();
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !isToken(parts.at(0)) || !parts.at(2).startsWith("HTTP/1."))
        return Violation{400, QStringLiteral("bad_request"),
                         QStringLiteral("this is not an HTTP/1.1 request")};
    if (m_header.indexOf('\n') > m_limits.maxRequestLineBytes)
        return Violation{414, QStringLiteral("uri_too_long"),
                         QStringLiteral("the request line is longer than %1 bytes")
                             .arg(m_limits.maxRequestLineBytes)};

    qint64 contentLength = 0;
    bool sawLength = false;
    bool chunked = false;
    int upgradeHeaders = 0;
    QByteArray upgradeValue;
    bool connectionUpgrade = false;
    m_expectContinue = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        // A folded continuation line (obsolete, RFC 9112 5.2) could hide a header from one of
        // the two parsers: refuse it.
        if (!line.isEmpty() && (line.at(0) == ' ' || line.at(0) == '\t'))
            return Violation{400, QStringLiteral("bad_request"),
                             QStringLiteral("folded header lines are not accepted")};
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            // Two different lengths are a request-smuggling classic: refuse, do not guess.
            if (!ok || length < 0 || (sawLength && length != contentLength))
                return Violation{400, QStringLiteral("bad_request"),
                                 QStringLiteral("invalid Content-Length")};
            contentLength = length;
            sawLength = true;
        } else if (name == "transfer-encoding") {
            chunked = chunked || value.toLower().contains("chunked");
        } else if (name == "expect") {
            m_expectContinue = value.toLower() == "100-continue";
        } else if (name == "upgrade") {
            ++upgradeHeaders;
            upgradeValue = value;
        } else if (name == "connection") {
            for (const QByteArray &token : value.split(','))
                connectionUpgrade = connectionUpgrade ||
                                    token.trimmed().compare("upgrade", Qt::CaseInsensitive) == 0;
        }
    }
    if (chunked)
        return Violation{
            411, QStringLiteral("length_required"),
            QStringLiteral("send the request body with a Content-Length, not chunked")};
    if (contentLength > m_limits.maxBodyBytes)
        return Violation{413, QStringLiteral("body_too_large"),
                         QStringLiteral("the request body is %1 bytes; the limit is %2")
                             .arg(contentLength)
                             .arg(m_limits.maxBodyBytes)};
    if (contentLength == 0)
        m_expectContinue = false;
    // QHttpServer switches protocols on exactly this test (its parser's upgrade flag, then the
    // Upgrade value): anything it would switch on must reach the upgrade gate, so ambiguous
    // forms are refused here rather than passed on.
    if (upgradeHeaders > 0 && connectionUpgrade) {
        if (upgradeHeaders > 1 || upgradeValue.compare("websocket", Qt::CaseInsensitive) != 0)
            return Violation{400, QStringLiteral("bad_request"),
                             QStringLiteral("the only upgrade served is one Upgrade: websocket")};
        if (contentLength > 0)
            return Violation{400, QStringLiteral("bad_request"),
                             QStringLiteral("a WebSocket upgrade cannot carry a body")};
        m_upgraded = true;
        m_upgradeHead = m_header;
        m_state = State::Upgraded;
        return std::nullopt;
    }
    m_bodyRemaining = contentLength;
    m_state = contentLength > 0 ? State::Body : State::Headers;
    return std::nullopt;
}

bool RequestFramer::takeExpectContinue()
{
    const bool expect = m_expectContinue;
    m_expectContinue = false;
    return expect;
}

} // namespace standby
