#pragma once

#include "core/Paths.h"
#include "core/Registry.h"
#include "http/Router.h"

namespace standby {

// A session's terminal from the network: WebSocket GET /api/v1/workers/{id}/attach (relayed to
// the holder's attach socket by AttachRelay) and POST /api/v1/workers/{id}/input {data}.
class AttachController
{
public:
    static constexpr int kMaxInputBytes = 64 * 1024;

    AttachController(const Paths &paths, const Registry &registry)
        : m_paths(paths)
        , m_registry(registry)
    {}

    void registerRoutes(Router &router);

private:
    // The attach socket of a live background session, or the answer that says why there is none.
    Result<QString> socketOf(const QString &id) const;
    Router::WebSocketAccept attach(const HttpRequest &request) const;
    void input(const HttpRequest &request, HttpResponder responder) const;

    Paths m_paths;
    const Registry &m_registry;
};

} // namespace standby
