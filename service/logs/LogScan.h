#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>

namespace standby {

// The last lines of a file that pass a filter, read backwards from the end in blocks. Its cost
// grows with the lines asked for (and, with a filter, with how far back they are), never past
// maxScanBytes: a search of a huge log is bounded, and says when it stopped early.
class LogScan
{
public:
    struct Result
    {
        QList<QByteArray> lines; // oldest first
        bool truncated = false;  // stopped at maxScanBytes before the file's start
    };

    using Filter = std::function<bool(const QByteArray &line)>;

    // endOffset: read as if the file ended there (-1: at its end).
    static Result lastLines(const QString &path, int count, const Filter &filter = {},
                            qint64 maxScanBytes = 64 * 1024 * 1024, qint64 endOffset = -1);
};

} // namespace standby
