#pragma once

#include <QByteArray>
#include <QList>

namespace standby::cli {

// The little line editor of `standby attach` on a terminal. The session's stdin is a pipe, not a
// terminal, so nothing on the session's side edits or echoes what is typed: this does, locally,
// and hands over whole lines. Pure logic (bytes in, actions out), so it is tested without a
// terminal.
//
//   printable bytes (UTF-8 too), Tab     echoed and kept
//   Enter (CR or LF)                     the line + "\n" is sent
//   Backspace, DEL                       erase the last character (a whole UTF-8 sequence)
//   Ctrl+U                               erase the line
//   Ctrl+D                               on an empty line: end of input; else send the line
//                                        as it is, without "\n" (as a terminal does)
//   Ctrl+P then Ctrl+Q                   detach
//   escape sequences (arrows, F-keys)    ignored, as are other control bytes
class LineEditor
{
public:
    // Longer lines are sent in pieces of this size, so a paste without newlines stays bounded.
    static constexpr int kMaxLine = 64 * 1024;

    struct Action
    {
        enum Kind { Echo, Send, EndOfInput, Detach };
        Kind kind;
        QByteArray bytes; // Echo: for the terminal; Send: for the session's stdin
        bool operator==(const Action &other) const = default;
    };

    // After a Detach action the rest of the bytes is not looked at.
    QList<Action> feed(const QByteArray &bytes);
    const QByteArray &line() const { return m_line; }
    // Forgets the line typed so far (Ctrl+C).
    void discardLine();

private:
    enum class Escape { None, Start, Csi, Ss3 };

    void erase(QList<Action> &actions);

    QByteArray m_line;
    Escape m_escape = Escape::None;
    bool m_afterCtrlP = false;
};

} // namespace standby::cli
