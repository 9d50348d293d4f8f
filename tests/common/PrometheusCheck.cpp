#include "common/PrometheusCheck.h"

#include <QRegularExpression>
#include <QSet>

namespace standby::test {

namespace {

bool isMetricName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-zA-Z_:][a-zA-Z0-9_:]*$"));
    return pattern.match(name).hasMatch();
}

bool isLabelName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    return pattern.match(name).hasMatch() && !name.startsWith(QLatin1String("__"));
}

bool parseValue(const QByteArray &text, double *value)
{
    if (text == "NaN") {
        *value = qQNaN();
        return true;
    }
    if (text == "+Inf" || text == "-Inf") {
        *value = text.startsWith('+') ? qInf() : -qInf();
        return true;
    }
    bool ok = false;
    *value = text.toDouble(&ok);
    return ok;
}

// Unescapes a HELP text (\\ and \n only); false on any other escape.
bool unescapeHelp(const QByteArray &text, QString *out)
{
    QByteArray result;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) != '\\') {
            result += text.at(i);
            continue;
        }
        if (++i >= text.size())
            return false;
        if (text.at(i) == '\\')
            result += '\\';
        else if (text.at(i) == 'n')
            result += '\n';
        else
            return false;
    }
    *out = QString::fromUtf8(result);
    return true;
}

} // namespace

PromExposition parsePrometheus(const QByteArray &text)
{
    PromExposition out;
    auto problem = [&](int line, const QString &what) {
        out.problems.append(QStringLiteral("line %1: %2").arg(line).arg(what));
    };
    if (!text.isEmpty() && !text.endsWith('\n'))
        out.problems.append(QStringLiteral("the last line does not end with a line feed"));
    QString current; // the family whose samples are being read
    QSet<QString> closed;
    QSet<QString> seenSeries;
    const QList<QByteArray> lines = text.split('\n');
    for (int n = 0; n < lines.size(); ++n) {
        const QByteArray &line = lines.at(n);
        const int number = n + 1;
        if (line.isEmpty())
            continue;
        if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
            const QByteArray rest = line.mid(7);
            const qsizetype space = rest.indexOf(' ');
            const QString name = QString::fromUtf8(space < 0 ? rest : rest.left(space));
            const QByteArray value = space < 0 ? QByteArray() : rest.mid(space + 1);
            if (!isMetricName(name)) {
                problem(number, QStringLiteral("invalid metric name \"%1\"").arg(name));
                continue;
            }
            if (closed.contains(name) ||
                (!current.isEmpty() && current != name && out.families.contains(name)))
                problem(number, QStringLiteral("%1 appears again after other families").arg(name));
            if (current != name && !current.isEmpty())
                closed.insert(current);
            current = name;
            PromFamily &family = out.families[name];
            family.name = name;
            if (!family.samples.isEmpty())
                problem(number, QStringLiteral("%1: HELP/TYPE after its samples").arg(name));
            if (line.startsWith("# HELP ")) {
                if (!family.help.isNull())
                    problem(number, QStringLiteral("%1: second HELP").arg(name));
                QString help;
                if (!unescapeHelp(value, &help))
                    problem(number, QStringLiteral("%1: bad escape in HELP").arg(name));
                family.help = help.isNull() ? QStringLiteral("") : help;
            } else {
                if (!family.type.isEmpty())
                    problem(number, QStringLiteral("%1: second TYPE").arg(name));
                family.type = QString::fromUtf8(value);
                static const QStringList types{"counter", "gauge", "histogram", "summary",
                                               "untyped"};
                if (!types.contains(family.type))
                    problem(number, QStringLiteral("%1: unknown type %2").arg(name, family.type));
            }
            continue;
        }
        if (line.startsWith('#'))
            continue; // a plain comment
        // name{label="value",…} value [timestamp]
        PromSample sample;
        qsizetype i = 0;
        while (i < line.size() && line.at(i) != '{' && line.at(i) != ' ')
            ++i;
        sample.name = QString::fromUtf8(line.left(i));
        if (!isMetricName(sample.name)) {
            problem(number, QStringLiteral("invalid sample name \"%1\"").arg(sample.name));
            continue;
        }
        if (i < line.size() && line.at(i) == '{') {
            ++i;
            bool ok = true;
            while (ok && i < line.size() && line.at(i) != '}') {
                const qsizetype eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= line.size() || line.at(eq + 1) != '"') {
                    ok = false;
                    break;
                }
                const QString labelName = QString::fromUtf8(line.mid(i, eq - i));
                if (!isLabelName(labelName))
                    problem(number, QStringLiteral("invalid label name \"%1\"").arg(labelName));
                QByteArray value;
                i = eq + 2;
                for (;;) {
                    if (i >= line.size()) {
                        ok = false;
                        break;
                    }
                    const char c = line.at(i++);
                    if (c == '"')
                        break;
                    if (c != '\\') {
                        value += c;
                        continue;
                    }
                    const char e = i < line.size() ? line.at(i++) : '\0';
                    if (e == '\\' || e == '"')
                        value += e;
                    else if (e == 'n')
                        value += '\n';
                    else {
                        problem(number, QStringLiteral("bad escape in a label value"));
                        ok = false;
                        break;
                    }
                }
                if (!ok)
                    break;
                if (sample.labels.contains(labelName))
                    problem(number, QStringLiteral("label %1 twice").arg(labelName));
                sample.labels.insert(labelName, QString::fromUtf8(value));
                if (i < line.size() && line.at(i) == ',')
                    ++i;
            }
            if (!ok || i >= line.size()) {
                problem(number, QStringLiteral("malformed labels"));
                continue;
            }
            ++i; // the '}'
        }
        if (i >= line.size() || line.at(i) != ' ') {
            problem(number, QStringLiteral("no value"));
            continue;
        }
        const QList<QByteArray> rest = line.mid(i + 1).split(' ');
        if (rest.isEmpty() || rest.size() > 2 || !parseValue(rest.at(0), &sample.value)) {
            problem(number, QStringLiteral("bad value \"%1\"").arg(QString::fromUtf8(line)));
            continue;
        }
        if (sample.name != current) {
            problem(number, QStringLiteral("sample %1 outside its family (HELP/TYPE of %2 "
                                           "came last)")
                                .arg(sample.name, current));
            continue;
        }
        QString series = sample.name;
        for (auto it = sample.labels.cbegin(); it != sample.labels.cend(); ++it)
            series += QLatin1Char('\x1f') + it.key() + QLatin1Char('=') + it.value();
        if (seenSeries.contains(series))
            problem(number, QStringLiteral("duplicate series %1").arg(sample.name));
        seenSeries.insert(series);
        out.families[current].samples.append(sample);
    }
    for (const PromFamily &family : std::as_const(out.families)) {
        if (family.help.isNull())
            out.problems.append(QStringLiteral("%1 has no HELP").arg(family.name));
        if (family.type.isEmpty())
            out.problems.append(QStringLiteral("%1 has no TYPE").arg(family.name));
        const bool total = family.name.endsWith(QLatin1String("_total"));
        if (family.type == QLatin1String("counter") && !total)
            out.problems.append(QStringLiteral("counter %1 lacks _total").arg(family.name));
        if (family.type != QLatin1String("counter") && total)
            out.problems.append(
                QStringLiteral("%1 is a %2 but ends in _total").arg(family.name, family.type));
    }
    return out;
}

} // namespace standby::test
