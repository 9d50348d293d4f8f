#pragma once

#include "core/Error.h"

#include <QJsonObject>

namespace standby::cli {

// The CLI's exit codes (DESIGN.md, "CLI").
enum ExitCode : int {
    kOk = 0,
    kUsage = 1, // bad arguments, and failures with no better code
    kNotFound = 2,
    kNotRunning = 3, // no daemon
    kRefused = 4,    // the daemon or the OS said no: port in use, already running, …
};

// One clear line on stderr, "standby: …", and the exit code that fits the error's code.
int report(const Error &error);
int exitCodeFor(const QString &errorCode);

void printJson(const QJsonObject &object);
int usageError(const QString &message, const QString &helpCommand);

} // namespace standby::cli
