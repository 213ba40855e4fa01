// SQL of the licence module; only its service files call it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "store/db.h"

namespace tb::licence::sql {

struct TypeRow {
  std::string code, name, ministry, holder;
  std::optional<int> validity_years;
  Json data;
};
void upsert_type(store::Conn& c, const TypeRow& t);
std::vector<TypeRow> types(store::Conn& c);
std::optional<TypeRow> type_by_code_or_name(store::Conn& c, const std::string& code_or_name);

struct LicenceRow {
  std::int64_t id = 0;
  std::string licence_id, type_code, type_name, department, serial;
  int version = 1;
  std::string holder_kind, holder_name, holder_id_masked, holder_index;
  std::optional<std::int64_t> holder_account_id, holder_company_id;
  std::string payload_sealed, signature, seal_es_id, state;
  std::optional<std::string> state_reason;
  std::string valid_from;
  std::optional<std::string> valid_to, case_no;
  std::optional<std::int64_t> replaces, issued_by;
  EpochMs issued_at = 0, updated_at = 0;
};
std::int64_t insert_licence(store::Conn& c, const LicenceRow& row);
std::optional<LicenceRow> licence(store::Conn& c, const std::string& licence_id);
std::optional<LicenceRow> licence_for_case(store::Conn& c, const std::string& case_no);
void update_state(store::Conn& c, std::int64_t id, const std::string& state, const std::optional<std::string>& reason,
                  const std::string& payload_sealed, const std::string& signature, EpochMs now);
std::vector<LicenceRow> licences_of(store::Conn& c, std::int64_t account_id, const std::string& holder_index,
                                    std::optional<std::int64_t> company_id);

std::int64_t next_sequence(store::Conn& c, const std::string& prefix);
std::optional<std::string> pdf_of(store::Conn& c, std::int64_t id);
void set_pdf(store::Conn& c, std::int64_t id, const std::string& sm3);

void log_verification(store::Conn& c, const std::string& licence_id, const std::string& result, const std::string& ip,
                      EpochMs now);

struct GrantRow {
  std::int64_t id = 0, licence = 0;
  std::string department;
  std::optional<std::string> case_no;
  std::int64_t granted_by = 0;
  EpochMs granted_at = 0;
  std::optional<EpochMs> revoked_at;
};
std::int64_t insert_grant(store::Conn& c, const GrantRow& g);
bool revoke_grant(store::Conn& c, std::int64_t licence, std::int64_t grant_id, EpochMs now);
std::vector<GrantRow> grants(store::Conn& c, std::int64_t licence);

std::int64_t consumer_position(store::Conn& c);
// Moves the position from `from` to `to`; false when another consumer moved it first.
bool advance_consumer(store::Conn& c, std::int64_t from, std::int64_t to);
void record_failure(store::Conn& c, const std::string& case_no, const Error& e, EpochMs now);

}  // namespace tb::licence::sql
