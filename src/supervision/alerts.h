// Raising and clearing alerts inside the consumer's transaction, and telling the people
// responsible through identity's message outbox. Used by service.cpp only.
//
//   AlertWriter w(c, identity, departments, now);
//   w.raise(alert, [&] { return w.task_staff(case_id, division); });   // new → one message each
//   w.clear("case:" + no, "case_warning");
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "identity/identity.h"
#include "supervision/store.h"

namespace tb::supervision {

// Department code → what a staff grant may name it by (the code and the catalogue name).
// Read from the catalogue before the transaction (the catalogue borrows its own connection).
using DepartmentKeys = std::map<std::string, std::vector<std::string>>;

struct NewAlert {
  std::string kind, subject;  // subject: "case:<case_no>" or "item:<impl_code>"
  std::optional<std::string> case_no, item_code;
  std::string title, department, division;
  Json detail = Json::object();
};

// Who hears of an alert besides the administrators of its own department: these accounts,
// and the administrators (department heads) of these departments.
struct Recipients {
  std::vector<std::int64_t> accounts;
  std::vector<std::string> departments;
};

class AlertWriter {
 public:
  AlertWriter(store::Conn& c, identity::IdentityService& identity, const DepartmentKeys& departments, EpochMs now)
      : c_(c), identity_(identity), departments_(departments), now_(now) {}

  // Opens the alert unless it is open. Only a new row tells anyone — one message to each
  // recipient, in this transaction, so a replayed batch sends nothing twice; a cleared alert
  // that comes back is reopened quietly. True when a row was written or reopened.
  bool raise(const NewAlert& a, const std::function<Recipients()>& recipients = {});
  void clear(const std::string& subject, std::string_view kind);
  // The kinds open for a subject: one look-up, so a case with nothing open costs one query.
  std::vector<std::string> open_kinds(const std::string& subject);

  // The staff now responsible for a case: whoever claimed its open tasks; for a task nobody
  // claimed, whoever holds the task's role in its department for the case's division.
  Recipients task_staff(std::int64_t case_id, const std::string& division);

 private:
  std::vector<std::int64_t> holders(const std::string& role, const std::string& department,
                                    const std::string& division);

  store::Conn& c_;
  identity::IdentityService& identity_;
  const DepartmentKeys& departments_;
  EpochMs now_;
};

// The message's text (Chinese, for the staff member's phone or workbench).
std::string alert_message(const NewAlert& a);

}  // namespace tb::supervision
