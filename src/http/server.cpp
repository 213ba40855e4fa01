// Boost 1.74: awaitable.hpp uses std::exchange without <utility>; no as_tuple yet, so
// errors come back through redirect_error (ARCHITECTURE §8).
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <limits>
#include <list>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "crypto/crypto.h"
#include "http/server.h"

namespace tb::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

bool is_upload(std::string_view content_type) {
  return content_type.starts_with("multipart/") || content_type.starts_with("application/octet-stream");
}

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

std::string json_escape(std::string_view s) { return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

struct Server::Impl {
  // One accepted connection; its socket is touched only by its own thread's io_context.
  struct Connection {
    explicit Connection(tcp::socket s) : stream(std::move(s)) {}
    beast::tcp_stream stream;
    bool busy = false;  // a request is being handled; a stop lets it finish
  };

  ServerOptions options;
  const Router& router;
  Metrics& metrics;
  // One io_context per thread (no strands, no cross-thread hand-offs on the hot path);
  // ioc is the first, which also accepts, handles signals and drains.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::atomic<std::size_t> next_context{0};
  asio::thread_pool workers;
  asio::io_context& ioc;
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGTERM, SIGINT};
  asio::steady_timer drain_timer{ioc};
  std::atomic<bool> stopping{false};
  std::mutex connections_mutex;
  std::list<std::shared_ptr<Connection>> connections;
  std::string id_prefix = crypto::random_hex(4);
  std::atomic<std::uint64_t> id_counter{0};
  std::shared_ptr<spdlog::logger> access_log;

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  Impl(ServerOptions o, const Router& r, Metrics& m)
      : options(std::move(o)),
        router(r),
        metrics(m),
        contexts(make_contexts(options.threads)),
        workers(static_cast<std::size_t>(std::max(1, options.workers))),
        ioc(*contexts[0]) {
    access_log = spdlog::get("access");
    for (auto& c : contexts) keep_running.push_back(asio::make_work_guard(*c));
  }

  std::string next_request_id() {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s-%08llx", id_prefix.c_str(),
                  static_cast<unsigned long long>(++id_counter));
    return buf;
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      auto& home = *contexts[next_context++ % contexts.size()];
      tcp::socket socket(home);
      co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      if (metrics.connections_open.load() >= options.max_connections) {
        ++metrics.connections_refused;
        asio::co_spawn(socket.get_executor(), refuse(std::move(socket)), asio::detached);
        continue;
      }
      auto conn = std::make_shared<Connection>(std::move(socket));
      std::list<std::shared_ptr<Connection>>::iterator it;
      {
        std::lock_guard lock(connections_mutex);
        it = connections.insert(connections.end(), conn);
      }
      ++metrics.connections_open;
      asio::co_spawn(conn->stream.get_executor(), session(conn), [this, it](std::exception_ptr) {
        --metrics.connections_open;
        std::lock_guard lock(connections_mutex);
        connections.erase(it);
      });
    }
  }

  // Over the connection limit: answer 503 at once and close.
  asio::awaitable<void> refuse(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(5));
    auto res = to_beast(Response::error(
                            fail(codes::kTooManyConnections, "服务器繁忙，请稍后重试", Json::object()).error()),
                        11, false, next_request_id());
    beast::error_code ec;
    co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  static bhttp::response<bhttp::string_body> to_beast(const Response& r, unsigned version, bool keep_alive,
                                                      const std::string& request_id) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::server, "tongban");
    res.set(bhttp::field::content_type, r.content_type);
    res.set("X-Request-Id", request_id);
    // Defaults for every answer: no content sniffing, no framing (clickjacking), no referrer
    // leaking case numbers or tokens in URLs to other sites.
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    for (const auto& [k, v] : r.headers) res.set(k, v);
    res.body() = r.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
  }

  asio::awaitable<void> session(std::shared_ptr<Connection> conn) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    std::string remote;
    {
      auto ep = conn->stream.socket().remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
    }
    bool first = true;
    while (!stopping) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      // The body limit depends on the media type, known only after the header: no limit
      // while reading the header (Beast would otherwise check Content-Length there).
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      conn->stream.expires_after(first ? options.read_timeout : options.idle_timeout);
      first = false;
      co_await bhttp::async_read_header(conn->stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::header_limit) {
        // Errors are built before co_await: GCC 12 mishandles initializer lists that live across one.
        Error error = header_too_large();
        co_await reply_and_close(conn, std::move(error));
        co_return;
      }
      if (ec) break;  // closed, timed out, cancelled by a stop, or garbage
      auto started = std::chrono::steady_clock::now();
      conn->busy = true;
      auto& header = parser.get();
      std::string content_type(header[bhttp::field::content_type]);
      std::size_t limit = is_upload(content_type) ? options.upload_body_limit : options.json_body_limit;
      if (parser.content_length().value_or(0) > 0 || parser.chunked()) {
        std::string_view t(header.target().data(), header.target().size());
        auto decoded = percent_decode(t.substr(0, t.find('?')), false);
        if (decoded)
          if (const Route* route = router.find(std::string(header.method_string()), *decoded); route && route->body_limit)
            limit = route->body_limit;
      }
      if (parser.content_length() && *parser.content_length() > limit) {
        Error error = payload_too_large(limit, *parser.content_length());
        co_await reply_and_close(conn, std::move(error));
        co_return;
      }
      parser.body_limit(limit);
      conn->stream.expires_after(options.read_timeout);
      co_await bhttp::async_read(conn->stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::body_limit) {
        Error error = payload_too_large(limit, std::nullopt);
        co_await reply_and_close(conn, std::move(error));
        co_return;
      }
      if (ec) break;

      auto req = parser.release();
      Request request;
      std::string incoming_id(req["X-Request-Id"]);
      request.request_id = sane_request_id(incoming_id) ? incoming_id : next_request_id();
      request.method = std::string(req.method_string());
      request.remote_address = client_address(remote, req["X-Forwarded-For"]);
      for (const auto& field : req) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        request.headers[name] = std::string(field.value());
      }
      std::string_view target(req.target().data(), req.target().size());
      auto q = target.find('?');
      auto path = percent_decode(target.substr(0, q), false);
      if (q != std::string_view::npos) request.query = parse_query(target.substr(q + 1));
      request.body = std::move(req.body());

      // Handlers may block on the database: they run on the worker pool, so one slow
      // request never stalls the other connections of this I/O thread.
      Dispatch d = co_await asio::co_spawn(
          workers.get_executor(),
          [this, &request, &path]() -> asio::awaitable<Dispatch> { co_return handle(request, std::move(path)); },
          asio::use_awaitable);
      bool keep_alive = req.keep_alive() && !stopping;
      auto res = to_beast(d.response, req.version(), keep_alive, request.request_id);
      if (request.method == "HEAD") res.body().clear();
      co_await bhttp::async_write(conn->stream, res, asio::redirect_error(asio::use_awaitable, ec));
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      metrics.observe(request.method, d.route, d.response.status, seconds);
      log_access(request, d, seconds, res.body().size());
      conn->busy = false;
      if (ec || !keep_alive) break;
    }
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    conn->stream.close();
  }

  // The address the request came from: the peer, or — when the peer is a trusted proxy —
  // the last address it appended to X-Forwarded-For (earlier ones the client could forge).
  std::string client_address(const std::string& peer, boost::beast::string_view forwarded) const {
    if (forwarded.empty() ||
        std::find(options.trusted_proxies.begin(), options.trusted_proxies.end(), peer) == options.trusted_proxies.end())
      return peer;
    std::string_view list(forwarded.data(), forwarded.size());
    auto comma = list.rfind(',');
    std::string_view last = comma == std::string_view::npos ? list : list.substr(comma + 1);
    while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
    while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
    beast::error_code ec;
    asio::ip::make_address(std::string(last), ec);
    return ec ? peer : std::string(last);
  }

  Error header_too_large() const {
    return fail(codes::kHeaderTooLarge, "请求头过大", {{"limit", options.header_limit}}).error();
  }

  static Error payload_too_large(std::size_t limit, std::optional<std::uint64_t> length) {
    Json details{{"limit", limit}};
    if (length) details["length"] = *length;
    return fail(codes::kPayloadTooLarge, "请求体过大", details).error();
  }

  // Runs the route; a handler's exception becomes a 500 that names the request id and
  // nothing else (the cause goes to the error log only).
  Dispatch handle(Request& request, std::optional<std::string> path) {
    if (!path) return {Response::error(fail(codes::kBadRequest, "请求地址编码错误").error()), "unmatched"};
    request.path = std::move(*path);
    ++metrics.requests_in_flight;
    Dispatch d;
    try {
      d = router.dispatch(request);
    } catch (const std::exception& e) {
      spdlog::error("request {} {} {} failed: {}", request.request_id, request.method, request.path, e.what());
      d = {Response::error(
               fail(codes::kInternal, "服务器内部错误，请稍后重试", {{"request_id", request.request_id}}).error()),
           "unmatched"};
    }
    --metrics.requests_in_flight;
    return d;
  }

  asio::awaitable<void> reply_and_close(std::shared_ptr<Connection> conn, Error error) {
    beast::error_code ec;
    std::string id = next_request_id();
    auto res = to_beast(Response::error(error), 11, false, id);
    conn->stream.expires_after(std::chrono::seconds(5));
    co_await bhttp::async_write(conn->stream, res, asio::redirect_error(asio::use_awaitable, ec));
    metrics.observe("", "unmatched", res.result_int(), 0);
    conn->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    conn->stream.close();
  }

  void log_access(const Request& r, const Dispatch& d, double seconds, std::size_t bytes_out) {
    if (!options.access_log || !access_log) return;
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", seconds * 1000);
    // Built by hand: this runs for every request and nlohmann's object building is costly.
    access_log->info(R"({{"request_id":{},"method":{},"path":{},"route":{},"status":{},"ms":{},"in":{},"out":{},"remote":{}}})",
                     json_escape(r.request_id), json_escape(r.method), json_escape(r.path), json_escape(d.route),
                     d.response.status, ms, r.body.size(), bytes_out, json_escape(r.remote_address));
  }

  void begin_stop() {
    if (stopping.exchange(true)) return;
    spdlog::info("stopping: no new connections; finishing requests in flight");
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    std::lock_guard lock(connections_mutex);
    for (auto& c : connections) {
      // Idle kept-alive connections are closed now; busy ones close after their response.
      asio::post(c->stream.get_executor(), [c] {
        beast::error_code ignored;  // the session may have closed its socket already
        if (!c->busy) c->stream.socket().cancel(ignored);
      });
    }
    drain_timer.expires_after(options.drain_timeout);
    drain_timer.async_wait([this](beast::error_code e) {
      keep_running.clear();  // contexts return from run() once their sessions are done
      if (!e) {
        spdlog::warn("drain timeout: closing remaining connections");
        for (auto& c : contexts) c->stop();
      }
    });
    watch_drain();
  }

  // Stops the drain timer once every connection has gone, so run() returns promptly.
  void watch_drain() {
    asio::post(ioc, [this] {
      if (metrics.connections_open.load() == 0) {
        drain_timer.cancel();
        return;
      }
      auto t = std::make_shared<asio::steady_timer>(ioc, std::chrono::milliseconds(20));
      t->async_wait([this, t](beast::error_code) { watch_drain(); });
    });
  }
};

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

Server::~Server() = default;

std::uint16_t Server::bind() {
  auto& i = *impl_;
  tcp::endpoint ep(asio::ip::make_address(i.options.host), i.options.port);
  i.acceptor.open(ep.protocol());
  i.acceptor.set_option(asio::socket_base::reuse_address(true));
  i.acceptor.bind(ep);
  i.acceptor.listen(asio::socket_base::max_listen_connections);
  return i.acceptor.local_endpoint().port();
}

void Server::run() {
  auto& i = *impl_;
  i.signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) impl_->begin_stop();
  });
  asio::co_spawn(i.ioc, i.accept_loop(), asio::detached);
  auto serve = [](asio::io_context& ctx) {
    // A handler that throws must not take the process down mid-request for everyone else.
    for (;;) {
      try {
        ctx.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("unexpected error in the I/O loop: {}", e.what());
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < i.contexts.size(); ++t) threads.emplace_back([&i, t, serve] { serve(*i.contexts[t]); });
  serve(i.ioc);
  for (auto& t : threads) t.join();
  i.workers.join();
}

void Server::stop() {
  asio::post(impl_->ioc, [this] { impl_->begin_stop(); });
}

}  // namespace tb::http
