#include "cli/CliError.h"
#include "cli/SessionCommands.h"
#include "cli/Table.h"
#include "cli/VerbParser.h"
#include "core/Paths.h"
#include "core/Registry.h"
#include "sessions/WorkerView.h"

#include <QDateTime>
#include <QJsonDocument>

#include <cstdio>

namespace standby::cli {

static const char kPsHelp[] =
    "Usage: standby ps [--json] [--kind interactive|bg|daemon] [--local]\n"
    "\n"
    "Lists live workers: background and foreground sessions, the daemon, and remote workers\n"
    "added by hand. Reads the registry directly, so it works while the daemon is down.\n"
    "\n"
    "  --json        one JSON array, as GET /api/v1/workers\n"
    "  --kind K      only workers of that kind\n"
    "  --local       leave out remote workers\n"
    "\n"
    "CPU% is the average over the worker's life (holder and agent), MEM their resident memory.\n";

int runPsCommand(const QStringList &arguments)
{
    VerbParser verb(QStringLiteral("standby ps"), kPsHelp);
    const QCommandLineOption json(QStringLiteral("json"));
    const QCommandLineOption kind(QStringLiteral("kind"), QString(), QStringLiteral("K"));
    const QCommandLineOption local(QStringLiteral("local"));
    verb.addOption(json);
    verb.addOption(kind);
    verb.addOption(local);
    if (std::optional<int> done = verb.parse(arguments))
        return *done;
    if (!verb.positional().isEmpty())
        return verb.usageError(
            QStringLiteral("unexpected argument \"%1\"").arg(verb.positional().constFirst()));

    WorkerView::Filter filter;
    filter.localOnly = verb.parser().isSet(local);
    if (verb.parser().isSet(kind)) {
        filter.kind = RegistryEntry::kindFromName(verb.parser().value(kind));
        if (!filter.kind)
            return verb.usageError(QStringLiteral("--kind must be interactive, bg or daemon"));
    }
    const Registry registry(Paths::fromEnvironment());
    const QJsonArray workers =
        WorkerView::list(registry, filter, QDateTime::currentMSecsSinceEpoch());
    if (verb.parser().isSet(json)) {
        std::printf("%s\n", QJsonDocument(workers).toJson(QJsonDocument::Compact).constData());
        return kOk;
    }
    Table table({QStringLiteral("NAME"), QStringLiteral("PID"), QStringLiteral("KIND"),
                 QStringLiteral("STATUS"), QStringLiteral("AGE"), QStringLiteral("CPU%"),
                 QStringLiteral("MEM"), QStringLiteral("AGENT")});
    for (const QJsonValue &value : workers) {
        const QJsonObject worker = value.toObject();
        const bool remote =
            worker.value(QStringLiteral("mode")).toString() == QLatin1String("remote");
        table.addRow({worker.value(QStringLiteral("name")).toString(),
                      remote ? worker.value(QStringLiteral("id")).toString()
                             : QString::number(worker.value(QStringLiteral("pid")).toInteger()),
                      worker.value(QStringLiteral("kind")).toString() +
                          (remote ? QStringLiteral("/remote") : QString()),
                      worker.value(QStringLiteral("status")).toString(),
                      Table::age(worker.value(QStringLiteral("ageMs")).toInteger()),
                      remote ? QStringLiteral("-")
                             : QString::number(
                                   worker.value(QStringLiteral("cpuPercent")).toDouble(), 'f', 1),
                      remote ? QStringLiteral("-")
                             : Table::bytes(worker.value(QStringLiteral("rssBytes")).toInteger()),
                      worker.value(QStringLiteral("agent")).toString(QStringLiteral("-"))});
    }
    std::fputs(qUtf8Printable(table.render()), stdout);
    return kOk;
}

} // namespace standby::cli
