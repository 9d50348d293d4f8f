#include "api/RunsController.h"

#include "core/LogTail.h"
#include "core/ProcessTable.h"
#include "core/RunRecord.h"
#include "sessions/SessionControl.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>

#include <csignal>

namespace standby {

namespace {

// The kernel refuses a single argument over 128 KiB (MAX_ARG_STRLEN); leave room for a profile's
// text around {prompt}.
constexpr qint64 kMaxPromptBytes = 120 * 1024;
constexpr int kMaxEnvEntries = 1024;
constexpr qint64 kMaxEnvBytes = 256 * 1024;
constexpr qint64 kMaxTimeoutSec = 30LL * 24 * 3600;

HttpResponse badField(const QString &field, const QString &why)
{
    return HttpResponse::error(400, QStringLiteral("invalid_field"),
                               QStringLiteral("%1: %2").arg(field, why));
}

int statusFor(const Error &error)
{
    if (error.code == QLatin1String("name_taken"))
        return 409;
    if (error.code == QLatin1String("spawn_failed") || error.code == QLatin1String("io_error") ||
        error.code == QLatin1String("not_installed"))
        return 500;
    return 400;
}

// Reads and checks the body of POST /api/v1/runs; every refusal names its field.
std::variant<RunRequest, HttpResponse> parseRunRequest(const QJsonObject &body, bool *wait)
{
    static const QStringList known{"prompt", "text",       "name", "agent", "cwd",
                                   "env",    "timeoutSec", "wait", "umask", "debug"};
    for (const QString &key : body.keys()) {
        if (!known.contains(key))
            return badField(key, QStringLiteral("unknown field; expected one of %1")
                                     .arg(known.join(QStringLiteral(", "))));
    }
    RunRequest request;
    const QJsonValue prompt = body.contains(QStringLiteral("prompt"))
                                  ? body.value(QStringLiteral("prompt"))
                                  : body.value(QStringLiteral("text"));
    if (!prompt.isString() || prompt.toString().trimmed().isEmpty())
        return badField(QStringLiteral("prompt"),
                        QStringLiteral("required: the task to run, a non-empty string (\"text\" "
                                       "is accepted too)"));
    if (prompt.toString().toUtf8().size() > kMaxPromptBytes)
        return badField(QStringLiteral("prompt"),
                        QStringLiteral("longer than %1 bytes").arg(kMaxPromptBytes));
    request.prompt = prompt.toString();

    auto optionalString = [&](const QString &key, int maxLength,
                              QString *out) -> std::optional<HttpResponse> {
        const QJsonValue value = body.value(key);
        if (value.isUndefined() || value.isNull())
            return std::nullopt;
        if (!value.isString() || value.toString().size() > maxLength)
            return badField(
                key, QStringLiteral("must be a string of at most %1 characters").arg(maxLength));
        *out = value.toString();
        return std::nullopt;
    };
    if (auto error = optionalString(QStringLiteral("name"), 64, &request.name))
        return *error;
    if (auto error = optionalString(QStringLiteral("agent"), 64, &request.agent))
        return *error;
    if (auto error = optionalString(QStringLiteral("cwd"), 4096, &request.cwd))
        return *error;

    const QJsonValue env = body.value(QStringLiteral("env"));
    if (!env.isUndefined() && !env.isNull()) {
        if (!env.isObject())
            return badField(QStringLiteral("env"), QStringLiteral("must be an object of strings"));
        const QJsonObject object = env.toObject();
        qint64 envBytes = 0;
        if (object.size() > kMaxEnvEntries)
            return badField(QStringLiteral("env"),
                            QStringLiteral("more than %1 variables").arg(kMaxEnvEntries));
        static const QRegularExpression namePattern(
            QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,255}$"));
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (!namePattern.match(it.key()).hasMatch())
                return badField(
                    QStringLiteral("env"),
                    QStringLiteral("\"%1\" is not a valid variable name").arg(it.key().left(80)));
            if (!it.value().isString() || it.value().toString().size() > 65536)
                return badField(QStringLiteral("env.") + it.key(),
                                QStringLiteral("must be a string of at most 65536 characters"));
            request.env.insert(it.key(), it.value().toString());
            envBytes += it.key().size() + it.value().toString().size();
        }
        if (envBytes > kMaxEnvBytes)
            return badField(QStringLiteral("env"),
                            QStringLiteral("more than %1 bytes in all").arg(kMaxEnvBytes));
    }

    const QJsonValue timeout = body.value(QStringLiteral("timeoutSec"));
    if (!timeout.isUndefined() && !timeout.isNull()) {
        const double seconds = timeout.toDouble(-1);
        if (!timeout.isDouble() || seconds < 1 || seconds > kMaxTimeoutSec ||
            seconds != double(qint64(seconds)))
            return badField(QStringLiteral("timeoutSec"),
                            QStringLiteral("must be a whole number of seconds from 1 to %1")
                                .arg(kMaxTimeoutSec));
        request.timeoutSec = qint64(seconds);
    }
    const QJsonValue umask = body.value(QStringLiteral("umask"));
    if (!umask.isUndefined() && !umask.isNull()) {
        const double mask = umask.toDouble(-1);
        if (!umask.isDouble() || mask < 0 || mask > 0777 || mask != double(int(mask)))
            return badField(QStringLiteral("umask"),
                            QStringLiteral("must be a file mode mask from 0 to 511 (0777)"));
        request.umask = int(mask);
    }
    const QJsonValue debug = body.value(QStringLiteral("debug"));
    if (!debug.isUndefined() && !debug.isNull() && !debug.isBool())
        return badField(QStringLiteral("debug"), QStringLiteral("must be true or false"));
    request.debug = debug.toBool(false);
    const QJsonValue waitValue = body.value(QStringLiteral("wait"));
    if (!waitValue.isUndefined() && !waitValue.isNull() && !waitValue.isBool())
        return badField(QStringLiteral("wait"), QStringLiteral("must be true or false"));
    *wait = waitValue.toBool(false);
    return request;
}

} // namespace

RunsController::RunsController(const Paths &paths, const Registry &registry,
                               SessionLauncher &launcher, QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_registry(registry)
    , m_launcher(launcher)
{
    connect(&m_exits, &ExitWatcher::exited, this, &RunsController::onHolderExited);
}

void RunsController::registerRoutes(Router &router)
{
    router.addAsync(
        "POST", QStringLiteral("/api/v1/runs"),
        [this](const HttpRequest &request, HttpResponder responder) { start(request, responder); });
    router.add("GET", QStringLiteral("/api/v1/runs"),
               [this](const HttpRequest &request) { return list(request); });
    router.add("GET", QStringLiteral("/api/v1/runs/{runId}"),
               [this](const HttpRequest &request) { return one(request); });
    router.add("POST", QStringLiteral("/api/v1/runs/{runId}/cancel"),
               [this](const HttpRequest &request) { return cancel(request); });
}

void RunsController::start(const HttpRequest &request, HttpResponder responder)
{
    Result<QJsonObject> body = request.jsonBody();
    if (!body) {
        responder.send(HttpResponse::error(400, body.error()));
        return;
    }
    bool wait = false;
    auto parsed = parseRunRequest(*body, &wait);
    if (auto *error = std::get_if<HttpResponse>(&parsed)) {
        responder.send(*error);
        return;
    }
    Result<RunRecord> run = m_launcher.launch(std::get<RunRequest>(parsed));
    if (!run) {
        responder.send(HttpResponse::error(statusFor(run.error()), run.error()));
        return;
    }
    if (!wait) {
        responder.send(
            HttpResponse::data(QJsonObject{{QStringLiteral("runId"), run->runId},
                                           {QStringLiteral("name"), run->name},
                                           {QStringLiteral("pid"), run->pid},
                                           {QStringLiteral("sessionId"), run->sessionId},
                                           {QStringLiteral("log"), run->log},
                                           {QStringLiteral("status"), QStringLiteral("accepted")}},
                               202));
        return;
    }
    const quint64 procStart = ProcessTable::system().startTime(run->pid).value_or(0);
    if (!m_exits.watch(run->pid, procStart)) {
        // Already over (or pidfds are missing): answer from the record as it stands.
        responder.send(HttpResponse::data(endedRun(run->runId)));
        return;
    }
    Waiting &waiting = m_waiting[run->pid];
    waiting.runId = run->runId;
    waiting.responders.append(responder);
}

QJsonObject RunsController::endedRun(const QString &runId) const
{
    Result<RunRecord> record = RunRecord::read(m_paths, runId);
    if (!record)
        return QJsonObject{{QStringLiteral("runId"), runId},
                           {QStringLiteral("status"), QStringLiteral("failed")},
                           {QStringLiteral("error"), record.error().message}};
    QJsonObject object = record->toPublicJson();
    if (!record->isFinished()) {
        // The holder is gone without writing an end: it was killed itself.
        object.insert(QStringLiteral("status"), QStringLiteral("failed"));
        object.insert(QStringLiteral("error"), QStringLiteral("the session's holder ended "
                                                              "before the session did"));
    }
    const QByteArray tail =
        LogTail::lastLines(record->log, kTailLines, 4 * 1024 * 1024, record->logOffset);
    object.insert(QStringLiteral("tail"), QString::fromUtf8(tail));
    return object;
}

void RunsController::onHolderExited(qint64 pid)
{
    const Waiting waiting = m_waiting.take(pid);
    if (waiting.runId.isEmpty())
        return;
    const HttpResponse answer = HttpResponse::data(endedRun(waiting.runId));
    for (HttpResponder responder : waiting.responders)
        responder.send(answer);
}

HttpResponse RunsController::list(const HttpRequest &request) const
{
    int limit = 50;
    const QString limitText = request.queryValue(QStringLiteral("limit"));
    if (!limitText.isEmpty()) {
        bool ok = false;
        limit = limitText.toInt(&ok);
        if (!ok || limit < 1 || limit > 1000)
            return HttpResponse::error(400, QStringLiteral("invalid_limit"),
                                       QStringLiteral("limit must be a number from 1 to 1000"));
    }
    QJsonArray runs;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const RunRecord &record : RunRecord::list(m_paths, limit))
        runs.append(record.reconciled(now).toPublicJson());
    return HttpResponse::data(runs);
}

HttpResponse RunsController::one(const HttpRequest &request) const
{
    Result<RunRecord> record = RunRecord::read(m_paths, request.param(QStringLiteral("runId")));
    if (!record)
        return HttpResponse::error(record.error().code == QLatin1String("not_found") ? 404 : 500,
                                   record.error());
    return HttpResponse::data(
        record->reconciled(QDateTime::currentMSecsSinceEpoch()).toPublicJson());
}

HttpResponse RunsController::cancel(const HttpRequest &request) const
{
    Result<RunRecord> record = RunRecord::read(m_paths, request.param(QStringLiteral("runId")));
    if (!record)
        return HttpResponse::error(record.error().code == QLatin1String("not_found") ? 404 : 500,
                                   record.error());
    const RunRecord run = record->reconciled(QDateTime::currentMSecsSinceEpoch());
    if (run.isFinished())
        return HttpResponse::error(409, QStringLiteral("already_ended"),
                                   QStringLiteral("run %1 has already ended (%2)")
                                       .arg(run.runId, RunRecord::statusName(run.status)));
    // The holder, by what the record says or, while it is still starting, by its registry entry
    // (the daemon registers it at launch); it holds a kill back until its agent has started.
    std::optional<QPair<qint64, quint64>> holder;
    if (run.pid > 0 && run.holderStart > 0)
        holder = qMakePair(run.pid, run.holderStart);
    for (const RegistryEntry &entry : m_registry.list()) {
        if (!holder && entry.runId == run.runId)
            holder = qMakePair(entry.pid, entry.procStart);
    }
    if (!holder)
        return HttpResponse::error(
            409, QStringLiteral("starting"),
            QStringLiteral("run %1 is still starting; try again in a moment").arg(run.runId));
    if (Status error = ProcessTable::signalIfAlive(holder->first, holder->second, SIGTERM))
        return HttpResponse::error(error->code == QLatin1String("not_found") ? 409 : 500, *error);
    return HttpResponse::data(QJsonObject{{QStringLiteral("runId"), record->runId},
                                          {QStringLiteral("name"), record->name},
                                          {QStringLiteral("status"), QStringLiteral("cancelling")}},
                              202);
}

} // namespace standby
