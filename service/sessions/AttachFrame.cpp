#include "sessions/AttachFrame.h"

#include <QtEndian>

namespace standby {

QByteArray AttachFrame::encode(Type type, const QByteArray &payload)
{
    QByteArray out;
    out.reserve(kHeaderSize + payload.size());
    out.append(char(type));
    char length[4];
    qToBigEndian<quint32>(quint32(payload.size()), length);
    out.append(length, 4);
    out.append(payload);
    return out;
}

bool AttachFrame::isKnownType(char type)
{
    switch (type) {
    case Attach:
    case Input:
    case Signal:
    case EndOfInput:
    case Stdout:
    case Stderr:
    case Live:
    case Exit:
    case Failure:
        return true;
    default:
        return false;
    }
}

std::optional<AttachFrame> AttachFrameReader::next()
{
    if (!m_error.isEmpty())
        return std::nullopt;
    const qsizetype available = m_buffer.size() - m_consumed;
    if (available < AttachFrame::kHeaderSize) {
        // Compact only between frames, so the buffer never grows by what was already read.
        if (m_consumed > 0) {
            m_buffer.remove(0, m_consumed);
            m_consumed = 0;
        }
        return std::nullopt;
    }
    const char *head = m_buffer.constData() + m_consumed;
    const char type = head[0];
    const quint32 length = qFromBigEndian<quint32>(head + 1);
    if (!AttachFrame::isKnownType(type)) {
        m_error =
            QStringLiteral("unknown frame type 0x%1").arg(quint8(type), 2, 16, QLatin1Char('0'));
        m_buffer.clear();
        return std::nullopt;
    }
    if (length > quint32(AttachFrame::kMaxPayload)) {
        m_error = QStringLiteral("frame of %1 bytes is over the limit of %2")
                      .arg(length)
                      .arg(AttachFrame::kMaxPayload);
        m_buffer.clear();
        return std::nullopt;
    }
    if (available < AttachFrame::kHeaderSize + qsizetype(length))
        return std::nullopt;
    AttachFrame frame;
    frame.type = AttachFrame::Type(type);
    frame.payload = m_buffer.mid(m_consumed + AttachFrame::kHeaderSize, length);
    m_consumed += AttachFrame::kHeaderSize + length;
    if (m_consumed == m_buffer.size()) {
        m_buffer.clear();
        m_consumed = 0;
    }
    return frame;
}

} // namespace standby
