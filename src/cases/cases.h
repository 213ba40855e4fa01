// Case handling (办件, issue 5, STANDARDS §3): applications against the exact published item
// version, acceptance at any comprehensive window, the item's workflow (serial steps and
// parallel groups), decision, delivery and closure, with working-day limits and the events
// of every transition written in the same transaction (the outbox the exchange, supervision
// and statistics read by position).
//
//   auto filed = cases.submit(application, idempotency_key, actor);   // {"case_no": …, …}
//   auto moved = cases.act(case_no, {"action": "accept"}, std::nullopt, clerk);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.h"
#include "catalog/catalog.h"
#include "core/clock.h"
#include "core/embedded.h"
#include "identity/identity.h"
#include "reference/reference.h"
#include "store/blob_store.h"
#include "store/db.h"
#include "store/migrate.h"

namespace tb::http {
class Router;
}

namespace tb::cases {

// The hook through which an application uses an e-licence the applicant holds instead of an
// upload (减证便民). The licence module supplies it; without one, such materials are refused.
class LicenceSource {
 public:
  virtual ~LicenceSource() = default;
  // The licence `ref` of type `licence_type` if it is valid and held by the account (or the
  // company it acts for): {"ref", "type", "version", "fields": {…}}. Called inside the case's
  // write transaction: read through `c`, never through a second connection.
  virtual Result<Json> held_licence(store::Conn& c, std::int64_t account_id, std::optional<std::int64_t> company_id,
                                    const std::string& licence_type, const std::string& ref) = 0;
};

// A stored answer to a creating POST: status and body.
struct Created {
  int status = 201;
  Json body;
};

struct TodoQuery {
  std::optional<std::string> item, stage, channel;
  bool mine = false;
  int limit = 50, offset = 0;
};

class CaseService {
 public:
  CaseService(store::Db& db, const Clock& clock, store::BlobStore& blobs, reference::ReferenceService& reference,
              catalog::CatalogService& catalog, identity::IdentityService& identity);
  ~CaseService();
  void set_licence_source(LicenceSource* source);

  // Applicants (and window clerks filing for them).
  Result<Json> upload(std::string_view bytes, const std::string& file_name, const std::string& content_type,
                      const audit::Actor& actor);
  Result<Created> submit(const Json& application, const std::string& idempotency_key, const audit::Actor& actor);
  Result<Json> save_draft(std::optional<std::int64_t> id, const Json& draft, const audit::Actor& actor);
  Result<Json> drafts(const audit::Actor& actor);
  Result<Json> draft(std::int64_t id, const audit::Actor& actor);
  Result<Json> delete_draft(std::int64_t id, const audit::Actor& actor);
  Result<Json> my_cases(const audit::Actor& actor, std::optional<std::int64_t> before, int limit);

  // Everyone with a part in the case: the applicant, and staff whose scope covers it.
  Result<Json> view(const std::string& case_no, const audit::Actor& actor);
  Result<std::pair<Json, std::string>> material_file(const std::string& case_no, std::int64_t material_id,
                                                      const audit::Actor& actor);
  // One action (accept, require_correction, complete_step, decide, …). if_match: the version
  // the caller saw (If-Match); a different stored version is CASE_CONFLICT.
  Result<Json> act(const std::string& case_no, const Json& action, std::optional<std::int64_t> if_match,
                   const audit::Actor& actor);

  // Staff workbench.
  Result<Json> todo(const TodoQuery& q, const audit::Actor& actor);
  Result<Json> claim(const std::string& case_no, const std::string& step_key, const audit::Actor& actor);

  // Public: progress by case number and the applicant's name; nothing else leaks.
  Result<Json> progress(const std::string& case_no, const std::string& name, const std::string& ip);

  // Exchange with the provincial platform: versioned records built from events, by cursor.
  Result<Json> exchange_records(std::int64_t after, int limit);
  Result<Json> resend(const std::string& case_no, const audit::Actor& actor);

 // The service files share Impl (service_internal.h).
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// For the outbox's consumers (licences now; supervision, evaluation and statistics next):
// events by position, and the facts of a case, read through the consumer's own connection.
struct OutboxEvent {
  std::int64_t position = 0, case_id = 0;
  std::string case_no, type;
  Json payload;
  EpochMs at = 0;
};
std::vector<OutboxEvent> outbox_after(store::Conn& c, std::int64_t position, int limit);

struct CaseFacts {
  std::int64_t id = 0;
  std::string case_no, impl_code;
  int item_version = 0;
  std::string item_name, department, division, channel;
  std::int64_t applicant_account_id = 0;
  std::string applicant_name;
  std::optional<std::int64_t> company_id;
  Json form;
  std::string status;
  Json state;  // the lifecycle state (case_state_from_json reads it)
  // A scenario's (一件事) child: its parent, the parent's scenario and how many children it has.
  std::optional<std::string> parent_case_no, scenario_code;
  int siblings = 0;
};
std::optional<CaseFacts> case_facts(store::Conn& c, const std::string& case_no);

// Supervision reads a case's whole history at its closure (was it delivered?) and its open
// tasks when it tells the staff responsible.
std::vector<OutboxEvent> case_events(store::Conn& c, std::int64_t case_id);
struct OpenTask {
  std::string step_key, role, department;  // department: a catalogue code
  std::optional<std::int64_t> claimed_by;
};
std::vector<OpenTask> open_tasks(store::Conn& c, std::int64_t case_id);

std::vector<store::Migration> migrations();
void add_routes(http::Router& router, CaseService& service);
std::vector<EmbeddedFile> migration_files();
std::vector<EmbeddedFile> openapi_files();

}  // namespace tb::cases
