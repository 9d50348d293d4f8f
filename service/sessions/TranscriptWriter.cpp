#include "sessions/TranscriptWriter.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>
#include <cstring>
#include <sys/stat.h>

namespace standby {

namespace {

int streamIndex(QProcess::ProcessChannel stream)
{
    return stream == QProcess::StandardError ? 1 : 0;
}

const char *streamName(QProcess::ProcessChannel stream)
{
    return stream == QProcess::StandardError ? "stderr" : "stdout";
}

// Appends bytes as the inside of a JSON string when they are valid UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF); false, with `out` as it was, when they are not.
// One pass over the bytes into a buffer sized for the worst case, not a round trip through
// UTF-16 and not an append per byte: output can be megabytes of short lines.
bool appendJsonUtf8(QByteArray &out, const char *data, qsizetype size)
{
    static const char hex[] = "0123456789abcdef";
    const qsizetype start = out.size();
    out.resize(start + size * 6); // \u00XX is the longest form of one byte
    char *to = out.data() + start;
    const auto *p = reinterpret_cast<const uchar *>(data);
    const auto *end = p + size;
    auto continuation = [&](const uchar *at, uchar low, uchar high) {
        return at < end && *at >= low && *at <= high;
    };
    // Eight bytes at a time while none needs a look (no control character, quote, backslash
    // or non-ASCII byte): plain text goes at memcpy speed. A word that fails is done byte by
    // byte, and so is the next: short lines do not pay for the test at every byte.
    constexpr quint64 kOnes = 0x0101010101010101ULL;
    constexpr quint64 kHighs = 0x8080808080808080ULL;
    const auto hasZero = [](quint64 v) { return (v - kOnes) & ~v & kHighs; };
    const uchar *slowUntil = p;
    while (p < end) {
        if (p >= slowUntil && end - p >= 8) {
            quint64 word;
            std::memcpy(&word, p, 8);
            if (((word | ((word - kOnes * 0x20) & ~word)) & kHighs) == 0 &&
                !hasZero(word ^ (kOnes * '"')) && !hasZero(word ^ (kOnes * '\\'))) {
                std::memcpy(to, p, 8);
                to += 8;
                p += 8;
                continue;
            }
            slowUntil = p + 16;
        }
        const uchar c = *p;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *to++ = char(c);
            ++p;
            continue;
        }
        if (c < 0x80) {
            *to++ = '\\';
            switch (c) {
            case '"':
            case '\\':
                *to++ = char(c);
                break;
            case '\n':
                *to++ = 'n';
                break;
            case '\r':
                *to++ = 'r';
                break;
            case '\t':
                *to++ = 't';
                break;
            default:
                *to++ = 'u';
                *to++ = '0';
                *to++ = '0';
                *to++ = hex[c >> 4];
                *to++ = hex[c & 15];
            }
            ++p;
            continue;
        }
        int length = 0;
        if (c >= 0xC2 && c <= 0xDF)
            length = continuation(p + 1, 0x80, 0xBF) ? 2 : 0;
        else if (c >= 0xE0 && c <= 0xEF)
            length = continuation(p + 1, c == 0xE0 ? 0xA0 : 0x80, c == 0xED ? 0x9F : 0xBF) &&
                             continuation(p + 2, 0x80, 0xBF)
                         ? 3
                         : 0;
        else if (c >= 0xF0 && c <= 0xF4)
            length = continuation(p + 1, c == 0xF0 ? 0x90 : 0x80, c == 0xF4 ? 0x8F : 0xBF) &&
                             continuation(p + 2, 0x80, 0xBF) && continuation(p + 3, 0x80, 0xBF)
                         ? 4
                         : 0;
        if (length == 0) {
            out.truncate(start);
            return false;
        }
        if (length == 3 && c == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
            // U+FEFF escaped: some readers (Qt's among them) drop it raw at a string's start.
            std::memcpy(to, "\\ufeff", 6);
            to += 6;
            p += 3;
            continue;
        }
        for (int i = 0; i < length; ++i)
            *to++ = char(*p++);
    }
    out.truncate(to - out.constData());
    return true;
}

QByteArray jsonString(const QString &text)
{
    const QByteArray utf8 = text.toUtf8(); // always valid: lone surrogates become U+FFFD
    QByteArray out = "\"";
    appendJsonUtf8(out, utf8.constData(), utf8.size());
    out += '"';
    return out;
}

// ,"data":… as text when the bytes are valid UTF-8, else as base64 with "encoding".
QByteArray dataFields(const QByteArray &bytes)
{
    QByteArray out = ",\"data\":\"";
    if (appendJsonUtf8(out, bytes.constData(), bytes.size()))
        return out + '"';
    return ",\"data\":\"" + bytes.toBase64() + "\",\"encoding\":\"base64\"";
}

bool isBlank(const QByteArray &data, qsizetype from, qsizetype to)
{
    for (qsizetype i = from; i < to; ++i) {
        const char c = data.at(i);
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    }
    return true;
}

// The line (without its newline) when it is one JSON object, trimmed; else empty.
QByteArray jsonObjectLine(const QByteArray &data, qsizetype from, qsizetype to)
{
    const QByteArray line = QByteArray::fromRawData(data.constData() + from, to - from);
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return QByteArray();
    // The parser refuses invalid UTF-8, so the line can go into the transcript as it is: exactly
    // what the agent printed (key order, big numbers), without a round trip. But it accepts raw
    // control characters in strings, which strict readers refuse: such a line is written anew.
    const QByteArray trimmed = line.trimmed();
    const bool strict =
        std::none_of(trimmed.cbegin(), trimmed.cend(), [](char c) { return uchar(c) < 0x20; });
    return strict ? trimmed : QJsonDocument(document.object()).toJson(QJsonDocument::Compact);
}

} // namespace

qsizetype TranscriptWriter::completeUtf8Prefix(const QByteArray &bytes)
{
    const qsizetype size = bytes.size();
    for (qsizetype i = size - 1; i >= 0 && i >= size - 4; --i) {
        const uchar c = uchar(bytes.at(i));
        if ((c & 0xC0) == 0x80)
            continue; // a continuation byte: the sequence began further back
        const int length = c < 0x80             ? 1
                           : (c & 0xE0) == 0xC0 ? 2
                           : (c & 0xF0) == 0xE0 ? 3
                           : (c & 0xF8) == 0xF0 ? 4
                                                : 1;
        return size - i < length ? i : size;
    }
    return size;
}

Status TranscriptWriter::open(const QString &path, const Options &options)
{
    m_options = options;
    const QString dir = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(dir))
        return Error{QStringLiteral("io_error"), QStringLiteral("cannot create %1").arg(dir)};
    ::chmod(QFile::encodeName(dir).constData(), 0700);
    return m_file.open(path);
}

QByteArray TranscriptWriter::event(const char *type) const
{
    QByteArray out;
    out.reserve(96);
    out += "{\"time\":\"";
    out += QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toLatin1();
    out += "\",\"type\":\"";
    out += type;
    out += '"';
    return out;
}

void TranscriptWriter::finishEvent(QByteArray &event)
{
    event += "}\n";
    m_file.append(event);
}

void TranscriptWriter::recordPrompt(const QString &text)
{
    if (!isOpen())
        return;
    QByteArray out = event("prompt");
    out += ",\"text\":" + jsonString(text);
    finishEvent(out);
}

void TranscriptWriter::recordInput(const QByteArray &bytes)
{
    if (!isOpen() || bytes.isEmpty())
        return;
    QByteArray out = event("input");
    out += dataFields(bytes);
    finishEvent(out);
}

void TranscriptWriter::recordExit(const QString &status, std::optional<int> exitCode,
                                  const QString &signal, qint64 durationMs, const QString &error)
{
    if (!isOpen())
        return;
    flushHeld();
    QByteArray out = event("exit");
    out += ",\"status\":" + jsonString(status);
    out += ",\"exitCode\":" + (exitCode ? QByteArray::number(*exitCode) : QByteArray("null"));
    out += ",\"signal\":" + (signal.isEmpty() ? QByteArray("null") : jsonString(signal));
    out += ",\"durationMs\":" + QByteArray::number(qMax<qint64>(0, durationMs));
    if (!error.isEmpty())
        out += ",\"error\":" + jsonString(error);
    finishEvent(out);
}

void TranscriptWriter::recordOutput(QProcess::ProcessChannel stream, const QByteArray &bytes)
{
    if (!isOpen() || bytes.isEmpty())
        return;
    if (m_options.streamJson && stream == QProcess::StandardOutput)
        streamJsonOutput(bytes);
    else
        plainOutput(stream, bytes);
}

void TranscriptWriter::plainOutput(QProcess::ProcessChannel stream, const QByteArray &bytes)
{
    if (m_truncated) {
        m_omittedBytes += bytes.size();
        return;
    }
    QByteArray &partial = m_partialUtf8[streamIndex(stream)];
    QByteArray data = partial.isEmpty() ? bytes : partial + bytes;
    partial.clear();
    const qsizetype complete = completeUtf8Prefix(data);
    if (complete < data.size()) {
        partial = data.mid(complete);
        data.truncate(complete);
    }
    emitOutput(stream, data);
}

void TranscriptWriter::emitOutput(QProcess::ProcessChannel stream, const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    if (m_truncated) {
        m_omittedBytes += bytes.size();
        return;
    }
    QByteArray data = bytes;
    const qint64 room = m_options.outputCapBytes - m_outputBytes;
    const bool overflow = data.size() > room;
    if (overflow) {
        data.truncate(qsizetype(qMax<qint64>(0, room)));
        data.truncate(completeUtf8Prefix(data));
        m_omittedBytes += bytes.size() - data.size();
    }
    if (!data.isEmpty()) {
        QByteArray out = event("output");
        out += ",\"stream\":\"";
        out += streamName(stream);
        out += '"';
        out += dataFields(data);
        finishEvent(out);
        m_outputBytes += data.size();
    }
    if (overflow) {
        m_truncated = true;
        for (QByteArray &partial : m_partialUtf8) {
            m_omittedBytes += partial.size();
            partial.clear();
        }
        QByteArray out = event("truncated");
        out += ",\"reason\":" +
               jsonString(QStringLiteral("plain output past the transcript's limit "
                                         "(logs.transcriptOutputMb) is not recorded here; the "
                                         "process log has all of it"));
        out += ",\"limitBytes\":" + QByteArray::number(m_options.outputCapBytes);
        finishEvent(out);
    }
}

void TranscriptWriter::streamJsonOutput(const QByteArray &bytes)
{
    QByteArray data = bytes;
    if (m_overlongLine) {
        // The rest of a line too long to hold: plain output up to its newline.
        const qsizetype newline = data.indexOf('\n');
        if (newline < 0) {
            plainOutput(QProcess::StandardOutput, data);
            return;
        }
        plainOutput(QProcess::StandardOutput, data.left(newline + 1));
        m_overlongLine = false;
        data = data.mid(newline + 1);
    }
    if (!m_line.isEmpty()) {
        data.prepend(m_line);
        m_line.clear();
    }
    const qsizetype lastNewline = data.lastIndexOf('\n');
    qsizetype plainFrom = 0; // output not yet written, up to the next agent event
    auto plainUpTo = [&](qsizetype end) {
        if (end <= plainFrom)
            return;
        if (m_truncated) // only counted: no copy
            m_omittedBytes += end - plainFrom;
        else
            plainOutput(QProcess::StandardOutput, data.mid(plainFrom, end - plainFrom));
        plainFrom = end;
    };
    // Only lines that begin with '{' can be objects: find those with memchr instead of looking
    // at every line, so a torrent of plain lines (`yes`) costs next to nothing.
    qsizetype position = 0;
    while (position <= lastNewline) {
        const qsizetype brace = data.indexOf('{', position);
        if (brace < 0 || brace > lastNewline)
            break;
        const qsizetype lineStart = data.lastIndexOf('\n', brace) + 1;
        const qsizetype lineEnd = data.indexOf('\n', brace);
        if (isBlank(data, lineStart, brace) && lineEnd - lineStart < kMaxLineBytes) {
            const QByteArray object = jsonObjectLine(data, lineStart, lineEnd);
            if (!object.isEmpty()) {
                plainUpTo(lineStart);
                QByteArray out = event("agent");
                out += ",\"event\":" + object;
                finishEvent(out);
                plainFrom = lineEnd + 1;
            }
        }
        position = lineEnd + 1;
    }
    plainUpTo(lastNewline + 1);
    // The start of a line whose newline has not come: held, within bounds.
    const qsizetype held = data.size() - (lastNewline + 1);
    if (held == 0)
        return;
    if (held > kMaxLineBytes) {
        plainOutput(QProcess::StandardOutput, data.mid(lastNewline + 1));
        m_overlongLine = true;
        return;
    }
    m_line = data.mid(lastNewline + 1);
}

void TranscriptWriter::flushHeld()
{
    if (!m_line.isEmpty()) {
        // The last line, which ended with the output rather than a newline.
        const QByteArray object = jsonObjectLine(m_line, 0, m_line.size());
        if (!object.isEmpty()) {
            QByteArray out = event("agent");
            out += ",\"event\":" + object;
            finishEvent(out);
        } else {
            plainOutput(QProcess::StandardOutput, m_line);
        }
        m_line.clear();
    }
    m_overlongLine = false;
    // Bytes that never became a whole character: base64.
    for (QProcess::ProcessChannel stream : {QProcess::StandardOutput, QProcess::StandardError}) {
        QByteArray &partial = m_partialUtf8[streamIndex(stream)];
        const QByteArray rest = partial;
        partial.clear();
        emitOutput(stream, rest);
    }
}

} // namespace standby
