#pragma once

#include "core/Registry.h"
#include "http/Router.h"

namespace standby {

// /api/v1/workers: list, one, kill or forget, and remote workers added by hand with heartbeats.
class WorkersController
{
public:
    explicit WorkersController(const Registry &registry)
        : m_registry(registry)
    {}

    void registerRoutes(Router &router);

private:
    HttpResponse list(const HttpRequest &request) const;
    HttpResponse one(const HttpRequest &request) const;
    HttpResponse remove(const HttpRequest &request) const;
    HttpResponse addRemote(const HttpRequest &request) const;
    HttpResponse heartbeat(const HttpRequest &request) const;

    const Registry &m_registry;
};

} // namespace standby
