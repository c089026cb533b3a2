#include "pipeline/server/http_server.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "pipeline/base/error.h"

namespace imprint {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
// A connection's executor: its own strand on the I/O context, by its type
// rather than type-erased (net::any_io_executor copies and dispatches through
// a table on every operation).
using Strand = net::strand<net::io_context::executor_type>;
using StrandSocket = tcp::socket::rebind_executor<Strand>::other;
using Stream = beast::basic_stream<tcp, Strand>;

// "Sun, 29 Nov 2026 06:33:01 GMT" (RFC 9110's IMF-fixdate), made once a
// second per thread.
const std::string& HttpDate() {
  thread_local time_t made_at = 0;
  thread_local std::string text;
  const time_t now = ::time(nullptr);
  if (now == made_at) return text;
  struct tm tm;
  gmtime_r(&now, &tm);
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
           kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  text = buf;
  made_at = now;
  return text;
}

HttpResponse ErrorAnswer(int status, const std::string& code) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = "{\"error\":\"" + code + "\"}\n";
  r.close = true;
  return r;
}

// A handler's failure: never a message, a path or a license.
HttpResponse InternalError() {
  HttpResponse r = ErrorAnswer(500, "internal");
  r.close = false;
  return r;
}

// Appends a header field, its value kept to one line: the values come from
// the program, never from a request, but a line break would split the answer.
void AppendField(std::string* out, std::string_view name, std::string_view value) {
  out->append(name).append(": ");
  for (const char c : value) out->push_back(c == '\r' || c == '\n' ? ' ' : c);
  out->append("\r\n");
}

// The status line and header fields of `answer` as sent (RFC 9112): the
// Date, the framing (Content-Length unless the status has no body, for HEAD
// too) and what keeps the connection open or closes it.
void AppendHead(std::string* out, const HttpResponse& answer, unsigned version, size_t size, bool bodiless,
                bool keep) {
  out->append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(answer.status)).push_back(' ');
  const auto reason = http::obsolete_reason(static_cast<http::status>(answer.status));
  out->append(reason.data(), reason.size()).append("\r\n");
  AppendField(out, "Server", "imprint");
  AppendField(out, "Date", HttpDate());
  if (!answer.content_type.empty()) AppendField(out, "Content-Type", answer.content_type);
  for (const auto& [name, value] : answer.headers) AppendField(out, name, value);
  if (!bodiless) AppendField(out, "Content-Length", std::to_string(size));
  if (version == 10 && keep) AppendField(out, "Connection", "keep-alive");
  if (version == 11 && !keep) AppendField(out, "Connection", "close");
  out->append("\r\n");
}

// What the head says of a body, its size and its Host: nothing (fine), or the
// answer that refuses the request. No route takes a body; see the header's
// "Framing".
std::optional<HttpResponse> RefuseBody(const http::request<http::empty_body>& head, size_t max_fields) {
  int lengths = 0;
  size_t fields = 0;
  bool positive = false;
  for (const auto& field : head) {
    if (++fields > max_fields) return ErrorAnswer(431, "too_many_header_fields");
    if (field.name() == http::field::transfer_encoding) return ErrorAnswer(400, "transfer_encoding_not_allowed");
    if (field.name() != http::field::content_length) continue;
    const beast::string_view v = field.value();
    if (++lengths > 1 || v.empty() || v.size() > 18) return ErrorAnswer(400, "bad_content_length");
    for (char c : v) {
      if (c < '0' || c > '9') return ErrorAnswer(400, "bad_content_length");
    }
    positive = v.find_first_not_of('0') != beast::string_view::npos;
  }
  if (positive) return ErrorAnswer(413, "body_not_allowed");
  // RFC 9112 section 3.2: an HTTP/1.1 request has exactly one Host.
  size_t hosts = 0;
  for (const auto& field : head) hosts += field.name() == http::field::host;
  if (hosts > 1 || (hosts == 0 && head.version() >= 11)) return ErrorAnswer(400, "bad_host");
  return std::nullopt;
}

// Whether a request head holds an obsolete folded line (obs-fold: a line
// break, then a space or tab; RFC 9112 section 5.2). Beast joins such a line
// to the field before it, while a proxy in front may read it as a field of
// its own (" Content-Length: 40"): the two would frame the request apart, and
// a body would be read here as the next request. Refused, as nginx does.
bool HasObsFold(std::string_view head) {
  for (size_t at = head.find('\n'); at != std::string_view::npos && at + 1 < head.size();
       at = head.find('\n', at + 1)) {
    if (head[at + 1] == ' ' || head[at + 1] == '\t') return true;
  }
  return false;
}

// A connection's read buffer that sees the bytes of each head the parser
// takes from it: Beast's parser takes a head only once it is whole, and in
// one piece (the buffer is flat), so the bytes consumed are the head.
class HeadBuffer : public beast::flat_buffer {
 public:
  explicit HeadBuffer(std::size_t limit) : beast::flat_buffer(limit) {}
  void consume(std::size_t n) {
    const auto bytes = data();
    folded_ = folded_ || HasObsFold(std::string_view(static_cast<const char*>(bytes.data()), std::min(n, bytes.size())));
    beast::flat_buffer::consume(n);
  }
  // Whether a head consumed since the last call held an obs-fold.
  bool TakeFolded() { return std::exchange(folded_, false); }

 private:
  bool folded_ = false;
};

// Whether a read's error is the parser's word on the bytes (answered), not
// the connection's (closed without a word). A client that closed before its
// head was whole has nothing to be told.
bool IsParseError(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message && ec != http::error::need_more;
}

HttpResponse ParseRefusal(const beast::error_code& ec) {
  return ec == http::error::header_limit ? ErrorAnswer(431, "head_too_large") : ErrorAnswer(400, "malformed_request");
}

HttpRequest ToRequest(const http::request<http::empty_body>& head) {
  HttpRequest request;
  request.method = std::string(head.method_string());
  request.target = std::string(head.target());
  request.headers.reserve(8);
  for (const auto& field : head) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return request;
}

}  // namespace

HeadResult ReadRequestHead(std::string_view bytes, size_t max_head_bytes, size_t max_header_fields,
                           HttpRequest* request, HttpResponse* refusal) {
  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(max_head_bytes));
  beast::error_code ec;
  const size_t used = parser.put(net::buffer(bytes.data(), bytes.size()), ec);
  if (ec == http::error::need_more || (!ec && !parser.is_header_done())) return HeadResult::kIncomplete;
  if (ec && !parser.is_header_done()) {
    *refusal = ParseRefusal(ec);
    return HeadResult::kRefused;
  }
  if (HasObsFold(bytes.substr(0, used))) {
    *refusal = ErrorAnswer(400, "obsolete_line_folding");
    return HeadResult::kRefused;
  }
  if (std::optional<HttpResponse> refused = RefuseBody(parser.get(), max_header_fields)) {
    *refusal = std::move(*refused);
    return HeadResult::kRefused;
  }
  *request = ToRequest(parser.get());
  return HeadResult::kRequest;
}

const std::string& HttpRequest::Empty() {
  static const std::string empty;
  return empty;
}

const std::string& HttpRequest::Header(const std::string& name, const std::string& fallback) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return fallback;
}

bool HttpRequest::HasHeader(const std::string& name) const {
  for (const auto& h : headers) {
    if (h.first == name) return true;
  }
  return false;
}

struct HttpServer::Impl {
  Impl(HttpServerOptions o, AsyncHttpHandler h) : options(std::move(o)), handler(std::move(h)) {}

  void Accept();

  // Counts a new connection from `address`; false (and nothing counted) when
  // the server or that address is at its limit.
  bool Admit(const std::string& address) {
    if (connections.load() >= options.max_connections) return false;
    std::lock_guard<std::mutex> lock(per_address_mu);
    int& n = per_address[address];
    if (n >= options.max_connections_per_address) {
      if (n == 0) per_address.erase(address);
      return false;
    }
    ++n;
    ++connections;
    return true;
  }
  void Release(const std::string& address) {
    std::lock_guard<std::mutex> lock(per_address_mu);
    const auto it = per_address.find(address);
    if (it != per_address.end() && --it->second == 0) per_address.erase(it);
    --connections;
  }

  // Declared before the I/O context: sessions it still holds when it is
  // destroyed count themselves out here.
  HttpServerOptions options;
  AsyncHttpHandler handler;
  std::atomic<int> connections{0};
  std::mutex per_address_mu;
  std::unordered_map<std::string, int> per_address;  // GUARDED_BY(per_address_mu): open connections
  std::atomic<int> waiting{0};  // complete requests not yet taken by a worker
  std::atomic<int> writing{0};  // answers handed back but not yet written
  std::atomic<bool> stopping{false};
  bool stopped = false;

  net::io_context ioc;
  // The acceptor and its retry timer are used only on this strand: the next
  // accept, on any I/O thread, and Stop()'s close never at once.
  Strand accept_strand{ioc.get_executor()};
  tcp::acceptor acceptor{accept_strand};
  net::steady_timer accept_retry{accept_strand};
  std::unique_ptr<net::thread_pool> workers;
  std::vector<std::thread> io_threads;
  int bound_port = 0;
};

namespace {

// One connection: read a head, have a worker answer it, write the answer,
// again while the connection is kept alive. Every step runs on the
// connection's strand but the handler, which runs on a worker.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // REQUIRES: `address`'s connection was counted (HttpServer::Impl::Admit).
  Session(StrandSocket socket, std::string address, HttpServer::Impl* server)
      : stream_(std::move(socket)), buffer_(server->options.max_head_bytes + 4096), server_(server),
        address_(std::move(address)) {}
  ~Session() { server_->Release(address_); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    // Until a head is read, an answer (a refusal) is HTTP/1.1's, with a body.
    head_method_ = false;
    version_ = 11;
    parser_.emplace();
    buffer_.TakeFolded();  // a fresh head
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.max_head_bytes));
    stream_.expires_after(std::chrono::seconds(server_->options.head_timeout_seconds));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHead(ec); });
  }

  void OnHead(beast::error_code ec) {
    if (ec) {
      // A client that went away, or never finished its head in time: no
      // answer. A head that cannot be a request: 400 (431 when too large).
      if (!IsParseError(ec)) return Close();
      return Write(ParseRefusal(ec));
    }
    stream_.expires_never();
    if (buffer_.TakeFolded()) return Write(ErrorAnswer(400, "obsolete_line_folding"));
    const http::request<http::empty_body>& head = parser_->get();
    keep_alive_ = head.keep_alive();
    version_ = head.version();
    head_method_ = head.method() == http::verb::head;
    if (std::optional<HttpResponse> refused = RefuseBody(head, server_->options.max_header_fields)) {
      return Write(std::move(*refused));
    }
    if (server_->stopping) return Write(ErrorAnswer(503, "shutting_down"));

    HttpRequest request = ToRequest(head);
    request.peer = address_;
    // The answer comes back to this connection's strand, from whichever
    // thread gives it.
    HttpResponder respond = [self = shared_from_this()](HttpResponse answer) {
      ++self->server_->writing;  // until Write() counts it itself
      net::post(self->stream_.get_executor(), [self, answer = std::move(answer)]() mutable {
        self->Write(std::move(answer));
        --self->server_->writing;
      });
    };
    try {
      server_->handler(request, std::move(respond));
    } catch (const std::exception&) {
      Write(InternalError());  // the handler threw before answering
    }
  }

  void Write(HttpResponse answer) {
    // One answer a request, one write at a time: a second would rewrite the
    // buffers the first is still sending.
    if (writing_) return;
    writing_ = true;
    ++served_;
    ++server_->writing;
    const bool keep = keep_alive_ && !answer.close && !server_->stopping &&
                      served_ < server_->options.max_requests_per_connection;
    const bool bodiless = answer.status == 304 || answer.status == 204 || answer.status < 200;
    const bool send_body = !head_method_ && !bodiless;
    // A shared body is sent from where it is, not copied.
    shared_body_ = std::move(answer.shared_body);
    body_ = std::move(answer.body);
    const std::string_view body = shared_body_ ? std::string_view(*shared_body_) : std::string_view(body_);
    head_.clear();  // keeps its capacity: no allocation after the first answer
    AppendHead(&head_, answer, version_ == 10 ? 10 : 11, body.size(), bodiless, keep);
    const std::array<net::const_buffer, 2> buffers = {
        net::buffer(head_), send_body ? net::buffer(body.data(), body.size()) : net::const_buffer()};
    stream_.expires_after(std::chrono::seconds(server_->options.write_timeout_seconds));
    net::async_write(stream_, buffers, [self = shared_from_this(), keep](beast::error_code ec, size_t) {
      --self->server_->writing;
      self->writing_ = false;
      self->shared_body_.reset();
      if (ec || !keep) return self->Close();
      self->Read();
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  Stream stream_;
  HeadBuffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  HttpServer::Impl* server_;
  const std::string address_;
  std::string head_;  // the answer being written: its head, and its body
  std::string body_;  // or the shared one
  std::shared_ptr<const std::string> shared_body_;
  bool writing_ = false;  // an answer is being written
  bool keep_alive_ = false;
  bool head_method_ = false;
  unsigned version_ = 11;
  int served_ = 0;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc.get_executor()), [this](beast::error_code ec, StrandSocket socket) {
    if (!acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors, say: try again shortly rather than spin.
      accept_retry.expires_after(std::chrono::milliseconds(20));
      accept_retry.async_wait([this](beast::error_code) {
        if (acceptor.is_open()) Accept();
      });
      return;
    }
    beast::error_code peer_ec;
    const tcp::endpoint peer = socket.remote_endpoint(peer_ec);
    std::string address = peer_ec ? std::string() : peer.address().to_string();
    if (peer_ec || !Admit(address)) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Session>(std::move(socket), std::move(address), this)->Start();
    }
    Accept();
  });
}

HttpServer::HttpServer(HttpServerOptions options, AsyncHttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : HttpServer(std::move(options), AsyncHttpHandler()) {
  // On the pool: 503 when too many wait for it.
  impl_->handler = [this, handler = std::move(handler)](const HttpRequest& request, HttpResponder respond) {
    auto job = [handler, request, respond] {
      HttpResponse answer;
      try {
        answer = handler(request);
      } catch (const std::exception&) {
        answer = InternalError();
      }
      respond(std::move(answer));
    };
    if (!Offload(std::move(job))) respond(ErrorAnswer(503, "busy"));
  };
}

bool HttpServer::Offload(std::function<void()> work) {
  if (impl_->waiting.load() >= impl_->options.queue) return false;
  ++impl_->waiting;
  net::post(*impl_->workers, [impl = impl_.get(), work = std::move(work)] {
    --impl->waiting;
    work();
  });
  return true;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
  const std::string where = impl_->options.bind + ":" + std::to_string(impl_->options.port);
  try {
    const tcp::endpoint endpoint(net::ip::make_address(impl_->options.bind),
                                 static_cast<unsigned short>(impl_->options.port));
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(net::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen(net::socket_base::max_listen_connections);
    impl_->bound_port = impl_->acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    throw Error(where, 0, std::string("cannot serve: ") + e.what());
  }
  impl_->workers = std::make_unique<net::thread_pool>(static_cast<size_t>(std::max(1, impl_->options.workers)));
  impl_->Accept();
  for (int i = 0; i < std::max(1, impl_->options.io_threads); ++i) {
    impl_->io_threads.emplace_back([this] { impl_->ioc.run(); });
  }
}

int HttpServer::port() const { return impl_->bound_port; }

void HttpServer::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping = true;
  net::post(impl_->accept_strand, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->accept_retry.cancel();
  });
  if (impl_->workers) impl_->workers->join();  // the handlers under way finish
  // Their answers go out, for a moment at most.
  for (int i = 0; i < 200 && impl_->writing.load() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->ioc.stop();
  for (std::thread& t : impl_->io_threads) t.join();
  impl_->io_threads.clear();
}

}  // namespace imprint
