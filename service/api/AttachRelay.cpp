#include "api/AttachRelay.h"

#include "core/LogCategories.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QWebSocket>

namespace standby {

AttachRelay::AttachRelay(QWebSocket *webSocket, const QString &socketPath, QObject *parent)
    : QObject(parent)
    , m_webSocket(webSocket)
    , m_holder(new QLocalSocket(this))
{
    connect(webSocket, &QWebSocket::textMessageReceived, this, &AttachRelay::onText);
    connect(webSocket, &QWebSocket::binaryMessageReceived, this, &AttachRelay::onBinary);
    connect(webSocket, &QWebSocket::disconnected, this, [this] {
        m_ended = true;
        deleteLater();
    });
    connect(m_holder, &QLocalSocket::readyRead, this, &AttachRelay::onHolderData);
    connect(m_holder, &QLocalSocket::disconnected, this, [this] {
        end(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("the session's holder closed"));
    });
    connect(m_holder, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError) {
        if (m_holder->state() == QLocalSocket::ConnectedState)
            return;
        sendEvent({{QStringLiteral("type"), QStringLiteral("error")},
                   {QStringLiteral("code"), QStringLiteral("attach_failed")},
                   {QStringLiteral("message"),
                    QStringLiteral("cannot reach the session: %1").arg(m_holder->errorString())}});
        end(QWebSocketProtocol::CloseCodeBadOperation, QStringLiteral("cannot reach the session"));
    });
    m_lastHeard.start();
    connect(webSocket, &QWebSocket::pong, this, [this] { m_lastHeard.restart(); });
    connect(&m_ping, &QTimer::timeout, this, [this] {
        if (m_lastHeard.elapsed() > 90000) {
            end(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("no answer to pings"));
            return;
        }
        if (m_webSocket)
            m_webSocket->ping();
    });
    m_ping.start(30000);
    m_holder->connectToServer(socketPath);
    sendToHolder(AttachFrame::Attach);
}

AttachRelay::~AttachRelay()
{
    if (m_webSocket)
        m_webSocket->close();
}

void AttachRelay::sendEvent(const QJsonObject &event)
{
    if (!m_webSocket || m_ended)
        return;
    if (event.value(QStringLiteral("type")).toString() == QLatin1String("error")) {
        const QString code = event.value(QStringLiteral("code")).toString();
        if (m_errorsSent.contains(code))
            return;
        m_errorsSent.insert(code);
    }
    if (m_webSocket->bytesToWrite() > kMaxBacklog) {
        end(QWebSocketProtocol::CloseCodeTooMuchData,
            QStringLiteral("the client does not read what it is sent"));
        return;
    }
    m_webSocket->sendTextMessage(
        QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)));
}

void AttachRelay::sendToHolder(AttachFrame::Type type, const QByteArray &payload)
{
    if (m_ended)
        return;
    // The holder reads at once; if it does not, input is not piled up here for it.
    if (m_holder->bytesToWrite() > kMaxBacklog) {
        sendEvent({{QStringLiteral("type"), QStringLiteral("error")},
                   {QStringLiteral("code"), QStringLiteral("input_full")},
                   {QStringLiteral("message"), QStringLiteral("the session is not taking input")}});
        end(QWebSocketProtocol::CloseCodeTooMuchData,
            QStringLiteral("the session is not taking input"));
        return;
    }
    // Written while still connecting too: QLocalSocket sends it once connected.
    m_holder->write(AttachFrame::encode(type, payload));
}

void AttachRelay::end(int closeCode, const QString &reason)
{
    if (m_ended)
        return;
    m_ended = true;
    if (m_webSocket)
        m_webSocket->close(QWebSocketProtocol::CloseCode(closeCode), reason.left(120));
    m_holder->abort();
    deleteLater();
}

void AttachRelay::onHolderData()
{
    m_reader.feed(m_holder->readAll());
    while (std::optional<AttachFrame> frame = m_reader.next()) {
        if (!m_webSocket)
            return;
        switch (frame->type) {
        case AttachFrame::Stdout:
        case AttachFrame::Stderr:
            if (m_webSocket->bytesToWrite() > kMaxBacklog) {
                qCWarning(lcHttp, "an attached client does not keep up; cutting it off");
                end(QWebSocketProtocol::CloseCodeTooMuchData,
                    QStringLiteral("the client did not keep up with the output"));
                return;
            }
            m_webSocket->sendBinaryMessage(frame->payload);
            break;
        case AttachFrame::Live:
            sendEvent({{QStringLiteral("type"), QStringLiteral("live")}});
            break;
        case AttachFrame::Exit:
        case AttachFrame::Failure: {
            QJsonObject event = QJsonDocument::fromJson(frame->payload).object();
            const bool exit = frame->type == AttachFrame::Exit;
            event.insert(QStringLiteral("type"),
                         exit ? QStringLiteral("exit") : QStringLiteral("error"));
            sendEvent(event);
            if (exit) {
                end(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("the session ended"));
                return;
            }
            break;
        }
        default:
            break; // client-side frame types: not the holder's to send
        }
    }
    if (!m_reader.error().isEmpty())
        end(QWebSocketProtocol::CloseCodeBadOperation, QStringLiteral("protocol error"));
}

void AttachRelay::onBinary(const QByteArray &message)
{
    m_lastHeard.restart();
    if (!message.isEmpty())
        sendToHolder(AttachFrame::Input, message);
}

void AttachRelay::onText(const QString &message)
{
    m_lastHeard.restart();
    const QJsonObject command = QJsonDocument::fromJson(message.toUtf8()).object();
    const QString type = command.value(QStringLiteral("type")).toString();
    if (type == QLatin1String("input")) {
        const QByteArray data = command.value(QStringLiteral("data")).toString().toUtf8();
        if (!data.isEmpty())
            sendToHolder(AttachFrame::Input, data);
    } else if (type == QLatin1String("signal")) {
        sendToHolder(AttachFrame::Signal,
                     command.value(QStringLiteral("signal")).toString().left(16).toUtf8());
    } else if (type == QLatin1String("eof")) {
        sendToHolder(AttachFrame::EndOfInput);
    } else {
        sendEvent({{QStringLiteral("type"), QStringLiteral("error")},
                   {QStringLiteral("code"), QStringLiteral("invalid_message")},
                   {QStringLiteral("message"),
                    QStringLiteral("send binary input, or JSON {\"type\": \"input\"|\"signal\"|"
                                   "\"eof\"}")}});
    }
}

} // namespace standby
