#include "evaluation/rating.h"

namespace tb::evaluation {

std::string text_field(const Json& body, const char* name) {
  return body.is_object() && body.contains(name) && body[name].is_string() ? body[name].get<std::string>()
                                                                           : std::string();
}

Rating parse_rating(const Json& body, Json& problems) {
  Rating r;
  if (!body.is_object()) {
    problems.push_back({{"field", "level"}, {"problem", "required"}});
    return r;
  }
  r.level = body.contains("level") && body["level"].is_number_integer() ? body["level"].get<int>() : 0;
  if (r.level < 1 || r.level > 5) problems.push_back({{"field", "level"}, {"problem", "one_of"}, {"value", "1-5"}});
  r.tags = body.value("tags", Json::array());
  bool tags_ok = r.tags.is_array() && r.tags.size() <= 10;
  if (tags_ok)
    for (const auto& t : r.tags) tags_ok = tags_ok && t.is_string() && t.get<std::string>().size() <= 60;
  if (!tags_ok) problems.push_back({{"field", "tags"}, {"problem", "type"}});
  r.comment = text_field(body, "comment");
  if (r.comment.size() > 1500) problems.push_back({{"field", "comment"}, {"problem", "max_length"}, {"value", 500}});
  if (r.level >= 1 && r.level <= 2 && r.comment.empty())
    problems.push_back({{"field", "comment"}, {"problem", "required"}});
  if (body.contains("anonymous") && !body["anonymous"].is_boolean())
    problems.push_back({{"field", "anonymous"}, {"problem", "type"}});
  else
    r.anonymous = body.value("anonymous", false);
  return r;
}

}  // namespace tb::evaluation
