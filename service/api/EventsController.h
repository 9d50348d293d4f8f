#pragma once

#include "http/Router.h"

namespace standby {

class EventBus;

// GET /api/v1/events: the daemon's events as Server-Sent Events (event: type, data: JSON, id).
// A client that reconnects with Last-Event-ID (or ?lastEventId=) first gets what it missed.
class EventsController
{
public:
    explicit EventsController(EventBus &bus)
        : m_bus(bus)
    {}

    void registerRoutes(Router &router);

private:
    void events(const HttpRequest &request, HttpResponder responder) const;

    EventBus &m_bus;
};

} // namespace standby
