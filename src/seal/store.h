// SQL of the seal module; only service.cpp calls it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "store/db.h"

namespace tb::seal::sql {

struct CaRow {
  std::string cert_pem, key_sealed;
};
std::optional<CaRow> ca(store::Conn& c);
void insert_ca(store::Conn& c, const CaRow& row, EpochMs now);

struct SealRow {
  std::int64_t id = 0;
  std::string es_id, department;
  int type = 0;
  std::string name, state;
  EpochMs valid_from = 0, valid_to = 0;
  std::optional<std::string> cert_pem, key_sealed, seal_der, picture;
  std::int64_t applied_by = 0, version = 0;
  EpochMs created_at = 0, updated_at = 0;
};
std::optional<SealRow> seal(store::Conn& c, const std::string& es_id);
std::vector<SealRow> seals(store::Conn& c, const std::optional<std::string>& department);
std::optional<SealRow> issued_seal(store::Conn& c, const std::string& department, int type);
std::int64_t insert_seal(store::Conn& c, const SealRow& row);
// Writes the row when its version is still row.version; false otherwise.
bool update_seal(store::Conn& c, const SealRow& row, EpochMs now);
std::int64_t next_seal_number(store::Conn& c, const std::string& prefix);

void insert_event(store::Conn& c, std::int64_t seal_id, const std::string& action, const std::string& from,
                  const std::string& to, std::optional<std::int64_t> actor, const Json& details, EpochMs now);
std::vector<Json> events(store::Conn& c, std::int64_t seal_id);

bool grant_user(store::Conn& c, std::int64_t seal_id, std::int64_t account_id, std::int64_t by, EpochMs now);
bool revoke_user(store::Conn& c, std::int64_t seal_id, std::int64_t account_id, EpochMs now);
bool is_user(store::Conn& c, std::int64_t seal_id, std::int64_t account_id);
std::vector<std::int64_t> users(store::Conn& c, std::int64_t seal_id);

void insert_signature(store::Conn& c, std::int64_t seal_id, std::optional<std::int64_t> account,
                      const std::string& property, const std::string& document_sm3, EpochMs now);

}  // namespace tb::seal::sql
