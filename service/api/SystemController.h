#pragma once

#include "api/DaemonLifecycle.h"
#include "http/Router.h"

namespace standby {

// GET /api/v1/health and GET /api/v1/info.
class SystemController
{
public:
    explicit SystemController(const DaemonLifecycle &daemon)
        : m_daemon(daemon)
    {}

    void registerRoutes(Router &router);

private:
    HttpResponse health(const HttpRequest &request) const;
    HttpResponse info(const HttpRequest &request) const;

    const DaemonLifecycle &m_daemon;
};

} // namespace standby
