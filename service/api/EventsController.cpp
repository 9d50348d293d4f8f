#include "api/EventsController.h"

#include "api/EventBus.h"
#include "http/HttpStream.h"

#include <QJsonDocument>

namespace standby {

void EventsController::registerRoutes(Router &router)
{
    router.addAsync("GET", QStringLiteral("/api/v1/events"),
                    [this](const HttpRequest &request, HttpResponder responder) {
                        events(request, responder);
                    });
}

static QByteArray formatted(const EventBus::Event &event)
{
    return HttpStream::formatEvent(
        event.type.toUtf8(), QJsonDocument(event.data).toJson(QJsonDocument::Compact), event.id);
}

void EventsController::events(const HttpRequest &request, HttpResponder responder) const
{
    QByteArray lastId = request.header("Last-Event-ID").left(64);
    if (lastId.isEmpty())
        lastId = request.queryValue(QStringLiteral("lastEventId")).left(64).toUtf8();
    HttpStream *stream = responder.beginStream("text/event-stream");
    if (!stream)
        return;
    stream->setKeepAlive(15000);
    QByteArray missed;
    for (const EventBus::Event &event : m_bus.since(lastId))
        missed += formatted(event);
    if (!missed.isEmpty())
        stream->write(missed);
    QObject::connect(&m_bus, &EventBus::published, stream,
                     [stream](const EventBus::Event &event) { stream->write(formatted(event)); });
}

} // namespace standby
