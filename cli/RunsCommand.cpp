#include "cli/CliError.h"
#include "cli/SessionCommands.h"
#include "cli/Table.h"
#include "cli/VerbParser.h"
#include "core/Paths.h"
#include "core/RunRecord.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>

namespace standby::cli {

static const char kRunsHelp[] =
    "Usage: standby runs [--json] [--limit N]\n"
    "\n"
    "The history of sessions, newest first: how each ended, with its exit code or signal.\n"
    "\n"
    "  --json        one JSON array, as GET /api/v1/runs\n"
    "  --limit N     at most N runs (default 20, up to 1000)\n";

static QString outcome(const RunRecord &run)
{
    switch (run.status) {
    case RunRecord::State::Exited:
        return QString::number(run.exitCode);
    case RunRecord::State::Killed:
        return QStringLiteral("SIG") + run.signal +
               (run.timedOut ? QStringLiteral(" (timeout)") : QString());
    case RunRecord::State::Failed:
        return QStringLiteral("-");
    default:
        return QString();
    }
}

int runRunsCommand(const QStringList &arguments)
{
    VerbParser verb(QStringLiteral("standby runs"), kRunsHelp);
    const QCommandLineOption json(QStringLiteral("json"));
    const QCommandLineOption limit(QStringLiteral("limit"), QString(), QStringLiteral("N"));
    verb.addOption(json);
    verb.addOption(limit);
    if (std::optional<int> done = verb.parse(arguments))
        return *done;
    if (!verb.positional().isEmpty())
        return verb.usageError(
            QStringLiteral("unexpected argument \"%1\"").arg(verb.positional().constFirst()));
    int count = 20;
    if (verb.parser().isSet(limit)) {
        bool ok = false;
        count = verb.parser().value(limit).toInt(&ok);
        if (!ok || count < 1 || count > 1000)
            return verb.usageError(QStringLiteral("--limit must be a number from 1 to 1000"));
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<RunRecord> runs = RunRecord::list(Paths::fromEnvironment(), count);
    for (RunRecord &run : runs)
        run = run.reconciled(now);
    if (verb.parser().isSet(json)) {
        QJsonArray array;
        for (const RunRecord &run : runs)
            array.append(run.toPublicJson());
        std::printf("%s\n", QJsonDocument(array).toJson(QJsonDocument::Compact).constData());
        return kOk;
    }
    Table table({QStringLiteral("RUN"), QStringLiteral("NAME"), QStringLiteral("STATUS"),
                 QStringLiteral("EXIT"), QStringLiteral("STARTED"), QStringLiteral("TOOK"),
                 QStringLiteral("AGENT"), QStringLiteral("TASK")});
    for (const RunRecord &run : runs) {
        const qint64 began = run.startedAt > 0 ? run.startedAt : run.acceptedAt;
        const qint64 took =
            run.isFinished() && run.startedAt > 0 ? run.endedAt - run.startedAt : now - began;
        QString task = run.prompt.simplified();
        if (task.size() > 40)
            task = task.left(39) + QChar(0x2026);
        table.addRow({run.runId, run.name, RunRecord::statusName(run.status), outcome(run),
                      Table::age(now - began) + QStringLiteral(" ago"), Table::age(took), run.agent,
                      task});
    }
    std::fputs(qUtf8Printable(table.render()), stdout);
    if (runs.isEmpty())
        std::fputs("No runs yet: start one with standby --bg \"task\".\n", stderr);
    return kOk;
}

} // namespace standby::cli
