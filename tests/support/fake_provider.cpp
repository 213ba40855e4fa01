#include <utility>

#include "fake_provider.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace tb::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

struct FakeProvider::Impl {
  asio::io_context ioc;
  asio::ip::tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
  std::mutex mutex;
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::vector<nlohmann::json> received;
  std::thread thread;
  bool stopping = false;

  void serve() {
    for (;;) {
      asio::ip::tcp::socket socket(ioc);
      beast::error_code ec;
      acceptor.accept(socket, ec);
      if (ec) return;  // closed: the test is over
      beast::flat_buffer buffer;
      bhttp::request<bhttp::string_body> req;
      bhttp::read(socket, buffer, req, ec);
      if (ec) continue;
      bhttp::response<bhttp::string_body> res;
      {
        std::lock_guard lock(mutex);
        received.push_back(nlohmann::json::parse(req.body(), nullptr, false));
        res.result(status);
        res.body() = body.dump();
      }
      res.set(bhttp::field::content_type, "application/json");
      res.keep_alive(false);
      res.prepare_payload();
      bhttp::write(socket, res, ec);
      socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    }
  }
};

FakeProvider::FakeProvider() : impl_(std::make_unique<Impl>()) {
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->thread = std::thread([this] { impl_->serve(); });
}

FakeProvider::~FakeProvider() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
  // Wake a blocking accept: connect once.
  try {
    asio::ip::tcp::socket s(impl_->ioc);
    s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)}, ec);
  } catch (...) {
  }
  impl_->thread.join();
}

void FakeProvider::answer(int status, nlohmann::json body) {
  std::lock_guard lock(impl_->mutex);
  impl_->status = status;
  impl_->body = std::move(body);
}

std::vector<nlohmann::json> FakeProvider::received() {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

}  // namespace tb::testing
