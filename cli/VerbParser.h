#pragma once

#include <QCommandLineParser>

#include <optional>

namespace standby::cli {

// QCommandLineParser for one verb, with -h/--help, a usage error that points to the help, and
// the help text itself.
class VerbParser
{
public:
    VerbParser(const QString &command, const char *helpText);

    void addOption(const QCommandLineOption &option) { m_parser.addOption(option); }
    // nullopt: parsed, go on. Otherwise the exit code to return (help shown or usage error).
    std::optional<int> parse(const QStringList &argumentsAfterVerb);

    QCommandLineParser &parser() { return m_parser; }
    QStringList positional() const { return m_parser.positionalArguments(); }
    int usageError(const QString &message) const;

private:
    QString m_command;
    const char *m_help;
    QCommandLineParser m_parser;
    QCommandLineOption m_helpOption;
};

} // namespace standby::cli
