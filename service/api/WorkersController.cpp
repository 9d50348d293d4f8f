#include "api/WorkersController.h"

#include "core/SessionName.h"
#include "sessions/SessionControl.h"
#include "sessions/WorkerView.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QUrl>

#include <csignal>

namespace standby {

namespace {

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

HttpResponse notFound(const QString &id)
{
    return HttpResponse::error(
        404, QStringLiteral("not_found"),
        QStringLiteral("no live worker \"%1\" (by PID, name or id)").arg(id.left(100)));
}

HttpResponse badField(const QString &field, const QString &why)
{
    return HttpResponse::error(400, QStringLiteral("invalid_field"),
                               QStringLiteral("%1: %2").arg(field, why));
}

} // namespace

void WorkersController::registerRoutes(Router &router)
{
    router.add("GET", QStringLiteral("/api/v1/workers"),
               [this](const HttpRequest &request) { return list(request); });
    router.add("POST", QStringLiteral("/api/v1/workers"),
               [this](const HttpRequest &request) { return addRemote(request); });
    router.add("GET", QStringLiteral("/api/v1/workers/{id}"),
               [this](const HttpRequest &request) { return one(request); });
    router.add("DELETE", QStringLiteral("/api/v1/workers/{id}"),
               [this](const HttpRequest &request) { return remove(request); });
    router.add("POST", QStringLiteral("/api/v1/workers/{id}/heartbeat"),
               [this](const HttpRequest &request) { return heartbeat(request); });
}

HttpResponse WorkersController::list(const HttpRequest &request) const
{
    WorkerView::Filter filter;
    const QString kind = request.queryValue(QStringLiteral("kind"));
    if (!kind.isEmpty()) {
        filter.kind = RegistryEntry::kindFromName(kind);
        if (!filter.kind)
            return HttpResponse::error(400, QStringLiteral("invalid_kind"),
                                       QStringLiteral("kind must be interactive, bg or daemon"));
    }
    const QString local = request.queryValue(QStringLiteral("local"));
    if (!local.isEmpty() && local != QLatin1String("true") && local != QLatin1String("false") &&
        local != QLatin1String("1") && local != QLatin1String("0"))
        return HttpResponse::error(400, QStringLiteral("invalid_local"),
                                   QStringLiteral("local must be true or false"));
    filter.localOnly = local == QLatin1String("true") || local == QLatin1String("1");
    return HttpResponse::data(WorkerView::list(m_registry, filter, now()));
}

HttpResponse WorkersController::one(const HttpRequest &request) const
{
    const QString id = request.param(QStringLiteral("id"));
    const std::optional<RegistryEntry> entry = m_registry.find(id);
    if (!entry)
        return notFound(id);
    return HttpResponse::data(WorkerView::toJson(*entry, now()));
}

HttpResponse WorkersController::remove(const HttpRequest &request) const
{
    const QString id = request.param(QStringLiteral("id"));
    const std::optional<RegistryEntry> entry = m_registry.find(id);
    if (!entry)
        return notFound(id);
    if (entry->isRemote()) {
        if (Status error = m_registry.removeRemote(entry->id))
            return HttpResponse::error(500, *error);
        return HttpResponse::data(
            QJsonObject{{QStringLiteral("id"), entry->id},
                        {QStringLiteral("status"), QStringLiteral("forgotten")}});
    }
    if (entry->kind == RegistryEntry::Kind::Daemon)
        return HttpResponse::error(409, QStringLiteral("is_daemon"),
                                   QStringLiteral("%1 is a daemon; stop it with POST "
                                                  "/api/v1/daemon/stop")
                                       .arg(entry->pid));
    const QString signalText = request.queryValue(QStringLiteral("signal"));
    const std::optional<int> signal = signalText.isEmpty()
                                          ? std::optional<int>(SIGTERM)
                                          : SessionControl::parseSignal(signalText);
    if (!signal)
        return HttpResponse::error(400, QStringLiteral("invalid_signal"),
                                   QStringLiteral("signal must be one of TERM, KILL, INT, HUP, "
                                                  "QUIT, USR1, USR2"));
    if (Status error = SessionControl::kill(*entry, *signal))
        return HttpResponse::error(error->code == QLatin1String("not_found") ? 404 : 409, *error);
    return HttpResponse::data(
        QJsonObject{{QStringLiteral("id"), QString::number(entry->pid)},
                    {QStringLiteral("name"), entry->name},
                    {QStringLiteral("signal"), SessionControl::signalName(*signal)},
                    {QStringLiteral("status"), QStringLiteral("stopping")}},
        202);
}

HttpResponse WorkersController::addRemote(const HttpRequest &request) const
{
    Result<QJsonObject> body = request.jsonBody();
    if (!body)
        return HttpResponse::error(400, body.error());
    for (const QString &key : body->keys()) {
        if (key != QLatin1String("url") && key != QLatin1String("name") &&
            key != QLatin1String("hostname"))
            return badField(key, QStringLiteral("unknown field; expected url, name, hostname"));
    }
    const QJsonValue urlValue = body->value(QStringLiteral("url"));
    const QJsonValue nameValue = body->value(QStringLiteral("name"));
    const QJsonValue hostValue = body->value(QStringLiteral("hostname"));
    if (!urlValue.isString() || urlValue.toString().size() > 2048)
        return badField(QStringLiteral("url"),
                        QStringLiteral("required: the worker's http(s) URL"));
    const QUrl url(urlValue.toString(), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return badField(QStringLiteral("url"),
                        QStringLiteral("must be an http:// or https:// URL"));
    if (!nameValue.isString())
        return badField(QStringLiteral("name"), QStringLiteral("required: a session name"));
    if (Status error = SessionName::validate(nameValue.toString()))
        return badField(QStringLiteral("name"), error->message);
    static const QRegularExpression hostPattern(
        QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$"));
    const QString hostname = hostValue.toString();
    if (!hostValue.isUndefined() &&
        (!hostValue.isString() || !hostPattern.match(hostname).hasMatch()))
        return badField(QStringLiteral("hostname"),
                        QStringLiteral("must be a host name of letters, digits, '.' and '-'"));
    if (m_registry.find(nameValue.toString()))
        return HttpResponse::error(
            409, QStringLiteral("name_taken"),
            QStringLiteral("a worker named \"%1\" already exists").arg(nameValue.toString()));
    Result<RegistryEntry> entry =
        m_registry.addRemote(url.toString(), nameValue.toString(), hostname);
    if (!entry)
        return HttpResponse::error(500, entry.error());
    return HttpResponse::data(WorkerView::toJson(*entry, now()), 201);
}

HttpResponse WorkersController::heartbeat(const HttpRequest &request) const
{
    const QString id = request.param(QStringLiteral("id"));
    std::optional<RegistryEntry> entry = m_registry.find(id);
    if (!entry || !entry->isRemote())
        return entry ? HttpResponse::error(409, QStringLiteral("not_remote"),
                                           QStringLiteral("%1 is a local worker; heartbeats are "
                                                          "for remote ones")
                                               .arg(id.left(100)))
                     : notFound(id);
    Result<RegistryEntry> updated = m_registry.heartbeat(entry->id);
    if (!updated)
        return HttpResponse::error(404, updated.error());
    return HttpResponse::data(WorkerView::toJson(*updated, now()));
}

} // namespace standby
