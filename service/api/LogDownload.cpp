#include "api/LogDownload.h"

#include "core/LogCategories.h"
#include "http/HttpStream.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace standby {

LogDownload::LogDownload(std::shared_ptr<LogSnapshot> snapshot, HttpStream *stream)
    : QObject(stream)
    , m_snapshot(std::move(snapshot))
    , m_stream(stream)
{}

void LogDownload::start()
{
    connect(m_stream, &HttpStream::bytesWritten, this, &LogDownload::pump);
    pump();
}

void LogDownload::pump()
{
    const QList<LogSnapshot::File> &files = m_snapshot->files();
    while (m_stream->isOpen() && m_stream->bytesToWrite() < kQueueBytes) {
        if (m_index >= files.size()) {
            m_stream->close();
            return;
        }
        const LogSnapshot::File &file = files.at(m_index);
        const qint64 left = file.size - m_offset;
        if (left <= 0) {
            ++m_index;
            m_offset = 0;
            continue;
        }
        QByteArray slice(qMin(left, kSliceBytes), Qt::Uninitialized);
        const ssize_t got = ::pread(file.fd, slice.data(), size_t(slice.size()), m_offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            // Logs only grow, so this is a failing disk or a file cut by hand. Closing short of
            // the announced length tells the client the download is incomplete.
            qCWarning(lcLogs, "download of %s stopped at byte %lld: %s", qUtf8Printable(file.path),
                      m_offset, got < 0 ? strerror(errno) : "the file got shorter");
            m_stream->close();
            return;
        }
        slice.truncate(got);
        m_offset += got;
        m_stream->write(slice);
    }
}

} // namespace standby
