#pragma once

#include <QString>

namespace standby {

// An exclusive flock() on a folder, held for this object's life. The kernel releases it when its
// holder exits however it exits, a waiter wakes the moment it is free, and no lock file is ever
// left behind. Serialises check-then-act steps between processes (daemon starts, name claims).
class DirectoryLock
{
public:
    // timeoutMs < 0 waits as long as it takes; otherwise it gives up after that long (for the
    // daemon, whose event loop must never wait on another process for long).
    explicit DirectoryLock(const QString &directory, int timeoutMs = -1);
    ~DirectoryLock();
    DirectoryLock(const DirectoryLock &) = delete;
    DirectoryLock &operator=(const DirectoryLock &) = delete;

    bool isLocked() const { return m_fd >= 0; }

private:
    int m_fd = -1;
};

} // namespace standby
