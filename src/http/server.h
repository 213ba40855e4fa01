// The HTTP server (Boost.Beast, C++20 coroutines): keep-alive, limits on headers, bodies
// and connections, read and idle timeouts, request ids, a JSON-lines access log, and a
// graceful stop on SIGTERM (no new connections; requests in flight finish).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/metrics.h"
#include "http/router.h"

namespace tb::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port; bind() returns it
  int threads = 2;   // I/O threads, one io_context each
  int workers = 8;   // threads that run handlers (which may block on the database)
  std::size_t header_limit = 16 * 1024;
  std::size_t json_body_limit = 1024 * 1024;
  std::size_t upload_body_limit = 20 * 1024 * 1024;
  int max_connections = 1024;
  std::chrono::milliseconds read_timeout{30'000};  // to receive one whole request
  std::chrono::milliseconds idle_timeout{60'000};  // between requests on a kept-alive connection
  std::chrono::milliseconds drain_timeout{30'000};  // how long a stop waits for requests in flight
  bool access_log = true;
  // Peers (e.g. the local nginx) whose X-Forwarded-For names the real client: throttling
  // and the audit log need the citizen's address, not the proxy's.
  std::vector<std::string> trusted_proxies;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, Metrics& metrics);
  ~Server();
  // Binds the listening socket; returns the port (useful with port 0). Throws on failure.
  std::uint16_t bind();
  // Serves until SIGTERM/SIGINT or stop(), then drains and returns.
  void run();
  // Thread-safe: begin a graceful stop.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb::http
