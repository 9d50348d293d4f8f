#include "cli/ServeCommand.h"

#include "cli/CliError.h"
#include "client/DaemonControl.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

namespace standby::cli {

int runServeCommand(const QStringList &arguments)
{
    const QString program = DaemonControl::defaultDaemonProgram();
    std::vector<std::string> args{QFile::encodeName(program).toStdString()};
    for (const QString &argument : arguments)
        args.push_back(argument.toStdString());
    std::vector<char *> argv;
    for (std::string &arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    ::execv(argv.front(), argv.data());
    return report(Error{QStringLiteral("not_installed"),
                        QStringLiteral("cannot run %1: %2")
                            .arg(program, QString::fromLocal8Bit(std::strerror(errno)))});
}

} // namespace standby::cli
