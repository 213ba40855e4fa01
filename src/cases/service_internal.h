// Shared by the cases service files (service.cpp, submit.cpp, views.cpp); not a public header.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>

#include "cases/cases.h"
#include "cases/lifecycle.h"
#include "cases/store.h"

namespace tb::cases {

std::unexpected<Error> case_not_found(const std::string& case_no);

// Failed public progress look-ups per client address in a sliding window: guessing case
// numbers and names gets RATE_LIMITED; correct look-ups are not counted. Per process, in
// memory: a restart forgets, which costs an attacker nothing they could not get by waiting.
class MissCounter {
 public:
  MissCounter(int max_misses, std::chrono::milliseconds window) : max_(max_misses), window_(window.count()) {}
  bool blocked(const std::string& key, EpochMs now);
  void miss(const std::string& key, EpochMs now);

 private:
  void forget_old(std::deque<EpochMs>& q, EpochMs now) const;
  std::mutex mutex_;
  int max_;
  EpochMs window_;
  std::map<std::string, std::deque<EpochMs>> misses_;
};

struct CaseService::Impl {
  store::Db& db;
  const Clock& clock;
  store::BlobStore& blobs;
  reference::ReferenceService& reference;
  catalog::CatalogService& catalog;
  identity::IdentityService& identity;
  LicenceSource* licences = nullptr;
  std::unique_ptr<MissCounter> progress_misses = std::make_unique<MissCounter>(10, std::chrono::minutes(10));

  // The ways a principal can act on cases: the applicant, and one Actor per staff role grant
  // (departments as catalogue codes).
  std::vector<Actor> actors_of(const Principal& p);
  // Tasks and the deadline column for a state: what the work queues and supervision read.
  std::vector<sql::TaskRow> tasks_for(const sql::CaseRow& row, const CaseState& state,
                                      const std::optional<CaseLimits>& limits);
  // The case's and its steps' limits as of today; nothing before acceptance or when the
  // calendar lacks a year (no guessed deadline).
  std::optional<CaseLimits> limits_of(store::Conn& c, const CaseState& state);
  // Writes a transition: the row (if its version is still row.version), events, tasks.
  // false when the version moved (CASE_CONFLICT).
  bool persist(store::Conn& c, const sql::CaseRow& row, const Transition& t, EpochMs now);
  // The audit record of a transition; written last in the transaction.
  void audit_transition(store::Conn& c, const sql::CaseRow& row, const Transition& t, const audit::Actor& who,
                        const std::string& action);
  // May this principal see the case? (applicant, or staff whose scope covers it)
  Result<void> check_visible(const sql::CaseRow& row, const CaseState& state, const Principal& p);
};

}  // namespace tb::cases

namespace tb::cases {

// Materials named in an application or a resubmission: [{"name", "upload": id} | {"name",
// "licence": ref}], checked against the item's materials and the applicant's own uploads.
// Problems go to `problems` as {field, problem, message}; rows come back ready to insert.
std::vector<sql::MaterialRow> read_materials(LicenceSource* licences, store::Conn& c, const Json& given,
                                             const Json& item_materials, std::int64_t owner_account,
                                             std::optional<std::int64_t> company_id, Json& problems,
                                             const std::string& field_prefix);

// An Action from the JSON body of POST /cases/{no}/actions; every bad field at once.
Result<Action> parse_action(const Json& body, catalog::CatalogService& catalog);

}  // namespace tb::cases
