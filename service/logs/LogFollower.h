#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

namespace standby {

// Follows a log as it grows, like `tail -F`: everything appended after a start offset, in
// order, pushed on each write (inotify), never polled. Follows across rotation (LogWriter's
// scheme: the log is renamed to .1 and a new one created): the old file is read to its end
// before the next one is opened, so nothing is lost or repeated, even when several rotations
// passed while it read (unless a file was dropped beyond logs.keep before it got there). Reads in
// bounded slices, so a follower far behind does not hold up the event loop.
class LogFollower : public QObject
{
    Q_OBJECT

public:
    // A line longer than this is passed on in pieces rather than held back whole.
    static constexpr qsizetype kMaxHeldLine = 64 * 1024;

    LogFollower(const QString &path, qint64 offset, QObject *parent = nullptr);
    ~LogFollower() override;

    // The offset is into this very file (device, inode), measured before start(): should a
    // rotation have renamed it meanwhile, it is found in the rotation chain and read from there.
    void setExpectedFile(quint64 device, quint64 inode);
    // False when the folder cannot be watched (no inotify, no such folder).
    bool start();
    // Another file takes over (the next day's telemetry): once the current one is read to its
    // end, follow that one from its start.
    void moveTo(const QString &path);
    // The writer is done: read what is left, pass on a last unterminated line, then finished().
    void finish();
    qint64 offset() const { return m_offset; }
    // While paused nothing is read (the file keeps it); a slow reader is slowed, not dropped.
    void setPaused(bool paused);

Q_SIGNALS:
    // Complete lines, each ending in '\n' (the last of a finished log may not).
    void lines(const QByteArray &chunk);
    void finished();

private:
    void onChanged(int wd, quint32 mask, const QByteArray &name);
    void scheduleRead();
    void readSlice();
    bool openCurrent();
    bool openPath(const QString &path);
    void closeCurrent();
    // The file being read is no longer the log (a rotation renamed it): nothing more will be
    // written to it.
    bool rotatedAway() const;
    // Opens the file written after the one being read: one step newer in the rotation chain,
    // which is not always the log itself (two rotations may have passed meanwhile). False when
    // the chain is in the middle of a rotation: the event that completes it brings a retry.
    bool switchToSuccessor();

    void watchFolder();
    void openExpected();

    QString m_path;
    QString m_nextPath;
    quint64 m_expectedDevice = 0;
    quint64 m_expectedInode = 0;
    QByteArray m_fileName;
    qint64 m_offset;
    int m_fd = -1;
    int m_fileWd = -1;
    int m_dirWd = -1;
    QByteArray m_partial;
    bool m_readScheduled = false;
    bool m_finishing = false;
    bool m_paused = false;
    bool m_finished = false;
};

} // namespace standby
