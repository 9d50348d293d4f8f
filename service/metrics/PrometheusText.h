#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace standby {

// Writes the Prometheus text exposition format 0.0.4: each family's HELP and TYPE lines, then
// its samples. Label values and HELP text are escaped as the format requires, so a name with a
// quote, backslash or newline cannot break a line or forge another sample.
class PrometheusText
{
public:
    enum class Type { Counter, Gauge };
    using Labels = QList<QPair<QByteArray, QString>>;

    static constexpr const char *kContentType = "text/plain; version=0.0.4; charset=utf-8";

    // Starts a family. Counters must be named with the _total suffix and nothing else may be:
    // the format's convention, which promtool checks.
    void family(const QByteArray &name, Type type, const QString &help);
    // A sample of the current family.
    void sample(double value, const Labels &labels = {});

    const QByteArray &text() const { return m_text; }

    // Backslash, double quote and line feed escaped.
    static QByteArray escapeLabelValue(const QString &value);
    // Backslash and line feed escaped (quotes are literal in HELP).
    static QByteArray escapeHelp(const QString &help);
    // Integers without an exponent, others shortest round-trip; NaN and +Inf/-Inf as the format
    // spells them.
    static QByteArray formatValue(double value);

private:
    QByteArray m_text;
    QByteArray m_family;
};

} // namespace standby
