#include "sessions/ProcessTree.h"

#include "core/ProcessTable.h"

#include <QDir>
#include <QHash>

#include <csignal>
#include <sys/prctl.h>
#include <sys/wait.h>

namespace standby {

namespace {

struct Node
{
    qint64 parent = 0;
    char state = '?';
};

QHash<qint64, Node> scanProc()
{
    QHash<qint64, Node> nodes;
    const QStringList names =
        QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    nodes.reserve(names.size());
    for (const QString &name : names) {
        bool isPid = false;
        const qint64 pid = name.toLongLong(&isPid);
        if (!isPid)
            continue;
        if (std::optional<ProcessStat> stat = ProcessTable::system().stat(pid))
            nodes.insert(pid, Node{stat->parentPid, stat->state});
    }
    return nodes;
}

} // namespace

QList<qint64> ProcessTree::liveDescendants(qint64 root)
{
    const QHash<qint64, Node> nodes = scanProc();
    QHash<qint64, QList<qint64>> children;
    for (auto it = nodes.cbegin(); it != nodes.cend(); ++it)
        children[it->parent].append(it.key());
    QList<qint64> out;
    QList<qint64> queue{root};
    while (!queue.isEmpty()) {
        const qint64 pid = queue.takeFirst();
        for (qint64 child : children.value(pid)) {
            queue.append(child);
            if (nodes.value(child).state != 'Z' && nodes.value(child).state != 'X')
                out.append(child);
        }
    }
    return out;
}

void ProcessTree::signalAll(qint64 root, qint64 groupId, int signal)
{
    if (groupId > 0)
        ::kill(-pid_t(groupId), signal);
    for (qint64 pid : liveDescendants(root))
        ::kill(pid_t(pid), signal);
}

void ProcessTree::reapZombieChildren(qint64 root, qint64 keep)
{
    const QHash<qint64, Node> nodes = scanProc();
    for (auto [pid, node] : nodes.asKeyValueRange()) {
        if (node.parent != root || pid == keep || node.state != 'Z')
            continue;
        siginfo_t info{};
        ::waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG);
    }
}

bool ProcessTree::becomeSubreaper()
{
    return ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}

} // namespace standby
