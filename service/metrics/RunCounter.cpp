#include "metrics/RunCounter.h"

#include <QFile>

#include <cstring>
#include <dirent.h>
#include <sys/stat.h>

namespace standby {

RunCounter::RunCounter(const Paths &paths)
    : m_paths(paths)
    , m_stamp(paths.runsDir())
{}

QMap<QString, int> RunCounter::count(qint64 nowMs, const ProcessTable &processes)
{
    QMap<QString, int> counts;
    for (RunRecord::State state :
         {RunRecord::State::Accepted, RunRecord::State::Running, RunRecord::State::Exited,
          RunRecord::State::Failed, RunRecord::State::Killed})
        counts.insert(RunRecord::statusName(state), 0);
    if (!m_stamp.mayHaveChanged()) {
        for (const Known &entry : std::as_const(m_known))
            counts[entry.finished
                       ? entry.status
                       : RunRecord::statusName(entry.record.reconciled(nowMs, processes).status)] +=
                1;
        return counts;
    }
    const QString dir = m_paths.runsDir() + QLatin1Char('/');
    // readdir(3) rather than QDir, which builds a QFileInfo for every one of up to thousands of
    // names on every pass.
    QStringList names;
    if (DIR *listing = ::opendir(QFile::encodeName(dir).constData())) {
        while (const dirent *entry = ::readdir(listing)) {
            const qsizetype length = qsizetype(std::strlen(entry->d_name));
            if (length > 7 && std::strncmp(entry->d_name, "r-", 2) == 0 &&
                std::strcmp(entry->d_name + length - 5, ".json") == 0)
                names.append(QFile::decodeName(entry->d_name));
        }
        ::closedir(listing);
    }
    QHash<QString, Known> known;
    known.reserve(names.size());
    for (const QString &name : names) {
        Known entry = m_known.value(name);
        if (!entry.finished) {
            struct stat st
            {
            };
            if (::stat(QFile::encodeName(dir + name).constData(), &st) != 0)
                continue; // removed since the listing
            const qint64 mtimeNs = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
            if (entry.record.runId.isEmpty() || entry.inode != st.st_ino ||
                entry.size != st.st_size || entry.mtimeNs != mtimeNs) {
                const Result<RunRecord> record = RunRecord::read(m_paths, name.chopped(5));
                if (!record)
                    continue;
                entry.record = *record;
                entry.inode = st.st_ino;
                entry.size = st.st_size;
                entry.mtimeNs = mtimeNs;
                // What the file itself says has ended is final; a "lost" run is looked at again.
                if (record->isFinished()) {
                    entry.finished = true;
                    entry.status = RunRecord::statusName(record->status);
                    entry.record = RunRecord();
                }
            }
        }
        const QString status =
            entry.finished
                ? entry.status
                : RunRecord::statusName(entry.record.reconciled(nowMs, processes).status);
        counts[status] += 1;
        known.insert(name, std::move(entry));
    }
    m_known = std::move(known);
    m_stamp.listed(nowMs);
    return counts;
}

} // namespace standby
