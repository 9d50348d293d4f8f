#pragma once

#include <QHash>
#include <QObject>

class QSocketNotifier;

namespace standby {

// inotify, shared: one descriptor per process (the per-user limit on inotify instances is 128
// by default, and twenty followers must not use twenty), any number of watchers on top of it.
// A watch is by inode: a file keeps its watch when renamed (rotation), and the watch ends when
// the file is deleted.
class FileWatch : public QObject
{
    Q_OBJECT

public:
    static FileWatch *instance();

    // A watch descriptor, or -1 (no such path, no inotify). Adds are counted: every successful
    // add() needs its remove(). Masks of one inode are merged.
    int add(const QString &path, quint32 mask);
    void remove(int wd);
    bool isAvailable() const { return m_fd >= 0; }

Q_SIGNALS:
    // name: the entry inside a watched folder the event is about; empty for the watched file.
    // IN_Q_OVERFLOW (to every watch, without a name): events were lost; look again.
    void changed(int wd, quint32 mask, const QByteArray &name);

private:
    FileWatch();
    ~FileWatch() override;
    void onReadable();

    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QHash<int, int> m_users; // wd → how many add() calls hold it
};

} // namespace standby
