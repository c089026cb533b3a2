// The download server's HTTP/1.1 transport, on Boost.Beast and Asio: it
// accepts connections, reads request heads, frames messages strictly and
// writes answers; what an answer says is the handler's business.
//
// Threads. A few I/O threads run every connection asynchronously, so a slow
// or silent client costs a socket and a small buffer, never a thread: a whole
// request head must arrive within `head_timeout_seconds` of the connection
// opening (or of the previous answer on a kept-alive one), however slowly its
// bytes trickle in. A complete request is handed to the handler: a
// synchronous one runs on a pool of `workers` threads (it may block), an
// asynchronous one on the I/O thread, answering later from any thread and
// sending its blocking work to the pool (Offload). When more than `queue`
// jobs wait for a worker, the next request gets 503 at once.
//
// Framing (RFC 9112 section 6.3, as nginx does). No route takes a body, so a
// request that announces one is refused and its connection closed, and the
// bytes after its head are never read as another request: any
// Transfer-Encoding, a repeated Content-Length, a Content-Length that is not
// a plain decimal number, and a positive one are answered 400 (413 for a
// single well-formed positive length) with `Connection: close`, and so is an
// HTTP/1.1 request without exactly one Host (RFC 9112 section 3.2), and one
// with a field folded over lines (obs-fold, RFC 9112 section 5.2: a proxy in
// front could read the folded line as a field of its own). A head over
// `max_head_bytes` or with more than `max_header_fields` fields gets 431 and
// a malformed one 400, both closing.
//
// Connections. At most `max_connections` in all and
// `max_connections_per_address` from one client address are open at once;
// another is closed as soon as it is accepted, so that one client cannot
// take every socket.
//
// HttpServer is thread-safe to start and stop; the handler is called
// concurrently from the worker threads and must be thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_HTTP_SERVER_H_
#define IMPRINT_PIPELINE_SERVER_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imprint {

struct HttpRequest {
  std::string method;  // as sent: "GET", "HEAD", ...
  std::string target;  // the request target, undecoded
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order
  std::string peer;    // the client's address

  // The first value of a header (lower-case `name`), or `fallback`.
  const std::string& Header(const std::string& name, const std::string& fallback = Empty()) const;
  bool HasHeader(const std::string& name) const;

 private:
  static const std::string& Empty();
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // besides the framing ones
  std::string body;        // for HEAD, only its length is sent
  // Instead of `body`: bytes shared with a cache, sent without a copy.
  std::shared_ptr<const std::string> shared_body;
  bool close = false;      // close the connection after this answer

  HttpResponse& Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Sends the answer to one request: call it once, from any thread.
using HttpResponder = std::function<void(HttpResponse)>;
// A handler that answers through `respond`, later, from any thread. It is
// called on an I/O thread, so it must not block: blocking work goes to
// HttpServer::Offload().
using AsyncHttpHandler = std::function<void(const HttpRequest&, HttpResponder respond)>;

// How a connection reads one request head from the front of `bytes`: the
// same parser, limit and framing rules. kIncomplete when more bytes are
// needed; kRequest with `*request` filled (no peer); kRefused with the answer
// in `*refusal` (it closes the connection). For tests and the fuzz target.
enum class HeadResult { kIncomplete, kRequest, kRefused };
HeadResult ReadRequestHead(std::string_view bytes, size_t max_head_bytes, size_t max_header_fields,
                           HttpRequest* request, HttpResponse* refusal);

struct HttpServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;                 // 0: any free port
  int io_threads = 1;
  int workers = 64;                // threads that run the handler
  int queue = 1024;                // complete requests waiting for a worker
  int head_timeout_seconds = 3;    // a request head must arrive within this
  int write_timeout_seconds = 60;  // an answer must be taken within this
  int max_connections = 10000;     // open connections; more are closed at once
  int max_connections_per_address = 256;  // from one client address; more are closed at once
  size_t max_head_bytes = 32 * 1024;
  size_t max_header_fields = 100;  // more: 431
  int max_requests_per_connection = 1000;
};

class HttpServer {
 public:
  // `handler` runs on the worker pool.
  HttpServer(HttpServerOptions options, HttpHandler handler);
  // `handler` runs on an I/O thread and answers when it is ready.
  HttpServer(HttpServerOptions options, AsyncHttpHandler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Throws imprint::Error naming the address when
  // it cannot listen.
  void Start();
  // The port listened on (useful with port 0). REQUIRES: Start() returned.
  int port() const;
  // Runs `work` on the worker pool, or refuses (false) when more than
  // `queue` jobs wait there already. REQUIRES: Start() returned.
  bool Offload(std::function<void()> work);
  // Stops accepting, lets the handlers under way finish (their answers may
  // not all be sent), closes every connection. Idempotent.
  void Stop();

  struct Impl;  // the connections' shared state; internal

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_HTTP_SERVER_H_
