#include "http/AccessPolicy.h"

namespace standby {

AccessPolicy::AccessPolicy(const QHostAddress &address, quint16 port)
{
    const QString portText = QString::number(port);
    auto add = [&](const QString &host) {
        m_hosts.append(host + QLatin1Char(':') + portText);
        m_origins.append(QStringLiteral("http://") + host + QLatin1Char(':') + portText);
    };
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        add(QLatin1Char('[') + address.toString() + QLatin1Char(']'));
    else
        add(address.toString());
    if (address.isLoopback())
        add(QStringLiteral("localhost"));
    // Bound to every interface or another machine-facing address, the names it is reached by
    // are not known here; password auth guards those.
    m_anyHost = !address.isLoopback();
}

std::optional<HttpResponse> AccessPolicy::check(const HttpRequest &request) const
{
    const QString host = QString::fromLatin1(request.header("Host")).trimmed().toLower();
    if (!m_anyHost && !m_hosts.contains(host))
        return HttpResponse::error(421, QStringLiteral("misdirected_request"),
                                   QStringLiteral("this daemon answers only as %1, not as \"%2\"")
                                       .arg(m_hosts.join(QStringLiteral(" or ")), host.left(100)));

    const QByteArray origin = request.header("Origin");
    if (!origin.isEmpty() && !m_anyHost &&
        !m_origins.contains(QString::fromLatin1(origin).toLower()))
        return HttpResponse::error(403, QStringLiteral("forbidden_origin"),
                                   QStringLiteral("requests from %1 are not allowed")
                                       .arg(QString::fromLatin1(origin.left(100))));

    const bool safe =
        request.method == "GET" || request.method == "HEAD" || request.method == "OPTIONS";
    const bool fromBrowser = !origin.isEmpty() || !request.header("Referer").isEmpty() ||
                             !request.header("Sec-Fetch-Site").isEmpty() ||
                             !request.header("Sec-Fetch-Mode").isEmpty() ||
                             !request.header("Cookie").isEmpty();
    if (!safe && fromBrowser && request.header("X-Standby-Request") != "1")
        return HttpResponse::error(403, QStringLiteral("csrf_check_failed"),
                                   QStringLiteral("a browser request that changes state needs "
                                                  "the header X-Standby-Request: 1"));
    return std::nullopt;
}

} // namespace standby
