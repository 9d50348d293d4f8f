#pragma once

#include <QString>
#include <QStringList>

namespace standby {

// The files of one rotated log (see LogWriter for how rotation renames them):
//   name.log     the current file, the only one ever written
//   name.log.1   the newest rotated file, … name.log.{keep} the oldest
// Read newest first and joined in reverse, they are the log's output in order; a line may start
// at the end of one file and go on at the start of the next newer one.
class LogFiles
{
public:
    // index 0 is the log itself, k > 0 its k-th rotated file.
    static QString rotated(const QString &path, int index);

    // The files there are, newest first: the log (when it exists; right after a failed reopen
    // it may not), then name.log.1, .2, … up to the first one missing. A few stat calls, however
    // big the files are.
    static QStringList newestFirst(const QString &path);

    // More rotated files than any configuration keeps: where probing stops.
    static constexpr int kMaxFiles = 1000;
};

} // namespace standby
