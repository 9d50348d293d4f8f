#pragma once

#include "core/Error.h"

#include <QJsonObject>
#include <QProcessEnvironment>
#include <QStringList>

namespace standby {

// One agent profile from config.json: the command a session runs, with {prompt} standing for the
// task text. The prompt always becomes part of exactly one argv element; no shell ever sees it
// unless the profile itself runs a shell (as the built-in "shell" profile does on purpose).
struct AgentProfile
{
    QString name;
    QStringList command;
    // What the agent prints: "" or "text" (plain), or "stream-json" (one JSON event a line,
    // which the transcript keeps as structured "agent" events).
    QString output;

    static constexpr QLatin1String kText{"text"};
    static constexpr QLatin1String kStreamJson{"stream-json"};

    bool printsStreamJson() const { return output == kStreamJson; }

    static Result<AgentProfile> fromJson(const QString &name, const QJsonObject &object);

    QStringList argv(const QString &prompt) const;

    // The program's absolute path, looked up in the PATH of `environment` when it has no '/'.
    // Error agent_not_installed names the missing program.
    Result<QString> resolveProgram(const QProcessEnvironment &environment) const;
};

} // namespace standby
