#include "core/RegistryEntry.h"

#include <QJsonValue>

namespace standby {

static QJsonValue stringOrNull(const QString &value)
{
    return value.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

static QJsonValue numberOrNull(qint64 value)
{
    return value == 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

QString RegistryEntry::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Interactive:
        return QStringLiteral("interactive");
    case Kind::Bg:
        return QStringLiteral("bg");
    case Kind::Daemon:
        return QStringLiteral("daemon");
    }
    return QString();
}

std::optional<RegistryEntry::Kind> RegistryEntry::kindFromName(const QString &name)
{
    if (name == QLatin1String("interactive"))
        return Kind::Interactive;
    if (name == QLatin1String("bg"))
        return Kind::Bg;
    if (name == QLatin1String("daemon"))
        return Kind::Daemon;
    return std::nullopt;
}

QJsonObject RegistryEntry::toJson() const
{
    // Every key of the documented shape is always present; what does not apply is null.
    QJsonObject object{
        {QStringLiteral("pid"), numberOrNull(pid)},
        {QStringLiteral("sessionId"), sessionId},
        {QStringLiteral("name"), name},
        {QStringLiteral("cwd"), stringOrNull(cwd)},
        {QStringLiteral("startedAt"), startedAt},
        {QStringLiteral("kind"), kindName(kind)},
        {QStringLiteral("url"), stringOrNull(url)},
        {QStringLiteral("mode"),
         mode == Mode::Remote ? QStringLiteral("remote") : QStringLiteral("local")},
        {QStringLiteral("version"), stringOrNull(version)},
        {QStringLiteral("hostname"), stringOrNull(hostname)},
        {QStringLiteral("agent"), stringOrNull(agent)},
        {QStringLiteral("childPid"), numberOrNull(childPid)},
        {QStringLiteral("log"), stringOrNull(log)},
        {QStringLiteral("runId"), stringOrNull(runId)},
        {QStringLiteral("procStart"), numberOrNull(static_cast<qint64>(procStart))},
    };
    if (mode == Mode::Remote) {
        object.insert(QStringLiteral("id"), id);
        object.insert(QStringLiteral("lastHeartbeat"), lastHeartbeat);
    }
    return object;
}

static bool readInteger(const QJsonValue &value, qint64 *out)
{
    if (value.isNull() || value.isUndefined()) {
        *out = 0;
        return true;
    }
    if (!value.isDouble())
        return false;
    const double d = value.toDouble();
    if (d < 0 || d > 9007199254740992.0 || d != static_cast<double>(static_cast<qint64>(d)))
        return false;
    *out = static_cast<qint64>(d);
    return true;
}

Result<RegistryEntry> RegistryEntry::fromJson(const QJsonObject &object)
{
    auto invalid = [](const QString &what) {
        return Error{QStringLiteral("invalid_entry"),
                     QStringLiteral("registry entry: %1").arg(what)};
    };
    RegistryEntry entry;
    if (!readInteger(object.value(QStringLiteral("pid")), &entry.pid))
        return invalid(QStringLiteral("pid is not a non-negative integer"));
    if (!readInteger(object.value(QStringLiteral("startedAt")), &entry.startedAt))
        return invalid(QStringLiteral("startedAt is not a time in ms"));
    if (!readInteger(object.value(QStringLiteral("childPid")), &entry.childPid))
        return invalid(QStringLiteral("childPid is not a non-negative integer"));

    const QString modeName = object.value(QStringLiteral("mode")).toString(QStringLiteral("local"));
    if (modeName == QLatin1String("remote"))
        entry.mode = Mode::Remote;
    else if (modeName != QLatin1String("local"))
        return invalid(QStringLiteral("unknown mode \"%1\"").arg(modeName));

    const std::optional<Kind> kind = kindFromName(object.value(QStringLiteral("kind")).toString());
    if (!kind)
        return invalid(QStringLiteral("unknown kind"));
    entry.kind = *kind;

    entry.sessionId = object.value(QStringLiteral("sessionId")).toString();
    entry.name = object.value(QStringLiteral("name")).toString();
    entry.cwd = object.value(QStringLiteral("cwd")).toString();
    entry.url = object.value(QStringLiteral("url")).toString();
    entry.version = object.value(QStringLiteral("version")).toString();
    entry.hostname = object.value(QStringLiteral("hostname")).toString();
    entry.agent = object.value(QStringLiteral("agent")).toString();
    entry.log = object.value(QStringLiteral("log")).toString();
    entry.runId = object.value(QStringLiteral("runId")).toString();

    const QJsonValue procStart = object.value(QStringLiteral("procStart"));
    if (procStart.isString()) {
        bool ok = false;
        entry.procStart = procStart.toString().toULongLong(&ok);
        if (!ok)
            return invalid(QStringLiteral("procStart is not a number"));
    } else if (procStart.isDouble()) {
        qint64 value = 0;
        if (!readInteger(procStart, &value))
            return invalid(QStringLiteral("procStart is not a number"));
        entry.procStart = static_cast<quint64>(value);
    }

    if (entry.mode == Mode::Remote) {
        entry.id = object.value(QStringLiteral("id")).toString();
        if (!entry.id.startsWith(QLatin1String("manual-")))
            return invalid(QStringLiteral("a remote entry needs an id manual-…"));
        if (!readInteger(object.value(QStringLiteral("lastHeartbeat")), &entry.lastHeartbeat))
            return invalid(QStringLiteral("lastHeartbeat is not a time in ms"));
    } else if (entry.pid <= 0) {
        return invalid(QStringLiteral("a local entry needs a pid"));
    }
    if (entry.sessionId.isEmpty())
        return invalid(QStringLiteral("sessionId is missing"));
    return entry;
}

} // namespace standby
