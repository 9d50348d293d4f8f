#pragma once

#include <QList>

namespace standby {

// The processes a session started, found by parentage rather than process group: a descendant
// that called setsid() or setpgid() has left the agent's group but not its family. The holder is
// a child subreaper, so orphans of the family are re-parented to it instead of to init.
class ProcessTree
{
public:
    // Live (not zombie) descendants of root, from one scan of /proc.
    static QList<qint64> liveDescendants(qint64 root);

    // The signal to the process group and to every live descendant of root outside it.
    static void signalAll(qint64 root, qint64 groupId, int signal);

    // Reaps zombie children of root (this process), but never `keep` (QProcess reaps its own).
    static void reapZombieChildren(qint64 root, qint64 keep);

    // Makes this process a child subreaper (Linux); false where that is not possible.
    static bool becomeSubreaper();
};

} // namespace standby
