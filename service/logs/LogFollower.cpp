#include "logs/LogFollower.h"

#include "core/FileWatch.h"
#include "core/LogFiles.h"

#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include <cerrno>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

namespace standby {

// One read per event-loop turn at most this large.
static constexpr qint64 kSlice = 1024 * 1024;

LogFollower::LogFollower(const QString &path, qint64 offset, QObject *parent)
    : QObject(parent)
    , m_path(path)
    , m_fileName(QFile::encodeName(QFileInfo(path).fileName()))
    , m_offset(qMax<qint64>(0, offset))
{}

LogFollower::~LogFollower()
{
    closeCurrent();
    if (m_dirWd >= 0)
        FileWatch::instance()->remove(m_dirWd);
}

void LogFollower::setExpectedFile(quint64 device, quint64 inode)
{
    m_expectedDevice = device;
    m_expectedInode = inode;
}

void LogFollower::watchFolder()
{
    if (m_dirWd >= 0)
        FileWatch::instance()->remove(m_dirWd);
    m_dirWd = FileWatch::instance()->add(QFileInfo(m_path).absolutePath(), IN_CREATE | IN_MOVED_TO);
    m_fileName = QFile::encodeName(QFileInfo(m_path).fileName());
}

bool LogFollower::start()
{
    connect(FileWatch::instance(), &FileWatch::changed, this, &LogFollower::onChanged);
    // The folder first: a file created between the two steps is still seen.
    watchFolder();
    if (m_dirWd < 0)
        return false;
    if (m_expectedInode != 0)
        openExpected();
    else
        openCurrent();
    scheduleRead();
    return true;
}

void LogFollower::openExpected()
{
    for (const QString &path : LogFiles::newestFirst(m_path)) {
        struct stat info = {};
        if (::stat(QFile::encodeName(path).constData(), &info) == 0 &&
            quint64(info.st_dev) == m_expectedDevice && quint64(info.st_ino) == m_expectedInode) {
            if (openPath(path))
                return;
        }
    }
    // Gone from the chain (dropped, or replaced by something else): the offset means nothing
    // in whatever is there now.
    m_offset = 0;
    openCurrent();
}

void LogFollower::moveTo(const QString &path)
{
    m_nextPath = path;
    scheduleRead();
}

bool LogFollower::openCurrent()
{
    return openPath(m_path);
}

bool LogFollower::openPath(const QString &path)
{
    m_fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0)
        return false;
    // By inode: the watch stays on this file whatever it is renamed to.
    m_fileWd = FileWatch::instance()->add(path, IN_MODIFY);
    return true;
}

static bool sameFile(const struct stat &a, const struct stat &b)
{
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool LogFollower::rotatedAway() const
{
    struct stat reading
    {
    };
    struct stat named
    {
    };
    if (m_fd < 0 || ::fstat(m_fd, &reading) != 0)
        return false;
    // Missing: renamed, its successor not created yet; the folder's watch says when it is.
    if (::stat(QFile::encodeName(m_path).constData(), &named) != 0)
        return false;
    return !sameFile(reading, named);
}

// Where a file stands in the rotation chain now: 0 the log, k its k-th rotated file; -1 gone.
static int chainIndex(const QStringList &newestFirst, const struct stat &file)
{
    for (qsizetype i = 0; i < newestFirst.size(); ++i) {
        struct stat candidate = {};
        if (::stat(QFile::encodeName(newestFirst.at(i)).constData(), &candidate) == 0 &&
            sameFile(file, candidate))
            return int(i);
    }
    return -1;
}

bool LogFollower::switchToSuccessor()
{
    struct stat reading = {};
    const bool known = m_fd >= 0 && ::fstat(m_fd, &reading) == 0;
    // The writer may rotate again between looking and opening, which would make the name point
    // one file further: open, then check the two are still neighbours (a rotation shifts both
    // alike), else look again.
    for (int attempt = 0; known && attempt < 20; ++attempt) {
        const int at = chainIndex(LogFiles::newestFirst(m_path), reading);
        if (at <= 0)
            break;
        const int fd = ::open(QFile::encodeName(LogFiles::rotated(m_path, at - 1)).constData(),
                              O_RDONLY | O_CLOEXEC);
        struct stat opened = {};
        if (fd < 0 || ::fstat(fd, &opened) != 0) {
            if (fd >= 0)
                ::close(fd);
            continue;
        }
        const QStringList now = LogFiles::newestFirst(m_path);
        const int readingAt = chainIndex(now, reading);
        const int openedAt = chainIndex(now, opened);
        if (readingAt > 0 && openedAt == readingAt - 1) {
            closeCurrent();
            m_offset = 0;
            m_fd = fd;
            m_fileWd = FileWatch::instance()->add(LogFiles::rotated(m_path, openedAt), IN_MODIFY);
            return true;
        }
        ::close(fd);
    }
    // Not found in the chain. Either a rotation is half done (its renames run oldest first,
    // so for a moment there is a gap the listing stops at): the new log it ends with brings an
    // event, and then the chain is whole. Or the file was dropped beyond logs.keep before it was
    // read to the end: go on with the oldest there is.
    if (!known || reading.st_nlink > 0)
        return false;
    const QStringList files = LogFiles::newestFirst(m_path);
    closeCurrent();
    m_offset = 0;
    if (!files.isEmpty())
        openPath(files.constLast());
    return true;
}

void LogFollower::closeCurrent()
{
    if (m_fileWd >= 0)
        FileWatch::instance()->remove(m_fileWd);
    m_fileWd = -1;
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

void LogFollower::onChanged(int wd, quint32 mask, const QByteArray &name)
{
    if (m_finished)
        return;
    if ((mask & IN_Q_OVERFLOW) && (wd == m_dirWd || wd == m_fileWd)) {
        if (m_fd < 0)
            openCurrent();
        scheduleRead();
        return;
    }
    if (wd == m_dirWd && wd >= 0) {
        if (name != m_fileName)
            return;
        if (m_fd < 0) {
            // The log did not exist yet; now it does.
            m_offset = 0;
            openCurrent();
        }
        // Else a rotation: the reader moves on once it has read the old file to its end.
        scheduleRead();
        return;
    }
    if (wd == m_fileWd && wd >= 0 && (mask & IN_MODIFY))
        scheduleRead();
}

void LogFollower::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused)
        scheduleRead();
}

void LogFollower::scheduleRead()
{
    if (m_readScheduled || m_finished || m_paused)
        return;
    m_readScheduled = true;
    // Queued, so a burst of inotify events becomes one read.
    QTimer::singleShot(0, this, &LogFollower::readSlice);
}

void LogFollower::readSlice()
{
    m_readScheduled = false;
    if (m_finished || m_paused)
        return;
    QByteArray chunk;
    bool atEnd = true;
    if (m_fd >= 0) {
        struct stat info
        {
        };
        if (::fstat(m_fd, &info) == 0 && info.st_size < m_offset)
            m_offset = 0; // truncated in place (copytruncate): start again from the top
        chunk.resize(kSlice);
        qint64 got = 0;
        while (got < kSlice) {
            const ssize_t n =
                ::pread(m_fd, chunk.data() + got, size_t(kSlice - got), m_offset + got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += n;
        }
        chunk.truncate(got);
        m_offset += got;
        atEnd = got < kSlice;
    }
    if (!chunk.isEmpty()) {
        m_partial += chunk;
        const qsizetype lastNewline = m_partial.lastIndexOf('\n');
        if (lastNewline >= 0) {
            const QByteArray complete = m_partial.left(lastNewline + 1);
            m_partial.remove(0, lastNewline + 1);
            Q_EMIT lines(complete);
        }
        if (m_partial.size() > kMaxHeldLine)
            Q_EMIT lines(std::exchange(m_partial, {}));
    }
    if (!atEnd) {
        scheduleRead();
        return;
    }
    if (!m_nextPath.isEmpty()) {
        m_path = std::exchange(m_nextPath, {});
        closeCurrent();
        m_offset = 0;
        watchFolder();
        openCurrent();
        scheduleRead();
        return;
    }
    if (rotatedAway() && switchToSuccessor()) {
        // Read to its end, and no more will come: on to the next file.
        scheduleRead();
        return;
    }
    if (m_finishing) {
        m_finished = true;
        if (!m_partial.isEmpty())
            Q_EMIT lines(std::exchange(m_partial, {}));
        Q_EMIT finished();
    }
}

void LogFollower::finish()
{
    if (m_finishing)
        return;
    m_finishing = true;
    scheduleRead();
}

} // namespace standby
