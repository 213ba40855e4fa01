// Request counts and latency histograms per route and status, plus gauges that other
// parts register (the database pool), rendered as Prometheus text for GET /metrics.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace tb::http {

class Metrics {
 public:
  void observe(const std::string& method, const std::string& route, int status, double seconds);
  // A source appends complete Prometheus lines (with # TYPE) when /metrics is rendered.
  void add_source(std::function<void(std::string&)> source);
  std::string render() const;

  std::atomic<int> connections_open{0};
  std::atomic<int> requests_in_flight{0};
  std::atomic<std::uint64_t> connections_refused{0};

 private:
  static constexpr std::array<double, 13> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5};
  struct Series {
    std::uint64_t count = 0;
    double sum = 0;
    std::array<std::uint64_t, kBuckets.size()> buckets{};
  };
  using Key = std::tuple<std::string, std::string, int>;  // method, route, status
  mutable std::mutex mutex_;
  std::map<Key, Series> series_;
  std::vector<std::function<void(std::string&)>> sources_;
};

// Label values escaped for the Prometheus text format.
std::string prometheus_escape(const std::string& value);

}  // namespace tb::http
