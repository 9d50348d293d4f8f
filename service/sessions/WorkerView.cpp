#include "sessions/WorkerView.h"

namespace standby {

QJsonObject WorkerView::toJson(const RegistryEntry &entry, qint64 nowMs,
                               const ProcessTable &processes)
{
    QJsonObject object = entry.toJson();
    object.insert(QStringLiteral("id"), entry.isRemote() ? entry.id : QString::number(entry.pid));
    object.insert(QStringLiteral("status"), QStringLiteral("running"));
    object.insert(QStringLiteral("ageMs"), qMax<qint64>(0, nowMs - entry.startedAt));
    if (entry.isRemote()) {
        object.insert(QStringLiteral("heartbeatAgeMs"),
                      qMax<qint64>(0, nowMs - entry.lastHeartbeat));
        object.insert(QStringLiteral("cpuPercent"), QJsonValue::Null);
        object.insert(QStringLiteral("rssBytes"), QJsonValue::Null);
        return object;
    }
    quint64 ticks = 0;
    qint64 rssPages = 0;
    std::optional<ProcessStat> holder = processes.stat(entry.pid);
    for (qint64 pid : {entry.pid, entry.childPid}) {
        if (pid <= 0)
            continue;
        if (std::optional<ProcessStat> stat = processes.stat(pid)) {
            ticks += stat->userTicks + stat->systemTicks;
            rssPages += stat->rssPages;
        }
    }
    const double perSecond = double(ProcessTable::clockTicksPerSecond());
    const double elapsed =
        holder ? ProcessTable::uptimeSeconds() - double(holder->startTime) / perSecond : 0;
    object.insert(QStringLiteral("cpuPercent"),
                  elapsed > 0 ? qRound(1000.0 * ticks / perSecond / elapsed) / 10.0 : 0.0);
    object.insert(QStringLiteral("rssBytes"), rssPages * ProcessTable::pageSize());
    return object;
}

QJsonArray WorkerView::list(const Registry &registry, const Filter &filter, qint64 nowMs)
{
    QJsonArray out;
    for (const RegistryEntry &entry : registry.list()) {
        if (filter.kind && entry.kind != *filter.kind)
            continue;
        if (filter.localOnly && entry.isRemote())
            continue;
        out.append(toJson(entry, nowMs));
    }
    return out;
}

} // namespace standby
