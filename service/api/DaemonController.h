#pragma once

#include "api/DaemonLifecycle.h"
#include "http/Router.h"

namespace standby {

// GET /api/v1/daemon/status and POST /api/v1/daemon/start|stop|restart.
class DaemonController
{
public:
    explicit DaemonController(DaemonLifecycle &daemon)
        : m_daemon(daemon)
    {}

    void registerRoutes(Router &router);

private:
    HttpResponse status(const HttpRequest &request) const;
    HttpResponse start(const HttpRequest &request);
    HttpResponse stop(const HttpRequest &request);
    HttpResponse restart(const HttpRequest &request);

    DaemonLifecycle &m_daemon;
};

} // namespace standby
