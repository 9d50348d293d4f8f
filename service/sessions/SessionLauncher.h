#pragma once

#include "core/Config.h"
#include "core/Error.h"
#include "core/Paths.h"
#include "core/Registry.h"
#include "core/RunRecord.h"

#include <QHash>
#include <QMap>

namespace standby {

// What a caller asks for when it starts a background session (POST /api/v1/runs, standby --bg).
struct RunRequest
{
    QString prompt;
    QString name;  // "" → generated from the prompt
    QString agent; // "" → config's defaultAgent
    QString cwd;   // absolute; "" → the daemon user's home
    QMap<QString, QString> env;
    qint64 timeoutSec = 0;
    int umask = 022;
    bool debug = false; // the holder keeps a debug log (--debug)
};

// Starts background sessions for the daemon: checks the request against what the machine has
// (name free, agent installed, cwd there), writes the run record, and launches a detached
// standby-worker to hold it. Anything refused leaves nothing started and nothing on disk.
class SessionLauncher
{
public:
    SessionLauncher(const Paths &paths, const Config &config, const Registry &registry);

    // Checks the request and builds its run record (not yet written). Errors: invalid_name,
    // name_taken, unknown_agent, invalid_agent, agent_not_installed, invalid_cwd.
    Result<RunRecord> prepare(const RunRequest &request,
                              const QString &kind = QStringLiteral("bg"));

    // prepare(), then write the record and launch its holder. Errors: those of prepare(),
    // spawn_failed.
    Result<RunRecord> launch(const RunRequest &request);

    void setWorkerProgram(const QString &program) { m_workerProgram = program; }

    static QString defaultWorkerProgram();

private:
    bool isNameTaken(const QString &name) const;

    Paths m_paths;
    const Config &m_config;
    const Registry &m_registry;
    QString m_workerProgram;
};

} // namespace standby
