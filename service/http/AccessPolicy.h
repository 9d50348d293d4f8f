#pragma once

#include "http/HttpRequest.h"
#include "http/HttpResponse.h"

#include <QHostAddress>
#include <QStringList>

#include <optional>

namespace standby {

// Who may call the daemon, decided in one place before any controller runs (DESIGN.md,
// "Access"):
//  - Host must name the daemon itself (421 otherwise), so a DNS-rebound name reaches nothing;
//  - a state-changing request that shows signs of coming from a browser (Origin, Referer,
//    Sec-Fetch-*, Cookie) needs X-Standby-Request: 1, which no cross-site page can send without
//    a CORS preflight that is never granted (403 otherwise);
//  - an Origin, when sent, must be the daemon's own (403 otherwise).
// Password auth for non-loopback addresses comes on top of this.
class AccessPolicy
{
public:
    AccessPolicy(const QHostAddress &address, quint16 port);

    std::optional<HttpResponse> check(const HttpRequest &request) const;

    QStringList allowedHosts() const { return m_hosts; }

private:
    QStringList m_hosts;   // host:port forms, lower case
    QStringList m_origins; // http://host:port forms
    bool m_anyHost = false;
};

} // namespace standby
