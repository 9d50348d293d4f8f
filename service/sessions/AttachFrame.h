#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace standby {

// The attach protocol spoken on sessions/{pid}.sock, between a session's holder and its clients
// (`standby attach`, the daemon's WebSocket relay and input route). Every message is a frame:
// one type byte, the payload length as 4 bytes big-endian, the payload. Binary-safe, so output
// and input pass through unchanged.
//
// Client → holder:
//   Attach      (empty)        send the recent output, then live output, then the exit
//   Input       bytes          for the session's stdin
//   Signal      "INT", …       to the session's process group (Ctrl+C through attach)
//   EndOfInput  (empty)        close the session's stdin
// Holder → client:
//   Stdout, Stderr  bytes      output; the recent part first, then live
//   Live        (empty)        what follows is live (the recent output has been sent)
//   Exit        JSON           {"status","exitCode","signal","durationMs"}; then the holder closes
//   Failure     JSON           {"code","message"}: a request was refused (stdin closed, full)
struct AttachFrame
{
    enum Type : char {
        Attach = 'A',
        Input = 'I',
        Signal = 'S',
        EndOfInput = 'E',
        Stdout = 'O',
        Stderr = 'R',
        Live = 'L',
        Exit = 'X',
        Failure = '!',
    };

    // Larger frames are a protocol error: no message needs more, and a reader must not be made
    // to buffer without bound.
    static constexpr int kMaxPayload = 1024 * 1024;
    static constexpr int kHeaderSize = 5;

    Type type = Input;
    QByteArray payload;

    static QByteArray encode(Type type, const QByteArray &payload = {});
    static bool isKnownType(char type);
};

// Cuts a byte stream into frames. Feed what arrives; take frames while there are any.
class AttachFrameReader
{
public:
    void feed(const QByteArray &bytes) { m_buffer.append(bytes); }
    // The next complete frame, if one has arrived. After an error, none ever comes again.
    std::optional<AttachFrame> next();
    // Set once the stream broke the protocol (unknown type, oversize frame).
    const QString &error() const { return m_error; }
    qint64 buffered() const { return m_buffer.size(); }

private:
    QByteArray m_buffer;
    qsizetype m_consumed = 0;
    QString m_error;
};

} // namespace standby
