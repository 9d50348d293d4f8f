#pragma once

#include "metrics/ProcFs.h"

#include <QString>

namespace standby {

// Whole-machine figures of one sampling pass.
struct SystemSample
{
    double cpuPercent = 0; // busy share of all CPUs since the previous sample, 0–100
    int cpuCount = 0;
    qint64 memoryUsedBytes = 0; // MemTotal − MemAvailable, what free(1) calls used
    qint64 memoryTotalBytes = 0;
    qint64 swapUsedBytes = 0;
    qint64 swapTotalBytes = 0;
    double load1 = 0;
    double load5 = 0;
    double load15 = 0;
    qint64 diskUsedBytes = 0; // of the file system that holds diskPath, as df(1) counts used
    qint64 diskTotalBytes = 0;
    double uptimeSec = 0;
    // The PID most recently handed out (5th field of /proc/loadavg; 0: unknown). While it stays
    // the same, no process or thread has been created anywhere.
    qint64 lastPid = 0;
};

// Reads the machine's CPU, memory, swap, load, uptime and one file system's usage: four small
// /proc files and a statvfs, cheap enough to run on every tick whether anyone watches or not.
// CPU is a delta, so the sampler keeps the previous reading; the first sample gives the average
// since boot.
class SystemSampler
{
public:
    // A sample taken less than minimumDeltaSec after the one that set the CPU baseline (a pass
    // started by a request between ticks) repeats the last CPU figure instead of one measured
    // over a few milliseconds, which would be noise.
    SystemSampler(const ProcFs &proc, const QString &diskPath, double minimumDeltaSec = 0);

    SystemSample sample();

    // The parsers, public for tests against fixture text.
    struct CpuTimes
    {
        quint64 busy = 0;
        quint64 total = 0;
        int cpuCount = 0;
    };
    static CpuTimes parseCpu(const QByteArray &procStat);
    struct Memory
    {
        qint64 usedBytes = 0;
        qint64 totalBytes = 0;
        qint64 swapUsedBytes = 0;
        qint64 swapTotalBytes = 0;
    };
    static Memory parseMemory(const QByteArray &meminfo);
    static void parseLoad(const QByteArray &loadavg, SystemSample *into);

private:
    const ProcFs &m_proc;
    QByteArray m_diskPath;
    double m_minimumDeltaSec;
    CpuTimes m_previous;
    double m_previousUptime = -1;
    double m_lastCpuPercent = 0;
};

} // namespace standby
