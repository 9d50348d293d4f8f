#include "daemon/ServeOptions.h"

#include "client/DaemonControl.h"

#include <QCommandLineParser>

namespace standby {

std::optional<QHostAddress> ServeOptions::parseHost(const QString &text)
{
    const std::optional<QString> normal = DaemonControl::normalizeHost(text);
    if (!normal)
        return std::nullopt;
    return QHostAddress(*normal);
}

QString ServeOptions::helpText()
{
    return QStringLiteral(
        "Usage: standbyd [--serve] [--port N] [--host ADDR]\n"
        "\n"
        "The Standby daemon: starts, watches, logs and stops background sessions and serves\n"
        "the REST API and web UI. Runs in the foreground; `standby daemon start` runs it\n"
        "detached instead. SIGINT or SIGTERM stop it cleanly.\n"
        "\n"
        "Options:\n"
        "  --serve        run the service in the foreground (the default)\n"
        "  --port N       TCP port; 0 or none picks a free one\n"
        "  --host ADDR    address to listen on (default 127.0.0.1)\n"
        "  --version      print the version\n"
        "  -h, --help     this help\n"
        "\n"
        "Environment: STANDBY_HOME (default ~/.standby), STANDBY_GATEWAY_AUTH (none|password).\n");
}

Result<ServeOptions> ServeOptions::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption serve(QStringLiteral("serve"));
    const QCommandLineOption port(QStringLiteral("port"), QString(), QStringLiteral("N"));
    const QCommandLineOption host(QStringLiteral("host"), QString(), QStringLiteral("ADDR"));
    const QCommandLineOption resident(QStringLiteral("resident"));
    const QCommandLineOption readyFd(QStringLiteral("ready-fd"), QString(), QStringLiteral("N"));
    const QCommandLineOption version(QStringLiteral("version"));
    parser.addOptions({serve, port, host, resident, readyFd, version});
    auto usage = [](const QString &message) { return Error{QStringLiteral("usage"), message}; };
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (!parser.positionalArguments().isEmpty())
        return usage(QStringLiteral("unexpected argument \"%1\"")
                         .arg(parser.positionalArguments().constFirst()));

    ServeOptions options;
    options.showVersion = parser.isSet(version);
    options.residentOnly = parser.isSet(resident);
    if (parser.isSet(port)) {
        bool ok = false;
        const uint value = parser.value(port).toUInt(&ok);
        if (!ok || value > 65535)
            return usage(QStringLiteral("--port must be a number from 0 to 65535, not \"%1\"")
                             .arg(parser.value(port)));
        options.port = quint16(value);
    }
    if (parser.isSet(host)) {
        std::optional<QHostAddress> address = parseHost(parser.value(host));
        if (!address)
            return usage(QStringLiteral("--host must be an IP address such as 127.0.0.1, not "
                                        "\"%1\"")
                             .arg(parser.value(host)));
        options.host = *address;
    }
    if (parser.isSet(readyFd)) {
        bool ok = false;
        options.readyFd = parser.value(readyFd).toInt(&ok);
        if (!ok || options.readyFd < 0)
            return usage(QStringLiteral("--ready-fd must be a descriptor number"));
    }
    return options;
}

} // namespace standby
