#include "sessions/SessionHolder.h"

#include "Version.h"
#include "core/DaemonRecord.h"
#include "core/DirectoryLock.h"
#include "core/LogCategories.h"
#include "core/ProcessTable.h"
#include "core/SignalWatcher.h"
#include "sessions/AttachServer.h"
#include "sessions/ProcessTree.h"
#include "sessions/SessionControl.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSysInfo>

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace standby {

// While the rest of an ended agent's process group is being waited for.
static constexpr int kGroupPollMs = 50;

SessionHolder::SessionHolder(const Paths &paths, const Config &config, Mode mode, QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_config(config)
    , m_mode(mode)
    , m_registry(paths)
{
    // At once: a kill may come while the run is still being read (it is then applied as soon as
    // the agent has started).
    m_signals = new SignalWatcher({SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}, this);
    connect(m_signals, &SignalWatcher::terminationRequested, this, &SessionHolder::onSignal);
    m_graceTimer.setSingleShot(true);
    m_timeoutTimer.setSingleShot(true);
    m_groupTimer.setInterval(kGroupPollMs);
    m_stopWatch.setInterval(100);
    connect(&m_stopWatch, &QTimer::timeout, this, &SessionHolder::checkStopped);
    connect(&m_graceTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcSession, "session %s outlived the grace period: SIGKILL",
                  qUtf8Printable(m_record.name));
        m_debug.write(QStringLiteral("grace period of %1 s over: SIGKILL to the agent's group and "
                                     "its descendants")
                          .arg(m_config.sessions().killGraceSec));
        ProcessTree::signalAll(m_record.pid, m_groupId, SIGKILL);
    });
    connect(&m_timeoutTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcSession, "session %s ran past its timeout of %lld s",
                  qUtf8Printable(m_record.name), m_record.timeoutSec);
        m_debug.write(QStringLiteral("timeout of %1 s reached").arg(m_record.timeoutSec));
        terminate(SIGTERM, true);
    });
    connect(&m_groupTimer, &QTimer::timeout, this, &SessionHolder::reapGroup);
    // Orphans of the session's family come to the holder instead of init, so none escapes the
    // end of the session by leaving the process group.
    ProcessTree::becomeSubreaper();
}

SessionHolder::~SessionHolder()
{
    if (m_readyFd >= 0)
        ::close(m_readyFd);
}

QProcessEnvironment SessionHolder::sessionEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = m_record.env.cbegin(); it != m_record.env.cend(); ++it)
        env.insert(it.key(), it.value());
    env.insert(QStringLiteral("STANDBY_SESSION_KIND"), m_record.kind);
    env.insert(QStringLiteral("STANDBY_SESSION_NAME"), m_record.name);
    env.insert(QStringLiteral("STANDBY_SESSION_LOG"), m_record.log);
    env.insert(QStringLiteral("STANDBY_SESSION_ID"), m_record.sessionId);
    env.insert(QStringLiteral("STANDBY_RUN_ID"), m_record.runId);
    return env;
}

Status SessionHolder::start(const QString &runId, int readyFd)
{
    m_readyFd = readyFd;
    // The readiness pipe is the daemon's business, not the agent's: keep it out of the exec.
    if (m_readyFd >= 0)
        ::fcntl(m_readyFd, F_SETFD, FD_CLOEXEC);
    Result<RunRecord> record = RunRecord::read(m_paths, runId);
    if (!record)
        return record.error();
    m_record = *record;
    if (m_record.status != RunRecord::State::Accepted)
        return Error{QStringLiteral("conflict"),
                     QStringLiteral("run %1 is already %2")
                         .arg(runId, RunRecord::statusName(m_record.status))};
    m_record.pid = QCoreApplication::applicationPid();
    m_record.holderStart = ProcessTable::system().startTime(m_record.pid).value_or(0);
    const QProcessEnvironment environment = sessionEnvironment();
    openSessionLogs(environment);
    if (m_record.argv.isEmpty()) {
        fail(QStringLiteral("the run record has no command"));
        return Error{QStringLiteral("invalid_record"), m_record.error};
    }

    if (m_mode == Mode::Background) {
        const Config::Logs &logs = m_config.logs();
        if (Status error = m_log.open(m_record.log, {logs.maxSizeBytes, logs.keep})) {
            fail(error->message);
            return error;
        }
        m_record.logOffset = m_log.size();
        m_log.setRotatedHandler([this] {
            // What this run printed before is in name.log.1 and older now; the new file is all
            // its own.
            m_record.logOffset = 0;
            writeRecord();
            m_debug.write(
                QStringLiteral("process log rotated (rotation %1)").arg(m_log.rotations()));
        });
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        connect(&m_process, &QProcess::readyReadStandardOutput, this,
                [this] { onOutput(QProcess::StandardOutput, m_process.readAllStandardOutput()); });
        connect(&m_process, &QProcess::readyReadStandardError, this,
                [this] { onOutput(QProcess::StandardError, m_process.readAllStandardError()); });
        startAttachServer();
        const mode_t mask = mode_t(m_record.umask);
        m_process.setChildProcessModifier([mask] {
            // Its own process group, so a kill reaches the agent and all it started, and
            // nothing of the holder. SIGPIPE back to default: ignoring it is the holder's
            // business, and ignored signals survive exec. The caller's umask, not the 077 that
            // keeps Standby's own files private.
            ::setpgid(0, 0);
            ::signal(SIGPIPE, SIG_DFL);
            ::umask(mask);
        });
    } else {
        m_process.setProcessChannelMode(QProcess::ForwardedChannels);
        m_process.setInputChannelMode(QProcess::ForwardedInputChannel);
        m_process.setChildProcessModifier([] {
            // Its own process group, made the terminal's foreground group as a shell does for
            // a job: Ctrl+C reaches the agent and its children, not this holder, and a kill
            // can end the whole group.
            ::setpgid(0, 0);
            if (::isatty(STDIN_FILENO)) {
                ::signal(SIGTTOU, SIG_IGN);
                ::tcsetpgrp(STDIN_FILENO, ::getpid());
                ::signal(SIGTTOU, SIG_DFL);
            }
            ::signal(SIGPIPE, SIG_DFL);
        });
    }
    m_process.setProgram(m_record.argv.constFirst());
    m_process.setArguments(m_record.argv.mid(1));
    m_process.setWorkingDirectory(m_record.cwd);
    m_process.setProcessEnvironment(environment);
    connect(&m_process, &QProcess::started, this, &SessionHolder::onStarted);
    connect(&m_process, &QProcess::finished, this, &SessionHolder::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, &SessionHolder::onError);
    m_process.start();
    return std::nullopt;
}

void SessionHolder::startAttachServer()
{
    AttachServer::Agent agent;
    agent.pendingInput = [this] { return m_process.bytesToWrite(); };
    agent.writeInput = [this](const QByteArray &bytes) {
        const bool written =
            m_process.state() != QProcess::NotRunning && m_process.write(bytes) == bytes.size();
        if (written)
            m_transcript.recordInput(bytes);
        return written;
    };
    agent.closeInput = [this] { m_process.closeWriteChannel(); };
    agent.signalGroup = [this](int signal) {
        // Only while the agent is unreaped is its group surely still the agent's.
        if (m_agentEnded || m_groupId <= 0)
            return false;
        m_debug.write(QStringLiteral("attach: SIG%1 to process group %2")
                          .arg(SessionControl::signalName(signal))
                          .arg(m_groupId));
        return ::kill(-pid_t(m_groupId), signal) == 0;
    };
    m_attach = new AttachServer(m_paths.socketFile(m_record.pid), std::move(agent), this);
    // Before the agent starts, so the socket is there by the time anyone is told the session is.
    // Without it the session runs on, only not attachable.
    if (Status error = m_attach->listen())
        qCWarning(lcSession, "session %s cannot be attached to: %s", qUtf8Printable(m_record.name),
                  qUtf8Printable(error->message));
}

void SessionHolder::onStarted()
{
    m_record.childPid = m_process.processId();
    m_groupId = m_record.childPid;
    // The agent's group owns the terminal, so Ctrl+Z stops it and not this process: watch for
    // that and pass it on to the shell, as a job of its own would (only on a terminal).
    if (m_mode == Mode::Foreground && ::isatty(STDIN_FILENO))
        m_stopWatch.start();
    m_record.status = RunRecord::State::Running;
    m_record.startedAt = QDateTime::currentMSecsSinceEpoch();
    writeRecord();
    m_debug.write(QStringLiteral("agent started: pid %1 in process group %1, %2 ms after the run "
                                 "was accepted")
                      .arg(m_record.childPid)
                      .arg(m_record.startedAt - m_record.acceptedAt));

    m_entry.pid = m_record.pid;
    m_entry.sessionId = m_record.sessionId;
    m_entry.name = m_record.name;
    m_entry.cwd = m_record.cwd;
    m_entry.startedAt = m_record.startedAt;
    m_entry.kind =
        m_mode == Mode::Background ? RegistryEntry::Kind::Bg : RegistryEntry::Kind::Interactive;
    if (Result<DaemonRecord> daemon = DaemonRecord::read(m_paths))
        m_entry.url = daemon->endpoint;
    m_entry.version = QString::fromLatin1(kVersion);
    m_entry.hostname = QSysInfo::machineHostName();
    m_entry.agent = m_record.agent;
    m_entry.childPid = m_record.childPid;
    m_entry.log = m_record.log;
    m_entry.runId = m_record.runId;
    m_entry.procStart = ProcessTable::system().startTime(m_entry.pid).value_or(0);
    // Whoever started this holder registered it already, under the registry's lock; only if that
    // entry is not there yet must this write wait for the lock, so as to come after it.
    std::optional<DirectoryLock> claim;
    if (!QFile::exists(m_paths.pidFile(m_entry.pid)))
        claim.emplace(m_paths.sessionsDir(), 5000);
    if (Status error = m_registry.add(m_entry))
        qCWarning(lcSession, "cannot register session %s: %s", qUtf8Printable(m_record.name),
                  qUtf8Printable(error->message));

    qCInfo(lcSession, "session %s started: agent %s, pid %lld, run %s",
           qUtf8Printable(m_record.name), qUtf8Printable(m_record.agent), m_record.childPid,
           qUtf8Printable(m_record.runId));
    report(QJsonDocument(QJsonObject{{QStringLiteral("ok"), true},
                                     {QStringLiteral("childPid"), m_record.childPid}})
               .toJson(QJsonDocument::Compact));
    if (m_record.timeoutSec > 0)
        m_timeoutTimer.start(std::chrono::seconds(m_record.timeoutSec));
    // A kill that arrived while the agent was still starting.
    if (m_killSignal != 0) {
        const int signal = m_killSignal;
        m_killSignal = 0;
        terminate(signal, m_record.timedOut);
    }
}

void SessionHolder::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart)
        return;
    fail(QStringLiteral("cannot start %1: %2")
             .arg(m_record.argv.constFirst(), m_process.errorString()));
}

void SessionHolder::onFinished(int exitCode, QProcess::ExitStatus exitStatus)
{
    m_agentEnded = true;
    m_stopWatch.stop();
    m_graceTimer.stop();
    m_timeoutTimer.stop();
    if (m_mode == Mode::Foreground && ::isatty(STDIN_FILENO)) {
        // Take the terminal back from the agent's group.
        ::signal(SIGTTOU, SIG_IGN);
        ::tcsetpgrp(STDIN_FILENO, ::getpgrp());
        ::signal(SIGTTOU, SIG_DFL);
    }
    if (m_mode == Mode::Background) {
        onOutput(QProcess::StandardOutput, m_process.readAllStandardOutput());
        onOutput(QProcess::StandardError, m_process.readAllStandardError());
    }
    m_record.endedAt = QDateTime::currentMSecsSinceEpoch();
    // Qt reports the signal number as the exit code of a process a signal ended.
    const bool bySignal = exitStatus == QProcess::CrashExit;
    if (m_killSignal != 0 || bySignal) {
        m_record.status = RunRecord::State::Killed;
        m_record.signal = SessionControl::signalName(bySignal ? exitCode : m_killSignal);
        m_record.exitCode = bySignal ? -1 : exitCode;
    } else {
        m_record.status = RunRecord::State::Exited;
        m_record.exitCode = exitCode;
    }
    // The transcript and debug log first: whoever sees the run ended finds them complete.
    recordEnd();
    writeRecord();
    if (m_attach)
        m_attach->agentEnded(m_record);
    qCInfo(lcSession, "session %s ended: %s%s", qUtf8Printable(m_record.name),
           qUtf8Printable(RunRecord::statusName(m_record.status)),
           qUtf8Printable(bySignal ? QStringLiteral(" by SIG") + m_record.signal
                                   : QStringLiteral(", exit code %1").arg(exitCode)));
    if (m_log.failedBytes() > 0)
        qCWarning(lcSession, "session %s: %lld bytes of output could not be written to %s",
                  qUtf8Printable(m_record.name), m_log.failedBytes(), qUtf8Printable(m_record.log));

    ProcessTree::reapZombieChildren(m_record.pid, 0);
    if (!ProcessTree::liveDescendants(m_record.pid).isEmpty()) {
        // The agent left processes behind. End them, gently unless a kill is under way.
        const int signal = m_killSignal != 0 ? SIGKILL : SIGTERM;
        qCInfo(lcSession, "session %s: ending what its agent left running (SIG%s)",
               qUtf8Printable(m_record.name), qUtf8Printable(SessionControl::signalName(signal)));
        m_debug.write(QStringLiteral("the agent left processes running: SIG%1 to them")
                          .arg(SessionControl::signalName(signal)));
        ProcessTree::signalAll(m_record.pid, m_groupId, signal);
        m_groupKilled = signal == SIGKILL;
        m_groupDeadline =
            QDateTime::currentMSecsSinceEpoch() + qint64(m_config.sessions().killGraceSec) * 1000;
        m_groupTimer.start();
        return;
    }
    finish();
}

void SessionHolder::reapGroup()
{
    ProcessTree::reapZombieChildren(m_record.pid, 0);
    const QList<qint64> left = ProcessTree::liveDescendants(m_record.pid);
    if (left.isEmpty()) {
        m_groupTimer.stop();
        finish();
        return;
    }
    if (QDateTime::currentMSecsSinceEpoch() < m_groupDeadline)
        return;
    if (!m_groupKilled) {
        m_debug.write(QStringLiteral("%1 left over after the grace period: SIGKILL to them")
                          .arg(left.size()));
        ProcessTree::signalAll(m_record.pid, m_groupId, SIGKILL);
        m_groupKilled = true;
        // SIGKILL cannot be refused; give the kernel a moment more.
        m_groupDeadline = QDateTime::currentMSecsSinceEpoch() + 5000;
        return;
    }
    // Never wait for ever (a process stuck in the kernel): say so and end the session.
    qCWarning(lcSession, "session %s: %lld processes did not end after SIGKILL; giving up on them",
              qUtf8Printable(m_record.name), qint64(left.size()));
    m_debug.write(QStringLiteral("%1 processes did not end after SIGKILL; giving up on them")
                      .arg(left.size()));
    m_groupTimer.stop();
    finish();
}

void SessionHolder::checkStopped()
{
    const std::optional<ProcessStat> agent = ProcessTable::system().stat(m_record.childPid);
    if (!agent || agent->state != 'T')
        return;
    // The agent was stopped (Ctrl+Z): take the terminal back and stop too, so the shell sees its
    // job stopped and can `fg` or `bg` it. Execution resumes here on SIGCONT.
    ::signal(SIGTTOU, SIG_IGN);
    ::tcsetpgrp(STDIN_FILENO, ::getpgrp());
    ::raise(SIGSTOP);
    // Continued: after `fg` this process group is the terminal's again; hand it to the agent.
    // After `bg` it is not, and the agent runs on in the background.
    if (::tcgetpgrp(STDIN_FILENO) == ::getpgrp())
        ::tcsetpgrp(STDIN_FILENO, pid_t(m_groupId));
    ::signal(SIGTTOU, SIG_DFL);
    ::kill(-pid_t(m_groupId), SIGCONT);
}

void SessionHolder::onSignal(int signal)
{
    qCInfo(lcSession, "session %s: SIG%s received", qUtf8Printable(m_record.name),
           qUtf8Printable(SessionControl::signalName(signal)));
    m_debug.write(QStringLiteral("holder received SIG%1").arg(SessionControl::signalName(signal)));
    terminate(signal, false);
}

void SessionHolder::terminate(int signal, bool timedOut)
{
    const bool repeated = m_killSignal != 0 || m_agentEnded;
    if (!repeated) {
        m_killSignal = signal;
        m_record.timedOut = timedOut;
    }
    if (m_record.childPid <= 0) {
        m_debug.write(QStringLiteral("kill requested while the agent is starting: sent once it "
                                     "has started"));
        return; // still starting: onStarted() passes the kill on
    }
    // A second request does not wait for the grace period.
    const int sent = repeated ? SIGKILL : signal;
    m_debug.write(
        QStringLiteral("sent SIG%1 to the agent's group %2 and its descendants%3")
            .arg(SessionControl::signalName(sent))
            .arg(m_groupId)
            .arg(repeated ? QStringLiteral(" (a repeated request: no grace period)") : QString()));
    ProcessTree::signalAll(m_record.pid, m_groupId, sent);
    if (!repeated)
        m_graceTimer.start(std::chrono::seconds(m_config.sessions().killGraceSec));
}

void SessionHolder::fail(const QString &message)
{
    qCWarning(lcSession, "session %s failed: %s", qUtf8Printable(m_record.name),
              qUtf8Printable(message));
    m_record.status = RunRecord::State::Failed;
    m_record.error = message;
    m_record.endedAt = QDateTime::currentMSecsSinceEpoch();
    recordEnd();
    writeRecord();
    report(QJsonDocument(
               QJsonObject{{QStringLiteral("ok"), false},
                           {QStringLiteral("error"),
                            QJsonObject{{QStringLiteral("code"), QStringLiteral("start_failed")},
                                        {QStringLiteral("message"), message}}}})
               .toJson(QJsonDocument::Compact));
    QTimer::singleShot(0, this, &SessionHolder::finish);
}

void SessionHolder::finish()
{
    m_debug.write(QStringLiteral("holder done"));
    // Also the entry the daemon (or the foreground CLI) made for this process before it started.
    if (m_record.pid > 0)
        m_registry.remove(m_record.pid);
    if (m_readyFd >= 0) {
        ::close(m_readyFd);
        m_readyFd = -1;
    }
    if (m_attach) {
        // A run that failed to start never got to onFinished().
        m_attach->agentEnded(m_record);
        m_attach->close();
    }
    Q_EMIT finished();
}

void SessionHolder::openSessionLogs(const QProcessEnvironment &environment)
{
    // Records written before transcripts existed have no path for one.
    if (m_record.transcript.isEmpty())
        m_record.transcript = m_paths.transcript(m_record.cwd, m_record.sessionId);
    const Result<AgentProfile> agent = m_config.agent(m_record.agent);
    TranscriptWriter::Options options;
    options.outputCapBytes = m_config.logs().transcriptOutputBytes;
    options.streamJson = agent && agent->printsStreamJson();
    if (Status error = m_transcript.open(m_record.transcript, options))
        qCWarning(lcSession, "session %s: no transcript: %s", qUtf8Printable(m_record.name),
                  qUtf8Printable(error->message));
    m_transcript.recordPrompt(m_record.prompt);

    if (!m_record.debug)
        return;
    if (m_record.debugLog.isEmpty())
        m_record.debugLog = m_paths.debugLog(m_record.sessionId);
    if (Status error = m_debug.open(m_record.debugLog)) {
        qCWarning(lcSession, "session %s: no debug log: %s", qUtf8Printable(m_record.name),
                  qUtf8Printable(error->message));
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_debug.write(QStringLiteral("session %1 (%2), run %3, kind %4, agent %5%6")
                      .arg(m_record.name, m_record.sessionId, m_record.runId, m_record.kind,
                           m_record.agent,
                           options.streamJson ? QStringLiteral(" (stream-json)") : QString()));
    m_debug.write(QStringLiteral("holder: pid %1, standby %2, %3; run accepted %4 ms ago")
                      .arg(m_record.pid)
                      .arg(QString::fromLatin1(kVersion))
                      .arg(m_mode == Mode::Background ? QStringLiteral("background")
                                                      : QStringLiteral("foreground"))
                      .arg(now - m_record.acceptedAt));
    m_debug.write(QStringLiteral("argv: ") +
                  QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(
                                                      DebugLog::maskedArguments(m_record.argv)))
                                        .toJson(QJsonDocument::Compact)));
    m_debug.write(QStringLiteral("cwd: ") + m_record.cwd);
    m_debug.write(QStringLiteral("umask: %1, timeout: %2")
                      .arg(m_record.umask, 4, 8, QLatin1Char('0'))
                      .arg(m_record.timeoutSec > 0 ? QStringLiteral("%1 s").arg(m_record.timeoutSec)
                                                   : QStringLiteral("none")));
    if (m_mode == Mode::Background)
        m_debug.write(QStringLiteral("process log: %1 (rotated at %2 bytes, %3 kept)")
                          .arg(m_record.log)
                          .arg(m_config.logs().maxSizeBytes)
                          .arg(m_config.logs().keep));
    m_debug.write(QStringLiteral("transcript: %1 (plain output up to %2 bytes)")
                      .arg(m_record.transcript)
                      .arg(options.outputCapBytes));
    m_debug.writeEnvironment(environment);
}

void SessionHolder::onOutput(QProcess::ProcessChannel stream, const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    m_outputBytes[stream == QProcess::StandardError ? 1 : 0] += bytes.size();
    m_log.append(bytes);
    m_transcript.recordOutput(stream, bytes);
    if (m_attach)
        m_attach->output(
            stream == QProcess::StandardError ? AttachFrame::Stderr : AttachFrame::Stdout, bytes);
}

void SessionHolder::recordEnd()
{
    const bool started = m_record.startedAt > 0;
    const qint64 durationMs = started ? m_record.endedAt - m_record.startedAt : 0;
    const QString status = RunRecord::statusName(m_record.status);
    m_transcript.recordExit(
        status, m_record.exitCode >= 0 ? std::optional<int>(m_record.exitCode) : std::nullopt,
        m_record.signal, durationMs, m_record.error);
    if (!m_debug.isOpen())
        return;
    QString how = status;
    if (m_record.exitCode >= 0)
        how += QStringLiteral(", exit code %1").arg(m_record.exitCode);
    if (!m_record.signal.isEmpty())
        how += QStringLiteral(" by SIG") + m_record.signal;
    if (m_record.timedOut)
        how += QStringLiteral(" (timed out)");
    if (!m_record.error.isEmpty())
        how += QStringLiteral(": ") + m_record.error;
    m_debug.write(QStringLiteral("agent ended: %1; ran %2 ms").arg(how).arg(durationMs));
    if (m_mode == Mode::Background)
        m_debug.write(QStringLiteral("output: %1 bytes on stdout, %2 on stderr; %3 rotations of "
                                     "the process log; %4 bytes could not be written")
                          .arg(m_outputBytes[0])
                          .arg(m_outputBytes[1])
                          .arg(m_log.rotations())
                          .arg(m_log.failedBytes()));
    m_debug.write(QStringLiteral("transcript: %1 bytes of output recorded, %2 left to the process "
                                 "log")
                      .arg(m_transcript.recordedOutputBytes())
                      .arg(m_transcript.omittedOutputBytes()));
}

void SessionHolder::writeRecord()
{
    if (Status error = m_record.write(m_paths, m_record.isFinished()))
        qCWarning(lcSession, "cannot write the run record %s: %s", qUtf8Printable(m_record.runId),
                  qUtf8Printable(error->message));
}

void SessionHolder::report(const QByteArray &line)
{
    if (m_readyFd < 0)
        return;
    const QByteArray out = line + '\n';
    const ssize_t ignored = ::write(m_readyFd, out.constData(), size_t(out.size()));
    (void)ignored;
    ::close(m_readyFd);
    m_readyFd = -1;
}

int SessionHolder::shellExitCode() const
{
    switch (m_record.status) {
    case RunRecord::State::Exited:
        return m_record.exitCode;
    case RunRecord::State::Killed:
        return 128 + SessionControl::parseSignal(m_record.signal).value_or(SIGKILL);
    default:
        return 126;
    }
}

} // namespace standby
