#include "core/SessionName.h"

#include <QRandomGenerator>

#include <algorithm>

namespace standby {

static bool isNameChar(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
           (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
           (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('.') ||
           c == QLatin1Char('_') || c == QLatin1Char('-');
}

Status SessionName::validate(const QString &name)
{
    auto invalid = [&](const QString &why) {
        return Error{QStringLiteral("invalid_name"),
                     QStringLiteral("invalid session name \"%1\": %2").arg(name.left(80), why)};
    };
    if (name.isEmpty())
        return invalid(QStringLiteral("it is empty"));
    if (name.size() > kMaxLength)
        return invalid(QStringLiteral("longer than %1 characters").arg(kMaxLength));
    if (name.startsWith(QLatin1Char('.')))
        return invalid(QStringLiteral("it may not start with '.'"));
    // Every command takes a name or a PID; a name of digits would be shadowed by a PID.
    if (std::all_of(name.begin(), name.end(), [](QChar c) { return c.isDigit(); }))
        return invalid(QStringLiteral("a name of digits only would be taken for a PID"));
    if (name.startsWith(QLatin1Char('-')))
        return invalid(QStringLiteral("it may not start with '-' (it would read as an option)"));
    // logs/daemon.log is the daemon's own process log.
    if (name == QLatin1String("daemon"))
        return invalid(QStringLiteral("\"daemon\" is reserved"));
    for (const QChar c : name) {
        if (!isNameChar(c))
            return invalid(QStringLiteral("only letters, digits, '.', '_' and '-' are allowed"));
    }
    return std::nullopt;
}

QString SessionName::generate(const QString &task, const QSet<QString> &taken)
{
    // The first words, lower-case, reduced to name characters: "Fix the login bug" → fix-the-login.
    QString stem;
    int words = 0;
    bool inWord = false;
    for (const QChar c : task) {
        const QChar lower = c.toLower();
        if (lower.unicode() < 128 && lower.isLetterOrNumber()) {
            if (!inWord && !stem.isEmpty())
                stem += QLatin1Char('-');
            if (!inWord)
                ++words;
            if (words > 3)
                break;
            stem += lower;
            inWord = true;
        } else {
            inWord = false;
        }
        if (stem.size() >= 24)
            break;
    }
    while (stem.endsWith(QLatin1Char('-')))
        stem.chop(1);
    if (stem.isEmpty())
        stem = QStringLiteral("session");
    for (;;) {
        const QString name = QStringLiteral("%1-%2").arg(stem).arg(
            QRandomGenerator::global()->bounded(0x10000), 4, 16, QLatin1Char('0'));
        if (!taken.contains(name))
            return name;
    }
}

} // namespace standby
