#include "core/Telemetry.h"

#include "core/LogCategories.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QMutex>

#include <cstdio>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace standby {

namespace {

struct Sink
{
    QMutex mutex;
    Paths paths{QString()};
    Telemetry::Options options;
    QDate openDate;
    std::unique_ptr<QFile> file;
    qint64 pid = 0;
    QtMessageHandler previous = nullptr;
};

Sink *sink()
{
    static Sink instance;
    return &instance;
}

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "DEBUG";
    case QtInfoMsg:
        return "INFO";
    case QtWarningMsg:
        return "WARN";
    case QtCriticalMsg:
        return "ERROR";
    case QtFatalMsg:
        return "FATAL";
    }
    return "INFO";
}

// Like mkpath, but every folder it makes is private, whatever the umask (the CLI runs with the
// user's).
void makePrivatePath(const QString &path)
{
    if (QFileInfo::exists(path))
        return;
    makePrivatePath(QFileInfo(path).absolutePath());
    ::mkdir(QFile::encodeName(path).constData(), 0700);
}

void writeLine(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    Sink *s = sink();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QByteArray line =
        Telemetry::formatLine(now, type, context.category, s->pid, s->options.sessionId, message);
    QMutexLocker lock(&s->mutex);
    if (!s->file || s->openDate != now.date()) {
        const QString path = s->paths.telemetryLog(now.date(), s->options.workspace);
        makePrivatePath(QFileInfo(path).absolutePath());
        auto file = std::make_unique<QFile>(path);
        if (file->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
            file->setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            s->file = std::move(file);
            s->openDate = now.date();
        }
    }
    if (s->file)
        s->file->write(line);
    if (s->options.echoToStderr) {
        const ssize_t ignored = ::write(STDERR_FILENO, line.constData(), size_t(line.size()));
        Q_UNUSED(ignored);
    }
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type != QtDebugMsg)
        writeLine(type, context, message);
    Sink *s = sink();
    // After the line is written: Qt's own handler aborts on a fatal message.
    if (s->options.passThrough && s->previous &&
        qstrcmp(context.category, lcCli().categoryName()) != 0)
        s->previous(type, context, message);
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

QByteArray Telemetry::formatLine(const QDateTime &timeUtc, QtMsgType type, const char *category,
                                 qint64 pid, const QString &sessionId, const QString &message)
{
    QString text = message;
    // One event, one line: a message with newlines must not forge extra lines.
    text.replace(QLatin1Char('\r'), QLatin1String("\\r"));
    text.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    QByteArray line;
    line.reserve(96 + text.size());
    line += timeUtc.toString(Qt::ISODateWithMs).toLatin1();
    line += ' ';
    line += levelName(type);
    line += ' ';
    line += (category && *category) ? category : "default";
    line += " pid=";
    line += QByteArray::number(pid);
    line += " session=";
    line += sessionId.isEmpty() ? QByteArray("-") : sessionId.toUtf8();
    line += ' ';
    line += text.toUtf8();
    line += '\n';
    return line;
}

void Telemetry::install(const Paths &paths, const Options &options)
{
    Sink *s = sink();
    {
        QMutexLocker lock(&s->mutex);
        s->paths = paths;
        s->options = options;
        s->pid = QCoreApplication::applicationPid();
        s->file.reset();
    }
    QtMessageHandler previous = qInstallMessageHandler(handler);
    if (previous != handler)
        s->previous = previous;
}

void Telemetry::uninstall()
{
    Sink *s = sink();
    qInstallMessageHandler(s->previous);
    QMutexLocker lock(&s->mutex);
    s->file.reset();
}

} // namespace standby
