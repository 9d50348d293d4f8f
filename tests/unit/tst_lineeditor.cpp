// The local line editor of `standby attach` on a terminal: bytes typed in, what is echoed and what
// the session is sent.
#include "cli/LineEditor.h"

#include <QTest>

#include <clocale>

using namespace standby::cli;

namespace {

using Action = LineEditor::Action;

QByteArray echoed(const QList<Action> &actions)
{
    QByteArray out;
    for (const Action &action : actions)
        out += action.kind == Action::Echo ? action.bytes : QByteArray();
    return out;
}

QList<QByteArray> sent(const QList<Action> &actions)
{
    QList<QByteArray> out;
    for (const Action &action : actions) {
        if (action.kind == Action::Send)
            out.append(action.bytes);
    }
    return out;
}

bool has(const QList<Action> &actions, Action::Kind kind)
{
    for (const Action &action : actions) {
        if (action.kind == kind)
            return true;
    }
    return false;
}

} // namespace

class TestLineEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { std::setlocale(LC_CTYPE, "C.UTF-8"); }

    void typedLinesAreEchoedAndSentOnEnter()
    {
        LineEditor editor;
        QList<Action> actions = editor.feed("hello");
        QCOMPARE(echoed(actions), QByteArray("hello"));
        QVERIFY(sent(actions).isEmpty());
        QCOMPARE(editor.line(), QByteArray("hello"));
        actions = editor.feed("\r");
        QCOMPARE(sent(actions), QList<QByteArray>{"hello\n"});
        QCOMPARE(echoed(actions), QByteArray("\n"));
        QVERIFY(editor.line().isEmpty());
        // Several lines in one read, LF as Enter too, an empty line sends just "\n".
        actions = editor.feed("a\nb\r\r");
        QCOMPARE(sent(actions), (QList<QByteArray>{"a\n", "b\n", "\n"}));
    }

    void backspaceErasesAWholeCharacter()
    {
        LineEditor editor;
        QList<Action> actions = editor.feed("caf\xc3\xa9\x7f"
                                            "e\x08\x08x\r");
        QCOMPARE(sent(actions), QList<QByteArray>{"cax\n"});
        // One column back per erased character, whatever its length in bytes.
        QVERIFY(echoed(actions).contains("\b \b\b \b"));
        // A wide character takes two columns: two steps back.
        actions = editor.feed("\xe4\xb8\xad\x7f");
        QCOMPARE(echoed(actions), QByteArray("\xe4\xb8\xad\b \b\b \b"));
        QVERIFY(editor.line().isEmpty());
        // Nothing to erase: nothing echoed.
        QVERIFY(editor.feed("\x7f").isEmpty());
    }

    void ctrlUErasesTheLine()
    {
        LineEditor editor;
        editor.feed("abc");
        QCOMPARE(echoed(editor.feed("\x15")), QByteArray("\b \b\b \b\b \b"));
        QCOMPARE(sent(editor.feed("d\r")), QList<QByteArray>{"d\n"});
    }

    void ctrlDEndsInputOnlyOnAnEmptyLine()
    {
        LineEditor editor;
        QList<Action> actions = editor.feed("half\x04");
        QCOMPARE(sent(actions), QList<QByteArray>{"half"});
        QVERIFY(!has(actions, Action::EndOfInput));
        QVERIFY(has(editor.feed("\x04"), Action::EndOfInput));
    }

    void ctrlPThenCtrlQDetaches()
    {
        LineEditor editor;
        QList<Action> actions = editor.feed("typed\x10\x11"
                                            "after\r");
        QVERIFY(has(actions, Action::Detach));
        QCOMPARE(actions.last().kind, Action::Detach); // the rest is not looked at
        QVERIFY(sent(actions).isEmpty());

        // Split over two reads, too.
        LineEditor split;
        QVERIFY(!has(split.feed("\x10"), Action::Detach));
        QVERIFY(has(split.feed("\x11"), Action::Detach));

        // Ctrl+P followed by anything else is dropped, and the other key counts.
        LineEditor other;
        QCOMPARE(sent(other.feed("\x10x\r")), QList<QByteArray>{"x\n"});
    }

    void escapeSequencesAndControlBytesAreIgnored()
    {
        LineEditor editor;
        // Arrow up, F1 (SS3), a CSI with parameters, Alt+x, a bell, Ctrl+Z.
        const QList<Action> actions = editor.feed("a\x1b[A\x1bOP\x1b[1;5Cb\x1bx\x07\x1a\tc\r");
        QCOMPARE(sent(actions), QList<QByteArray>{"ab\tc\n"});
    }

    void discardedLinesAreNotSent()
    {
        LineEditor editor;
        editor.feed("oops");
        editor.discardLine();
        QCOMPARE(sent(editor.feed("ok\r")), QList<QByteArray>{"ok\n"});
    }

    void hugeLinesAreSentInPieces()
    {
        LineEditor editor;
        const QList<Action> actions = editor.feed(QByteArray(LineEditor::kMaxLine + 10, 'x'));
        QCOMPARE(sent(actions), QList<QByteArray>{QByteArray(LineEditor::kMaxLine, 'x')});
        QCOMPARE(editor.line().size(), 10);
    }
};

QTEST_GUILESS_MAIN(TestLineEditor)
#include "tst_lineeditor.moc"
