// The HTTP server's behaviour over real sockets: keep-alive, limits, timeouts, graceful
// stop, readiness, access log. Waits below are bounded polls for an event, never
// assertions about how long something took.
#include <gtest/gtest.h>
#include <signal.h>

#include <sstream>
#include <thread>

#include "support/http_client.h"
#include "support/server_process.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;

std::string raw_request(const std::string& method, const std::string& target, const std::string& content_type,
                        std::size_t content_length, const std::string& body = "") {
  std::ostringstream s;
  s << method << " " << target << " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!content_type.empty()) s << "Content-Type: " << content_type << "\r\n";
  s << "Content-Length: " << content_length << "\r\n\r\n" << body;
  return s.str();
}

std::string error_code(const HttpResponse& r) {
  Json j = Json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

// Reads a gauge from /metrics on an open connection.
int gauge(HttpConnection& c, const std::string& name) {
  auto body = c.request("GET", "/metrics").body;
  auto at = body.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stoi(body.substr(at + name.size() + 2));
}

// Polls until the gauge reads `want` (bounded); returns the last reading.
int wait_for_gauge(HttpConnection& c, const std::string& name, int want) {
  int v = -1;
  for (int i = 0; i < 250 && (v = gauge(c, name)) != want; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return v;
}

class ServerTest : public ::testing::Test {
 protected:
  TestDatabase db_;
};

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  ServerProcess server(db_.url());
  HttpConnection c("127.0.0.1", server.port());
  for (int i = 0; i < 5; ++i) {
    auto r = c.request("GET", "/healthz");
    ASSERT_EQ(r.status, 200) << "request " << i << " on the same connection";
    EXPECT_TRUE(r.keep_alive);
  }
  // One connection served all five: the gauge counts this connection only.
  EXPECT_EQ(wait_for_gauge(c, "tongban_http_connections_open", 1), 1);
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  ServerProcess server(db_.url());
  HttpConnection c("127.0.0.1", server.port());
  auto r = c.request("GET", "/healthz", "", {{"Connection", "close"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(c.closed_by_server(5000));
}

TEST_F(ServerTest, JsonBodyOverDefaultLimitIs413AndNothingIsWritten) {
  ServerProcess server(db_.url());
  HttpConnection c("127.0.0.1", server.port());
  // Only the header is sent: the server refuses on Content-Length without reading 2 MiB.
  auto r = c.raw(raw_request("PUT", "/api/v1/admin/calendar/2027", "application/json", 2 * 1024 * 1024));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_code(r), "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(r.json()["error"]["details"]["limit"], 1024 * 1024);
  auto years = http_request(server.port(), "GET", "/api/v1/calendar/years").json();
  for (const auto& y : years["items"]) EXPECT_NE(y["year"], 2027);
}

TEST_F(ServerTest, JsonLimitIsConfigurableAndAppliesToChunkedBodies) {
  ServerProcess server(db_.url(), {"--json-body-limit", "100"});
  std::string body = R"({"year": 2027, "days": [)" + std::string(200, ' ') + "]}";
  auto r = http_request(server.port(), "PUT", "/api/v1/admin/calendar/2027", body);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_code(r), "PAYLOAD_TOO_LARGE");
  // Chunked: no Content-Length to refuse on, so the limit stops the read itself.
  HttpConnection c("127.0.0.1", server.port());
  std::ostringstream chunked;
  chunked << "PUT /api/v1/admin/calendar/2027 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          << "Transfer-Encoding: chunked\r\n\r\n"
          << std::hex << body.size() << "\r\n" << body << "\r\n0\r\n\r\n";
  auto rc = c.raw(chunked.str());
  EXPECT_EQ(rc.status, 413);
  EXPECT_EQ(error_code(rc), "PAYLOAD_TOO_LARGE");
}

TEST_F(ServerTest, UploadsGetTheLargerLimit) {
  ServerProcess server(db_.url());
  // 2 MiB of octet-stream is under the 20 MiB upload limit: it is read, and then the
  // JSON route refuses its media type (415), not its size.
  std::string two_mib(2 * 1024 * 1024, 'x');
  auto r = http_request(server.port(), "POST", "/api/v1/auth/login", two_mib,
                        {{"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(error_code(r), "UNSUPPORTED_MEDIA_TYPE");
  HttpConnection c("127.0.0.1", server.port());
  auto big = c.raw(raw_request("POST", "/api/v1/anything", "application/octet-stream", 21 * 1024 * 1024));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.json()["error"]["details"]["limit"], 20 * 1024 * 1024);
}

TEST_F(ServerTest, HeaderOverLimitIs431) {
  ServerProcess server(db_.url());
  HttpConnection c("127.0.0.1", server.port());
  std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  auto r = c.raw(req);
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(error_code(r), "HEADER_TOO_LARGE");
}

TEST_F(ServerTest, ConnectionsOverLimitGet503) {
  ServerProcess server(db_.url(), {"--max-connections", "2"});
  HttpConnection first("127.0.0.1", server.port());
  // Wait until the start-up probe's connection is gone and only this one is open.
  ASSERT_EQ(wait_for_gauge(first, "tongban_http_connections_open", 1), 1);
  HttpConnection second("127.0.0.1", server.port());
  EXPECT_EQ(second.request("GET", "/healthz").status, 200);
  HttpConnection third("127.0.0.1", server.port());
  auto r = third.request("GET", "/healthz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(error_code(r), "TOO_MANY_CONNECTIONS");
  EXPECT_GE(gauge(first, "tongban_http_connections_refused_total"), 1);
  // The two accepted connections still work.
  EXPECT_EQ(first.request("GET", "/healthz").status, 200);
  EXPECT_EQ(second.request("GET", "/healthz").status, 200);
}

TEST_F(ServerTest, IdleAndSlowConnectionsAreClosed) {
  ServerProcess server(db_.url(), {"--idle-timeout-ms", "200", "--read-timeout-ms", "300"});
  HttpConnection idle("127.0.0.1", server.port());
  EXPECT_EQ(idle.request("GET", "/healthz").status, 200);
  EXPECT_TRUE(idle.closed_by_server(10000)) << "kept-alive connection left open past the idle timeout";
  // Half a request header, then nothing (slowloris).
  HttpConnection slow("127.0.0.1", server.port());
  auto r = slow.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  EXPECT_EQ(r.status, 0) << "no response is owed to half a request";
  EXPECT_TRUE(slow.closed_by_server(10000));
}

TEST_F(ServerTest, SigtermFinishesRequestsInFlightAndStopsAccepting) {
  ServerProcess server(db_.url());
  HttpConnection watcher("127.0.0.1", server.port());
  HttpConnection idle("127.0.0.1", server.port());
  ASSERT_EQ(idle.request("GET", "/healthz").status, 200);
  HttpConnection busy("127.0.0.1", server.port());
  std::thread client([&] {
    auto r = busy.request("POST", "/api/v1/admin/test/sleep?ms=1500");
    EXPECT_EQ(r.status, 200) << "the request in flight was cut off";
    EXPECT_EQ(r.json()["slept_ms"], 1500);
    EXPECT_FALSE(r.keep_alive) << "a stopping server closes after the last response";
  });
  // The sleep and this /metrics request; a failure here still joins the client below.
  EXPECT_EQ(wait_for_gauge(watcher, "tongban_http_requests_in_flight", 2), 2);
  server.signal(SIGTERM);
  // The idle kept-alive connection is closed at once, not after the idle timeout.
  EXPECT_TRUE(idle.closed_by_server(5000));
  client.join();
  EXPECT_EQ(server.wait_exit(20000), 0);
  EXPECT_THROW(HttpConnection("127.0.0.1", server.port()), std::exception) << "still accepting after stop";
  EXPECT_NE(server.stderr_text().find("stopping"), std::string::npos);
}

TEST_F(ServerTest, ReadyzIs503WhenTheDatabaseIsUnreachable) {
  // A PostgreSQL URL on a port where nothing listens; --no-migrate so start-up needs no database.
  std::string url = "postgresql://postgres@127.0.0.1:" + std::to_string(free_port()) + "/nothing?connect_timeout=2";
  ServerProcess server(url, {"--no-migrate"});
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz").status, 200);
  auto r = http_request(server.port(), "GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(error_code(r), "UNAVAILABLE");
  EXPECT_EQ(r.body.find("password"), std::string::npos);
}

TEST_F(ServerTest, OnlyATrustedProxyNamesTheClientAddress) {
  auto remote_of = [](ServerProcess& server, const std::string& id) {
    server.terminate();
    std::istringstream lines(server.stdout_text());
    for (std::string line; std::getline(lines, line);) {
      Json j = Json::parse(line, nullptr, false);
      if (j.is_object() && j.value("request_id", "") == id) return j.value("remote", "");
    }
    return std::string("not logged");
  };
  std::map<std::string, std::string> headers{{"X-Forwarded-For", "10.9.9.9, 203.0.113.9"}, {"X-Request-Id", "xff-1"}};
  ServerProcess trusting(db_.url(), {"--trusted-proxy", "127.0.0.1"});
  EXPECT_EQ(http_request(trusting.port(), "GET", "/healthz", "", headers).status, 200);
  EXPECT_EQ(remote_of(trusting, "xff-1"), "203.0.113.9");  // the address the proxy added, not the forgeable first
  ServerProcess plain(db_.url());
  EXPECT_EQ(http_request(plain.port(), "GET", "/healthz", "", headers).status, 200);
  EXPECT_EQ(remote_of(plain, "xff-1"), "127.0.0.1");
}

TEST_F(ServerTest, AccessLogIsOneJsonObjectPerRequest) {
  ServerProcess server(db_.url());
  EXPECT_EQ(http_request(server.port(), "GET", "/api/v1/divisions/000000", "", {{"X-Request-Id", "log-check-1"}}).status,
            404);
  EXPECT_EQ(http_request(server.port(), "GET", "/healthz", "", {{"X-Request-Id", "log-check-2"}}).status, 200);
  ASSERT_EQ(server.terminate(), 0);
  std::istringstream lines(server.stdout_text());
  std::map<std::string, Json> by_id;
  for (std::string line; std::getline(lines, line);) {
    Json j = Json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not JSON: " << line;
    by_id[j.value("request_id", "")] = j;
  }
  ASSERT_TRUE(by_id.count("log-check-1"));
  EXPECT_EQ(by_id["log-check-1"]["status"], 404);
  EXPECT_EQ(by_id["log-check-1"]["route"], "/api/v1/divisions/{code}");
  EXPECT_EQ(by_id["log-check-1"]["method"], "GET");
  EXPECT_TRUE(by_id["log-check-1"]["ms"].is_number());
  EXPECT_EQ(by_id["log-check-2"]["path"], "/healthz");
}

}  // namespace
}  // namespace tb::testing
