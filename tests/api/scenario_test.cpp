// Runs the plain-text API scenarios in tests/api/scenarios/*.test against the real
// binary, each file on a fresh database of the engine under test. The format (see
// tests/api/README.md) reads as request, expected status and body, like sqllogictest.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <ctime>
#include <regex>

#include "core/time.h"
#include "crypto/totp.h"
#include "store/db.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace tb::testing {
namespace {

using Json = nlohmann::json;

struct Step {
  int line = 0;
  std::string kind;  // "request", "sql" or "as" (log in; later requests carry the token)
  std::vector<std::string> as_args;  // login, password, [TOTP secret]; empty = anonymous
  std::vector<std::pair<std::string, std::string>> captures;  // name, JSON path or column [regex]
  std::string method, target, sql;
  std::map<std::string, std::string> headers;
  std::string body;
  int expect_status = 0;
  std::string expect_code;
  std::string expect_json;  // subset of the response body, or the rows of an sql step
  std::map<std::string, std::string> expect_headers;
  std::vector<std::string> expect_contains;  // "~ text": the body contains text
};

struct Scenario {
  bool seed = false;
  std::string now;
  std::vector<Step> steps;
};

bool starts_json(const std::string& s) { return !s.empty() && (s[0] == '{' || s[0] == '['); }

Scenario parse(const std::filesystem::path& file) {
  std::ifstream in(file);
  Scenario sc;
  std::string line;
  int n = 0;
  Step* cur = nullptr;
  bool after_expect = false;
  auto fail_at = [&](const std::string& why) {
    throw std::runtime_error(file.filename().string() + ":" + std::to_string(n) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      cur = nullptr;
      continue;
    }
    if (line[0] == '#') continue;
    if (!cur) {
      if (line.rfind("setup ", 0) == 0) {
        std::string what = line.substr(6);
        if (what == "seed")
          sc.seed = true;
        else if (what.rfind("now ", 0) == 0)
          sc.now = what.substr(4);
        else
          fail_at("unknown setup: " + what);
        continue;
      }
      sc.steps.emplace_back();
      cur = &sc.steps.back();
      cur->line = n;
      after_expect = false;
      if (line.rfind("sql ", 0) == 0) {
        cur->kind = "sql";
        cur->sql = line.substr(4);
      } else if (line.rfind("advance ", 0) == 0) {
        // "advance 31s" (or 5m, 2h, 3d): move the server's test clock forward (keeps it running).
        cur->kind = "advance";
        cur->as_args = {line.substr(8)};
        cur = nullptr;
      } else if (line.rfind("as ", 0) == 0) {
        cur->kind = "as";
        std::istringstream words(line.substr(3));
        for (std::string w; words >> w;)
          if (w != "nobody") cur->as_args.push_back(w);
        cur = nullptr;
      } else {
        auto sp = line.find(' ');
        if (sp == std::string::npos) fail_at("expected 'METHOD /path' or 'sql …'");
        cur->kind = "request";
        cur->method = line.substr(0, sp);
        cur->target = line.substr(sp + 1);
      }
      continue;
    }
    if (line.rfind("=> ", 0) == 0) {
      auto rest = line.substr(3);
      auto sp = rest.find(' ');
      cur->captures.emplace_back(rest.substr(0, sp), sp == std::string::npos ? "" : rest.substr(sp + 1));
      continue;
    }
    if (cur->kind == "sql") {
      if (line.rfind("rows ", 0) == 0)
        cur->expect_json = line.substr(5);
      else if (starts_json(line) || !cur->expect_json.empty())
        cur->expect_json += line;
      else
        fail_at("an sql step takes 'rows [...]'");
      continue;
    }
    if (line.rfind("> ", 0) == 0) {
      auto colon = line.find(':');
      cur->headers[line.substr(2, colon - 2)] = line.substr(colon + 2);
    } else if (line.rfind("< ", 0) == 0) {
      auto colon = line.find(':');
      cur->expect_headers[line.substr(2, colon - 2)] = line.substr(colon + 2);
    } else if (line.rfind("expect ", 0) == 0) {
      std::istringstream s(line.substr(7));
      s >> cur->expect_status >> cur->expect_code;
      after_expect = true;
    } else if (after_expect && line.rfind("~ ", 0) == 0) {
      cur->expect_contains.push_back(line.substr(2));
    } else if (line.rfind("body ", 0) == 0) {
      cur->body = line.substr(5);
    } else if (!after_expect) {
      cur->body += (cur->body.empty() ? "" : "\n") + line;
    } else {
      cur->expect_json += line;
    }
  }
  return sc;
}

// Every key of `want` matches in `got`; "*" matches any present value; arrays match
// element by element and must have the same length, unless `want` ends with "...".
bool subset(const Json& want, const Json& got, std::string path, std::string* why) {
  if (want.is_string() && want.get<std::string>() == "*") return true;
  if (want.is_object()) {
    if (!got.is_object()) return *why = path + ": expected an object", false;
    for (auto& [k, v] : want.items()) {
      if (!got.contains(k)) return *why = path + "." + k + ": missing", false;
      if (!subset(v, got[k], path + "." + k, why)) return false;
    }
    return true;
  }
  if (want.is_array()) {
    if (!got.is_array()) return *why = path + ": expected an array", false;
    bool prefix = !want.empty() && want.back() == "...";
    std::size_t n = prefix ? want.size() - 1 : want.size();
    if (prefix ? got.size() < n : got.size() != n)
      return *why = path + ": expected " + std::to_string(n) + " elements, got " + std::to_string(got.size()), false;
    for (std::size_t i = 0; i < n; ++i)
      if (!subset(want[i], got[i], path + "[" + std::to_string(i) + "]", why)) return false;
    return true;
  }
  if (want != got) return *why = path + ": expected " + want.dump() + ", got " + got.dump(), false;
  return true;
}

Json rows_json(const store::Rows& rows) {
  Json out = Json::array();
  for (const auto& r : rows) {
    Json o = Json::object();
    for (std::size_t i = 0; i < r.size(); ++i) {
      const auto& v = r.at(i).variant();
      if (auto p = std::get_if<std::int64_t>(&v)) o[r.columns()[i]] = *p;
      else if (auto d = std::get_if<double>(&v)) o[r.columns()[i]] = *d;
      else if (auto s = std::get_if<std::string>(&v)) o[r.columns()[i]] = *s;
      else o[r.columns()[i]] = nullptr;
    }
    out.push_back(o);
  }
  return out;
}

// "${name}" → a captured value; "${totp:SECRET}" → the current TOTP code for a base32 secret.
std::string substitute(std::string text, const std::map<std::string, std::string>& vars, int port = 0) {
  // Innermost first, so "${totp:${secret}}" works.
  for (auto end = text.find('}'); end != std::string::npos; end = text.find('}', end)) {
    auto at = text.rfind("${", end);
    if (at == std::string::npos) {
      ++end;
      continue;
    }
    std::string name = text.substr(at + 2, end - at - 2);
    std::string value;
    if (name.rfind("totp:", 0) == 0) {
      value = totp_now(port, name.substr(5));
    } else {
      auto it = vars.find(name);
      if (it == vars.end()) throw std::runtime_error("no captured value named " + name);
      value = it->second;
    }
    text.replace(at, end - at + 1, value);
    end = at + value.size();
  }
  return text;
}

// A value at a dotted path ("account.id", "items.0.code") as text.
std::optional<std::string> at_path(const Json& doc, const std::string& path) {
  const Json* cur = &doc;
  std::istringstream parts(path);
  for (std::string part; std::getline(parts, part, '.');) {
    if (cur->is_array() && !part.empty() && std::isdigit(static_cast<unsigned char>(part[0]))) {
      std::size_t i = std::stoul(part);
      if (i >= cur->size()) return std::nullopt;
      cur = &(*cur)[i];
    } else if (cur->is_object() && cur->contains(part)) {
      cur = &(*cur)[part];
    } else {
      return std::nullopt;
    }
  }
  return cur->is_string() ? cur->get<std::string>() : cur->dump();
}

class ScenarioTest : public ::testing::Test {
 public:
  explicit ScenarioTest(std::filesystem::path file) : file_(std::move(file)) {}
  void TestBody() override {
    Scenario sc = parse(file_);
    TestDatabase db;
    if (sc.seed) {
      std::string out;
      ASSERT_EQ(run_tongban({"seed", "--db", db.url()}, &out), 0) << out;
    }
    std::map<std::string, std::string> env;
    if (!sc.now.empty()) env["TONGBAN_NOW"] = sc.now;
    ServerProcess server(db.url(), {"--no-access-log"}, env);
    auto direct = store::Db::open(db.url(), {.size = 1});
    std::map<std::string, std::string> vars;
    std::string bearer;
    for (const auto& step : sc.steps) {
      std::string where = file_.filename().string() + ":" + std::to_string(step.line);
      if (step.kind == "advance") {
        std::string amount = step.as_args.at(0);
        // s, m, h or d: cases cross weekends and holidays in days.
        std::int64_t unit = amount.back() == 'd' ? 86400 : amount.back() == 'h' ? 3600 : amount.back() == 'm' ? 60 : 1;
        std::int64_t seconds = std::stoll(amount.substr(0, amount.size() - 1)) * unit;
        std::int64_t target = (server_now_seconds(server.port()) + seconds) * 1000;
        auto res = http_request(server.port(), "POST", "/api/v1/admin/clock",
                                Json{{"now", format_instant(target)}}.dump());
        ASSERT_EQ(res.status, 200) << where << ": " << res.body;
        continue;
      }
      if (step.kind == "as") {
        if (step.as_args.empty())
          bearer.clear();
        else
          bearer = log_in(server.port(), substitute(step.as_args.at(0), vars), substitute(step.as_args.at(1), vars),
                          step.as_args.size() > 2 ? substitute(step.as_args[2], vars) : "");
        continue;
      }
      if (step.kind == "sql") {
        auto rows = direct->read([&](store::Conn& c) { return c.query(substitute(step.sql, vars)); });
        Json got = rows_json(rows);
        if (!step.expect_json.empty()) {
          std::string why;
          EXPECT_TRUE(subset(Json::parse(substitute(step.expect_json, vars)), got, "rows", &why))
              << where << ": " << why << "\n" << got.dump();
        }
        for (const auto& [name, spec] : step.captures) {
          // "column" or "column /regex with one (group)/"
          auto sp = spec.find(' ');
          std::string column = spec.substr(0, sp);
          ASSERT_FALSE(got.empty()) << where << ": nothing to capture";
          auto value = at_path(got[0], column);
          ASSERT_TRUE(value) << where << ": no column " << column;
          if (sp != std::string::npos) {
            std::string pattern = spec.substr(sp + 1);
            pattern = pattern.substr(1, pattern.size() - 2);
            std::smatch m;
            ASSERT_TRUE(std::regex_search(*value, m, std::regex(pattern))) << where << ": " << *value;
            vars[name] = m[1];
          } else {
            vars[name] = *value;
          }
        }
        continue;
      }
      auto headers = step.headers;
      for (auto& [k, v] : headers) v = substitute(v, vars, server.port());
      if (!bearer.empty() && !headers.count("Authorization")) headers["Authorization"] = "Bearer " + bearer;
      std::string target = substitute(step.target, vars, server.port());
      std::string body = substitute(step.body, vars, server.port());
      auto res = http_request(server.port(), step.method, target, body, headers);
      EXPECT_EQ(res.status, step.expect_status) << where << " " << step.method << " " << target << "\n" << res.body;
      if (!step.expect_code.empty()) {
        Json body = Json::parse(res.body, nullptr, false);
        EXPECT_EQ(body.is_object() && body.contains("error") ? body["error"].value("code", "") : "", step.expect_code)
            << where << "\n" << res.body;
        // Every error has the one shape.
        EXPECT_TRUE(body["error"]["message"].is_string() && body["error"]["details"].is_object()) << where;
      }
      for (const auto& [k, v] : step.expect_headers) {
        std::string lower = k;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (v == "*")
          EXPECT_FALSE(res.header(lower).empty()) << where << ": header " << k;
        else
          EXPECT_EQ(res.header(lower), v) << where << ": header " << k;
      }
      for (const auto& text : step.expect_contains)
        EXPECT_NE(res.body.find(text), std::string::npos) << where << ": body lacks '" << text << "'\n" << res.body;
      if (!step.expect_json.empty()) {
        Json got = Json::parse(res.body, nullptr, false);
        std::string why;
        EXPECT_TRUE(subset(Json::parse(substitute(step.expect_json, vars)), got, "body", &why))
            << where << ": " << why << "\n" << res.body;
      }
      for (const auto& [name, spec] : step.captures) {
        // "path" or "path /regex with one (group)/", as for sql columns
        auto sp = spec.find(' ');
        std::string path = spec.substr(0, sp);
        auto value = at_path(Json::parse(res.body, nullptr, false), path);
        ASSERT_TRUE(value) << where << ": nothing at " << path << " to capture\n" << res.body;
        if (sp != std::string::npos) {
          std::string pattern = spec.substr(sp + 1);
          pattern = pattern.substr(1, pattern.size() - 2);
          std::smatch m;
          ASSERT_TRUE(std::regex_search(*value, m, std::regex(pattern))) << where << ": " << *value;
          vars[name] = m[1];
        } else {
          vars[name] = *value;
        }
      }
    }
  }

 private:
  std::filesystem::path file_;
};

}  // namespace

void register_scenarios() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(TB_SCENARIO_DIR))
    if (e.path().extension() == ".test") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    ::testing::RegisterTest("Scenario", f.stem().string().c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [f]() -> ::testing::Test* { return new ScenarioTest(f); });
  }
}

}  // namespace tb::testing
