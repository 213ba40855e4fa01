// Requests and responses as domain routes see them. No Beast here: module routes include
// this header and "http/router.h" only, so Beast is compiled in src/http/ alone.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/principal.h"

namespace tb::http {

struct Request {
  std::string method;  // "GET", "POST", …
  std::string path;    // decoded path without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::map<std::string, std::string> params;   // from {name} segments of the route
  std::string body;
  Json json;  // the parsed body, for routes that take JSON
  std::map<std::string, std::string> form;  // the parsed body, for routes that take a form
  std::string request_id;
  std::string remote_address;
  // Set by the router's guard for routes that need an account.
  std::optional<Principal> principal;

  std::string cookie(const std::string& name) const;

  std::optional<std::string> query_param(const std::string& name) const;
  std::string header(const std::string& lower_name) const;
  const std::string& param(const std::string& name) const { return params.at(name); }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(const Json& body, int status = 200);
  static Response error(const Error& e);
  static Response text(std::string body, std::string content_type, int status = 200);
  static Response redirect(const std::string& location);  // 302 Found
};

// In a route handler: unwrap a Result into `var`, or return its error as the response.
//   TB_TRY(account, svc.account(id));   // account is the Result; *account its value
#define TB_TRY(var, expr)  \
  auto var = (expr);       \
  if (!var) return ::tb::http::Response::error(var.error())

// Renders a Result as 200 with its JSON, or as the error with its status.
Response render(const Result<Json>& result, int success_status = 200);

// Query parameters with the standard VALIDATION_FAILED error naming the field.
Result<std::string> required_query(const Request& r, const std::string& name);
Result<int> int_query(const Request& r, const std::string& name, std::optional<int> fallback = std::nullopt);
Result<int> parse_int(std::string_view text, const std::string& field);

// Percent-encoding of everything but RFC 3986 unreserved characters (query values, URLs).
std::string percent_encode(std::string_view s);
// Percent-decoding for paths and query strings ('+' is a space only in queries).
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);
std::map<std::string, std::string> parse_query(std::string_view query);

}  // namespace tb::http
