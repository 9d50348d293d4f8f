#include "cli/VerbParser.h"

#include "cli/CliError.h"

#include <cstdio>

namespace standby::cli {

VerbParser::VerbParser(const QString &command, const char *helpText)
    : m_command(command)
    , m_help(helpText)
    , m_helpOption(QStringList{QStringLiteral("h"), QStringLiteral("help")})
{
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    m_parser.addOption(m_helpOption);
}

std::optional<int> VerbParser::parse(const QStringList &argumentsAfterVerb)
{
    if (!m_parser.parse(QStringList{m_command} + argumentsAfterVerb))
        return usageError(m_parser.errorText());
    if (m_parser.isSet(m_helpOption)) {
        std::fputs(m_help, stdout);
        return kOk;
    }
    return std::nullopt;
}

int VerbParser::usageError(const QString &message) const
{
    return cli::usageError(message, m_command);
}

} // namespace standby::cli
