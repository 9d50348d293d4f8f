#include "core/AgentProfile.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

namespace standby {

Result<AgentProfile> AgentProfile::fromJson(const QString &name, const QJsonObject &object)
{
    AgentProfile profile;
    profile.name = name;
    const QJsonArray command = object.value(QStringLiteral("command")).toArray();
    for (const QJsonValue &part : command) {
        if (!part.isString())
            return Error{QStringLiteral("invalid_agent"),
                         QStringLiteral("config.json: agents.%1.command must be a list of strings")
                             .arg(name)};
        profile.command.append(part.toString());
    }
    if (profile.command.isEmpty() || profile.command.constFirst().isEmpty())
        return Error{QStringLiteral("invalid_agent"),
                     QStringLiteral("config.json: agents.%1.command is empty").arg(name)};
    const QJsonValue output = object.value(QStringLiteral("output"));
    if (!output.isUndefined() && !output.isNull()) {
        profile.output = output.toString();
        if (!output.isString() ||
            (!profile.output.isEmpty() && profile.output != kText && profile.output != kStreamJson))
            return Error{QStringLiteral("invalid_agent"),
                         QStringLiteral("config.json: agents.%1.output must be \"text\" or "
                                        "\"stream-json\"")
                             .arg(name)};
    }
    return profile;
}

QStringList AgentProfile::argv(const QString &prompt) const
{
    QStringList out;
    out.reserve(command.size());
    for (QString part : command)
        out.append(part.replace(QLatin1String("{prompt}"), prompt));
    return out;
}

Result<QString> AgentProfile::resolveProgram(const QProcessEnvironment &environment) const
{
    const QString program = command.constFirst();
    auto missing = [&](const QString &why) {
        return Error{QStringLiteral("agent_not_installed"),
                     QStringLiteral("agent \"%1\" needs the program \"%2\", which %3")
                         .arg(name, program, why)};
    };
    if (program.contains(QLatin1Char('/'))) {
        const QFileInfo info(program);
        if (!info.exists())
            return missing(QStringLiteral("does not exist"));
        if (!info.isFile() || !info.isExecutable())
            return missing(QStringLiteral("is not an executable file"));
        return info.absoluteFilePath();
    }
    const QString path =
        environment.value(QStringLiteral("PATH"), QStringLiteral("/usr/local/bin:/usr/bin:/bin"));
    for (const QString &dir : path.split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
        const QFileInfo info(QDir(dir).filePath(program));
        if (info.isFile() && info.isExecutable())
            return info.absoluteFilePath();
    }
    return missing(QStringLiteral("is not installed (not found on PATH)"));
}

} // namespace standby
