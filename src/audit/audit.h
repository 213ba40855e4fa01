// The audit log: who did what to which target, when, from where, with what outcome.
// Records are appended inside the transaction of the change they describe (so a change
// and its record commit together) and chained with SM3; nothing in the API changes or
// deletes them.
//
//   db.write([&](store::Conn& c) {
//     ... change ...
//     audit::record(c, clock, {.actor = who, .action = "calendar.load", .target = "2027"});
//   });
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/embedded.h"
#include "core/principal.h"
#include "store/db.h"
#include "store/migrate.h"

namespace tb::http {
class Router;
}

namespace tb::http {
struct Request;
}

namespace tb::audit {

// The person behind a write, as routes know it.
struct Actor {
  const Principal* principal = nullptr;
  std::string ip;
  std::string request_id;
};
// The actor of a request, for route handlers: who (if signed in), from where, which request.
Actor actor_of(const http::Request& r);

struct Entry {
  const Principal* actor = nullptr;  // null for anonymous (a failed login, say)
  std::string actor_name;            // when there is no principal: what was claimed
  std::string action;                // "auth.login", "calendar.load", …
  std::string target;
  bool success = true;
  std::string ip;
  std::string request_id;
  std::string before;  // JSON text or empty; stored as its SM3 digest
  std::string after;
  Json details = Json::object();  // must not hold personal data in clear
};

struct Record {
  std::int64_t id = 0;
  EpochMs at = 0;
  std::optional<std::int64_t> actor_id;
  std::string actor_name, role, action, target, outcome, ip, request_id, before_digest, after_digest;
  Json details;
  std::string prev_hash, hash;
};

void record(store::Conn& c, const Clock& clock, const Entry& entry);

struct Filter {
  std::optional<std::int64_t> actor_id;
  std::optional<std::string> action;
  std::optional<std::string> outcome;
  std::optional<EpochMs> from, to;
  std::int64_t before_id = 0;  // cursor: newest first; 0 = from the end
  int limit = 50;
};
std::vector<Record> list(store::Db& db, const Filter& filter);

struct Verification {
  std::int64_t checked = 0;
  std::optional<std::int64_t> first_broken;  // the id of the first record that fails
  std::string reason;
};
// Walks the whole chain in id order and checks each hash and link and the head.
Verification verify(store::Db& db);

std::vector<store::Migration> migrations();
void add_routes(http::Router& router, store::Db& db);
std::vector<EmbeddedFile> migration_files();
std::vector<EmbeddedFile> openapi_files();

}  // namespace tb::audit
