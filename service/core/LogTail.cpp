#include "core/LogTail.h"

#include <QFile>

namespace standby {

QByteArray LogTail::lastLines(const QString &path, int lines, qint64 maxBytes, qint64 fromOffset)
{
    if (lines <= 0)
        return QByteArray();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    constexpr qint64 kBlock = 64 * 1024;
    const qint64 size = file.size();
    qint64 start = size;
    QByteArray tail;
    // A final newline ends the last line; it does not start an empty one.
    int needed = lines + 1;
    while (start > 0 && size - start < maxBytes) {
        const qint64 room = maxBytes - (size - start);
        const qint64 from = qMax<qint64>(qMax<qint64>(0, fromOffset), start - qMin(kBlock, room));
        if (from >= start)
            break;
        file.seek(from);
        tail.prepend(file.read(start - from));
        start = from;
        qsizetype newlines = tail.count('\n');
        if (tail.endsWith('\n'))
            --newlines;
        if (newlines >= needed - 1)
            break;
    }
    if (tail.endsWith('\n'))
        tail.chop(1);
    // `lines` newlines counted back from the end mark where the wanted lines begin.
    qsizetype cut = tail.size();
    int found = 0;
    while (found < lines && cut > 0) {
        const qsizetype newline = tail.lastIndexOf('\n', cut - 1);
        if (newline < 0)
            break;
        cut = newline;
        ++found;
    }
    if (found == lines)
        return tail.mid(cut + 1);
    if (start <= qMax<qint64>(0, fromOffset))
        return tail; // everything there is has fewer lines than asked
    // Cut off by maxBytes: the first line read is only the end of a line.
    const qsizetype first = tail.indexOf('\n');
    return first < 0 ? QByteArray() : tail.mid(first + 1);
}

} // namespace standby
