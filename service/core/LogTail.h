#pragma once

#include <QByteArray>
#include <QString>

namespace standby {

// The last lines of a file, read backwards from its end in blocks: the cost grows with the
// number of lines asked for, not with the file's size.
class LogTail
{
public:
    // At most `lines` complete lines (without their newlines), reading at most maxBytes.
    // Nothing before `fromOffset` is read (where one run's output begins in a shared log).
    static QByteArray lastLines(const QString &path, int lines, qint64 maxBytes = 4 * 1024 * 1024,
                                qint64 fromOffset = 0);
};

} // namespace standby
