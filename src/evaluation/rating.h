// The rating's own rules, shared by every channel (web, SMS link, hall pad, hotline): the
// five levels' names, which case statuses may be rated, and the checks of a rating's body.
// Internal to the evaluation module.
#pragma once

#include <set>
#include <string>

#include "core/error.h"

namespace tb::evaluation {

inline constexpr const char* kLevelNames[6] = {"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"};
// A case has a result: it may be rated.
inline const std::set<std::string> kRateable{"decided_approved", "decided_rejected", "delivered", "closed", "refused"};

// A body's string field, or "" when it is missing or not a string.
std::string text_field(const Json& body, const char* name);

struct Rating {
  int level = 0;
  Json tags = Json::array();
  std::string comment;
  bool anonymous = false;
};

// Level 1–5, at most 10 tags of 60 bytes, a comment of at most 1,500 bytes that a bad review
// (1–2) must have — so someone can put it right —, `anonymous` a boolean. Problems are added
// to `problems`.
Rating parse_rating(const Json& body, Json& problems);

}  // namespace tb::evaluation
