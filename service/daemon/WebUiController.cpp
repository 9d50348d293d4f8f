#include "daemon/WebUiController.h"

#include <QFile>
#include <QRegularExpression>

namespace standby {

static QByteArray contentTypeFor(const QString &path)
{
    // What the Vite build emits (resources/web/vite.config.ts), and what a later asset may be.
    static const QList<QPair<QLatin1String, QByteArray>> types{
        {QLatin1String(".html"), "text/html"},
        {QLatin1String(".js"), "text/javascript"},
        {QLatin1String(".css"), "text/css"},
        {QLatin1String(".svg"), "image/svg+xml"},
        {QLatin1String(".png"), "image/png"},
        {QLatin1String(".ico"), "image/x-icon"},
        {QLatin1String(".woff2"), "font/woff2"},
        {QLatin1String(".json"), "application/json"},
        {QLatin1String(".webmanifest"), "application/manifest+json"},
    };
    for (const auto &[suffix, type] : types) {
        if (path.endsWith(suffix))
            return type;
    }
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
    // Everything from this daemon, nothing inline. The one hash is that of the empty string: an
    // empty <style> element is allowed, because xterm.js inserts some (and fills them through
    // the page's cspStyles.ts shim, which moves their text into constructed style sheets); an
    // empty one applies nothing, and one with any text in it is still refused.
    response.setHeader("Content-Security-Policy",
                       "default-src 'self'; "
                       "style-src 'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='; "
                       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    return response;
}

} // namespace standby
