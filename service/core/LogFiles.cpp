#include "core/LogFiles.h"

#include <QFile>

#include <sys/stat.h>

namespace standby {

QString LogFiles::rotated(const QString &path, int index)
{
    return index <= 0 ? path : path + QLatin1Char('.') + QString::number(index);
}

static bool isFile(const QString &path)
{
    struct stat st
    {
    };
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 && S_ISREG(st.st_mode);
}

QStringList LogFiles::newestFirst(const QString &path)
{
    QStringList files;
    if (path.isEmpty())
        return files;
    if (isFile(path))
        files.append(path);
    for (int index = 1; index <= kMaxFiles; ++index) {
        const QString file = rotated(path, index);
        if (!isFile(file))
            break;
        files.append(file);
    }
    return files;
}

} // namespace standby
