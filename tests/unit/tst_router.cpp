#include "http/Router.h"

#include <QTest>

using namespace standby;

class TestRouter : public QObject
{
    Q_OBJECT

private:
    static Router::Handler tag(const QByteArray &name)
    {
        return [name](const HttpRequest &) { return HttpResponse::raw(200, "text/plain", name); };
    }

private Q_SLOTS:
    void matchesLiteralsAndCaptures()
    {
        Router router;
        router.add("GET", QStringLiteral("/api/v1/workers"), tag("list"));
        router.add("GET", QStringLiteral("/api/v1/workers/{id}"), tag("one"));
        router.add("DELETE", QStringLiteral("/api/v1/workers/{id}"), tag("kill"));
        router.add("GET", QStringLiteral("/api/v1/workers/{id}/logs"), tag("logs"));

        Router::Match match = router.match("GET", QStringLiteral("/api/v1/workers/feature-x"));
        QCOMPARE(match.kind, Router::Match::Kind::Found);
        QCOMPARE(match.params.value(QStringLiteral("id")), QStringLiteral("feature-x"));
        QCOMPARE((*match.handler)(HttpRequest()).body(), QByteArray("one"));

        match = router.match("DELETE", QStringLiteral("/api/v1/workers/12"));
        QCOMPARE((*match.handler)(HttpRequest()).body(), QByteArray("kill"));
        // A trailing slash names the same resource.
        match = router.match("GET", QStringLiteral("/api/v1/workers/"));
        QCOMPARE((*match.handler)(HttpRequest()).body(), QByteArray("list"));
        match = router.match("GET", QStringLiteral("/api/v1/workers/7/logs"));
        QCOMPARE(match.params.value(QStringLiteral("id")), QStringLiteral("7"));
    }

    void unknownPathIs404AndWrongMethodIs405()
    {
        Router router;
        router.add("GET", QStringLiteral("/api/v1/health"), tag("h"));
        router.add("POST", QStringLiteral("/api/v1/runs"), tag("r"));
        router.add("GET", QStringLiteral("/api/v1/runs"), tag("l"));
        QCOMPARE(router.match("GET", QStringLiteral("/api/v1/nope")).kind,
                 Router::Match::Kind::NotFound);
        QCOMPARE(router.match("GET", QStringLiteral("/api/v1/health/extra")).kind,
                 Router::Match::Kind::NotFound);
        const Router::Match match = router.match("DELETE", QStringLiteral("/api/v1/runs"));
        QCOMPARE(match.kind, Router::Match::Kind::MethodNotAllowed);
        QCOMPARE(match.allowedMethods, (QByteArrayList{"POST", "GET"}));
    }

    void headUsesTheGetRoute()
    {
        Router router;
        router.add("GET", QStringLiteral("/"), tag("index"));
        QCOMPARE(router.match("HEAD", QStringLiteral("/")).kind, Router::Match::Kind::Found);
        QCOMPARE(router.match("POST", QStringLiteral("/")).kind,
                 Router::Match::Kind::MethodNotAllowed);
    }

    void envelope()
    {
        const HttpResponse ok = HttpResponse::data(QJsonObject{{"a", 1}});
        QCOMPARE(ok.body(), QByteArray(R"({"data":{"a":1}})"));
        const HttpResponse error =
            HttpResponse::error(404, QStringLiteral("not_found"), QStringLiteral("gone"));
        QCOMPARE(error.status(), 404);
        QCOMPARE(error.body(), QByteArray(R"({"error":{"code":"not_found","message":"gone"}})"));
        const QByteArray wire = error.serialize(true);
        QVERIFY(wire.startsWith("HTTP/1.1 404 Not Found\r\n"));
        QVERIFY(wire.contains("\r\nContent-Length: 47\r\n"));
        QVERIFY(wire.contains("\r\nConnection: close\r\n"));
        QVERIFY(wire.contains("\r\nX-Content-Type-Options: nosniff\r\n"));
        QVERIFY(!HttpResponse::data(1).serialize(false, true).endsWith("1}"));
    }
};

QTEST_GUILESS_MAIN(TestRouter)
#include "tst_router.moc"
