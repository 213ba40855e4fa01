// A small blocking HTTP/1.1 client for the API tests: real sockets to the real server.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace tb::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  bool keep_alive = false;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// One connection; requests on it are kept alive until either side closes.
class HttpConnection {
 public:
  HttpConnection(const std::string& host, int port);
  ~HttpConnection();
  HttpResponse request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});
  // Sends raw bytes and reads one response (or reports the connection closed: status 0).
  HttpResponse raw(const std::string& bytes);
  // True when the server has closed the connection (reads EOF within the wait).
  bool closed_by_server(int wait_ms);
  int local_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// {"Authorization": "Bearer TOKEN"} plus any other headers.
std::map<std::string, std::string> bearer(const std::string& token, std::map<std::string, std::string> more = {});

// One request on a fresh connection.
HttpResponse http_request(int port, const std::string& method, const std::string& target, const std::string& body = "",
                          const std::map<std::string, std::string>& headers = {});

}  // namespace tb::testing
