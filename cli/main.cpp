#include "Version.h"
#include "cli/CliError.h"
#include "cli/DaemonCommand.h"
#include "cli/ServeCommand.h"
#include "cli/SessionCommands.h"
#include "core/Paths.h"
#include "core/Telemetry.h"

#include <QCoreApplication>
#include <QDir>

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace standby;
using namespace standby::cli;

namespace {

const char kHelp[] =
    "Usage: standby COMMAND [options]\n"
    "\n"
    "Standby keeps command-line work, above all AI coding agents, running in the background.\n"
    "\n"
    "Sessions:\n"
    "  --bg [--name N] [--agent A] [--cwd D] \"task\"  run a task in the background\n"
    "  [--name N] [--agent A] \"task\"                 run a task here, registered while it runs\n"
    "  ps [--json] [--kind K]                        live workers\n"
    "  kill NAME|PID [--signal S]                    end a session and all it started\n"
    "  logs NAME|PID [--tail N] [--grep TEXT]        a session's output (or --type telemetry)\n"
    "  attach NAME|PID                               its live output, your input (Ctrl+P Ctrl+Q)\n"
    "  runs [--json]                                 the history, newest first, with exit codes\n"
    "\n"
    "Daemon:\n"
    "  daemon start [--port N] [--host ADDR]         start the resident daemon (detached)\n"
    "  daemon status                                 is it running, and where\n"
    "  daemon stop | restart                         sessions keep running across both\n"
    "  --serve [--port N] [--host ADDR]              run the service in the foreground\n"
    "\n"
    "Options:\n"
    "  --version    print the version\n"
    "  -h, --help   this help; 'standby COMMAND --help' for one command\n"
    "\n"
    "Environment: STANDBY_HOME (default ~/.standby).\n"
    "Exit codes: 0 ok, 1 usage, 2 not found, 3 daemon not running, 4 refused.\n";

// With a closed stdin/stdout/stderr the next open() would take that number and our output would
// land in a file by mistake.
void ensureStandardDescriptors()
{
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) == -1)
            ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    ensureStandardDescriptors();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("standby"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(kVersion));
    const QStringList arguments = QCoreApplication::arguments().mid(1);

    const QString first = arguments.value(0);
    if (first.isEmpty()) {
        std::fputs(kHelp, stderr);
        return kUsage;
    }
    if (first == QLatin1String("--help") || first == QLatin1String("-h") ||
        first == QLatin1String("help")) {
        std::fputs(kHelp, stdout);
        return kOk;
    }
    if (first == QLatin1String("--version") || first == QLatin1String("version")) {
        std::printf("standby %s\n", kVersion);
        return kOk;
    }
    // The CLI's Info/Warn/Error lines go to the telemetry log too (logs/{date}/{workspace}.log,
    // with its pid), and on to Qt's handler as before, so the terminal shows what it always did.
    // Nothing is created until a line comes: `COMMAND --help` leaves no file behind.
    Telemetry::install(Paths::fromEnvironment(),
                       {QDir::currentPath(), QString(), /*echoToStderr=*/false,
                        /*passThrough=*/true});
    if (first == QLatin1String("--serve"))
        return runServeCommand(arguments);
    if (first == QLatin1String("daemon"))
        return runDaemonCommand(arguments);
    if (first == QLatin1String("ps"))
        return runPsCommand(arguments.mid(1));
    if (first == QLatin1String("kill"))
        return runKillCommand(arguments.mid(1));
    if (first == QLatin1String("logs"))
        return runLogsCommand(arguments.mid(1));
    if (first == QLatin1String("attach"))
        return runAttachCommand(arguments.mid(1));
    if (first == QLatin1String("runs"))
        return runRunsCommand(arguments.mid(1));
    // Anything else is a task: standby [--bg] [options] "task".
    return runTaskCommand(arguments);
}
