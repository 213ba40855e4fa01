#include "http/metrics.h"

#include <cstdio>

namespace tb::http {

std::string prometheus_escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Metrics::observe(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  auto& s = series_[Key{method, route, status}];
  ++s.count;
  s.sum += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++s.buckets[i];
}

void Metrics::add_source(std::function<void(std::string&)> source) {
  std::lock_guard lock(mutex_);
  sources_.push_back(std::move(source));
}

std::string Metrics::render() const {
  std::string out;
  char num[64];
  auto labels = [](const Key& k) {
    return "method=\"" + prometheus_escape(std::get<0>(k)) + "\",route=\"" + prometheus_escape(std::get<1>(k)) +
           "\",status=\"" + std::to_string(std::get<2>(k)) + "\"";
  };
  std::vector<std::function<void(std::string&)>> sources;
  {
    std::lock_guard lock(mutex_);
    out += "# HELP tongban_http_requests_total HTTP requests by route and status.\n";
    out += "# TYPE tongban_http_requests_total counter\n";
    for (const auto& [k, s] : series_)
      out += "tongban_http_requests_total{" + labels(k) + "} " + std::to_string(s.count) + "\n";
    out += "# HELP tongban_http_request_duration_seconds Time from request read to response ready.\n";
    out += "# TYPE tongban_http_request_duration_seconds histogram\n";
    for (const auto& [k, s] : series_) {
      std::string l = labels(k);
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        std::snprintf(num, sizeof num, "%g", kBuckets[i]);
        out += "tongban_http_request_duration_seconds_bucket{" + l + ",le=\"" + num + "\"} " +
               std::to_string(s.buckets[i]) + "\n";
      }
      out += "tongban_http_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} " + std::to_string(s.count) + "\n";
      std::snprintf(num, sizeof num, "%.6f", s.sum);
      out += "tongban_http_request_duration_seconds_sum{" + l + "} " + num + "\n";
      out += "tongban_http_request_duration_seconds_count{" + l + "} " + std::to_string(s.count) + "\n";
    }
    sources = sources_;
  }
  out += "# TYPE tongban_http_connections_open gauge\ntongban_http_connections_open " +
         std::to_string(connections_open.load()) + "\n";
  out += "# TYPE tongban_http_requests_in_flight gauge\ntongban_http_requests_in_flight " +
         std::to_string(requests_in_flight.load()) + "\n";
  out += "# TYPE tongban_http_connections_refused_total counter\ntongban_http_connections_refused_total " +
         std::to_string(connections_refused.load()) + "\n";
  for (const auto& source : sources) source(out);
  return out;
}

}  // namespace tb::http
