// The metrics parts on their own: /proc parsers and tree sums against a fake /proc, history,
// the JSON and Prometheus writers, run counting and the config keys.
#include "common/PrometheusCheck.h"

#include "core/Config.h"
#include "core/JsonFile.h"
#include "core/Registry.h"
#include "core/RunRecord.h"
#include "metrics/MetricsExposition.h"
#include "metrics/MetricsHistory.h"
#include "metrics/MetricsJson.h"
#include "metrics/MetricsService.h"
#include "metrics/ProcFs.h"
#include "metrics/ProcessTreeSampler.h"
#include "metrics/PrometheusText.h"
#include "metrics/RingBuffer.h"
#include "metrics/RunCounter.h"
#include "metrics/SystemSampler.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace standby;
using namespace standby::test;

namespace {

// One process of the fake /proc.
struct FakeProcess
{
    qint64 parent = 1;
    qint64 session = 1;
    char state = 'S';
    quint64 user = 0;
    quint64 system = 0;
    quint64 childUser = 0;
    quint64 childSystem = 0;
    int threads = 1;
    quint64 start = 0;
    qint64 rssPages = 10;
    int fds = 0;
    bool hasIo = true;
    qint64 rchar = 0;
    qint64 wchar = 0;
    qint64 runtimeNs = -1; // -1: no schedstat file
};

// A directory laid out like /proc, with files in the kernel's formats.
class FakeProc
{
public:
    QString root() const { return m_dir.path(); }

    void writeFile(const QString &relative, const QByteArray &text) const
    {
        const QString path = m_dir.filePath(relative);
        QDir().mkpath(QFileInfo(path).path());
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(text);
    }

    static QByteArray statLine(qint64 pid, const FakeProcess &p)
    {
        // Fields 1-24 and a few after; the command name holds a space and a parenthesis, as
        // real ones may.
        return QStringLiteral("%1 (my (odd) cmd) %2 %3 %4 %5 0 -1 4194560 10 0 0 0 %6 %7 %8 %9 "
                              "20 0 %10 0 %11 %12 %13 18446744073709551615 1 1 0 0 0 0 0\n")
            .arg(pid)
            .arg(QLatin1Char(p.state))
            .arg(p.parent)
            .arg(pid)
            .arg(p.session)
            .arg(p.user)
            .arg(p.system)
            .arg(p.childUser)
            .arg(p.childSystem)
            .arg(p.threads)
            .arg(p.start)
            .arg(123456789)
            .arg(p.rssPages)
            .toLatin1();
    }

    void setProcess(qint64 pid, const FakeProcess &p, const QString &folder = {}) const
    {
        const QString dir = folder.isEmpty() ? QString::number(pid) : folder;
        writeFile(dir + QStringLiteral("/stat"), statLine(pid, p));
        if (p.hasIo)
            writeFile(dir + QStringLiteral("/io"),
                      QStringLiteral("rchar: %1\nwchar: %2\nsyscr: 1\nsyscw: 1\nread_bytes: 0\n"
                                     "write_bytes: 0\ncancelled_write_bytes: 0\n")
                          .arg(p.rchar)
                          .arg(p.wchar)
                          .toLatin1());
        if (p.runtimeNs >= 0)
            writeFile(dir + QStringLiteral("/schedstat"),
                      QStringLiteral("%1 12345 67\n").arg(p.runtimeNs).toLatin1());
        QDir().mkpath(m_dir.filePath(dir + QStringLiteral("/fd")));
        for (int fd = 0; fd < p.fds; ++fd)
            writeFile(dir + QStringLiteral("/fd/%1").arg(fd), QByteArray());
    }

    void removeProcess(qint64 pid) const
    {
        QDir(m_dir.filePath(QString::number(pid))).removeRecursively();
    }

    // The PID taken by a new process: a new /proc entry, so a new inode.
    void replaceProcess(qint64 pid, const FakeProcess &p) const
    {
        const QString staged = QString::number(pid) + QStringLiteral(".new");
        setProcess(pid, p, staged);
        removeProcess(pid);
        QVERIFY(QDir(m_dir.path()).rename(staged, QString::number(pid)));
    }

private:
    QTemporaryDir m_dir;
};

const WorkerSample *findWorker(const QList<WorkerSample> &workers, qint64 pid)
{
    for (const WorkerSample &worker : workers) {
        if (worker.pid == pid)
            return &worker;
    }
    return nullptr;
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private:
    // The scene of the tree tests: a daemon (50) with a helper child (60) and a session holder
    // child (100, its own session); the holder's agent (101) with a child (102) and a zombie
    // (104); an orphan re-parented to the holder (103); and strangers (1, 200).
    static QHash<qint64, FakeProcess> scene()
    {
        QHash<qint64, FakeProcess> p;
        p[1] = FakeProcess{0, 1, 'S', 5, 5, 0, 0, 1, 1, 100, 2};
        p[50] = FakeProcess{1, 40, 'S', 30, 10, 0, 0, 2, 500, 1000, 12};
        p[60] = FakeProcess{50, 40, 'S', 1, 1, 0, 0, 1, 520, 100, 1};
        p[100] = FakeProcess{50, 100, 'S', 15, 5, 0, 0, 1, 1000, 300, 5, false};
        p[101] = FakeProcess{100, 100, 'R', 300, 100, 0, 0, 4, 1001, 2000, 3, true, 1000, 10};
        p[102] = FakeProcess{101, 100, 'R', 50, 0, 0, 0, 1, 1002, 500, 1, true, 5, 5};
        p[103] = FakeProcess{100, 100, 'S', 10, 0, 0, 0, 1, 1003, 50, 0, true, 0, 0};
        p[104] = FakeProcess{101, 100, 'Z', 5, 0, 0, 0, 1, 1004, 0, 0, false};
        p[200] = FakeProcess{1, 200, 'S', 100, 100, 0, 0, 1, 300, 100, 1};
        return p;
    }

    static QList<ProcessTreeSampler::Root> sceneRoots()
    {
        return {{50, 500, QStringLiteral("standbyd"), QStringLiteral("daemon")},
                {100, 1000, QStringLiteral("job"), QStringLiteral("bg")}};
    }

private Q_SLOTS:
    void statParserTakesFieldsAfterTheLastParenthesis()
    {
        FakeProcess p{7, 3, 'Z', 11, 12, 13, 14, 5, 4242, 99};
        const QByteArray line = FakeProc::statLine(9, p);
        const std::optional<ProcessStat> stat =
            ProcessTable::parseStat(line.constData(), line.size());
        QVERIFY(stat);
        QCOMPARE(stat->state, 'Z');
        QCOMPARE(stat->parentPid, 7);
        QCOMPARE(stat->groupId, 9);
        QCOMPARE(stat->sessionId, 3);
        QCOMPARE(stat->userTicks, 11u);
        QCOMPARE(stat->systemTicks, 12u);
        QCOMPARE(stat->childUserTicks, 13u);
        QCOMPARE(stat->childSystemTicks, 14u);
        QCOMPARE(stat->threads, 5);
        QCOMPARE(stat->startTime, 4242u);
        QCOMPARE(stat->virtualBytes, 123456789u);
        QCOMPARE(stat->rssPages, 99);
        // Cut short: no answer rather than a wrong one.
        QVERIFY(!ProcessTable::parseStat(line.constData(), 40));
        QVERIFY(!ProcessTable::parseStat("12 (no close paren S 1 2", 24));
    }

    void ioParserReadsRcharAndWchar()
    {
        const QByteArray text("rchar: 6976\nwchar: 12\nsyscr: 10\nsyscw: 0\nread_bytes: 4096\n");
        const std::optional<ProcFs::Io> io = ProcFs::parseIo(text.constData(), text.size());
        QVERIFY(io);
        QCOMPARE(io->readBytes, 6976);
        QCOMPARE(io->writeBytes, 12);
        QVERIFY(!ProcFs::parseIo("syscr: 1\n", 9));
    }

    void procFsListsProcessesAndCountsDescriptors()
    {
        FakeProc proc;
        proc.setProcess(42, FakeProcess{1, 42, 'S', 0, 0, 0, 0, 1, 1, 1, 3});
        proc.writeFile(QStringLiteral("self/stat"), "x");
        proc.writeFile(QStringLiteral("meminfo"), "MemTotal: 1 kB\n");
        const ProcFs fs(proc.root());
        const QList<ProcFs::Entry> entries = fs.listProcesses();
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().pid, 42);
        QVERIFY(entries.first().inode > 1);
        QCOMPARE(fs.openFds(42), std::optional<int>(3));
        QVERIFY(!fs.openFds(43));
        QVERIFY(!fs.io(43));
        QCOMPARE(fs.readFile("meminfo"), QByteArray("MemTotal: 1 kB\n"));
        QVERIFY(fs.readFile("nothing").isEmpty());
    }

    void realProcFsAgreesWithItself()
    {
        // On the real /proc: this process is listed, and its descriptor count (from the fd
        // folder's size on Linux 6.2+, else by listing) matches a listing of /proc/self/fd.
        const ProcFs fs;
        const qint64 self = QCoreApplication::applicationPid();
        bool listed = false;
        for (const ProcFs::Entry &entry : fs.listProcesses())
            listed = listed || entry.pid == self;
        QVERIFY(listed);
        const std::optional<int> fds = fs.openFds(self);
        QVERIFY(fds);
        const int listing = QDir(QStringLiteral("/proc/self/fd"))
                                .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System)
                                .size();
        // QDir's own listing holds one descriptor open while it reads.
        QVERIFY2(qAbs(*fds - listing) <= 1,
                 qPrintable(QStringLiteral("%1 vs %2").arg(*fds).arg(listing)));
        QVERIFY(fs.stat(self));
        QVERIFY(fs.io(self));
    }

    void systemSamplerReadsTheMachine()
    {
        FakeProc proc;
        proc.writeFile(QStringLiteral("stat"), "cpu  100 0 100 700 100 0 0 0 0 0\n"
                                               "cpu0 50 0 50 350 50 0 0 0 0 0\n"
                                               "cpu1 50 0 50 350 50 0 0 0 0 0\n"
                                               "intr 12345 1 2 3\nctxt 99\n");
        proc.writeFile(QStringLiteral("meminfo"), "MemTotal:        1000 kB\n"
                                                  "MemFree:          100 kB\n"
                                                  "MemAvailable:     250 kB\n"
                                                  "Buffers:           10 kB\n"
                                                  "Cached:            20 kB\n"
                                                  "SwapTotal:        100 kB\n"
                                                  "SwapFree:          40 kB\n");
        proc.writeFile(QStringLiteral("loadavg"), "0.52 1.25 2.00 3/456 7890\n");
        proc.writeFile(QStringLiteral("uptime"), "100.00 150.00\n");
        const ProcFs fs(proc.root());
        SystemSampler sampler(fs, proc.root(), 1.0);

        SystemSample s = sampler.sample();
        // First sample: since boot, 200 busy of 1000.
        QCOMPARE(s.cpuPercent, 20.0);
        QCOMPARE(s.cpuCount, 2);
        QCOMPARE(s.memoryTotalBytes, 1000 * 1024);
        QCOMPARE(s.memoryUsedBytes, 750 * 1024);
        QCOMPARE(s.swapTotalBytes, 100 * 1024);
        QCOMPARE(s.swapUsedBytes, 60 * 1024);
        QCOMPARE(s.load1, 0.52);
        QCOMPARE(s.load5, 1.25);
        QCOMPARE(s.load15, 2.0);
        QCOMPARE(s.lastPid, 7890);
        QCOMPARE(s.uptimeSec, 100.0);
        QVERIFY(s.diskTotalBytes > 0);
        QVERIFY(s.diskUsedBytes > 0 && s.diskUsedBytes <= s.diskTotalBytes);

        // Two seconds on: 300 more busy ticks of 400.
        proc.writeFile(QStringLiteral("stat"), "cpu  400 0 100 800 100 0 0 0 0 0\ncpu0 1\n");
        proc.writeFile(QStringLiteral("uptime"), "102.00 150.00\n");
        s = sampler.sample();
        QCOMPARE(s.cpuPercent, 75.0);
        QCOMPARE(s.cpuCount, 1);

        // Half a second later (a request's pass between ticks): the last figure, not noise.
        proc.writeFile(QStringLiteral("stat"), "cpu  400 0 100 900 100 0 0 0 0 0\ncpu0 1\n");
        proc.writeFile(QStringLiteral("uptime"), "102.50 150.00\n");
        QCOMPARE(sampler.sample().cpuPercent, 75.0);
        // The baseline stayed at 102 s: from there, 0 busy of 100.
        proc.writeFile(QStringLiteral("uptime"), "103.10 150.00\n");
        QCOMPARE(sampler.sample().cpuPercent, 0.0);
    }

    void memoryWithoutMemAvailable()
    {
        const SystemSampler::Memory m = SystemSampler::parseMemory(
            "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");
        QCOMPARE(m.usedBytes, 600 * 1024);
        QCOMPARE(m.swapTotalBytes, 0);
    }

    void treesAreSummedPerWorker()
    {
        FakeProc proc;
        const QHash<qint64, FakeProcess> processes = scene();
        for (auto it = processes.cbegin(); it != processes.cend(); ++it)
            proc.setProcess(it.key(), it.value());
        const ProcFs fs(proc.root());
        ProcessTreeSampler sampler(fs, 0.5, 5, 100, 4096);

        QList<WorkerSample> workers = sampler.sample(sceneRoots(), 20.0);
        QCOMPARE(workers.size(), 2);
        const WorkerSample *job = findWorker(workers, 100);
        QVERIFY(job);
        QCOMPARE(job->name, QStringLiteral("job"));
        QCOMPARE(job->kind, QStringLiteral("bg"));
        // Holder, agent, its child and the orphan; the zombie is no live process.
        QCOMPARE(job->processes, 4);
        QCOMPARE(job->threads, 1 + 4 + 1 + 1);
        QCOMPARE(job->rssBytes, qint64(300 + 2000 + 500 + 50) * 4096);
        QCOMPARE(job->fds, 5 + 3 + 1 + 0);
        // The holder's io is unreadable; the others' is summed.
        QCOMPARE(job->readBytes, std::optional<qint64>(1005));
        QCOMPARE(job->writeBytes, std::optional<qint64>(15));
        // 20 + 400 + 50 + 10 + 5 (the zombie's time is still its own) ticks at 100 a second.
        QCOMPARE(job->cpuSecondsTotal, 4.85);
        // First sight: the average over its 10 s of life.
        QCOMPARE(job->cpuPercent, 48.5);
        QCOMPARE(job->uptimeSec, 10);
        QCOMPARE(job->startTimeSec, 10.0);
        // The daemon's tree has its helper but not the holder, which has a session of its own.
        const WorkerSample *daemon = findWorker(workers, 50);
        QVERIFY(daemon);
        QCOMPARE(daemon->processes, 2);
        QCOMPARE(daemon->cpuSecondsTotal, 0.42);
        // Every member's stat is held open for the next pass (the zombie's too: it is still
        // charged to the tree); strangers' are not.
        QCOMPARE(sampler.lastStats().handles, 7);

        // A second on, the agent's child has used half a second.
        FakeProcess child = processes.value(102);
        child.user += 50;
        proc.setProcess(102, child);
        workers = sampler.sample(sceneRoots(), 21.0);
        QCOMPARE(findWorker(workers, 100)->cpuPercent, 50.0);
        QCOMPARE(findWorker(workers, 100)->cpuSecondsTotal, 5.35);
        // Strangers outside every tree (1 and 200) were not read again.
        QCOMPARE(sampler.lastStats().listed, processes.size());
        QCOMPARE(sampler.lastStats().read, processes.size() - 2);
        QCOMPARE(sampler.lastStats().members, 4 + 2);

        // The child exits and the agent reaps it: its time moves into the agent's child time,
        // so the tree's total neither drops nor counts it twice.
        proc.removeProcess(102);
        FakeProcess agent = processes.value(101);
        agent.childUser = child.user;
        proc.setProcess(101, agent);
        workers = sampler.sample(sceneRoots(), 22.0);
        QCOMPARE(findWorker(workers, 100)->processes, 3);
        QCOMPARE(sampler.lastStats().handles, 6);
        QCOMPARE(findWorker(workers, 100)->cpuSecondsTotal, 5.35);
        QCOMPARE(findWorker(workers, 100)->cpuPercent, 0.0);

        // The orphan vanishes unreaped (its time goes with it): the counter holds its mark.
        proc.removeProcess(103);
        workers = sampler.sample(sceneRoots(), 23.0);
        QCOMPARE(findWorker(workers, 100)->cpuSecondsTotal, 5.35);
        QCOMPARE(findWorker(workers, 100)->cpuPercent, 0.0);
    }

    void idleMembersDetailsAreReadLessOften()
    {
        FakeProc proc;
        const QHash<qint64, FakeProcess> processes = scene();
        for (auto it = processes.cbegin(); it != processes.cend(); ++it)
            proc.setProcess(it.key(), it.value());
        const ProcFs fs(proc.root());
        ProcessTreeSampler sampler(fs, 0.5, 3, 100, 4096);
        QCOMPARE(findWorker(sampler.sample(sceneRoots(), 20.0), 100)->fds, 9);
        // Six live members (the zombie has no descriptors to count), all read the first time.
        QCOMPARE(sampler.lastStats().detailed, 6);
        // The orphan (idle) opens two descriptors without a tick of CPU to show for it. Idle
        // members are read once in three passes, a few on each pass rather than all at once.
        FakeProcess orphan = processes.value(103);
        orphan.fds = 2;
        proc.setProcess(103, orphan);
        int detailed = 0;
        for (int pass = 0; pass < 3; ++pass) {
            sampler.sample(sceneRoots(), 22.0 + 2 * pass);
            QVERIFY(sampler.lastStats().detailed < 6);
            detailed += sampler.lastStats().detailed;
        }
        QCOMPARE(detailed, 6);
        QCOMPARE(findWorker(sampler.sample(sceneRoots(), 28.0), 100)->fds, 11);
        // The agent runs and writes: read on the very next pass, whatever its turn.
        FakeProcess agent = processes.value(101);
        agent.user += 1;
        agent.wchar += 500;
        proc.setProcess(101, agent);
        const WorkerSample *job = findWorker(sampler.sample(sceneRoots(), 30.0), 100);
        QCOMPARE(job->writeBytes, std::optional<qint64>(15 + 500));
    }

    void membersThatDidNotRunAreNotReadAgain()
    {
        FakeProc proc;
        QHash<qint64, FakeProcess> processes = scene();
        for (auto it = processes.begin(); it != processes.end(); ++it) {
            it->runtimeNs = 1000000 * it.key();
            proc.setProcess(it.key(), it.value());
        }
        const ProcFs fs(proc.root());
        ProcessTreeSampler sampler(fs, 0.5, 3, 100, 4096);
        sampler.sample(sceneRoots(), 20.0);
        QCOMPARE(sampler.lastStats().read, processes.size());
        QCOMPARE(sampler.lastStats().handles, 2 * 7); // stat and schedstat of each member
        // Nothing ran: single-threaded members are skipped but on their turn (one pass in
        // three); the agent has four threads, so its main thread's runtime proves nothing.
        sampler.sample(sceneRoots(), 22.0);
        const int idle = sampler.lastStats().idle;
        QVERIFY2(idle >= 3, qPrintable(QString::number(idle)));
        QCOMPARE(sampler.lastStats().read, 7 - idle);

        // The orphan's resident set shrinks while it sleeps (reclaim): seen on its turn.
        FakeProcess orphan = processes.value(103);
        orphan.rssPages = 10;
        proc.setProcess(103, orphan);
        qint64 rss = 0;
        int detailed = 0;
        for (int pass = 0; pass < 3; ++pass) {
            rss = findWorker(sampler.sample(sceneRoots(), 24.0 + 2 * pass), 100)->rssBytes;
            detailed += sampler.lastStats().detailed;
        }
        QCOMPARE(rss, qint64(300 + 2000 + 500 + 10) * 4096);
        // Proven idle, the single-threaded members' fds and io were never read again; only the
        // agent's and the daemon's (several threads each) were, on their turns.
        QCOMPARE(detailed, 2);

        // The agent's child runs: read at once.
        FakeProcess child = processes.value(102);
        child.user += 200;
        child.runtimeNs += 2000000000;
        proc.setProcess(102, child);
        QCOMPARE(findWorker(sampler.sample(sceneRoots(), 30.0), 100)->cpuPercent, 100.0);

        // The agent ends; its children are re-parented to the holder without running: they stay
        // in the tree.
        proc.removeProcess(101);
        proc.removeProcess(104);
        child.parent = 100;
        proc.setProcess(102, child);
        const WorkerSample *job = findWorker(sampler.sample(sceneRoots(), 32.0), 100);
        QCOMPARE(job->processes, 3);
    }

    void procIsListedOnlyWhenAProcessMayHaveBeenCreated()
    {
        FakeProc proc;
        const QHash<qint64, FakeProcess> processes = scene();
        for (auto it = processes.cbegin(); it != processes.cend(); ++it)
            proc.setProcess(it.key(), it.value());
        const ProcFs fs(proc.root());
        ProcessTreeSampler sampler(fs, 0.5, 5, 100, 4096);
        QCOMPARE(findWorker(sampler.sample(sceneRoots(), 20.0, 5000), 100)->processes, 4);
        QVERIFY(sampler.lastStats().listing);
        // The last PID handed out is the same: no listing, the known processes are re-read.
        FakeProcess agent = processes.value(101);
        agent.user += 100;
        proc.setProcess(101, agent);
        const WorkerSample *job = findWorker(sampler.sample(sceneRoots(), 21.0, 5000), 100);
        QVERIFY(!sampler.lastStats().listing);
        QCOMPARE(job->cpuPercent, 100.0);
        // A fork moves the last PID: the new process is found.
        proc.setProcess(5001, FakeProcess{101, 100, 'S', 0, 0, 0, 0, 1, 2101, 10, 0});
        QCOMPARE(findWorker(sampler.sample(sceneRoots(), 22.0, 5001), 100)->processes, 5);
        QVERIFY(sampler.lastStats().listing);
        // Unknown (0): always listed.
        sampler.sample(sceneRoots(), 23.0, 0);
        QVERIFY(sampler.lastStats().listing);
        sampler.sample(sceneRoots(), 24.0, 0);
        QVERIFY(sampler.lastStats().listing);
    }

    void aReusedPidIsReadAgain()
    {
        FakeProc proc;
        const QHash<qint64, FakeProcess> processes = scene();
        for (auto it = processes.cbegin(); it != processes.cend(); ++it)
            proc.setProcess(it.key(), it.value());
        const ProcFs fs(proc.root());
        ProcessTreeSampler sampler(fs, 0.5, 5, 100, 4096);
        QCOMPARE(findWorker(sampler.sample(sceneRoots(), 20.0), 100)->processes, 4);
        // PID 200 ends and the agent forks a new process that gets PID 200: a new /proc entry.
        proc.replaceProcess(200, FakeProcess{101, 100, 'S', 7, 0, 0, 0, 1, 2100, 10, 0});
        QCOMPARE(findWorker(sampler.sample(sceneRoots(), 22.0), 100)->processes, 5);
    }

    void goneOrReplacedRootsAreLeftOut()
    {
        FakeProc proc;
        const QHash<qint64, FakeProcess> processes = scene();
        for (auto it = processes.cbegin(); it != processes.cend(); ++it)
            proc.setProcess(it.key(), it.value());
        const ProcFs fs(proc.root());
        ProcessTreeSampler sampler(fs, 0.5, 5, 100, 4096);
        const QList<WorkerSample> workers =
            sampler.sample({{100, 999, QStringLiteral("old"), QStringLiteral("bg")},
                            {104, 1004, QStringLiteral("zombie"), QStringLiteral("bg")},
                            {777, 1, QStringLiteral("gone"), QStringLiteral("bg")},
                            {101, 0, QStringLiteral("unchecked"), QStringLiteral("interactive")}},
                           20.0);
        QCOMPARE(workers.size(), 1);
        QCOMPARE(workers.first().name, QStringLiteral("unchecked"));
        QCOMPARE(workers.first().processes, 2);
    }

    void aRootWithNoReadableIoHasNull()
    {
        FakeProc proc;
        proc.setProcess(10, FakeProcess{1, 10, 'S', 1, 1, 0, 0, 1, 100, 1, 0, false});
        const ProcFs fs(proc.root());
        ProcessTreeSampler sampler(fs, 0.5, 5, 100, 4096);
        const QList<WorkerSample> workers =
            sampler.sample({{10, 100, QStringLiteral("w"), QStringLiteral("bg")}}, 5.0);
        QCOMPARE(workers.size(), 1);
        QVERIFY(!workers.first().readBytes);
        QVERIFY(!workers.first().writeBytes);
    }

    void ringBufferKeepsTheNewest()
    {
        RingBuffer<int> ring(3);
        QVERIFY(ring.isEmpty());
        for (int i = 1; i <= 5; ++i)
            ring.push(i);
        QCOMPARE(ring.size(), 3);
        QCOMPARE(ring.at(0), 3);
        QCOMPARE(ring.at(2), 5);
        QCOMPARE(ring.last(), 5);
    }

    void historyDropsGoneWorkersAndCloseSamples()
    {
        MetricsHistory history(3, 1000);
        MetricsSample sample;
        sample.hasWorkers = true;
        WorkerSample a;
        a.pid = 1;
        a.procStart = 10;
        a.rssBytes = 100;
        WorkerSample b = a;
        b.pid = 2;
        sample.workers = {a, b};
        for (qint64 t = 1000; t <= 5000; t += 1000) {
            sample.time = t;
            sample.system.cpuPercent = double(t) / 1000;
            history.append(sample);
        }
        QCOMPARE(history.system().size(), 3);
        QCOMPARE(history.system().at(0).time, 3000);
        QCOMPARE(history.worker(1, 10)->size(), 3);
        // A pass 200 ms after the last adds no point.
        sample.time = 5200;
        history.append(sample);
        QCOMPARE(history.system().last().time, 5000);
        // Worker 2 is gone; the same PID with another start time is another process.
        sample.time = 6000;
        sample.workers = {a};
        history.append(sample);
        QVERIFY(!history.worker(2, 10));
        QVERIFY(!history.worker(1, 11));
        QCOMPARE(history.workerCount(), 1);
        // A sample without trees leaves worker history alone; clearWorkers() drops it.
        sample.time = 7000;
        sample.hasWorkers = false;
        history.append(sample);
        QCOMPARE(history.worker(1, 10)->size(), 3);
        history.clearWorkers();
        QCOMPARE(history.workerCount(), 0);
        QCOMPARE(history.system().last().time, 7000);
    }

    void jsonFollowsTheContract()
    {
        MetricsHistory history(10);
        MetricsSample sample;
        sample.time = 1700000000000;
        sample.hasWorkers = true;
        sample.system.cpuPercent = 12.5;
        sample.system.cpuCount = 2;
        sample.system.memoryTotalBytes = 1000;
        sample.system.load1 = 0.25;
        sample.system.uptimeSec = 99.9;
        WorkerSample w;
        w.pid = 42;
        w.procStart = 7;
        w.name = QStringLiteral("needs \"escaping\"\n");
        w.kind = QStringLiteral("bg");
        w.processes = 3;
        w.cpuPercent = 1.25;
        w.rssBytes = 4096;
        w.readBytes = 5;
        sample.workers = {w};
        history.append(sample);

        const QJsonDocument doc =
            QJsonDocument::fromJson(MetricsJson::metrics(sample, history, 2000, true));
        const QJsonObject data = doc.object().value("data").toObject();
        QCOMPARE(data.keys(),
                 (QStringList{"history", "intervalMs", "sampledAt", "system", "workers"}));
        QCOMPARE(data.value("intervalMs").toInt(), 2000);
        QCOMPARE(data.value("sampledAt").toInteger(), 1700000000000);
        const QJsonObject system = data.value("system").toObject();
        QCOMPARE(system.keys(),
                 (QStringList{"cpuCount", "cpuPercent", "diskTotalBytes", "diskUsedBytes", "load1",
                              "load15", "load5", "memoryTotalBytes", "memoryUsedBytes",
                              "swapTotalBytes", "swapUsedBytes", "uptimeSec"}));
        QCOMPARE(system.value("cpuPercent").toDouble(), 12.5);
        QCOMPARE(system.value("load1").toDouble(), 0.25);
        QCOMPARE(system.value("uptimeSec").toInteger(), 99);
        const QJsonArray points = data.value("history").toArray();
        QCOMPARE(points.size(), 1);
        QCOMPARE(points.first().toObject().keys(),
                 (QStringList{"cpuPercent", "memoryUsedBytes", "time"}));
        const QJsonObject worker = data.value("workers").toArray().first().toObject();
        QCOMPARE(worker.keys(),
                 (QStringList{"cpuPercent", "fds", "history", "kind", "name", "pid", "processes",
                              "readBytes", "rssBytes", "threads", "uptimeSec", "writeBytes"}));
        QCOMPARE(worker.value("name").toString(), w.name);
        QCOMPARE(worker.value("cpuPercent").toDouble(), 1.3); // one decimal, half away from 0
        QCOMPARE(worker.value("readBytes").toInteger(), 5);
        QVERIFY(worker.value("writeBytes").isNull());
        QCOMPARE(worker.value("history").toArray().first().toObject().keys(),
                 (QStringList{"cpuPercent", "rssBytes", "time"}));

        // ?history=0 leaves every history array out.
        const QJsonObject bare =
            QJsonDocument::fromJson(MetricsJson::metrics(sample, history, 2000, false))
                .object()
                .value("data")
                .toObject();
        QVERIFY(!bare.contains("history"));
        QVERIFY(!bare.value("workers").toArray().first().toObject().contains("history"));

        const QJsonObject one = QJsonDocument::fromJson(MetricsJson::worker(w, history))
                                    .object()
                                    .value("data")
                                    .toObject();
        QCOMPARE(one.value("pid").toInteger(), 42);
        QCOMPARE(one.value("history").toArray().size(), 1);
    }

    void aFullAnswerIsBuiltQuickly()
    {
        // The largest answer the loop builds: 100 sessions and the daemon, 15 minutes of
        // history at 2 s. Built once per sample however many clients ask; its time is printed
        // (docs/metrics.md quotes it) rather than asserted, which would be flaky under load.
        MetricsHistory history(450);
        MetricsSample sample;
        sample.hasWorkers = true;
        for (int i = 0; i < 101; ++i) {
            WorkerSample w;
            w.pid = 1000 + i;
            w.name = QStringLiteral("session-%1").arg(i);
            w.kind = QStringLiteral("bg");
            w.rssBytes = 15851520;
            sample.workers.append(w);
        }
        for (int t = 0; t < 450; ++t) {
            sample.time = 1795564810429 + t * 2000;
            for (WorkerSample &w : sample.workers)
                w.cpuPercent = (t % 7) * 0.3;
            history.append(sample);
        }
        QElapsedTimer timer;
        timer.start();
        const QByteArray full = MetricsJson::metrics(sample, history, 2000, true);
        const qint64 ns = timer.nsecsElapsed();
        qInfo("full answer: %lld bytes in %.2f ms", qint64(full.size()), double(ns) / 1e6);
        const QJsonObject data = QJsonDocument::fromJson(full).object().value("data").toObject();
        QCOMPARE(data.value("history").toArray().size(), 450);
        QCOMPARE(data.value("workers").toArray().size(), 101);
        QCOMPARE(
            data.value("workers").toArray().last().toObject().value("history").toArray().size(),
            450);
    }

    void prometheusEscapesLabelValuesAndHelp()
    {
        QCOMPARE(PrometheusText::escapeLabelValue(QStringLiteral("a\"b\\c\nd")),
                 QByteArray("a\\\"b\\\\c\\nd"));
        QCOMPARE(PrometheusText::escapeHelp(QStringLiteral("say \"hi\"\\\nbye")),
                 QByteArray("say \"hi\"\\\\\\nbye"));
        QCOMPARE(PrometheusText::formatValue(3), QByteArray("3"));
        QCOMPARE(PrometheusText::formatValue(0.5), QByteArray("0.5"));
        QCOMPARE(PrometheusText::formatValue(1e20), QByteArray("1e+20"));
        QCOMPARE(PrometheusText::formatValue(qQNaN()), QByteArray("NaN"));
        QCOMPARE(PrometheusText::formatValue(qInf()), QByteArray("+Inf"));
        QCOMPARE(PrometheusText::formatValue(-qInf()), QByteArray("-Inf"));

        PrometheusText text;
        text.family("x_total", PrometheusText::Type::Counter, QStringLiteral("help"));
        text.sample(1, {{"name", QStringLiteral("q\"uote\nline\\")}});
        const PromExposition parsed = parsePrometheus(text.text());
        QVERIFY2(parsed.problems.isEmpty(), qPrintable(parsed.problems.join('\n')));
        QCOMPARE(parsed.families.value("x_total").samples.first().labels.value("name"),
                 QStringLiteral("q\"uote\nline\\"));
    }

    void theCheckerCatchesBrokenExpositions()
    {
        // The test's own parser must fail what it should, or its passing means nothing.
        QVERIFY(!parsePrometheus("a 1\n").problems.isEmpty()); // no HELP/TYPE
        QVERIFY(!parsePrometheus("# HELP a x\n# TYPE a counter\na 1\n").problems.isEmpty());
        QVERIFY(!parsePrometheus("# HELP a_total x\n# TYPE a_total gauge\na_total 1\n")
                     .problems.isEmpty());
        QVERIFY(
            !parsePrometheus("# HELP a x\n# TYPE a gauge\na{n=\"q\"q\"} 1\n").problems.isEmpty());
        QVERIFY(
            !parsePrometheus("# HELP a x\n# TYPE a gauge\na{n=\"\\t\"} 1\n").problems.isEmpty());
        QVERIFY(!parsePrometheus("# HELP a x\n# TYPE a gauge\na 1\na 2\n").problems.isEmpty());
        QVERIFY(!parsePrometheus("# HELP a x\n# TYPE a gauge\na 1").problems.isEmpty());
        QVERIFY(
            parsePrometheus("# HELP a x\n# TYPE a gauge\na{n=\"\\\\\"} 1\n").problems.isEmpty());
    }

    void expositionIsWellFormed()
    {
        MetricsSample sample;
        sample.time = 1700000000000;
        sample.hasWorkers = true;
        sample.system.cpuPercent = 50;
        sample.system.uptimeSec = 100;
        sample.self.cpuSeconds = 1.5;
        WorkerSample w;
        w.pid = 5;
        w.name = QStringLiteral("standbyd");
        w.kind = QStringLiteral("daemon");
        w.cpuSecondsTotal = 2.25;
        WorkerSample other = w;
        other.pid = 6; // a second daemon in the same home
        WorkerSample odd = w;
        odd.pid = 7;
        odd.kind = QStringLiteral("bg");
        odd.name = QStringLiteral("we\"ird\\na\nme");
        sample.workers = {w, other, odd};
        sample.workerCounts[{QStringLiteral("bg"), QStringLiteral("running")}] = 1;
        sample.runs = QMap<QString, int>{{QStringLiteral("exited"), 4}};

        const PromExposition parsed =
            parsePrometheus(MetricsExposition::render(sample, QStringLiteral("0.1.0")));
        QVERIFY2(parsed.problems.isEmpty(), qPrintable(parsed.problems.join('\n')));
        for (const char *name :
             {"process_cpu_seconds_total", "process_resident_memory_bytes",
              "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
              "process_start_time_seconds", "standby_worker_cpu_seconds_total",
              "standby_worker_resident_memory_bytes", "standby_worker_processes",
              "standby_worker_open_fds", "standby_workers", "standby_runs",
              "standby_system_cpu_ratio", "standby_up", "standby_build_info"})
            QVERIFY2(parsed.families.contains(QLatin1String(name)), name);
        QCOMPARE(parsed.families.value("standby_system_cpu_ratio").samples.first().value, 0.5);
        const QList<PromSample> cpu =
            parsed.families.value("standby_worker_cpu_seconds_total").samples;
        QCOMPARE(cpu.size(), 3);
        QCOMPARE(cpu.at(0).labels.value("name"), QStringLiteral("standbyd"));
        QCOMPARE(cpu.at(1).labels.value("name"), QStringLiteral("standbyd#6"));
        QCOMPARE(cpu.at(2).labels.value("name"), odd.name);
        QCOMPARE(cpu.at(0).value, 2.25);
        QCOMPARE(
            parsed.families.value("standby_build_info").samples.first().labels.value("version"),
            QStringLiteral("0.1.0"));
        QCOMPARE(parsed.families.value("standby_runs").type, QStringLiteral("gauge"));
    }

    void runsAreCountedByStatus()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        QVERIFY(!paths.ensureLayout());
        auto write = [&](const QString &id, RunRecord::State state) {
            RunRecord run;
            run.runId = id;
            run.name = QStringLiteral("n");
            run.status = state;
            run.acceptedAt = QDateTime::currentMSecsSinceEpoch();
            if (state == RunRecord::State::Exited)
                run.exitCode = 0;
            QVERIFY(!run.write(paths, false));
        };
        write(QStringLiteral("r-000000001aaaa"), RunRecord::State::Exited);
        write(QStringLiteral("r-000000002aaaa"), RunRecord::State::Exited);
        write(QStringLiteral("r-000000003aaaa"), RunRecord::State::Killed);
        write(QStringLiteral("r-000000004aaaa"), RunRecord::State::Accepted);
        RunCounter counter(paths);
        QMap<QString, int> counts = counter.count(QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(counts.value("exited"), 2);
        QCOMPARE(counts.value("killed"), 1);
        QCOMPARE(counts.value("accepted"), 1);
        QCOMPARE(counts.value("running"), 0);
        QCOMPARE(counts.size(), 5);
        // The accepted one ends; a pruned one goes.
        write(QStringLiteral("r-000000004aaaa"), RunRecord::State::Exited);
        QVERIFY(QFile::remove(paths.runsDir() + QStringLiteral("/r-000000001aaaa.json")));
        counts = counter.count(QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(counts.value("exited"), 2);
        QCOMPARE(counts.value("accepted"), 0);
    }

    void treesAreWalkedOnlyWhileSomeoneAsks()
    {
        FakeProc proc;
        proc.writeFile(QStringLiteral("stat"), "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1\n");
        proc.writeFile(QStringLiteral("meminfo"), "MemTotal: 1000 kB\nMemAvailable: 500 kB\n");
        proc.writeFile(QStringLiteral("loadavg"), "0.1 0.2 0.3 1/1 1\n");
        proc.writeFile(QStringLiteral("uptime"), "100.0 100.0\n");
        const QHash<qint64, FakeProcess> processes = scene();
        for (auto it = processes.cbegin(); it != processes.cend(); ++it)
            proc.setProcess(it.key(), it.value());
        QTemporaryDir home;
        const Paths paths(home.path());
        QVERIFY(!paths.ensureLayout());
        RegistryEntry entry;
        entry.pid = 100;
        entry.procStart = 1000;
        entry.name = QStringLiteral("job");
        entry.sessionId = QStringLiteral("bg-100");
        entry.childPid = 101;
        QVERIFY(!Registry(paths).add(entry));

        qint64 now = 0;
        Config::Metrics config;
        config.intervalSec = 1;
        config.demandWindowSec = 5;
        MetricsService service(paths, config, 50, nullptr, proc.root(), [&now] { return now; });
        service.start();
        QTRY_VERIFY_WITH_TIMEOUT(service.latest().time > 0, 10000);
        // Nobody asked: the system is sampled, the trees are not.
        QVERIFY(!service.latest().hasWorkers);
        QCOMPARE(service.latest().system.memoryUsedBytes, 500 * 1024);

        service.noteDemand(MetricsService::Demand::Api);
        bool answered = false;
        service.whenFresh([&] { answered = true; });
        QTRY_VERIFY_WITH_TIMEOUT(answered, 10000);
        QVERIFY(service.latest().hasWorkers);
        QCOMPARE(service.latest().workers.size(), 1);
        QCOMPARE(service.latest().workers.first().processes, 4);
        QVERIFY(!service.latest().runs); // run records only for scrapes
        QCOMPARE(service.latest().workerCounts.value({"bg", "running"}), 1);
        QCOMPARE(service.history().workerCount(), 1);
        // Fresh already: answered at once.
        bool again = false;
        service.whenFresh([&] { again = true; });
        QVERIFY(again);

        // A scrape wants run records too: the next pass counts them.
        service.noteDemand(MetricsService::Demand::Scrape);
        bool scraped = false;
        service.whenScrapeReady([&] { scraped = true; });
        QTRY_VERIFY_WITH_TIMEOUT(scraped, 10000);
        QVERIFY(service.latest().runs);

        // The API calls stop (their window passes) but scrapes go on: ticks walk no tree, and
        // each scrape gets a pass of its own.
        now += 3000;
        service.noteDemand(MetricsService::Demand::Scrape);
        now += 3000;
        QTRY_VERIFY_WITH_TIMEOUT(!service.latest().hasWorkers, 10000);
        QCOMPARE(service.history().workerCount(), 1);
        service.noteDemand(MetricsService::Demand::Scrape);
        scraped = false;
        service.whenScrapeReady([&] { scraped = true; });
        QVERIFY(!scraped);
        QTRY_VERIFY_WITH_TIMEOUT(scraped, 10000);
        QVERIFY(service.latest().hasWorkers);
        QVERIFY(service.latest().runs);

        // The window passes with nobody asking at all: the next tick walks no tree and forgets
        // the workers.
        now += 6000;
        QTRY_VERIFY_WITH_TIMEOUT(!service.latest().hasWorkers, 10000);
        QCOMPARE(service.history().workerCount(), 0);
        QVERIFY(service.latest().workers.isEmpty());
    }

    void configKeysFallBackWithWarnings()
    {
        QTemporaryDir dir;
        const Paths paths(dir.path());
        QVERIFY(!paths.ensureLayout());
        QVERIFY(!JsonFile::write(paths.config(),
                                 QJsonObject{{"metrics", QJsonObject{{"intervalSec", 0},
                                                                     {"demandWindowSec", 30},
                                                                     {"historyMinutes", "x"}}}}));
        const Result<Config> config = Config::load(paths);
        QVERIFY(config);
        QCOMPARE(config->metrics().intervalSec, 2);
        QCOMPARE(config->metrics().demandWindowSec, 30);
        QCOMPARE(config->metrics().historyMinutes, 15);
        QCOMPARE(config->warnings().size(), 2);
        QVERIFY(config->warnings().first().contains(QStringLiteral("metrics.intervalSec")));
        QCOMPARE(Config().metrics().intervalSec, 2);
        QVERIFY(Config::defaults().contains(QStringLiteral("metrics")));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
