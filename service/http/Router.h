#pragma once

#include "http/HttpRequest.h"
#include "http/HttpResponder.h"
#include "http/HttpResponse.h"

#include <QByteArrayList>
#include <QStringList>

#include <functional>

namespace standby {

// Method + path pattern → handler. Patterns are literal segments and {name} captures, e.g.
// "/api/v1/workers/{id}". A path that matches with another method is a 405 naming the allowed
// ones, not a 404.
class Router
{
public:
    using Handler = std::function<HttpResponse(const HttpRequest &)>;
    // For answers that come later: the handler keeps the responder and sends when it can.
    using AsyncHandler = std::function<void(const HttpRequest &, HttpResponder)>;

    struct Match
    {
        enum class Kind { Found, NotFound, MethodNotAllowed };
        Kind kind = Kind::NotFound;
        const Handler *handler = nullptr;           // set for add()
        const AsyncHandler *asyncHandler = nullptr; // set for addAsync()
        QHash<QString, QString> params;
        QByteArrayList allowedMethods;
    };

    void add(const QByteArray &method, const QString &pattern, Handler handler);
    void addAsync(const QByteArray &method, const QString &pattern, AsyncHandler handler);
    // HEAD falls back to the GET route of the same path.
    Match match(const QByteArray &method, const QString &path) const;

    static QStringList splitPath(const QString &path);

private:
    struct Route
    {
        QByteArray method;
        QStringList segments;
        Handler handler;
        AsyncHandler asyncHandler;
    };
    static bool matchSegments(const Route &route, const QStringList &segments,
                              QHash<QString, QString> *params);

    QList<Route> m_routes;
};

} // namespace standby
