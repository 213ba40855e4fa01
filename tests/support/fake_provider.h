// A stand-in for an external provider (face verification, later payment and couriers):
// a real HTTP server on a loopback port that records what it was sent and answers with
// whatever the test sets. Used only in tests.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tb::testing {

class FakeProvider {
 public:
  FakeProvider();
  ~FakeProvider();
  int port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  void answer(int status, nlohmann::json body);
  std::vector<nlohmann::json> received();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace tb::testing
