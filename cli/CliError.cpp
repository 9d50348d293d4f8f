#include "cli/CliError.h"

#include "core/LogCategories.h"

#include <QJsonDocument>

#include <cstdio>

namespace standby::cli {

int exitCodeFor(const QString &code)
{
    if (code == QLatin1String("usage"))
        return kUsage;
    if (code == QLatin1String("not_found") || code == QLatin1String("agent_not_installed") ||
        code == QLatin1String("unknown_agent") || code == QLatin1String("invalid_cwd"))
        return kNotFound;
    if (code == QLatin1String("not_running") || code == QLatin1String("unresponsive"))
        return kNotRunning;
    if (code == QLatin1String("port_in_use") || code == QLatin1String("address_unavailable") ||
        code == QLatin1String("permission_denied") || code == QLatin1String("already_running") ||
        code == QLatin1String("auth_unavailable") || code == QLatin1String("forbidden") ||
        code == QLatin1String("not_resident") || code == QLatin1String("name_taken") ||
        code == QLatin1String("is_daemon") || code == QLatin1String("remote") ||
        code == QLatin1String("refused"))
        return kRefused;
    return kUsage;
}

int report(const Error &error)
{
    std::fprintf(stderr, "standby: %s\n", qUtf8Printable(error.message));
    // For the telemetry log only (the line above is what the user reads).
    qCWarning(lcCli, "%s (%s)", qUtf8Printable(error.message), qUtf8Printable(error.code));
    return exitCodeFor(error.code);
}

void printJson(const QJsonObject &object)
{
    std::printf("%s\n", QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

int usageError(const QString &message, const QString &helpCommand)
{
    std::fprintf(stderr, "standby: %s\nRun '%s --help' for usage.\n", qUtf8Printable(message),
                 qUtf8Printable(helpCommand));
    return kUsage;
}

} // namespace standby::cli
