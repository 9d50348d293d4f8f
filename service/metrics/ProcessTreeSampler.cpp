#include "metrics/ProcessTreeSampler.h"

#include <QVarLengthArray>

#include <algorithm>

#include <sys/resource.h>

namespace standby {

ProcessTreeSampler::ProcessTreeSampler(const ProcFs &proc, double minimumDeltaSec, int detailEvery,
                                       qint64 ticksPerSecond, qint64 pageSize)
    : m_proc(proc)
    , m_minimumDeltaSec(minimumDeltaSec)
    , m_detailEvery(qMax(1, detailEvery))
    , m_handleBudget([] {
        rlimit limit{};
        if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
            return 1024;
        return int(qMin<rlim_t>(4096, limit.rlim_cur / 4));
    }())
    , m_ticksPerSecond(double(ticksPerSecond > 0 ? ticksPerSecond : 100))
    , m_pageSize(pageSize > 0 ? pageSize : 4096)
{}

ProcessTreeSampler::~ProcessTreeSampler()
{
    for (Known &node : m_known)
        closeHandles(node);
}

void ProcessTreeSampler::closeHandles(Known &node)
{
    ProcFs::closeHandle(std::exchange(node.statHandle, -1));
    ProcFs::closeHandle(std::exchange(node.runtimeHandle, -1));
}

void ProcessTreeSampler::reset()
{
    m_previous.clear();
    for (Known &node : m_known)
        closeHandles(node);
    m_known.clear();
    m_roots.clear();
    m_lastPid = 0;
    m_handles = 0;
}

std::optional<ProcessStat> ProcessTreeSampler::lastStat(qint64 pid) const
{
    const auto it = m_known.constFind(pid);
    return it == m_known.constEnd() ? std::nullopt : std::optional<ProcessStat>(it->stat);
}

static bool isZombie(const ProcessStat &stat)
{
    return stat.state == 'Z' || stat.state == 'X';
}

QList<WorkerSample> ProcessTreeSampler::sample(const QList<Root> &roots, double uptimeSec,
                                               qint64 lastPid)
{
    QList<Key> rootKeys;
    rootKeys.reserve(roots.size());
    for (const Root &root : roots)
        rootKeys.append(Key(root.pid, root.procStart));
    std::sort(rootKeys.begin(), rootKeys.end());
    // A new root may be a process already marked outside (a foreground session registers
    // itself after it started): then everything is read afresh once.
    const bool sameRoots = rootKeys == m_roots;
    m_roots = rootKeys;

    m_stats = Stats{};
    ++m_pass;
    QList<ProcFs::Entry> listing;
    if (sameRoots && lastPid > 0 && lastPid == m_lastPid) {
        // Nothing was created since the last listing: what exists is what was known (less what
        // has ended, which the reads below find out).
        listing.reserve(m_known.size());
        for (auto it = m_known.cbegin(); it != m_known.cend(); ++it)
            listing.append(ProcFs::Entry{it.key(), it->inode});
    } else {
        listing = m_proc.listProcesses();
        m_stats.listing = true;
    }
    m_lastPid = lastPid;
    m_stats.listed = int(listing.size());
    QHash<qint64, Known> known;
    known.reserve(listing.size());
    QHash<qint64, QVarLengthArray<qint64, 4>> children;
    children.reserve(m_known.size());
    for (const ProcFs::Entry &entry : listing) {
        const auto cached = m_known.find(entry.pid);
        const bool same =
            cached != m_known.end() && entry.inode > 1 && cached->inode == entry.inode;
        if (sameRoots && same && cached->outside) {
            known.insert(entry.pid, std::move(*cached));
            continue;
        }
        Known node;
        node.inode = entry.inode;
        // Held files belong to the process they were opened for, which the same /proc entry is.
        if (same) {
            node.statHandle = std::exchange(cached->statHandle, -1);
            node.runtimeHandle = std::exchange(cached->runtimeHandle, -1);
        }
        if (node.runtimeHandle >= 0) {
            node.runtimeNs = ProcFs::readRuntime(node.runtimeHandle);
            if (!node.runtimeNs) {
                closeHandles(node);
                continue; // ended
            }
        }
        const bool didNotRun = same && node.runtimeNs && cached->runtimeNs &&
                               *node.runtimeNs == *cached->runtimeNs && cached->stat.threads == 1;
        const bool turn = (m_pass + quint64(entry.pid)) % quint64(m_detailEvery) == 0;
        node.provedIdle = didNotRun;
        if (didNotRun && !turn) {
            node.stat = cached->stat;
            node.fds = cached->fds;
            node.io = cached->io;
            node.detailKnown = cached->detailKnown;
            node.reused = true;
            ++m_stats.idle;
        } else {
            std::optional<ProcessStat> stat =
                node.statHandle >= 0 ? ProcFs::readStat(node.statHandle) : m_proc.stat(entry.pid);
            if (!stat) {
                closeHandles(node);
                continue; // ended since the listing
            }
            ++m_stats.read;
            node.stat = *stat;
            // The same process as last time: its details carry over while it has not run (by
            // its exact runtime when single-threaded, else by its CPU ticks).
            if (same && cached->stat.startTime == stat->startTime && cached->detailKnown) {
                node.fds = cached->fds;
                node.io = cached->io;
                const bool exact = node.runtimeNs && cached->runtimeNs && stat->threads == 1 &&
                                   cached->stat.threads == 1;
                const bool ran = exact ? *node.runtimeNs != *cached->runtimeNs
                                       : cached->stat.userTicks + cached->stat.systemTicks !=
                                             stat->userTicks + stat->systemTicks;
                node.detailKnown = !ran;
            }
        }
        known.insert(entry.pid, std::move(node));
    }
    // A process that did not run can still have been re-parented (its parent ended, or the PID
    // was taken by a newer process): read those again before the trees are put together.
    for (auto it = known.begin(); it != known.end(); ++it) {
        if (!it->reused)
            continue;
        const qint64 parent = it->stat.parentPid;
        const auto parentNode = known.constFind(parent);
        if (parent <= 1 ||
            (parentNode != known.constEnd() && parentNode->stat.startTime <= it->stat.startTime))
            continue;
        if (std::optional<ProcessStat> stat =
                it->statHandle >= 0 ? ProcFs::readStat(it->statHandle) : m_proc.stat(it.key())) {
            it->stat = *stat;
            it->reused = false;
            --m_stats.idle;
            ++m_stats.read;
        }
    }
    for (auto it = known.cbegin(); it != known.cend(); ++it) {
        if (!it->outside)
            children[it->stat.parentPid].append(it.key());
    }

    QHash<qint64, bool> isRoot;
    for (const Root &root : roots)
        isRoot.insert(root.pid, true);

    QList<WorkerSample> out;
    out.reserve(roots.size());
    QHash<qint64, bool> inside;
    QHash<Key, Previous> previous;
    QHash<Key, double> highWater;
    for (const Root &root : roots) {
        const auto rootNode = known.constFind(root.pid);
        if (rootNode == known.constEnd() || isZombie(rootNode->stat) ||
            (root.procStart != 0 && rootNode->stat.startTime != root.procStart))
            continue;
        WorkerSample sample;
        sample.pid = root.pid;
        sample.procStart = rootNode->stat.startTime;
        sample.name = root.name;
        sample.kind = root.kind;
        // The daemon starts every holder as its own child, each in a session of its own: they
        // are workers of their own, not part of the daemon's tree.
        const bool skipSessionLeaders = root.kind == QLatin1String("daemon");
        quint64 ticks = 0;
        qint64 rssPages = 0;
        qint64 readBytes = 0;
        qint64 writeBytes = 0;
        bool ioKnown = false;
        QVarLengthArray<qint64, 16> queue{root.pid};
        for (qsizetype i = 0; i < queue.size(); ++i) {
            const qint64 pid = queue.at(i);
            Known &node = known[pid];
            const ProcessStat &stat = node.stat;
            inside.insert(pid, true);
            // Live members and zombies alike: a zombie's own time moves to its parent's
            // child-time fields only when it is reaped, so counting both never counts twice.
            ticks +=
                stat.userTicks + stat.systemTicks + stat.childUserTicks + stat.childSystemTicks;
            if (!isZombie(stat)) {
                ++sample.processes;
                rssPages += stat.rssPages;
                sample.threads += stat.threads;
                const bool turn = (m_pass + quint64(pid)) % quint64(m_detailEvery) == 0;
                if (!node.detailKnown || (turn && !node.provedIdle)) {
                    node.fds = m_proc.openFds(pid).value_or(0);
                    node.io = m_proc.io(pid);
                    node.detailKnown = true;
                    ++m_stats.detailed;
                }
                sample.fds += node.fds;
                if (node.io) {
                    ioKnown = true;
                    readBytes += node.io->readBytes;
                    writeBytes += node.io->writeBytes;
                }
            }
            for (qint64 child : children.value(pid)) {
                if (isRoot.contains(child))
                    continue;
                if (skipSessionLeaders && known.value(child).stat.sessionId == child)
                    continue;
                queue.append(child);
            }
        }
        m_stats.members += sample.processes;
        sample.rssBytes = rssPages * m_pageSize;
        if (ioKnown) {
            sample.readBytes = readBytes;
            sample.writeBytes = writeBytes;
        }
        sample.startTimeSec = double(rootNode->stat.startTime) / m_ticksPerSecond;
        sample.uptimeSec = qMax<qint64>(0, qint64(uptimeSec - sample.startTimeSec));

        const Key key(root.pid, sample.procStart);
        const double seconds = double(ticks) / m_ticksPerSecond;
        const auto before = m_previous.constFind(key);
        const bool seenBefore = before != m_previous.constEnd();
        Previous baseline{ticks, uptimeSec, 0};
        if (seenBefore && uptimeSec - before->uptimeSec < m_minimumDeltaSec) {
            baseline = *before;
            sample.cpuPercent = before->cpuPercent;
        } else if (seenBefore) {
            const double delta = double(ticks) - double(qMin(ticks, before->ticks));
            sample.cpuPercent =
                100.0 * delta / m_ticksPerSecond / qMax(1e-3, uptimeSec - before->uptimeSec);
        } else if (uptimeSec > sample.startTimeSec) {
            // First sight: the average over its life so far, as ps(1) shows it.
            sample.cpuPercent = 100.0 * seconds / (uptimeSec - sample.startTimeSec);
        }
        if (baseline.uptimeSec == uptimeSec)
            baseline.cpuPercent = sample.cpuPercent;
        // A member that exits unreaped by the tree (its parent ignored SIGCHLD) takes its time
        // with it: the counter holds its high-water mark rather than fall.
        sample.cpuSecondsTotal = qMax(seconds, m_highWater.value(key, 0.0));
        previous.insert(key, baseline);
        highWater.insert(key, sample.cpuSecondsTotal);
        out.append(sample);
    }
    m_previous = std::move(previous);
    m_highWater = std::move(highWater);

    // Handles not carried over belong to processes that are gone or were replaced.
    for (Known &old : m_known)
        closeHandles(old);
    m_handles = 0;
    for (auto it = known.begin(); it != known.end(); ++it) {
        it->reused = false;
        if (!inside.contains(it.key())) {
            it->outside = true;
            closeHandles(*it);
        }
        m_handles += (it->statHandle >= 0 ? 1 : 0) + (it->runtimeHandle >= 0 ? 1 : 0);
    }
    // The runtime first: it is what lets an idle member go unread.
    for (auto it = known.begin(); it != known.end() && m_handles < m_handleBudget; ++it) {
        if (!it->outside && it->runtimeHandle < 0 && m_runtimeAvailable) {
            it->runtimeHandle = m_proc.openRuntime(it.key());
            if (it->runtimeHandle >= 0) {
                ++m_handles;
                // The baseline for the next pass (read moments after the stat: close enough, and
                // the periodic turn reads the stat again anyway).
                it->runtimeNs = ProcFs::readRuntime(it->runtimeHandle);
            } else if (!m_proc.stat(it.key()))
                continue; // ended meanwhile
            else
                m_runtimeAvailable = false; // no schedstat in this kernel
        }
    }
    for (auto it = known.begin(); it != known.end() && m_handles < m_handleBudget; ++it) {
        if (!it->outside && it->statHandle < 0) {
            it->statHandle = m_proc.openStat(it.key());
            m_handles += it->statHandle >= 0 ? 1 : 0;
        }
    }
    m_stats.handles = m_handles;
    m_known = std::move(known);
    return out;
}

} // namespace standby
