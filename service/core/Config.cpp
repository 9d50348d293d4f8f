#include "core/Config.h"

#include "core/JsonFile.h"

#include <QJsonArray>

namespace standby {

static constexpr qint64 kMiB = 1024 * 1024;

Config::Config()
{
    apply(defaults());
}

QJsonObject Config::defaults()
{
    const Http http;
    const Daemon daemon;
    return QJsonObject{
        {QStringLiteral("defaultAgent"), QStringLiteral("shell")},
        {QStringLiteral("agents"),
         QJsonObject{{QStringLiteral("shell"),
                      QJsonObject{{QStringLiteral("command"),
                                   QJsonArray{QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                                              QStringLiteral("{prompt}")}}}}}},
        {QStringLiteral("http"),
         QJsonObject{{QStringLiteral("maxConnections"), http.maxConnections},
                     {QStringLiteral("idleTimeoutSec"), http.idleTimeoutSec},
                     {QStringLiteral("headerTimeoutSec"), http.headerTimeoutSec},
                     {QStringLiteral("maxHeaderBytes"), http.maxHeaderBytes},
                     {QStringLiteral("maxBodyBytes"), http.maxBodyBytes}}},
        {QStringLiteral("daemon"),
         QJsonObject{{QStringLiteral("stopGraceSec"), daemon.stopGraceSec}}},
        {QStringLiteral("sessions"),
         QJsonObject{{QStringLiteral("killGraceSec"), Sessions().killGraceSec},
                     {QStringLiteral("keepRuns"), Sessions().keepRuns}}},
        {QStringLiteral("logs"),
         QJsonObject{{QStringLiteral("maxSizeMb"), Logs().maxSizeBytes / kMiB},
                     {QStringLiteral("keep"), Logs().keep},
                     {QStringLiteral("transcriptOutputMb"), Logs().transcriptOutputBytes / kMiB}}},
        {QStringLiteral("metrics"),
         QJsonObject{{QStringLiteral("intervalSec"), Metrics().intervalSec},
                     {QStringLiteral("demandWindowSec"), Metrics().demandWindowSec},
                     {QStringLiteral("historyMinutes"), Metrics().historyMinutes}}},
    };
}

static QJsonObject builtInShell()
{
    return QJsonObject{
        {QStringLiteral("command"),
         QJsonArray{QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("{prompt}")}}};
}

QString Config::defaultAgent() const
{
    const QString name = m_raw.value(QStringLiteral("defaultAgent")).toString();
    return name.isEmpty() ? QStringLiteral("shell") : name;
}

QStringList Config::agentNames() const
{
    QStringList names = m_raw.value(QStringLiteral("agents")).toObject().keys();
    if (!names.contains(QStringLiteral("shell")))
        names.append(QStringLiteral("shell"));
    names.sort();
    return names;
}

Result<AgentProfile> Config::agent(const QString &requested) const
{
    const QString name = requested.isEmpty() ? defaultAgent() : requested;
    const QJsonValue value = m_raw.value(QStringLiteral("agents")).toObject().value(name);
    if (value.isUndefined()) {
        if (name == QLatin1String("shell"))
            return AgentProfile::fromJson(name, builtInShell());
        return Error{QStringLiteral("unknown_agent"),
                     QStringLiteral("no agent profile \"%1\" in config.json; there are: %2")
                         .arg(name.left(80), agentNames().join(QStringLiteral(", ")))};
    }
    if (!value.isObject())
        return Error{QStringLiteral("invalid_agent"),
                     QStringLiteral("config.json: agents.%1 must be an object").arg(name)};
    return AgentProfile::fromJson(name, value.toObject());
}

Result<Config> Config::load(const Paths &paths)
{
    Result<QJsonObject> raw = JsonFile::read(paths.config());
    if (!raw) {
        if (raw.error().code != QLatin1String("not_found"))
            return raw.error();
        if (Status error = JsonFile::write(paths.config(), defaults()))
            return *error;
        return Config();
    }
    Config config;
    config.apply(*raw);
    return config;
}

namespace {

// Reads section.key as an integer within [min, max]; otherwise keeps fallback and says why.
class Reader
{
public:
    Reader(const QJsonObject &root, QStringList *warnings)
        : m_root(root)
        , m_warnings(warnings)
    {}

    qint64 integer(const QString &section, const QString &key, qint64 fallback, qint64 min,
                   qint64 max)
    {
        const QJsonValue sectionValue = m_root.value(section);
        if (sectionValue.isUndefined())
            return fallback;
        const QJsonValue value = sectionValue.toObject().value(key);
        if (value.isUndefined())
            return fallback;
        const double d = value.toDouble(-1);
        if (!value.isDouble() || d < min || d > max || d != static_cast<double>(qint64(d))) {
            m_warnings->append(QStringLiteral("config.json: %1.%2 must be an integer from %3 to "
                                              "%4; using %5")
                                   .arg(section, key)
                                   .arg(min)
                                   .arg(max)
                                   .arg(fallback));
            return fallback;
        }
        return static_cast<qint64>(d);
    }

private:
    const QJsonObject &m_root;
    QStringList *m_warnings;
};

} // namespace

void Config::apply(const QJsonObject &raw)
{
    m_raw = raw;
    m_warnings.clear();
    Reader reader(raw, &m_warnings);
    const Http http;
    const QString h = QStringLiteral("http");
    m_http.maxConnections =
        int(reader.integer(h, QStringLiteral("maxConnections"), http.maxConnections, 1, 100000));
    m_http.idleTimeoutSec =
        int(reader.integer(h, QStringLiteral("idleTimeoutSec"), http.idleTimeoutSec, 1, 86400));
    m_http.headerTimeoutSec =
        int(reader.integer(h, QStringLiteral("headerTimeoutSec"), http.headerTimeoutSec, 1, 3600));
    m_http.maxHeaderBytes = int(reader.integer(h, QStringLiteral("maxHeaderBytes"),
                                               http.maxHeaderBytes, 1024, 1024 * 1024));
    m_http.maxBodyBytes = reader.integer(h, QStringLiteral("maxBodyBytes"), http.maxBodyBytes, 1024,
                                         1024LL * 1024 * 1024);
    const Daemon daemon;
    m_daemon.stopGraceSec = int(reader.integer(
        QStringLiteral("daemon"), QStringLiteral("stopGraceSec"), daemon.stopGraceSec, 0, 3600));
    m_sessions.killGraceSec =
        int(reader.integer(QStringLiteral("sessions"), QStringLiteral("killGraceSec"),
                           Sessions().killGraceSec, 0, 3600));
    m_sessions.keepRuns = int(reader.integer(QStringLiteral("sessions"), QStringLiteral("keepRuns"),
                                             Sessions().keepRuns, 10, 1000000));
    const Logs logs;
    const QString l = QStringLiteral("logs");
    m_logs.maxSizeBytes =
        reader.integer(l, QStringLiteral("maxSizeMb"), logs.maxSizeBytes / kMiB, 0, 1024 * 1024) *
        kMiB;
    // Only for tests: a log of a few kilobytes rotates after a few lines.
    if (raw.value(l).toObject().contains(QStringLiteral("maxSizeBytes")))
        m_logs.maxSizeBytes = reader.integer(l, QStringLiteral("maxSizeBytes"), m_logs.maxSizeBytes,
                                             1024, 1024 * 1024 * kMiB);
    m_logs.keep = int(reader.integer(l, QStringLiteral("keep"), logs.keep, 1, 100));
    m_logs.transcriptOutputBytes =
        reader.integer(l, QStringLiteral("transcriptOutputMb"), logs.transcriptOutputBytes / kMiB,
                       0, 1024 * 1024) *
        kMiB;
    const Metrics metrics;
    const QString m = QStringLiteral("metrics");
    m_metrics.intervalSec =
        int(reader.integer(m, QStringLiteral("intervalSec"), metrics.intervalSec, 1, 60));
    m_metrics.demandWindowSec = int(
        reader.integer(m, QStringLiteral("demandWindowSec"), metrics.demandWindowSec, 5, 86400));
    m_metrics.historyMinutes =
        int(reader.integer(m, QStringLiteral("historyMinutes"), metrics.historyMinutes, 1, 60));
}

} // namespace standby
