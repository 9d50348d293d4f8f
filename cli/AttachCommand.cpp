#include "cli/CliError.h"
#include "cli/LineEditor.h"
#include "cli/SessionCommands.h"
#include "cli/VerbParser.h"
#include "core/Paths.h"
#include "core/ProcessTable.h"
#include "core/Registry.h"
#include "core/SignalWatcher.h"
#include "sessions/AttachFrame.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <termios.h>
#include <unistd.h>

namespace standby::cli {

static const char kAttachHelp[] =
    "Usage: standby attach NAME|PID\n"
    "\n"
    "Connects to a background session: shows its recent output, then its output as it comes,\n"
    "and sends what you type to its stdin. Talks to the session's holder directly, so it works\n"
    "while the daemon is down.\n"
    "\n"
    "On a terminal, typing is edited locally and sent a line at a time (Enter):\n"
    "  Ctrl+P Ctrl+Q   detach; the session keeps running\n"
    "  Ctrl+C          interrupt the session (SIGINT to its process group)\n"
    "  Ctrl+D          on an empty line: close the session's stdin\n"
    "With stdin not a terminal, its bytes are passed on unchanged; Ctrl+C detaches.\n"
    "\n"
    "Ends with the session: prints how it ended and exits with its exit code (128 + the signal\n"
    "when a signal ended it).\n";

namespace {

// How long a session just started may take to open its socket.
constexpr int kConnectPatienceMs = 5000;
constexpr int kConnectRetryMs = 50;
// Reading stdin pauses while this much input waits to go to the holder.
constexpr qint64 kMaxQueuedInput = 1024 * 1024;
constexpr qint64 kResumeInputBelow = 256 * 1024;

// The terminal's settings before attach changed them. Global so that atexit() and the handlers
// of fatal signals can put them back whatever way the process ends.
struct termios g_savedTerminal;
volatile sig_atomic_t g_terminalChanged = 0;

void restoreTerminal()
{
    if (g_terminalChanged) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &g_savedTerminal);
        g_terminalChanged = 0;
    }
}

void restoreAndDie(int signal)
{
    // tcsetattr() is async-signal-safe; then die of the signal as if nothing had caught it.
    restoreTerminal();
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

// Non-canonical input without echo for the line editor, restored on every way out: this object's
// end, exit(), and the fatal signals. Ctrl+C still raises SIGINT (ISIG), which attach forwards;
// Ctrl+Z would stop attach with the terminal left raw, so it is turned off.
class RawTerminal
{
public:
    RawTerminal() = default;
    RawTerminal(const RawTerminal &) = delete;
    RawTerminal &operator=(const RawTerminal &) = delete;
    ~RawTerminal() { restoreTerminal(); }

    bool enter()
    {
        if (::tcgetattr(STDIN_FILENO, &g_savedTerminal) != 0)
            return false;
        static bool hooked = false;
        if (!hooked) {
            hooked = true;
            std::atexit(restoreTerminal);
            struct sigaction action = {};
            action.sa_handler = restoreAndDie;
            sigemptyset(&action.sa_mask);
            action.sa_flags = SA_RESETHAND;
            for (int fatal : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL})
                ::sigaction(fatal, &action, nullptr);
        }
        struct termios raw = g_savedTerminal;
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | IEXTEN);
        raw.c_lflag |= ISIG;
        raw.c_iflag &= ~tcflag_t(IXON);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        raw.c_cc[VSUSP] = _POSIX_VDISABLE;
        g_terminalChanged = 1;
        if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0) {
            g_terminalChanged = 0;
            return false;
        }
        return true;
    }
};

// Writes all of it, or says why not (EPIPE: whoever reads our output has gone).
bool writeAll(int fd, const char *data, qsizetype size)
{
    while (size > 0) {
        const ssize_t written = ::write(fd, data, size_t(size));
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += written;
        size -= written;
    }
    return true;
}

bool writeAll(int fd, const QByteArray &bytes)
{
    return writeAll(fd, bytes.constData(), bytes.size());
}

// Any signal name a run record may hold ("TERM", "SEGV", …) → its number.
int signalNumber(const QString &name)
{
    const QByteArray wanted = name.toUpper().toLatin1();
    for (int signal = 1; signal < NSIG; ++signal) {
        const char *abbrev = ::sigabbrev_np(signal);
        if (abbrev && wanted == abbrev)
            return signal;
    }
    return 0;
}

class AttachClient
{
public:
    AttachClient(const RegistryEntry &entry, const QString &socketPath)
        : m_entry(entry)
        , m_socketPath(socketPath)
        , m_interactive(::isatty(STDIN_FILENO))
    {
        // Typed characters are shown where the session's output is, if that is a terminal.
        m_echoFd = ::isatty(STDOUT_FILENO)   ? STDOUT_FILENO
                   : ::isatty(STDERR_FILENO) ? STDERR_FILENO
                                             : -1;
    }

    int run()
    {
        SignalWatcher watcher({SIGINT, SIGTERM, SIGHUP, SIGQUIT}, &m_context);
        QObject::connect(&watcher, &SignalWatcher::terminationRequested, &m_context,
                         [this](int signal) { onSignal(signal); });
        QObject::connect(&m_socket, &QLocalSocket::connected, &m_context,
                         [this] { onConnected(); });
        QObject::connect(&m_socket, &QLocalSocket::errorOccurred, &m_context,
                         [this](QLocalSocket::LocalSocketError error) { onError(error); });
        QObject::connect(&m_socket, &QLocalSocket::disconnected, &m_context,
                         [this] { onDisconnected(); });
        QObject::connect(&m_socket, &QLocalSocket::readyRead, &m_context,
                         [this] { onReadyRead(); });
        QObject::connect(&m_socket, &QLocalSocket::bytesWritten, &m_context, [this] {
            if (m_stdin && !m_stdinEnded && m_socket.bytesToWrite() < kResumeInputBelow)
                m_stdin->setEnabled(true);
        });
        m_connectDeadline = QDeadlineTimer(kConnectPatienceMs);
        // From inside the loop: a refusal can be reported at once, and must end the loop.
        QTimer::singleShot(0, &m_context, [this] { m_socket.connectToServer(m_socketPath); });
        const int code = m_loop.exec();
        QObject::disconnect(&m_socket, nullptr, &m_context, nullptr);
        restoreTerminal();
        return code;
    }

private:
    QString name() const { return m_entry.name; }

    void onConnected()
    {
        m_connected = true;
        if (m_interactive && m_terminal.enter()) {
            std::fprintf(stderr, "attached to %s; Ctrl+P Ctrl+Q detaches, Ctrl+C interrupts it\n",
                         qUtf8Printable(name()));
        }
        m_socket.write(AttachFrame::encode(AttachFrame::Attach));
        m_stdin = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, &m_context);
        QObject::connect(m_stdin, &QSocketNotifier::activated, &m_context,
                         [this] { onStdinReadable(); });
    }

    void onError(QLocalSocket::LocalSocketError error)
    {
        if (m_connected || m_done)
            return; // a lost connection is handled by onDisconnected()
        const bool alive = ProcessTable::system().isAlive(m_entry.pid, m_entry.procStart);
        const bool notYet = error == QLocalSocket::ServerNotFoundError ||
                            error == QLocalSocket::ConnectionRefusedError;
        if (!alive) {
            finish(report(Error{QStringLiteral("not_found"),
                                QStringLiteral("%1 has ended (see standby runs)").arg(name())}));
            return;
        }
        if (notYet && !m_connectDeadline.hasExpired()) {
            // A holder that has only just started may not be listening yet.
            QTimer::singleShot(kConnectRetryMs, &m_context, [this] {
                m_socket.abort();
                m_socket.connectToServer(m_socketPath);
            });
            return;
        }
        finish(report(Error{error == QLocalSocket::ServerNotFoundError ? QStringLiteral("not_found")
                                                                       : QStringLiteral("refused"),
                            QStringLiteral("cannot attach to %1 (%2): %3")
                                .arg(name(), m_socketPath, m_socket.errorString())}));
    }

    void onDisconnected()
    {
        if (!m_connected || m_done)
            return;
        onReadyRead(); // whatever came with the close
        if (m_done)
            return;
        endLine();
        // Why, if the holder said (too slow, a protocol error), was printed as it came.
        std::fprintf(stderr, "standby: lost the connection to %s\n", qUtf8Printable(name()));
        finish(kUsage);
    }

    void onReadyRead()
    {
        if (m_done)
            return;
        m_reader.feed(m_socket.readAll());
        while (std::optional<AttachFrame> frame = m_reader.next()) {
            handle(*frame);
            if (m_done)
                return;
        }
        if (!m_reader.error().isEmpty()) {
            endLine();
            std::fprintf(stderr, "standby: %s sent something that is not the attach protocol: %s\n",
                         qUtf8Printable(name()), qUtf8Printable(m_reader.error()));
            finish(kUsage);
        }
    }

    void handle(const AttachFrame &frame)
    {
        switch (frame.type) {
        case AttachFrame::Stdout:
        case AttachFrame::Stderr:
            show(frame.type == AttachFrame::Stdout ? STDOUT_FILENO : STDERR_FILENO, frame.payload);
            return;
        case AttachFrame::Exit:
            exited(QJsonDocument::fromJson(frame.payload).object());
            return;
        case AttachFrame::Failure: {
            const QJsonObject failure = QJsonDocument::fromJson(frame.payload).object();
            const QString code = failure.value(QStringLiteral("code")).toString();
            const QString message = failure.value(QStringLiteral("message")).toString();
            // Piped input refused chunk after chunk would say the same thing a thousand times.
            if (code != m_lastFailureCode) {
                endLine();
                std::fprintf(stderr, "standby: %s: %s\n", qUtf8Printable(name()),
                             qUtf8Printable(message));
                redrawLine();
            }
            m_lastFailureCode = code;
            return;
        }
        default:
            return; // Live: nothing to show; the replay simply ends there
        }
    }

    // The session's output, around the line being typed (if any) so the two do not mix.
    void show(int fd, const QByteArray &bytes)
    {
        const bool aroundLine = m_echoFd >= 0 && !m_editor.line().isEmpty();
        if (aroundLine)
            writeAll(m_echoFd, "\r\033[K", 4);
        if (!writeAll(fd, bytes)) {
            finish(kUsage); // our reader has gone (a closed pipe): nothing left to do
            return;
        }
        if (aroundLine)
            redrawLine();
    }

    void exited(const QJsonObject &exit)
    {
        const QString status = exit.value(QStringLiteral("status")).toString();
        int code = kUsage;
        QString line;
        if (status == QLatin1String("exited")) {
            code = exit.value(QStringLiteral("exitCode")).toInt();
            line = QStringLiteral("[%1 exited with code %2]").arg(name()).arg(code);
        } else if (status == QLatin1String("killed")) {
            const QString signal = exit.value(QStringLiteral("signal")).toString();
            const int number = signalNumber(signal);
            code = 128 + (number > 0 ? number : SIGKILL);
            line = QStringLiteral("[%1 killed by SIG%2]").arg(name(), signal);
        } else {
            line = QStringLiteral("[%1 ended: %2]").arg(name(), status);
        }
        endLine();
        restoreTerminal();
        std::fprintf(stderr, "%s\n", qUtf8Printable(line));
        finish(code);
    }

    void onStdinReadable()
    {
        char buffer[64 * 1024];
        const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        if (got <= 0) {
            // End of our input: stop reading, keep showing output. The session's stdin stays
            // open; whoever wants it closed says so (Ctrl+D on a terminal).
            m_stdinEnded = true;
            m_stdin->setEnabled(false);
            return;
        }
        const QByteArray bytes(buffer, got);
        if (!m_interactive) {
            sendInput(bytes);
            return;
        }
        for (const LineEditor::Action &action : m_editor.feed(bytes)) {
            switch (action.kind) {
            case LineEditor::Action::Echo:
                if (m_echoFd >= 0)
                    writeAll(m_echoFd, action.bytes);
                break;
            case LineEditor::Action::Send:
                sendInput(action.bytes);
                break;
            case LineEditor::Action::EndOfInput:
                m_socket.write(AttachFrame::encode(AttachFrame::EndOfInput));
                break;
            case LineEditor::Action::Detach:
                detach();
                return;
            }
        }
    }

    void sendInput(const QByteArray &bytes)
    {
        for (qsizetype at = 0; at < bytes.size(); at += AttachFrame::kMaxPayload)
            m_socket.write(
                AttachFrame::encode(AttachFrame::Input, bytes.mid(at, AttachFrame::kMaxPayload)));
        // The holder reads what it is sent at once; if it does not, do not pile up here either.
        if (m_socket.bytesToWrite() > kMaxQueuedInput)
            m_stdin->setEnabled(false);
    }

    void onSignal(int signal)
    {
        if (signal == SIGINT && m_connected && m_interactive) {
            // Ctrl+C is for the session, as if it had the terminal; what was typed is dropped,
            // as a terminal drops it.
            if (m_echoFd >= 0)
                writeAll(m_echoFd, QByteArray("^C\n"));
            m_editor.discardLine();
            m_socket.write(AttachFrame::encode(AttachFrame::Signal, "INT"));
            return;
        }
        if (signal == SIGINT && m_connected) {
            detach();
            return;
        }
        endLine();
        restoreTerminal();
        if (m_connected && signal != SIGHUP)
            std::fprintf(stderr, "[detached from %s; it keeps running]\n", qUtf8Printable(name()));
        finish(128 + signal);
    }

    void detach()
    {
        endLine();
        restoreTerminal();
        std::fprintf(stderr, "[detached from %s; it keeps running]\n", qUtf8Printable(name()));
        finish(kOk);
    }

    // Puts the cursor on a fresh line if a typed line is showing.
    void endLine()
    {
        if (m_echoFd >= 0 && !m_editor.line().isEmpty())
            writeAll(m_echoFd, "\n", 1);
    }

    void redrawLine()
    {
        if (m_echoFd >= 0 && !m_editor.line().isEmpty())
            writeAll(m_echoFd, m_editor.line());
    }

    void finish(int code)
    {
        if (m_done)
            return;
        m_done = true;
        if (m_stdin)
            m_stdin->setEnabled(false);
        // Input (an EndOfInput, the last line) may still be queued: give it a bounded moment.
        if (m_socket.state() == QLocalSocket::ConnectedState && m_socket.bytesToWrite() > 0) {
            m_socket.flush();
            if (m_socket.bytesToWrite() > 0)
                m_socket.waitForBytesWritten(1000);
        }
        m_loop.exit(code);
    }

    RegistryEntry m_entry;
    QString m_socketPath;
    bool m_interactive;
    int m_echoFd = -1;
    QObject m_context; // for connections that end with this object
    QEventLoop m_loop;
    QLocalSocket m_socket;
    AttachFrameReader m_reader;
    QSocketNotifier *m_stdin = nullptr;
    RawTerminal m_terminal;
    LineEditor m_editor;
    QDeadlineTimer m_connectDeadline;
    QString m_lastFailureCode;
    bool m_connected = false;
    bool m_stdinEnded = false;
    bool m_done = false;
};

} // namespace

int runAttachCommand(const QStringList &arguments)
{
    VerbParser verb(QStringLiteral("standby attach"), kAttachHelp);
    if (std::optional<int> done = verb.parse(arguments))
        return *done;
    if (verb.positional().size() != 1)
        return verb.usageError(QStringLiteral("name one session: standby attach NAME|PID"));
    const Paths paths = Paths::fromEnvironment();
    const Registry registry(paths);
    const QString key = verb.positional().constFirst();
    const std::optional<RegistryEntry> entry = registry.find(key);
    if (!entry)
        return report(Error{QStringLiteral("not_found"),
                            QStringLiteral("no live session \"%1\" (see standby ps)").arg(key)});
    if (entry->isRemote())
        return report(Error{QStringLiteral("not_found"),
                            QStringLiteral("%1 is a remote worker; attach to it on its own host")
                                .arg(entry->name)});
    if (entry->kind == RegistryEntry::Kind::Daemon)
        return report(Error{QStringLiteral("not_found"),
                            QStringLiteral("%1 is the daemon, not a session").arg(key)});
    if (entry->kind == RegistryEntry::Kind::Interactive)
        return report(Error{QStringLiteral("not_found"),
                            QStringLiteral("%1 is a foreground session, attached to the terminal "
                                           "it runs in; only background sessions can be attached")
                                .arg(entry->name)});
    AttachClient client(*entry, paths.socketFile(entry->pid));
    return client.run();
}

} // namespace standby::cli
