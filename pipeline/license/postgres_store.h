// The license store on PostgreSQL (sql_store.h's statements through libpq),
// for several server instances sharing one store.
//
// The URL is postgresql://USER[:PASSWORD]@HOST[:PORT]/DB (postgres:// too);
// the host defaults to 127.0.0.1 and the database to "postgres". A server
// that does not answer is given up on after 2 s, not waited for without end:
// a download server answers 503 meanwhile. Every statement is prepared once
// per connection. libpq's failures are imprint::Error naming the URL without
// its password and the statement; the server's notices are not printed. One
// connection: not thread-safe, use one per thread.
#ifndef IMPRINT_PIPELINE_LICENSE_POSTGRES_STORE_H_
#define IMPRINT_PIPELINE_LICENSE_POSTGRES_STORE_H_

#include <memory>
#include <string>

#include "pipeline/license/license_store.h"

namespace imprint {

// Connects to and migrates the database `url` names. Throws imprint::Error
// (without the password) when it cannot.
std::unique_ptr<LicenseStore> OpenPostgresStore(const std::string& url);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_POSTGRES_STORE_H_
