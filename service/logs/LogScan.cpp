#include "logs/LogScan.h"

#include <QFile>

#include <algorithm>

namespace standby {

LogScan::Result LogScan::lastLines(const QString &path, int count, const Filter &filter,
                                   qint64 maxScanBytes, qint64 endOffset)
{
    Result result;
    if (count <= 0)
        return result;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return result;
    constexpr qint64 kBlock = 256 * 1024;
    qint64 position = endOffset >= 0 ? std::min(endOffset, file.size()) : file.size();
    qint64 scanned = 0;
    QByteArray carry;        // the start of a line whose beginning lies in the next block back
    QList<QByteArray> found; // newest first
    bool skipTrailingNewline = true;
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
        if (skipTrailingNewline && block.endsWith('\n'))
            block.chop(1);
        skipTrailingNewline = false;
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
    // The first line of the file (no newline before it).
    if (position == 0 && found.size() < count && !result.truncated && !carry.isEmpty() &&
        (!filter || filter(carry)))
        found.append(carry);
    std::reverse(found.begin(), found.end());
    result.lines = found;
    return result;
}

} // namespace standby
