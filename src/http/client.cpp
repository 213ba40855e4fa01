#include <utility>

#include "http/client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tb::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

Result<ClientResponse> post_json(const std::string& url, const Json& body, std::chrono::milliseconds timeout) {
  auto unavailable = [&](const std::string& why) {
    return fail(codes::kUnavailable, "外部服务暂不可用，请稍后再试", {{"reason", why}});
  };
  if (url.rfind("http://", 0) != 0) return unavailable("only http:// provider URLs are supported");
  std::string rest = url.substr(7);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash), target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  std::string host = authority.substr(0, colon), port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  try {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    asio::ip::tcp::resolver resolver(ioc);
    stream.connect(resolver.resolve(host, port));
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
    req.set(bhttp::field::host, authority);
    req.set(bhttp::field::content_type, "application/json");
    req.set(bhttp::field::user_agent, "tongban");
    req.body() = body.dump();
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1024 * 1024);
    bhttp::read(stream, buffer, parser);
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return ClientResponse{static_cast<int>(parser.get().result_int()), parser.get().body()};
  } catch (const std::exception& e) {
    return unavailable(e.what());
  }
}

}  // namespace tb::http
