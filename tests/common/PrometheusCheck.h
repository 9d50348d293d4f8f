#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace standby::test {

// A strict reader of the Prometheus text format 0.0.4, for tests: it takes the exposition apart
// and lists every way it breaks the format or its conventions.
struct PromSample
{
    QString name;
    QMap<QString, QString> labels; // values unescaped
    double value = 0;
};

struct PromFamily
{
    QString name;
    QString type; // counter, gauge, …
    QString help; // unescaped
    QList<PromSample> samples;
};

struct PromExposition
{
    QHash<QString, PromFamily> families;
    QStringList problems; // empty when the text is well formed
};

// Checks: every line ends in \n; each family has one HELP and one TYPE before its samples, and
// its samples are together; names and label names are valid; label values use only the escapes
// \\ \" \n; values parse; a counter's name ends in _total and nothing else's does; no two samples
// share a name and label set.
PromExposition parsePrometheus(const QByteArray &text);

} // namespace standby::test
