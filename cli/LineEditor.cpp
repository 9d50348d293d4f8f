#include "cli/LineEditor.h"

#include <cwchar>

namespace standby::cli {

namespace {

constexpr char kCtrlD = 0x04;
constexpr char kBackspace = 0x08;
constexpr char kTab = 0x09;
constexpr char kCtrlP = 0x10;
constexpr char kCtrlQ = 0x11;
constexpr char kCtrlU = 0x15;
constexpr char kEscape = 0x1b;
constexpr char kDelete = 0x7f;

bool isContinuation(char byte)
{
    return (quint8(byte) & 0xC0) == 0x80;
}

// How many columns a character takes on the terminal, so erasing it moves back as far (a CJK
// character takes two, a combining mark none).
int columns(const QByteArray &character)
{
    std::mbstate_t state{};
    wchar_t wide = 0;
    const size_t used =
        std::mbrtowc(&wide, character.constData(), size_t(character.size()), &state);
    if (used == size_t(-1) || used == size_t(-2))
        return 1;
    const int width = ::wcwidth(wide);
    return width < 0 ? 1 : width;
}

} // namespace

QList<LineEditor::Action> LineEditor::feed(const QByteArray &bytes)
{
    QList<Action> actions;
    auto echo = [&actions](const QByteArray &text) {
        if (!actions.isEmpty() && actions.last().kind == Action::Echo)
            actions.last().bytes.append(text);
        else
            actions.append(Action{Action::Echo, text});
    };
    for (const char byte : bytes) {
        if (m_afterCtrlP) {
            m_afterCtrlP = false;
            if (byte == kCtrlQ) {
                actions.append(Action{Action::Detach, {}});
                return actions;
            }
            // Ctrl+P alone means nothing here; the byte after it counts as typed.
        }
        switch (m_escape) {
        case Escape::Start:
            m_escape = byte == '[' ? Escape::Csi : byte == 'O' ? Escape::Ss3 : Escape::None;
            continue;
        case Escape::Csi:
            // Parameters and intermediates until a final byte in 0x40..0x7e.
            if (quint8(byte) >= 0x40 && quint8(byte) <= 0x7e)
                m_escape = Escape::None;
            continue;
        case Escape::Ss3:
            m_escape = Escape::None;
            continue;
        case Escape::None:
            break;
        }
        switch (byte) {
        case '\r':
        case '\n':
            echo("\n"); // the terminal's output processing makes it CR LF
            actions.append(Action{Action::Send, m_line + '\n'});
            m_line.clear();
            continue;
        case kBackspace:
        case kDelete:
            erase(actions);
            continue;
        case kCtrlU:
            while (!m_line.isEmpty())
                erase(actions);
            continue;
        case kCtrlD:
            if (m_line.isEmpty()) {
                actions.append(Action{Action::EndOfInput, {}});
            } else {
                actions.append(Action{Action::Send, m_line});
                m_line.clear();
            }
            continue;
        case kCtrlP:
            m_afterCtrlP = true;
            continue;
        case kEscape:
            m_escape = Escape::Start;
            continue;
        default:
            break;
        }
        if (quint8(byte) < 0x20 && byte != kTab)
            continue; // other control bytes: nothing a line means
        if (m_line.size() >= kMaxLine) {
            actions.append(Action{Action::Send, m_line});
            m_line.clear();
        }
        m_line.append(byte);
        echo(QByteArray(1, byte));
    }
    return actions;
}

void LineEditor::erase(QList<Action> &actions)
{
    if (m_line.isEmpty())
        return;
    qsizetype start = m_line.size() - 1;
    while (start > 0 && isContinuation(m_line.at(start)))
        --start;
    const int width = columns(m_line.mid(start));
    m_line.truncate(start);
    QByteArray text;
    for (int i = 0; i < width; ++i)
        text.append("\b \b");
    if (text.isEmpty())
        return;
    if (!actions.isEmpty() && actions.last().kind == Action::Echo)
        actions.last().bytes.append(text);
    else
        actions.append(Action{Action::Echo, text});
}

void LineEditor::discardLine()
{
    m_line.clear();
    m_escape = Escape::None;
    m_afterCtrlP = false;
}

} // namespace standby::cli
