// A small outgoing HTTP/1.1 client for calls to external providers (face verification,
// later payment gateways and couriers). Plain http only: TLS to a provider goes through a
// local terminating proxy until a provider needs it here.
#pragma once

#include <chrono>
#include <string>

#include "core/error.h"

namespace tb::http {

struct ClientResponse {
  int status = 0;
  std::string body;
};

// POSTs JSON to http://host[:port]/path. UNAVAILABLE when the provider cannot be reached
// or does not answer within the timeout.
Result<ClientResponse> post_json(const std::string& url, const Json& body, std::chrono::milliseconds timeout);

}  // namespace tb::http
