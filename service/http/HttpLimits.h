#pragma once

#include <QtGlobal>

namespace standby {

// What one client may cost the daemon. QHttpServer 6.4 enforces none of these itself.
struct HttpLimits
{
    int maxConnections = 256;
    int idleTimeoutMs = 60 * 1000;
    int headerTimeoutMs = 10 * 1000; // a started header block must be complete within this
    int maxRequestLineBytes = 8 * 1024;
    int maxHeaderBytes = 32 * 1024;
    qint64 maxBodyBytes = 1024 * 1024;
};

} // namespace standby
