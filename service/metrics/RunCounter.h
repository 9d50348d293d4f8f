#pragma once

#include "core/Paths.h"
#include "core/RunRecord.h"
#include "metrics/DirectoryStamp.h"

#include <QHash>
#include <QMap>
#include <QString>

namespace standby {

// How many run records runs/ holds, by status (accepted, running, exited, failed, killed), as
// the API would show them (a run whose holder vanished counts as failed). Records are parsed
// only when new or rewritten (a record that has ended is never rewritten), and runs/ is listed
// again only when it changed (every record write is a rename into it), so a pass over a
// thousand records usually costs one stat() and a liveness look-up per unfinished run.
// Not a counter of runs ever: the daemon prunes old records (sessions.keepRuns).
class RunCounter
{
public:
    explicit RunCounter(const Paths &paths);

    // processes: who is alive, for runs whose record says they are still going.
    QMap<QString, int> count(qint64 nowMs, const ProcessTable &processes = ProcessTable::system());

private:
    struct Known
    {
        bool finished = false;
        QString status; // of a finished run
        // An unfinished record as last parsed, and the file it was parsed from.
        RunRecord record;
        quint64 inode = 0;
        qint64 size = 0;
        qint64 mtimeNs = 0;
    };

    Paths m_paths;
    DirectoryStamp m_stamp;
    QHash<QString, Known> m_known; // by file name
};

} // namespace standby
