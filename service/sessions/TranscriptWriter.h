#pragma once

#include "core/Error.h"
#include "sessions/LogWriter.h"

#include <QByteArray>
#include <QJsonObject>
#include <QProcess>
#include <QString>

#include <optional>

namespace standby {

// projects/{projectId}/{sessionId}.jsonl: a session's history as one JSON object per line, so
// that the conversation can be read back (DESIGN.md, "transcript"). Every event has "time"
// (ISO 8601, milliseconds, UTC) and "type":
//   {"type":"prompt","text":…}                               the task, first
//   {"type":"output","stream":"stdout"|"stderr","data":…}    a chunk as the holder read it
//   {"type":"agent","event":{…}}                             a stream-json agent's event
//   {"type":"input","data":…}                                what was sent to its stdin
//   {"type":"truncated","reason":…,"limitBytes":N}           plain output stops being recorded
//   {"type":"exit","status":…,"exitCode":N|null,"signal":S|null,"durationMs":N[,"error":…]}
// "data" is the bytes as text when they are valid UTF-8; otherwise it is their base64 and the
// event has "encoding":"base64", so nothing is lost or altered (a multi-byte character split
// between two reads is put back together first).
//
// Plain output is recorded up to a cap, then one "truncated" event says so and the rest is left
// to the process log, which has every byte: encoding output as JSON costs, and a session pouring
// out hundreds of megabytes must reach its log at the speed of a shell redirect. Agent events,
// input and the exit are always recorded.
//
// With streamJson, each complete stdout line that parses as a JSON object becomes an "agent"
// event; the lines around it stay output. A line is held until its newline comes, up to
// kMaxLineBytes; a longer one goes out as plain output.
//
// Written like the process log, with plain write(2) calls and nothing buffered but that one line.
class TranscriptWriter
{
public:
    struct Options
    {
        qint64 outputCapBytes = 16LL * 1024 * 1024;
        bool streamJson = false;
    };

    // Creates the project folder (0700) and the file (0600).
    Status open(const QString &path, const Options &options);
    bool isOpen() const { return m_file.isOpen(); }

    void recordPrompt(const QString &text);
    void recordOutput(QProcess::ProcessChannel stream, const QByteArray &bytes);
    // For attach: what a client sent to the session's stdin.
    void recordInput(const QByteArray &bytes);
    // Flushes a held partial line first. status: exited | killed | failed.
    void recordExit(const QString &status, std::optional<int> exitCode, const QString &signal,
                    qint64 durationMs, const QString &error = QString());

    qint64 recordedOutputBytes() const { return m_outputBytes; }
    qint64 omittedOutputBytes() const { return m_omittedBytes; }
    qint64 failedBytes() const { return m_file.failedBytes(); }

    static constexpr qint64 kMaxLineBytes = 1024 * 1024;

    // The length of the longest prefix of bytes that does not end inside a UTF-8 sequence.
    static qsizetype completeUtf8Prefix(const QByteArray &bytes);

private:
    void streamJsonOutput(const QByteArray &bytes);
    void plainOutput(QProcess::ProcessChannel stream, const QByteArray &bytes);
    void emitOutput(QProcess::ProcessChannel stream, const QByteArray &bytes);
    void flushHeld();
    QByteArray event(const char *type) const;
    void finishEvent(QByteArray &event);

    LogWriter m_file;
    Options m_options;
    qint64 m_outputBytes = 0;
    qint64 m_omittedBytes = 0;
    bool m_truncated = false;
    QByteArray m_partialUtf8[2]; // per stream: the start of a character cut by the read
    QByteArray m_line;           // stream-json: the stdout line whose newline has not come yet
    bool m_overlongLine = false; // stream-json: passing a line over kMaxLineBytes through as output
};

} // namespace standby
