#include "logs/LogScan.h"

#include <QFile>
#include <QSet>

#include <algorithm>
#include <sys/stat.h>

namespace standby {

LogScan::Result LogScan::lastLines(const QString &path, int count, const Filter &filter,
                                   qint64 maxScanBytes, qint64 endOffset)
{
    return lastLines(QStringList{path}, count, filter, maxScanBytes, endOffset);
}

LogScan::Result LogScan::lastLines(const QStringList &newestFirst, int count, const Filter &filter,
                                   qint64 maxScanBytes, qint64 endOffset)
{
    Result result;
    if (count <= 0)
        return result;
    constexpr qint64 kBlock = 256 * 1024;
    qint64 scanned = 0;
    QByteArray carry;        // the start of a line whose beginning lies further back
    QList<QByteArray> found; // newest first
    bool skipTrailingNewline = true;
    bool reachedStart = true; // every file was read to its start
    // Files already read, by device and inode: name.log read before a rotation is name.log.1
    // after it.
    QSet<QPair<quint64, quint64>> seen;
    for (const QString &path : newestFirst) {
        if (found.size() >= count)
            break;
        if (scanned >= maxScanBytes) {
            result.truncated = true;
            reachedStart = false;
            break;
        }
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        struct stat st
        {
        };
        if (::fstat(file.handle(), &st) != 0)
            continue;
        const QPair<quint64, quint64> identity{quint64(st.st_dev), quint64(st.st_ino)};
        if (seen.contains(identity))
            continue;
        seen.insert(identity);
        qint64 position = qint64(st.st_size);
        if (endOffset >= 0 && path == newestFirst.constFirst())
            position = std::min(endOffset, position);
        while (position > 0 && found.size() < count) {
            if (scanned >= maxScanBytes) {
                result.truncated = true;
                break;
            }
            const qint64 size = std::min({kBlock, position, maxScanBytes - scanned});
            position -= size;
            scanned += size;
            file.seek(position);
            QByteArray block = file.read(size) + carry;
            // A final newline ends the stream's last line; it does not start an empty one.
            if (skipTrailingNewline && !block.isEmpty()) {
                if (block.endsWith('\n'))
                    block.chop(1);
                skipTrailingNewline = false;
            }
            qsizetype end = block.size();
            for (qsizetype at = block.lastIndexOf('\n'); at >= 0 && found.size() < count;
                 at = end > 0 ? block.lastIndexOf('\n', end - 1) : -1) {
                const QByteArray line = block.mid(at + 1, end - at - 1);
                if (!filter || filter(line))
                    found.append(line);
                end = at;
                if (end == 0)
                    break;
            }
            carry = block.left(end);
        }
        if (position > 0) {
            reachedStart = false;
            break;
        }
    }
    // The first line of the stream (no newline before it).
    if (reachedStart && found.size() < count && !result.truncated && !carry.isEmpty() &&
        (!filter || filter(carry)))
        found.append(carry);
    std::reverse(found.begin(), found.end());
    result.lines = found;
    return result;
}

} // namespace standby
