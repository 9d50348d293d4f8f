#pragma once

#include "core/Paths.h"
#include "core/Registry.h"
#include "http/Router.h"

namespace standby {

// GET /api/v1/workers/{id}/logs?type=…&tail=N&q=TEXT&ignoreCase=1. Reading runs on a pool
// thread, so a search through a large log never holds up the daemon's event loop.
class LogsController
{
public:
    LogsController(const Paths &paths, const Registry &registry)
        : m_paths(paths)
        , m_registry(registry)
    {}

    void registerRoutes(Router &router);

private:
    void logs(const HttpRequest &request, HttpResponder responder) const;

    Paths m_paths;
    const Registry &m_registry;
};

} // namespace standby
