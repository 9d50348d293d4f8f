#pragma once

#include "core/Config.h"
#include "core/Paths.h"
#include "core/Registry.h"
#include "core/RunRecord.h"
#include "sessions/DebugLog.h"
#include "sessions/LogWriter.h"
#include "sessions/TranscriptWriter.h"

#include <QObject>
#include <QProcess>
#include <QTimer>

namespace standby {

class AttachServer;
class SignalWatcher;

// Holds one session: runs its agent with QProcess, keeps its PID file and run record, and ends it
// on request. The agent always gets a process group of its own. Two modes:
//  - Background (standby-worker): stdin an open pipe, stdout and stderr appended to
//    logs/{name}.log as they come (rotated at logs.maxSizeMb), recorded in the transcript, and
//    served with the input to clients of sessions/{pid}.sock (AttachServer).
//  - Foreground (`standby "task"`): the agent's group becomes the terminal's foreground group,
//    as a shell does for a job, so Ctrl+C reaches the agent and its children. Its output goes
//    to the terminal only; the transcript has the prompt and the exit.
// Either way the transcript is projects/{projectId}/{sessionId}.jsonl, and with --debug the
// holder keeps debug/{sessionId}.txt.
// A kill request (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to the holder, or the run's
// timeout) sends that signal to the agent's group and to every descendant outside it (the holder
// is a child subreaper, so orphans stay in the family), and SIGKILL after the grace period. When
// the agent ends, what is left of its family is ended too: no orphans.
class SessionHolder : public QObject
{
    Q_OBJECT

public:
    enum class Mode { Background, Foreground };

    SessionHolder(const Paths &paths, const Config &config, Mode mode, QObject *parent = nullptr);
    ~SessionHolder() override;

    // Reads runs/{runId}.json (status accepted) and starts its agent. A failure is also written
    // to the run record, so whoever waits for the run learns why.
    Status start(const QString &runId, int readyFd = -1);

    const RunRecord &record() const { return m_record; }
    // The agent's exit code for a foreground session's CLI (128 + signal when killed).
    int shellExitCode() const;

Q_SIGNALS:
    void finished();

private:
    void startAttachServer();
    void onStarted();
    void onFinished(int exitCode, QProcess::ExitStatus exitStatus);
    void onError(QProcess::ProcessError error);
    void onSignal(int signal);
    void terminate(int signal, bool timedOut);
    void reapGroup();
    void checkStopped();
    void finish();
    void fail(const QString &message);
    void writeRecord();
    void report(const QByteArray &line);
    QProcessEnvironment sessionEnvironment() const;
    // The session's logs besides the process log: transcript and (with --debug) debug log.
    void openSessionLogs(const QProcessEnvironment &environment);
    // Every chunk the agent prints (background): process log, transcript, counters.
    void onOutput(QProcess::ProcessChannel stream, const QByteArray &bytes);
    void recordEnd();

    Paths m_paths;
    Config m_config;
    Mode m_mode;
    Registry m_registry;
    RunRecord m_record;
    RegistryEntry m_entry;
    QProcess m_process;
    LogWriter m_log;
    TranscriptWriter m_transcript;
    DebugLog m_debug;
    qint64 m_outputBytes[2] = {0, 0}; // stdout, stderr
    SignalWatcher *m_signals = nullptr;
    AttachServer *m_attach = nullptr; // background only
    QTimer m_graceTimer;
    QTimer m_timeoutTimer;
    QTimer m_groupTimer;
    QTimer m_stopWatch; // foreground: notices Ctrl+Z on the agent, for job control
    int m_readyFd = -1;
    int m_killSignal = 0; // the signal a kill request sent, 0 when none
    bool m_agentEnded = false;
    qint64 m_groupId = 0;
    qint64 m_groupDeadline = 0;
    bool m_groupKilled = false;
};

} // namespace standby
