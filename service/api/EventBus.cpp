#include "api/EventBus.h"

#include <QDateTime>

namespace standby {

EventBus::EventBus(int capacity, QObject *parent)
    : QObject(parent)
    , m_capacity(qMax(1, capacity))
    , m_instance(QByteArray::number(QDateTime::currentMSecsSinceEpoch(), 36))
{}

void EventBus::publish(const QString &type, QJsonObject data)
{
    Event event;
    event.id = m_instance + '-' + QByteArray::number(m_next++);
    event.type = type;
    data.insert(QStringLiteral("type"), type);
    data.insert(QStringLiteral("time"), QDateTime::currentMSecsSinceEpoch());
    event.data = std::move(data);
    m_backlog.append(event);
    if (m_backlog.size() > m_capacity)
        m_backlog.removeFirst();
    Q_EMIT published(event);
}

QList<EventBus::Event> EventBus::since(const QByteArray &lastId) const
{
    const qsizetype dash = lastId.lastIndexOf('-');
    if (lastId.isEmpty())
        return {};
    bool ok = false;
    const quint64 seen = dash > 0 ? lastId.mid(dash + 1).toULongLong(&ok) : 0;
    if (!ok || lastId.left(dash) != m_instance)
        return m_backlog;
    QList<Event> out;
    for (const Event &event : m_backlog) {
        const quint64 n = event.id.mid(event.id.lastIndexOf('-') + 1).toULongLong();
        if (n > seen)
            out.append(event);
    }
    return out;
}

} // namespace standby
