// The download server (docs/http.md): license-gated, personalised, signed
// editions over HTTP (pipeline/http_server: Beast).
//
// Every request's path is matched against the few shapes docs/http.md names
// and mapped to a file under the output folder by the server, never taken from
// the request; a malformed path is 400, a well-formed one of no route 404. A
// license (Authorization: License <base64url>, or HTTP Basic with its id and
// access key, which access_gate turns into the document the store holds) is
// trusted only after its signature checks out; decide() then permits or
// denies, and every decision is appended to the hash-chained audit log,
// committed (in groups) before the response leaves. Personalised copies are
// made only from built files that their edition's signed manifest proves
// (artifact_verifier; 500 edition_unverified otherwise), signed with the
// keystore's current key (live_keys: a rotation or revocation takes effect
// within a second, without a restart), and cached per license and edition.
// Every request for an edition file leaves exactly one audit row with its
// final outcome (HEAD and signatures recorded as such). A thread signs
// checkpoints of the audit log (its size and head, with the foundation's
// current key) at most every `checkpoint_interval` while rows arrive and at
// Stop(); GET /audit/checkpoint serves the latest. Connections cost no thread
// (http_server.h): a request for an edition file is decided on an I/O thread
// and answered when the audit writer's thread has committed its row (in a
// group with the rows handed in meanwhile); the other routes run on a
// bounded pool of workers and share a bounded pool of store connections
// (store_pool.h, `db_connections`). While the store cannot
// be reached, what needs it is 503 store_unavailable with Retry-After: 1
// (never a copy without its audit row, never a 404 for a license that may
// exist), /healthz is 503 naming the store, and every connection is opened
// anew once it is back. Start() and Stop() from one thread. Its parts are
// units of their own: access_gate, audit_writer (with store_checkpointer),
// checkpoint_signer, revocation_list, copy_cache, verdict_cache, http_answer
// and serve_log; this unit routes requests to them and to decisions.
#ifndef IMPRINT_PIPELINE_SERVER_SERVER_H_
#define IMPRINT_PIPELINE_SERVER_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/signing/keystore.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/edition/template_set.h"

namespace imprint {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;          // 0: any free port
  std::string out_dir = "output";
  std::string db_url;       // the license store
  int db_connections = 8;   // the handlers' pool of store connections (the audit
                            // writer, its checkpointer and the checkpoint signer
                            // hold one each besides)
  int workers = 64;         // threads that answer requests (an audit commit waits in one)
  int io_threads = 2;       // threads that read, decide, personalise and write
  int queue = 1024;         // complete requests waiting for a worker; more get 503
  int copy_cache_entries = 4096;  // personalised copies kept (and 64 MB at most); 0: none
  int timeout_seconds = 3;  // a whole request head, and idle keep-alive: a silent
                            // or slow client's connection is closed after this
  // The audit log's signed checkpoints (pipeline/signing/checkpoint.h): the log's
  // name in them, and the longest a committed row waits for one.
  std::string log_origin = "jamestown.org/imprint/audit";
  std::chrono::milliseconds checkpoint_interval{10000};
  // Prometheus metrics (metrics.h) on a listener of their own, never the
  // public one: off while metrics_port < 0 (0: any free port).
  std::string metrics_bind = "127.0.0.1";
  int metrics_port = -1;
  // Proxies whose X-Forwarded-For names the client (client_network.h); none:
  // the socket's peer is the client, the header never believed.
  std::vector<std::string> trusted_proxies;
};

class DownloadServer {
 public:
  // Throws imprint::Error when the keystore has no usable signing key.
  DownloadServer(ServerOptions options, RightsPolicy policy, TemplateSet templates, Keystore keystore);
  ~DownloadServer();

  // Binds and starts serving. Throws imprint::Error when it cannot.
  void Start();
  int port() const;
  // The metrics listener's port; 0 when it is off.
  int metrics_port() const;
  void Stop();

  struct Impl;  // the handlers' shared state; internal

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_SERVER_H_
