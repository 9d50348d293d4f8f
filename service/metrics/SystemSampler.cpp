#include "metrics/SystemSampler.h"

#include <QFile>

#include <cstdlib>
#include <cstring>
#include <sys/statvfs.h>

namespace standby {

SystemSampler::SystemSampler(const ProcFs &proc, const QString &diskPath, double minimumDeltaSec)
    : m_proc(proc)
    , m_diskPath(QFile::encodeName(diskPath))
    , m_minimumDeltaSec(minimumDeltaSec)
{}

SystemSampler::CpuTimes SystemSampler::parseCpu(const QByteArray &procStat)
{
    CpuTimes times;
    for (const QByteArray &line : procStat.split('\n')) {
        if (!line.startsWith("cpu"))
            break; // the cpu lines come first; the rest (intr, ctxt, …) is not needed
        if (line.size() > 3 && line.at(3) >= '0' && line.at(3) <= '9') {
            ++times.cpuCount;
            continue;
        }
        // cpu user nice system idle iowait irq softirq steal guest guest_nice. guest and
        // guest_nice are already inside user and nice, so they are not added again.
        const QList<QByteArray> fields = line.simplified().split(' ');
        quint64 values[8] = {};
        for (int i = 0; i < 8 && i + 1 < fields.size(); ++i)
            values[i] = fields.at(i + 1).toULongLong();
        const quint64 idle = values[3] + values[4];
        for (quint64 value : values)
            times.total += value;
        times.busy = times.total - idle;
    }
    return times;
}

SystemSampler::Memory SystemSampler::parseMemory(const QByteArray &meminfo)
{
    qint64 total = 0, available = -1, free = 0, buffers = 0, cached = 0, swapTotal = 0,
           swapFree = 0;
    for (const QByteArray &line : meminfo.split('\n')) {
        const int colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray key = line.left(colon);
        // Values are in kB ("MemTotal:       24684084 kB").
        const qint64 value = line.mid(colon + 1).trimmed().split(' ').value(0).toLongLong() * 1024;
        if (key == "MemTotal")
            total = value;
        else if (key == "MemAvailable")
            available = value;
        else if (key == "MemFree")
            free = value;
        else if (key == "Buffers")
            buffers = value;
        else if (key == "Cached")
            cached = value;
        else if (key == "SwapTotal")
            swapTotal = value;
        else if (key == "SwapFree")
            swapFree = value;
    }
    // Kernels before 3.14 have no MemAvailable: free plus reclaimable caches comes close.
    if (available < 0)
        available = free + buffers + cached;
    return Memory{qMax<qint64>(0, total - available), total, qMax<qint64>(0, swapTotal - swapFree),
                  swapTotal};
}

void SystemSampler::parseLoad(const QByteArray &loadavg, SystemSample *into)
{
    const QList<QByteArray> fields = loadavg.simplified().split(' ');
    into->load1 = fields.value(0).toDouble();
    into->load5 = fields.value(1).toDouble();
    into->load15 = fields.value(2).toDouble();
    into->lastPid = fields.value(4).toLongLong();
}

SystemSample SystemSampler::sample()
{
    SystemSample out;
    // The cpu lines are at the start; 16 KiB holds them for a few hundred CPUs.
    const CpuTimes cpu = parseCpu(m_proc.readFile("stat", 16 * 1024));
    out.cpuCount = qMax(1, cpu.cpuCount);
    out.uptimeSec = std::strtod(m_proc.readFile("uptime").constData(), nullptr);
    if (m_previousUptime >= 0 && out.uptimeSec - m_previousUptime < m_minimumDeltaSec) {
        out.cpuPercent = m_lastCpuPercent;
    } else {
        const quint64 total = cpu.total - qMin(cpu.total, m_previous.total);
        const quint64 busy = cpu.busy - qMin(cpu.busy, m_previous.busy);
        if (total > 0)
            out.cpuPercent = 100.0 * double(busy) / double(total);
        m_previous = cpu;
        m_previousUptime = out.uptimeSec;
        m_lastCpuPercent = out.cpuPercent;
    }

    const Memory memory = parseMemory(m_proc.readFile("meminfo"));
    out.memoryUsedBytes = memory.usedBytes;
    out.memoryTotalBytes = memory.totalBytes;
    out.swapUsedBytes = memory.swapUsedBytes;
    out.swapTotalBytes = memory.swapTotalBytes;
    parseLoad(m_proc.readFile("loadavg"), &out);

    struct statvfs fs
    {
    };
    if (!m_diskPath.isEmpty() && ::statvfs(m_diskPath.constData(), &fs) == 0) {
        out.diskTotalBytes = qint64(fs.f_blocks) * qint64(fs.f_frsize);
        out.diskUsedBytes = qint64(fs.f_blocks - fs.f_bfree) * qint64(fs.f_frsize);
    }
    return out;
}

} // namespace standby
