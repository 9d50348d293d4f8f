#include "metrics/PrometheusText.h"

#include <charconv>
#include <cmath>

namespace standby {

void PrometheusText::family(const QByteArray &name, Type type, const QString &help)
{
    Q_ASSERT(name.endsWith("_total") == (type == Type::Counter));
    m_family = name;
    m_text.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
    m_text.append("# TYPE ").append(name).append(type == Type::Counter ? " counter\n" : " gauge\n");
}

void PrometheusText::sample(double value, const Labels &labels)
{
    m_text.append(m_family);
    if (!labels.isEmpty()) {
        m_text.append('{');
        for (qsizetype i = 0; i < labels.size(); ++i) {
            if (i > 0)
                m_text.append(',');
            m_text.append(labels.at(i).first)
                .append("=\"")
                .append(escapeLabelValue(labels.at(i).second))
                .append('"');
        }
        m_text.append('}');
    }
    m_text.append(' ').append(formatValue(value)).append('\n');
}

QByteArray PrometheusText::escapeLabelValue(const QString &value)
{
    QByteArray out;
    const QByteArray utf8 = value.toUtf8();
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            out.append("\\\\");
        else if (c == '"')
            out.append("\\\"");
        else if (c == '\n')
            out.append("\\n");
        else
            out.append(c);
    }
    return out;
}

QByteArray PrometheusText::escapeHelp(const QString &help)
{
    QByteArray out;
    for (const char c : help.toUtf8()) {
        if (c == '\\')
            out.append("\\\\");
        else if (c == '\n')
            out.append("\\n");
        else
            out.append(c);
    }
    return out;
}

QByteArray PrometheusText::formatValue(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    char buffer[64];
    std::to_chars_result result;
    if (value == std::trunc(value) && std::fabs(value) < 1e15)
        result = std::to_chars(buffer, buffer + sizeof buffer, qint64(value));
    else
        result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, result.ptr - buffer);
}

} // namespace standby
