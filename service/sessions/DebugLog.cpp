#include "sessions/DebugLog.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <sys/stat.h>

namespace standby {

Status DebugLog::open(const QString &path)
{
    const QString dir = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(dir))
        return Error{QStringLiteral("io_error"), QStringLiteral("cannot create %1").arg(dir)};
    ::chmod(QFile::encodeName(dir).constData(), 0700);
    return m_file.open(path);
}

void DebugLog::write(const QString &text)
{
    if (!m_file.isOpen())
        return;
    QString line = text;
    line.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    line.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    line.replace(QLatin1Char('\r'), QLatin1String("\\r"));
    m_file.append(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toLatin1() + ' ' +
                  line.toUtf8() + '\n');
}

void DebugLog::writeEnvironment(const QProcessEnvironment &environment)
{
    if (!m_file.isOpen())
        return;
    const QStringList lines = maskedEnvironment(environment);
    write(QStringLiteral("environment: %1 variables").arg(lines.size()));
    for (const QString &line : lines)
        write(QStringLiteral("  env ") + line);
}

bool DebugLog::isSecretName(const QString &name)
{
    static const QRegularExpression secret(
        QStringLiteral("TOKEN|SECRET|KEY|PASSWORD|PASS|AUTH|CREDENTIAL|COOKIE"),
        QRegularExpression::CaseInsensitiveOption);
    return secret.match(name).hasMatch();
}

QStringList DebugLog::maskedEnvironment(const QProcessEnvironment &environment)
{
    QStringList names = environment.keys();
    names.sort();
    QStringList lines;
    lines.reserve(names.size());
    for (const QString &name : std::as_const(names))
        lines.append(
            name + QLatin1Char('=') +
            (isSecretName(name) ? QString(kMask) : maskUrlCredentials(environment.value(name))));
    return lines;
}

QString DebugLog::maskUrlCredentials(const QString &value)
{
    static const QRegularExpression credentials(
        QStringLiteral("([A-Za-z][A-Za-z0-9+.-]*://[^/\\s:@]*):[^/\\s@]*@"));
    QString out = value;
    out.replace(credentials, QStringLiteral("\\1:") + kMask + QLatin1Char('@'));
    return out;
}

QStringList DebugLog::maskedArguments(const QStringList &argv)
{
    QStringList out;
    out.reserve(argv.size());
    bool maskNext = false;
    for (const QString &argument : argv) {
        if (maskNext) {
            out.append(QString(kMask));
            maskNext = false;
            continue;
        }
        if (argument.startsWith(QLatin1Char('-'))) {
            const qsizetype equals = argument.indexOf(QLatin1Char('='));
            const QString flag = equals < 0 ? argument : argument.left(equals);
            if (isSecretName(flag)) {
                if (equals < 0)
                    maskNext = true;
                out.append(equals < 0 ? argument : flag + QLatin1Char('=') + kMask);
                continue;
            }
        }
        out.append(maskUrlCredentials(argument));
    }
    return out;
}

} // namespace standby
