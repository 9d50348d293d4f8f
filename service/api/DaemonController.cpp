#include "api/DaemonController.h"

#include <QHostAddress>

namespace standby {

void DaemonController::registerRoutes(Router &router)
{
    router.add("GET", QStringLiteral("/api/v1/daemon/status"),
               [this](const HttpRequest &request) { return status(request); });
    router.add("POST", QStringLiteral("/api/v1/daemon/start"),
               [this](const HttpRequest &request) { return start(request); });
    router.add("POST", QStringLiteral("/api/v1/daemon/stop"),
               [this](const HttpRequest &request) { return stop(request); });
    router.add("POST", QStringLiteral("/api/v1/daemon/restart"),
               [this](const HttpRequest &request) { return restart(request); });
}

HttpResponse DaemonController::status(const HttpRequest &) const
{
    return HttpResponse::data(m_daemon.residentStatus());
}

HttpResponse DaemonController::start(const HttpRequest &request)
{
    Result<QJsonObject> body = request.jsonBody();
    if (!body)
        return HttpResponse::error(400, body.error());
    const QJsonValue portValue = body->value(QStringLiteral("port"));
    const QJsonValue hostValue = body->value(QStringLiteral("host"));
    quint16 port = 0;
    if (!portValue.isUndefined() && !portValue.isNull()) {
        const double d = portValue.toDouble(-1);
        if (!portValue.isDouble() || d < 0 || d > 65535 || d != int(d))
            return HttpResponse::error(400, QStringLiteral("invalid_port"),
                                       QStringLiteral("port must be an integer from 0 to 65535"));
        port = quint16(d);
    }
    QString host = QStringLiteral("127.0.0.1");
    if (!hostValue.isUndefined() && !hostValue.isNull()) {
        if (!hostValue.isString() || QHostAddress(hostValue.toString()).isNull())
            return HttpResponse::error(400, QStringLiteral("invalid_host"),
                                       QStringLiteral("host must be an IP address"));
        host = hostValue.toString();
    }

    const QJsonObject resident = m_daemon.residentStatus();
    if (resident.value(QStringLiteral("status")).toString() == QLatin1String("running"))
        return HttpResponse::data(resident);
    if (Status error = m_daemon.launchResident(host, port))
        return HttpResponse::error(500, *error);
    return HttpResponse::data(QJsonObject{{QStringLiteral("status"), QStringLiteral("starting")}},
                              202);
}

HttpResponse DaemonController::stop(const HttpRequest &)
{
    QJsonObject answer = m_daemon.selfInfo();
    answer.insert(QStringLiteral("status"), QStringLiteral("stopping"));
    m_daemon.requestStop();
    return HttpResponse::data(answer, 202);
}

HttpResponse DaemonController::restart(const HttpRequest &)
{
    if (Status error = m_daemon.requestRestart())
        return HttpResponse::error(409, *error);
    QJsonObject answer = m_daemon.selfInfo();
    answer.insert(QStringLiteral("status"), QStringLiteral("restarting"));
    return HttpResponse::data(answer, 202);
}

} // namespace standby
