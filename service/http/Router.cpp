#include "http/Router.h"

namespace standby {

QStringList Router::splitPath(const QString &path)
{
    // Empty segments ("//", a trailing "/") carry no meaning here.
    return path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
}

void Router::add(const QByteArray &method, const QString &pattern, Handler handler)
{
    m_routes.append({method, splitPath(pattern), std::move(handler), {}, {}});
}

void Router::addAsync(const QByteArray &method, const QString &pattern, AsyncHandler handler)
{
    m_routes.append({method, splitPath(pattern), {}, std::move(handler), {}});
}

void Router::addWebSocket(const QString &pattern, WebSocketHandler handler)
{
    m_routes.append({"GET", splitPath(pattern), {}, {}, std::move(handler)});
}

bool Router::matchSegments(const Route &route, const QStringList &segments,
                           QHash<QString, QString> *params)
{
    if (route.segments.size() != segments.size())
        return false;
    QHash<QString, QString> captured;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &expected = route.segments.at(i);
        if (expected.startsWith(QLatin1Char('{')) && expected.endsWith(QLatin1Char('}'))) {
            captured.insert(expected.mid(1, expected.size() - 2), segments.at(i));
        } else if (expected != segments.at(i)) {
            return false;
        }
    }
    *params = std::move(captured);
    return true;
}

Router::Match Router::match(const QByteArray &method, const QString &path) const
{
    const QStringList segments = splitPath(path);
    Match result;
    for (const Route &route : m_routes) {
        QHash<QString, QString> params;
        if (!matchSegments(route, segments, &params))
            continue;
        if (route.method == method || (method == "HEAD" && route.method == "GET")) {
            result.kind = Match::Kind::Found;
            result.handler = route.handler ? &route.handler : nullptr;
            result.asyncHandler = route.asyncHandler ? &route.asyncHandler : nullptr;
            result.webSocketHandler = route.webSocketHandler ? &route.webSocketHandler : nullptr;
            result.params = std::move(params);
            return result;
        }
        if (!result.allowedMethods.contains(route.method))
            result.allowedMethods.append(route.method);
    }
    result.kind =
        result.allowedMethods.isEmpty() ? Match::Kind::NotFound : Match::Kind::MethodNotAllowed;
    return result;
}

} // namespace standby
