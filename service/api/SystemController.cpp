#include "api/SystemController.h"

namespace standby {

void SystemController::registerRoutes(Router &router)
{
    router.add("GET", QStringLiteral("/api/v1/health"),
               [this](const HttpRequest &request) { return health(request); });
    router.add("GET", QStringLiteral("/api/v1/info"),
               [this](const HttpRequest &request) { return info(request); });
}

HttpResponse SystemController::health(const HttpRequest &) const
{
    return HttpResponse::data(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}});
}

HttpResponse SystemController::info(const HttpRequest &) const
{
    return HttpResponse::data(m_daemon.selfInfo());
}

} // namespace standby
