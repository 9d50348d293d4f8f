#include "metrics/MetricsJson.h"

#include <charconv>
#include <cmath>

namespace standby {

namespace {

// Writes "12.3": a value to one decimal, as tenths (rounded half away from zero), without
// floating-point formatting. Returns the end.
char *writeTenths(char *at, char *end, double value)
{
    if (!std::isfinite(value))
        value = 0;
    qint64 tenths = qRound64(value * 10);
    if (tenths < 0) {
        *at++ = '-';
        tenths = -tenths;
    }
    at = std::to_chars(at, end, tenths / 10).ptr;
    *at++ = '.';
    *at++ = char('0' + tenths % 10);
    return at;
}

// One history point, {"time":…,"cpuPercent":…,"<key>":…}, in one append: a full answer holds
// tens of thousands of them.
void appendPoint(QByteArray &out, qint64 time, double cpuPercent, const char *key, qint64 value)
{
    char buffer[160];
    char *const end = buffer + sizeof buffer;
    char *at = buffer;
    auto literal = [&](const char *text) {
        while (*text)
            *at++ = *text++;
    };
    literal("{\"time\":");
    at = std::to_chars(at, end, time).ptr;
    literal(",\"cpuPercent\":");
    at = writeTenths(at, end, cpuPercent);
    literal(",\"");
    literal(key);
    literal("\":");
    at = std::to_chars(at, end, value).ptr;
    // Bounded: three numbers of at most 20 digits, a short key and 32 bytes of punctuation.
    if (at < end)
        *at++ = '}';
    out.append(buffer, at - buffer);
}

// Appends JSON tokens to a byte array. Keys are literals of plain ASCII; strings are escaped.
class Writer
{
public:
    explicit Writer(QByteArray &out)
        : m_out(out)
    {}

    Writer &raw(const char *text)
    {
        m_out.append(text);
        return *this;
    }
    Writer &key(const char *name)
    {
        m_out.append('"').append(name).append("\":");
        return *this;
    }
    Writer &integer(qint64 value)
    {
        char buffer[24];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
        m_out.append(buffer, result.ptr - buffer);
        return *this;
    }
    Writer &tenths(double value)
    {
        char buffer[32];
        m_out.append(buffer, writeTenths(buffer, buffer + sizeof buffer, value) - buffer);
        return *this;
    }
    // Fixed decimals, "0.52"; JSON has no NaN or infinity, so those are written as 0.
    Writer &decimal(double value, int decimals)
    {
        if (!std::isfinite(value))
            value = 0;
        char buffer[48];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, value,
                                          std::chars_format::fixed, decimals);
        m_out.append(buffer, result.ptr - buffer);
        return *this;
    }
    Writer &optionalInteger(const std::optional<qint64> &value)
    {
        return value ? integer(*value) : raw("null");
    }
    Writer &string(const QString &text)
    {
        m_out.append('"');
        for (const char c : text.toUtf8()) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                m_out.append('\\').append(c);
            } else if (u < 0x20) {
                static const char hex[] = "0123456789abcdef";
                const char escaped[] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 15]};
                m_out.append(escaped, sizeof escaped);
            } else {
                m_out.append(c);
            }
        }
        m_out.append('"');
        return *this;
    }
    Writer &point(qint64 time, double cpuPercent, const char *key, qint64 value)
    {
        appendPoint(m_out, time, cpuPercent, key, value);
        return *this;
    }
    Writer &comma()
    {
        m_out.append(',');
        return *this;
    }

private:
    QByteArray &m_out;
};

void writeWorker(Writer &w, const WorkerSample &worker, const MetricsHistory &history,
                 bool withHistory)
{
    w.raw("{").key("pid").integer(worker.pid);
    w.comma().key("name").string(worker.name);
    w.comma().key("kind").string(worker.kind);
    w.comma().key("processes").integer(worker.processes);
    w.comma().key("cpuPercent").tenths(worker.cpuPercent);
    w.comma().key("rssBytes").integer(worker.rssBytes);
    w.comma().key("threads").integer(worker.threads);
    w.comma().key("fds").integer(worker.fds);
    w.comma().key("readBytes").optionalInteger(worker.readBytes);
    w.comma().key("writeBytes").optionalInteger(worker.writeBytes);
    w.comma().key("uptimeSec").integer(worker.uptimeSec);
    if (withHistory) {
        w.comma().key("history").raw("[");
        if (const RingBuffer<MetricsHistory::WorkerPoint> *points =
                history.worker(worker.pid, worker.procStart)) {
            for (qsizetype i = 0; i < points->size(); ++i) {
                const MetricsHistory::WorkerPoint &point = points->at(i);
                if (i > 0)
                    w.comma();
                w.point(point.time, point.cpuPercent, "rssBytes", point.rssBytes);
            }
        }
        w.raw("]");
    }
    w.raw("}");
}

} // namespace

QByteArray MetricsJson::metrics(const MetricsSample &sample, const MetricsHistory &history,
                                int intervalMs, bool withHistory)
{
    QByteArray out;
    // About 70 bytes a history point: reserve once rather than grow a megabyte step by step.
    qsizetype points = history.system().size();
    if (withHistory) {
        for (const WorkerSample &worker : sample.workers) {
            if (const auto *ring = history.worker(worker.pid, worker.procStart))
                points += ring->size();
        }
    }
    out.reserve(1024 + sample.workers.size() * 300 + points * 70);
    Writer w(out);
    const SystemSample &s = sample.system;
    w.raw("{").key("data").raw("{");
    w.key("intervalMs").integer(intervalMs);
    w.comma().key("sampledAt").integer(sample.time);
    w.comma().key("system").raw("{");
    w.key("cpuPercent").tenths(s.cpuPercent);
    w.comma().key("cpuCount").integer(s.cpuCount);
    w.comma().key("memoryUsedBytes").integer(s.memoryUsedBytes);
    w.comma().key("memoryTotalBytes").integer(s.memoryTotalBytes);
    w.comma().key("swapUsedBytes").integer(s.swapUsedBytes);
    w.comma().key("swapTotalBytes").integer(s.swapTotalBytes);
    w.comma().key("load1").decimal(s.load1, 2);
    w.comma().key("load5").decimal(s.load5, 2);
    w.comma().key("load15").decimal(s.load15, 2);
    w.comma().key("diskUsedBytes").integer(s.diskUsedBytes);
    w.comma().key("diskTotalBytes").integer(s.diskTotalBytes);
    w.comma().key("uptimeSec").integer(qint64(s.uptimeSec));
    w.raw("}");
    if (withHistory) {
        w.comma().key("history").raw("[");
        const RingBuffer<MetricsHistory::SystemPoint> &system = history.system();
        for (qsizetype i = 0; i < system.size(); ++i) {
            const MetricsHistory::SystemPoint &point = system.at(i);
            if (i > 0)
                w.comma();
            w.point(point.time, point.cpuPercent, "memoryUsedBytes", point.memoryUsedBytes);
        }
        w.raw("]");
    }
    w.comma().key("workers").raw("[");
    for (qsizetype i = 0; i < sample.workers.size(); ++i) {
        if (i > 0)
            w.comma();
        writeWorker(w, sample.workers.at(i), history, withHistory);
    }
    w.raw("]}}");
    return out;
}

QByteArray MetricsJson::worker(const WorkerSample &worker, const MetricsHistory &history,
                               bool withHistory)
{
    QByteArray out;
    Writer w(out);
    w.raw("{").key("data");
    writeWorker(w, worker, history, withHistory);
    w.raw("}");
    return out;
}

} // namespace standby
