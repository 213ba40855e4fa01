#include <utility>

#include "http_client.h"

#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tb::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

struct HttpConnection::Impl {
  asio::io_context ioc;
  asio::ip::tcp::socket socket{ioc};
  beast::flat_buffer buffer;

  HttpResponse read_response(bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(head);  // a HEAD answer has Content-Length but no body
    parser.body_limit(256 * 1024 * 1024);
    beast::error_code ec;
    bhttp::read(socket, buffer, parser, ec);
    HttpResponse r;
    if (ec) return r;  // status 0: closed or failed
    auto res = parser.release();
    r.status = res.result_int();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    r.body = std::move(res.body());
    r.keep_alive = res.keep_alive();
    return r;
  }
};

HttpConnection::HttpConnection(const std::string& host, int port) : impl_(std::make_unique<Impl>()) {
  impl_->socket.connect({asio::ip::make_address(host), static_cast<unsigned short>(port)});
}

HttpConnection::~HttpConnection() {
  beast::error_code ec;
  impl_->socket.close(ec);
}

HttpResponse HttpConnection::request(const std::string& method, const std::string& target, const std::string& body,
                                     const std::map<std::string, std::string>& headers) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  bool has_type = false, has_connection = false;
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, "content-type")) has_type = true;
    if (beast::iequals(k, "connection")) has_connection = true;
  }
  if (!has_connection) req.keep_alive(true);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() && !has_type) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  bhttp::write(impl_->socket, req, ec);
  if (ec) return {};
  return impl_->read_response(method == "HEAD");
}

HttpResponse HttpConnection::raw(const std::string& bytes) {
  beast::error_code ec;
  asio::write(impl_->socket, asio::buffer(bytes), ec);
  // A server may answer before it has read everything we sent; still read its answer.
  return impl_->read_response();
}

bool HttpConnection::closed_by_server(int wait_ms) {
  auto& s = impl_->socket;
  s.non_blocking(true);
  char c;
  for (int waited = 0; waited <= wait_ms; waited += 10) {
    beast::error_code ec;
    std::size_t n = s.read_some(asio::buffer(&c, 1), ec);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
    if (!ec && n > 0) return false;  // unexpected data
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.non_blocking(false);
  return false;
}

int HttpConnection::local_port() const { return impl_->socket.local_endpoint().port(); }

HttpResponse http_request(int port, const std::string& method, const std::string& target, const std::string& body,
                          const std::map<std::string, std::string>& headers) {
  HttpConnection c("127.0.0.1", port);
  return c.request(method, target, body, headers);
}

std::map<std::string, std::string> bearer(const std::string& token, std::map<std::string, std::string> more) {
  more["Authorization"] = "Bearer " + token;
  return more;
}

}  // namespace tb::testing
