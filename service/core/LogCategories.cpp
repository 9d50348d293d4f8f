#include "core/LogCategories.h"

// Info and up by default: the telemetry log carries Info/Warn/Error, debug stays out of it.
Q_LOGGING_CATEGORY(lcDaemon, "standby.daemon", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "standby.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRegistry, "standby.registry", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConfig, "standby.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcClient, "standby.client", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCli, "standby.cli", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSession, "standby.session", QtInfoMsg)
Q_LOGGING_CATEGORY(lcLogs, "standby.logs", QtInfoMsg)
