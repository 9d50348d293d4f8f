#include "http/RequestFramer.h"

#include <QTest>

using namespace standby;

class TestRequestFramer : public QObject
{
    Q_OBJECT

private:
    static HttpLimits smallLimits()
    {
        HttpLimits limits;
        limits.maxRequestLineBytes = 64;
        limits.maxHeaderBytes = 256;
        limits.maxBodyBytes = 100;
        return limits;
    }

    static int statusOf(const QByteArray &bytes, const HttpLimits &limits = smallLimits())
    {
        RequestFramer framer(limits);
        const auto violation = framer.feed(bytes);
        return violation ? violation->status : 0;
    }

private Q_SLOTS:
    void acceptsOrdinaryRequests()
    {
        QCOMPARE(statusOf("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
        QCOMPARE(statusOf("POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + QByteArray(100, 'a')),
                 0);
    }

    void refusesOversizeAndMalformed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        QTest::newRow("body over limit")
            << QByteArray("POST /x HTTP/1.1\r\nContent-Length: 101\r\n\r\n") << 413;
        QTest::newRow("huge length")
            << QByteArray("POST /x HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n") << 413;
        QTest::newRow("request line") << ("GET /" + QByteArray(100, 'a')) << 414;
        QTest::newRow("headers") << ("GET / HTTP/1.1\r\nX: " + QByteArray(300, 'a') + "\r\n\r\n")
                                 << 431;
        QTest::newRow("headers without end")
            << ("GET / HTTP/1.1\r\n" + QByteArray(300, 'a')) << 431;
        QTest::newRow("chunked") << QByteArray(
                                        "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                                 << 411;
        QTest::newRow("two lengths")
            << QByteArray("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
            << 400;
        QTest::newRow("negative length")
            << QByteArray("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n") << 400;
        QTest::newRow("garbage") << QByteArray("\x16\x03\x01 hello\r\n\r\n") << 400;
        QTest::newRow("lowercase method") << QByteArray("get / HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("tls hello, no terminator") << QByteArray("\x16\x03\x01\x02\x00", 5) << 400;
        QTest::newRow("folded header")
            << QByteArray("POST /x HTTP/1.1\r\nTransfer-Encoding:\r\n chunked\r\n\r\n") << 400;
        QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: x\n\n") << 400;
        QTest::newRow("http2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 400;
    }
    void refusesOversizeAndMalformed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        QCOMPARE(statusOf(bytes), status);
    }

    void followsRequestsAcrossArbitrarySplits()
    {
        const QByteArray stream = "\r\nPOST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
                                  "GET /b HTTP/1.1\r\n\r\n"
                                  "POST /c HTTP/1.1\r\nContent-Length: 101\r\n\r\n";
        // Whatever the split, the third request is the one refused, and only at its end.
        for (int chunk = 1; chunk <= 7; ++chunk) {
            RequestFramer framer(smallLimits());
            std::optional<RequestFramer::Violation> violation;
            qsizetype fedWhenRefused = -1;
            for (qsizetype at = 0; at < stream.size() && !violation; at += chunk) {
                violation = framer.feed(QByteArrayView(stream).sliced(at).first(
                    qMin<qsizetype>(chunk, stream.size() - at)));
                if (violation)
                    fedWhenRefused = qMin<qsizetype>(at + chunk, stream.size());
            }
            QVERIFY(violation.has_value());
            QCOMPARE(violation->status, 413);
            QCOMPARE(fedWhenRefused, stream.size());
        }
    }

    void bodyBytesAreNotTakenForHeaders()
    {
        // A body that looks like a request line must not be parsed as one.
        RequestFramer framer(smallLimits());
        QVERIFY(!framer.feed("POST /a HTTP/1.1\r\nContent-Length: 20\r\n\r\n").has_value());
        QVERIFY(!framer.feed("garbage garbage gar\n").has_value());
        QVERIFY(framer.isIdle());
        QVERIFY(!framer.feed("GET / HTTP/1.1\r\n\r\n").has_value());
    }

    void expectContinueIsReportedOnce()
    {
        RequestFramer framer(smallLimits());
        QVERIFY(
            !framer.feed("POST /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
                 .has_value());
        QVERIFY(framer.takeExpectContinue());
        QVERIFY(!framer.takeExpectContinue());
    }

    void onlyAWebSocketUpgradeStopsExamination()
    {
        RequestFramer other(smallLimits());
        QVERIFY(!other.feed("GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n").has_value());
        QVERIFY(!other.isUpgraded());
        QCOMPARE(other.feed("POST /x HTTP/1.1\r\nContent-Length: 101\r\n\r\n")->status, 413);
        RequestFramer framer(smallLimits());
        QVERIFY(
            !framer.feed("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                 .has_value());
        QVERIFY(framer.isUpgraded());
        QVERIFY(!framer.feed(QByteArray(10000, '\x81')).has_value());
    }
};

QTEST_GUILESS_MAIN(TestRequestFramer)
#include "tst_requestframer.moc"
