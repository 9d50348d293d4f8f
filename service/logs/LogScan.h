#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

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

    // endOffset: read as if the (newest) file ended there (-1: at its end); where a live follow
    // takes over.
    static Result lastLines(const QString &path, int count, const Filter &filter = {},
                            qint64 maxScanBytes = 64 * 1024 * 1024, qint64 endOffset = -1);

    // The same over several files read as one stream: newestFirst[0] is its end, and each next
    // file comes before the one listed ahead of it (a rotated log, LogFiles::newestFirst; days
    // of telemetry). A line cut between two files is read whole. maxScanBytes bounds all of
    // them together. A file that shows up twice (a rotation renamed it while this was reading)
    // is read once; one that is gone is skipped.
    static Result lastLines(const QStringList &newestFirst, int count, const Filter &filter = {},
                            qint64 maxScanBytes = 64 * 1024 * 1024, qint64 endOffset = -1);
};

} // namespace standby
