// The download server's command: serve.
#include "pipeline/cli/cli_support.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <tuple>

#include "pipeline/signing/checkpoint.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/server/metrics.h"
#include "pipeline/server/client_network.h"
#include "pipeline/server/server.h"
#include "pipeline/edition/template_set.h"

namespace imprint::cli {
namespace {

// ---- serve ----

// A fatal signal's number on stderr before the default action: a server
// that dies says how (async-signal-safe: write(2) only).
void SayFatalSignal(int signal) {
  char text[48] = "imprint serve: fatal signal ";
  size_t n = std::strlen(text);
  if (signal >= 10) text[n++] = static_cast<char>('0' + signal / 10);
  text[n++] = static_cast<char>('0' + signal % 10);
  text[n++] = '\n';
  ssize_t ignored = ::write(2, text, n);
  (void)ignored;
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

// A network server writes to sockets its clients may have closed: that is an
// error to handle (EPIPE), never a reason to die. Fatal signals are named.
void PrepareSignals() {
  ::signal(SIGPIPE, SIG_IGN);
  for (int fatal : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) ::signal(fatal, SayFatalSignal);
}

// The whole number option `name` from `min` to `max`, or `fallback` when it
// is not given. Throws UsageError for anything else.
int IntOption(const Args& args, const std::string& name, long min, long max, int fallback) {
  if (!args.Has(name)) return fallback;
  const std::string text = args.Get(name);
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < min || n > max) {
    throw UsageError("--" + name + " takes a number from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", not '" + text + "'");
  }
  return static_cast<int>(n);
}

// --trust-proxy ADDR...: each an address (a network would trust too much).
std::vector<std::string> TrustedProxies(const Args& args) {
  const std::vector<std::string> proxies = args.GetAll("trust-proxy");
  for (const std::string& p : proxies) {
    if (!IsIpAddress(p)) throw UsageError("--trust-proxy takes a proxy's IP address, not '" + p + "'");
  }
  return proxies;
}

int RunServe(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  ServerOptions options;
  options.bind = args.Get("bind", "127.0.0.1");
  options.port = IntOption(args, "port", 0, 65535, options.port);
  options.copy_cache_entries = IntOption(args, "copy-cache", 0, 1000000, options.copy_cache_entries);
  options.workers = IntOption(args, "workers", 1, 1024, options.workers);
  options.io_threads = IntOption(args, "io-threads", 1, 64, options.io_threads);
  options.out_dir = args.Get("out", "output");
  options.db_url = args.Get("db", LicenseStore::DefaultUrl(options.out_dir));
  options.db_connections = IntOption(args, "db-connections", 1, 256, options.db_connections);
  options.trusted_proxies = TrustedProxies(args);
  const Keystore keystore = BuildKeystore(options.out_dir, err);
  options.log_origin = args.Get("log-origin", DefaultLogOrigin(keystore.Keys()));
  if (!IsValidNoteKeyName(options.log_origin)) {
    throw UsageError("--log-origin takes a name of printable ASCII without spaces or '+', like "
                     "example.org/audit, not '" + options.log_origin + "'");
  }
  if (args.Has("checkpoint-every")) {
    const std::string every = args.Get("checkpoint-every");
    char* end = nullptr;
    const double seconds = std::strtod(every.c_str(), &end);
    if (every.empty() || *end != '\0' || !(seconds >= 0.01 && seconds <= 10)) {
      throw UsageError("--checkpoint-every takes seconds from 0.01 to 10, not '" + every + "'");
    }
    options.checkpoint_interval = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  }
  if (args.Has("metrics")) {
    try {
      std::tie(options.metrics_bind, options.metrics_port) = ParseHostPort(args.Get("metrics"));
    } catch (const Error& e) {
      throw UsageError("--metrics " + e.diagnostic().message);
    }
  }
  DownloadServer server(options, LoadRightsPolicy(RightsDir(args)), TemplateSet::Load(TemplatesDir(args)),
                        keystore);
  // Handler threads inherit a mask without SIGINT and SIGTERM: only this
  // thread takes them, and stops the server cleanly.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  PrepareSignals();
  server.Start();
  out << "imprint serve: listening on http://" << options.bind << ":" << server.port() << "/ (editions from "
      << options.out_dir << "/)" << std::endl;
  if (server.metrics_port() > 0) {
    const bool v6 = options.metrics_bind.find(':') != std::string::npos;
    out << "imprint serve: metrics on http://" << (v6 ? "[" : "") << options.metrics_bind << (v6 ? "]" : "") << ":"
        << server.metrics_port() << "/metrics" << std::endl;
  }
  int signal = 0;
  sigwait(&stop, &signal);
  server.Stop();
  out << "imprint serve: stopped" << std::endl;
  return kExitOk;
}

}  // namespace

void AddServeCommands(std::vector<Command>* commands) {
  const std::vector<Command> mine = {
      {"serve",
       "serve [--bind 127.0.0.1] [--port 8080] [--out DIR] [--db URL] [--db-connections 8] [--log-origin NAME] "
        "[--checkpoint-every SECONDS] [--metrics HOST:PORT] [--trust-proxy ADDR]...",
       "serve license-gated, personalised, signed editions over HTTP",
       "The download server. GET /editions/<pub>/v<VV>/i<III>/<file> with the header\n"
       "'Authorization: License <base64url of the license>' returns a copy made for\n"
       "the licensee and signed afresh (<file>.minisig its signature), when the\n"
       "license permits reading that format; 401 without a valid license, 403 with\n"
       "the reason, 404 for an unknown edition, 400 for a malformed path. Also\n"
       "/healthz, /keys/imprint.pub, /catalog.json, /licenses/<id>/status and the\n"
       "subscribers' page at /. Every decision goes to the audit log; a checkpoint of\n"
       "the log (its size and head, a C2SP signed note named by --log-origin, by\n"
       "default jamestown.org/imprint/audit/<the keyring's first key id>) is signed\n"
       "at most every --checkpoint-every seconds (default 10) while rows arrive and\n"
       "at shutdown, the latest at /audit/checkpoint. The handlers share a pool of\n"
       "--db-connections store connections (default 8); while the store cannot be\n"
       "reached, what needs it answers 503 store_unavailable (Retry-After: 1) and\n"
        "/healthz 503. --metrics HOST:PORT serves Prometheus metrics at /metrics on a\n"
        "listener of its own (off unless given; bind it to loopback or a private\n"
        "network: it has no credential), never on the public port. Each audit row\n"
        "keeps the client's network (its address cut to a /24 or /48): the socket's\n"
        "peer, or, from a --trust-proxy ADDR, the X-Forwarded-For address that proxy\n"
        "names. Stops on SIGINT or SIGTERM.\n"
       "--port 0 takes any free port.",
       "imprint serve --port 8080 --out output",
       [](OptionSet& set) {
         set.addOption(ValueOption("bind", "", "address to listen on (default 127.0.0.1)", "ADDR"));
         set.addOption(ValueOption("port", "", "port (default 8080; 0: any free one)", "N"));
         set.addOption(ValueOption("copy-cache", "", "personalised copies kept in memory (default 4096; 0: none)", "N"));
         set.addOption(ValueOption("workers", "", "threads that answer requests (default 64)", "N"));
         set.addOption(ValueOption("io-threads", "", "threads that read requests, decide and write answers (default 2)", "N"));
         set.addOption(ValueOption("out", "o", "the editions' folder (default: output)", "DIR"));
         set.addOption(ValueOption("log-origin", "", "the audit log's name in its checkpoints", "NAME"));
         set.addOption(ValueOption("checkpoint-every", "", "sign a checkpoint at most this often (default 10)",
                                   "SECONDS"));
         set.addOption(ValueOption("db-connections", "", "store connections the handlers share (default 8)", "N"));
         set.addOption(ValueOption("metrics", "", "serve Prometheus metrics at /metrics on this address (off unless given)",
                                   "HOST:PORT"));
         set.addOption(Option("trust-proxy", "", "believe X-Forwarded-For from this proxy's address (repeatable)")
                           .required(false).repeatable(true).argument("ADDR"));
         AddDbOption(set);
         AddResourceOptions(set);
       },
       &RunServe},
  };
  commands->insert(commands->end(), mine.begin(), mine.end());
}

}  // namespace imprint::cli
