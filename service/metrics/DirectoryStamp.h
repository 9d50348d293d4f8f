#pragma once

#include <QByteArray>
#include <QString>

namespace standby {

// Tells whether a folder may have changed since it was last listed, from its mtime, so a pass
// can skip re-listing (and re-stat()ing) folders whose every write is a rename into them, as
// sessions/ and runs/ are. File times are coarse (two renames in one clock tick share a time),
// so a listing is trusted only when it was made at least a second after the folder's mtime.
class DirectoryStamp
{
public:
    explicit DirectoryStamp(const QString &path);

    // One stat() of the folder: true when it must be listed again (then call listed()).
    bool mayHaveChanged();
    void listed(qint64 nowMs);

private:
    QByteArray m_path;
    qint64 m_mtimeNs = -1;
    qint64 m_listedMtimeNs = -2;
    qint64 m_listedAtMs = 0;
};

} // namespace standby
