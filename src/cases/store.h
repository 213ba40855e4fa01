// SQL of the cases module; only the cases service files call it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "store/db.h"

namespace tb::cases::sql {

struct CaseRow {
  std::int64_t id = 0;
  std::string case_no;
  std::optional<std::int64_t> parent_id;
  std::optional<std::string> scenario_code;
  std::string impl_code;
  int item_version = 0;
  std::string item_name, department, division, channel;
  std::int64_t applicant_account_id = 0;
  std::string applicant_name;
  std::optional<std::int64_t> company_id;
  std::int64_t filed_by = 0;
  std::string status;
  Json state;
  Json form;
  std::optional<std::string> deadline;
  std::int64_t version = 0;
  EpochMs submitted_at = 0, updated_at = 0;
};
std::int64_t insert_case(store::Conn& c, const CaseRow& row);
std::optional<CaseRow> case_by_no(store::Conn& c, const std::string& case_no);
std::optional<CaseRow> case_by_id(store::Conn& c, std::int64_t id);
std::vector<CaseRow> children(store::Conn& c, std::int64_t parent_id);
int count_children(store::Conn& c, std::int64_t parent_id);  // without reading their rows
// Writes the next state only when the stored version is still `expected_version`; false when
// someone else moved the case first (CASE_CONFLICT).
bool update_case(store::Conn& c, std::int64_t id, const std::string& status, const Json& state,
                 const std::optional<std::string>& deadline, std::int64_t expected_version, EpochMs now);
// An applicant's cases, newest first, top-level only (a scenario shows as its parent).
std::vector<CaseRow> cases_of(store::Conn& c, std::int64_t account_id, std::optional<std::int64_t> before_id, int limit);

// The next number in the sequence of `prefix` (1, 2, …), safe under concurrent writers.
std::int64_t next_sequence(store::Conn& c, const std::string& prefix);

struct UploadRow {
  std::int64_t id = 0, account_id = 0;
  std::string file_name, media_type;
  std::int64_t size = 0;
  std::string digest;
  EpochMs created_at = 0;
};
std::int64_t insert_upload(store::Conn& c, const UploadRow& row);
std::optional<UploadRow> upload(store::Conn& c, std::int64_t id);
// Who uploaded each of `ids` (one query for a whole application); unknown ids are absent.
std::map<std::int64_t, std::int64_t> upload_owners(store::Conn& c, const std::vector<std::int64_t>& ids);

struct MaterialRow {
  std::int64_t id = 0, case_id = 0;
  std::string name, source;
  std::optional<std::int64_t> upload_id;
  std::optional<std::string> licence_ref;
  bool superseded = false;
  EpochMs added_at = 0;
  std::optional<UploadRow> file;  // joined for uploads
  Json licence_fields;            // a licence's data, read at submission to pre-fill the form
};
// One multi-row statement (a submission's materials are written in one round trip).
void insert_materials(store::Conn& c, const std::vector<MaterialRow>& rows);
void supersede_materials(store::Conn& c, std::int64_t case_id, const std::string& name);
std::vector<MaterialRow> materials(store::Conn& c, std::int64_t case_id);

void insert_event(store::Conn& c, std::int64_t case_id, const std::string& type, const Json& payload, EpochMs now);
struct EventRow {
  std::int64_t position = 0, case_id = 0;
  std::string type;
  Json payload;
  EpochMs created_at = 0;
};
std::vector<EventRow> events_of(store::Conn& c, std::int64_t case_id);
// The same with the case's business keys, for the exchange records.
struct ExchangeEventRow {
  EventRow event;
  std::string case_no, impl_code, item_name, department, division;
};
std::vector<ExchangeEventRow> exchange_events_after(store::Conn& c, std::int64_t position, int limit);
std::vector<ExchangeEventRow> exchange_events_of(store::Conn& c, std::int64_t case_id, std::int64_t before_position);
int count_events(store::Conn& c, std::int64_t case_id, const std::string& type);

// The columns the public progress query shows, and the name it is checked against.
struct ProgressRow {
  std::string case_no, item_name, applicant_name, status;
  Json state;
  std::optional<std::string> deadline;
  EpochMs submitted_at = 0, updated_at = 0;
  bool scenario_parent = false;
  std::int64_t id = 0;
};
std::optional<ProgressRow> progress(store::Conn& c, const std::string& case_no);

struct TaskRow {
  std::int64_t case_id = 0;
  std::string step_key, step_name, role, department, division, started_on;
  std::optional<std::string> deadline;
  std::optional<std::int64_t> claimed_by;
};
// The first tasks of a new case.
void insert_tasks(store::Conn& c, const std::vector<TaskRow>& tasks);
// Replaces a case's open tasks, keeping who claimed a task that stays open.
void replace_tasks(store::Conn& c, std::int64_t case_id, const std::vector<TaskRow>& tasks);
std::optional<TaskRow> task(store::Conn& c, std::int64_t case_id, const std::string& step_key);
// Claims when unclaimed (or already claimed by the same account); false otherwise.
bool claim_task(store::Conn& c, std::int64_t case_id, const std::string& step_key, std::int64_t account_id);

struct TodoFilter {
  std::string role, department;  // department: a catalogue code ('' for window clerks)
  std::string division_prefix;   // the staff member's subtree as a code prefix
  std::optional<std::string> impl_code, step_key, channel;
  bool mine_only = false;
  std::int64_t account_id = 0;
  int limit = 50;
  int offset = 0;
};
struct TodoRow {
  TaskRow task;
  std::string case_no, item_name, applicant_name, channel, status;
  std::string impl_code;
  std::int64_t version = 0;
  EpochMs submitted_at = 0;
};
std::vector<TodoRow> todo(store::Conn& c, const TodoFilter& f);

struct IdempotentAnswer {
  std::string request_hash;
  int status = 0;
  std::string response;
};
std::optional<IdempotentAnswer> idempotent_answer(store::Conn& c, std::int64_t account_id, const std::string& key);
void save_idempotent_answer(store::Conn& c, std::int64_t account_id, const std::string& key,
                            const IdempotentAnswer& answer, EpochMs now);

struct DraftRow {
  std::int64_t id = 0, account_id = 0;
  std::string impl_code;
  Json data;
  EpochMs created_at = 0, updated_at = 0;
};
std::int64_t insert_draft(store::Conn& c, const DraftRow& row);
bool update_draft(store::Conn& c, std::int64_t id, std::int64_t account_id, const Json& data, EpochMs now);
std::optional<DraftRow> draft(store::Conn& c, std::int64_t id);
std::vector<DraftRow> drafts_of(store::Conn& c, std::int64_t account_id);
bool delete_draft(store::Conn& c, std::int64_t id, std::int64_t account_id);

}  // namespace tb::cases::sql
