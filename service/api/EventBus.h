#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>

namespace standby {

// The daemon's events (worker.started, worker.exited, …) for GET /api/v1/events. Each gets an id
// "<instance>-<n>"; a bounded backlog lets a client that reconnects with the last id it saw get
// what it missed. Ids of another daemon instance (before a restart) or older than the backlog
// get the whole backlog.
class EventBus : public QObject
{
    Q_OBJECT

public:
    struct Event
    {
        QByteArray id;
        QString type;
        QJsonObject data; // includes "type" and "time"
    };

    explicit EventBus(int capacity = 1000, QObject *parent = nullptr);

    void publish(const QString &type, QJsonObject data);
    QList<Event> since(const QByteArray &lastId) const;
    int capacity() const { return m_capacity; }

Q_SIGNALS:
    void published(const standby::EventBus::Event &event);

private:
    int m_capacity;
    QByteArray m_instance;
    quint64 m_next = 1;
    QList<Event> m_backlog; // oldest first
};

} // namespace standby
