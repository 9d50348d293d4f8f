#pragma once

#include <QList>

namespace standby {

// The newest `capacity` values, oldest first. Grows to its capacity as values come, then
// overwrites the oldest: history for a worker seen a minute ago costs a minute's worth.
template<typename T>
class RingBuffer
{
public:
    explicit RingBuffer(qsizetype capacity = 0)
        : m_capacity(capacity)
    {}

    void push(const T &value)
    {
        if (m_capacity <= 0)
            return;
        if (m_values.size() < m_capacity) {
            m_values.append(value);
            return;
        }
        m_values[m_head] = value;
        m_head = (m_head + 1) % m_capacity;
    }

    qsizetype size() const { return m_values.size(); }
    qsizetype capacity() const { return m_capacity; }
    bool isEmpty() const { return m_values.isEmpty(); }
    // i = 0 is the oldest.
    const T &at(qsizetype i) const { return m_values.at((m_head + i) % m_values.size()); }
    const T &last() const { return at(size() - 1); }
    void clear()
    {
        m_values.clear();
        m_head = 0;
    }

private:
    qsizetype m_capacity;
    qsizetype m_head = 0; // index of the oldest once full
    QList<T> m_values;
};

} // namespace standby
