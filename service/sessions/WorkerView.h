#pragma once

#include "core/ProcessTable.h"
#include "core/Registry.h"

#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace standby {

// How a worker looks to clients (API, `standby ps`): its registry entry plus what the process
// table says now. CPU is the average over its lifetime, like ps(1); memory is the resident size
// of the holder and its agent.
class WorkerView
{
public:
    struct Filter
    {
        std::optional<RegistryEntry::Kind> kind;
        bool localOnly = false;
    };

    static QJsonObject toJson(const RegistryEntry &entry, qint64 nowMs,
                              const ProcessTable &processes = ProcessTable::system());
    static QJsonArray list(const Registry &registry, const Filter &filter, qint64 nowMs);
};

} // namespace standby
