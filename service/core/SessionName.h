#pragma once

#include "core/Error.h"

#include <QSet>
#include <QString>

namespace standby {

// Session names: [A-Za-z0-9._-], 1–64 characters, not starting with '.', so a name is always a
// safe file name (logs/{name}.log) and never a path.
class SessionName
{
public:
    static constexpr int kMaxLength = 64;

    // Error code invalid_name, with a message that says what is wrong.
    static Status validate(const QString &name);

    // A readable name from the task's first words and a short random id, e.g. "make-j8-3f2a",
    // not in `taken`.
    static QString generate(const QString &task, const QSet<QString> &taken);
};

} // namespace standby
