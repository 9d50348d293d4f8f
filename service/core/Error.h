#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace standby {

// An error travels as a value: a stable machine code (the API's error.code) and a message
// written for the person who reads it.
struct Error
{
    QString code;
    QString message;
};

// A value or an Error; std::expected arrives only with C++23.
template<typename T>
class Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    {}
    Result(Error error)
        : m_value(std::move(error))
    {}

    bool ok() const { return std::holds_alternative<T>(m_value); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_value); }
    T &value() & { return std::get<T>(m_value); }
    T &&value() && { return std::get<T>(std::move(m_value)); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }

    const Error &error() const { return std::get<Error>(m_value); }

private:
    std::variant<T, Error> m_value;
};

// For operations that return nothing but may fail.
using Status = std::optional<Error>;

} // namespace standby
