// The license store on SQLite (sql_store.h's statements through SQLite's C
// API): one file beside the output, no server to run.
//
// The file is in write-ahead-log mode (readers never block the audit log's
// writer) with synchronous=NORMAL (a commit survives the process crashing
// without waiting for the disk each time); a connection that finds the
// database locked waits up to 10 s for its turn. Every statement is prepared
// once per connection: the audit append, which a loaded download server runs
// thousands of times a second, then only binds and steps. SQLite's failures
// are imprint::Error naming the file and the statement. One connection: not
// thread-safe, use one per thread.
#ifndef IMPRINT_PIPELINE_LICENSE_SQLITE_STORE_H_
#define IMPRINT_PIPELINE_LICENSE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "pipeline/license/license_store.h"

namespace imprint {

// Opens (creating it when missing) and migrates the database at `path`.
// Throws imprint::Error when it cannot.
std::unique_ptr<LicenseStore> OpenSqliteStore(const std::string& path);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_SQLITE_STORE_H_
