#include "metrics/DirectoryStamp.h"

#include <QFile>

#include <sys/stat.h>

namespace standby {

DirectoryStamp::DirectoryStamp(const QString &path)
    : m_path(QFile::encodeName(path))
{}

bool DirectoryStamp::mayHaveChanged()
{
    struct stat st
    {
    };
    m_mtimeNs = ::stat(m_path.constData(), &st) == 0
                    ? qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec
                    : -1;
    return m_mtimeNs < 0 || m_mtimeNs != m_listedMtimeNs ||
           m_listedAtMs - m_mtimeNs / 1000000 < 1000;
}

void DirectoryStamp::listed(qint64 nowMs)
{
    m_listedMtimeNs = m_mtimeNs;
    m_listedAtMs = nowMs;
}

} // namespace standby
