#pragma once

#include <QList>
#include <QStringList>

namespace standby::cli {

// A plain text table for people: columns padded to their widest cell, two spaces apart.
class Table
{
public:
    explicit Table(const QStringList &header)
        : m_rows{header}
    {}
    void addRow(const QStringList &row) { m_rows.append(row); }
    QString render() const;

    // 3s, 4m, 2h, 5d — the age of a thing in one short word.
    static QString age(qint64 ms);
    // 512B, 12.3M, 1.5G.
    static QString bytes(qint64 bytes);

private:
    QList<QStringList> m_rows;
};

} // namespace standby::cli
