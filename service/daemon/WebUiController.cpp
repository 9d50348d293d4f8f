#include "daemon/WebUiController.h"

#include <QFile>
#include <QRegularExpression>

namespace standby {

static QByteArray contentTypeFor(const QString &path)
{
    if (path.endsWith(QLatin1String(".html")))
        return "text/html";
    if (path.endsWith(QLatin1String(".js")))
        return "text/javascript";
    if (path.endsWith(QLatin1String(".css")))
        return "text/css";
    if (path.endsWith(QLatin1String(".svg")))
        return "image/svg+xml";
    if (path.endsWith(QLatin1String(".png")))
        return "image/png";
    return "application/octet-stream";
}

void WebUiController::registerRoutes(Router &router)
{
    router.add("GET", QStringLiteral("/"),
               [](const HttpRequest &) { return serveFile(QStringLiteral(":/web/index.html")); });
    router.add("GET", QStringLiteral("/assets/{file}"), [](const HttpRequest &request) {
        const QString file = request.param(QStringLiteral("file"));
        // One plain file name: no path of any kind reaches the resource lookup.
        static const QRegularExpression allowed(QStringLiteral("^[A-Za-z0-9_-][A-Za-z0-9._-]*$"));
        if (!allowed.match(file).hasMatch())
            return HttpResponse::error(404, QStringLiteral("not_found"),
                                       QStringLiteral("no such asset"));
        return serveFile(QStringLiteral(":/web/assets/") + file);
    });
}

HttpResponse WebUiController::serveFile(const QString &resourcePath)
{
    QFile file(resourcePath);
    if (!file.open(QIODevice::ReadOnly))
        return HttpResponse::error(404, QStringLiteral("not_found"),
                                   QStringLiteral("the web UI is not built into this daemon"));
    HttpResponse response = HttpResponse::raw(200, contentTypeFor(resourcePath), file.readAll());
    response.setHeader("Content-Security-Policy",
                       "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    return response;
}

} // namespace standby
