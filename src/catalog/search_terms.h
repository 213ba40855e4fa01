// How catalogue text becomes Xapian terms, on both sides of 事项检索: documents and queries
// are cut the same way (CJK characters, CJK bigrams, whole Latin/digit words), so the index
// side and the query side of that cut live together here, with what is built on it: the
// synonym rewrites and coverage rule that turn a query into a Plan, and the "did you mean"
// ranking. None of it owns a database; search.cpp holds the SearchIndex itself (writes,
// readers, facets, running the match) and is the only caller.
//
// Internal to the catalog module: include it from catalog/search*.cpp only. The API is
// catalog/search.h; nothing here is promised to anyone else.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "catalog/search.h"

namespace tb::catalog {

// Synonyms in the form the planner matches them. Built whenever the synonyms are set
// (constructor, set_synonyms()) and shared read-only by the searches that start afterwards.
struct SearchIndex::Config {
  struct Synonym {
    std::string key;  // normalized
    std::u32string key_cps;
    std::string display;
    std::vector<std::string> targets;
  };
  std::vector<Synonym> synonyms;  // longest key first: "我要开饭店" should use the longest match
};

namespace search_terms {

// Term prefixes: free text per field, then boolean filter terms. They are written into the
// index, so changing one means rebuilding it.
inline constexpr std::string_view kPrefixId = "Q";
inline constexpr std::string_view kPrefixName = "N";
inline constexpr std::string_view kPrefixAlias = "A";
inline constexpr std::string_view kPrefixText = "T";
inline constexpr std::string_view kPrefixDepartmentName = "P";
inline constexpr std::string_view kPrefixExact = "X";  // a whole name or alias, separators removed
inline constexpr std::string_view kPrefixDepartment = "K";
inline constexpr std::string_view kPrefixDivision = "D";  // every prefix of the division code
inline constexpr std::string_view kPrefixType = "Y";
inline constexpr std::string_view kPrefixTheme = "H";
inline constexpr std::string_view kPrefixObject = "O";
inline constexpr std::string_view kPrefixOnline = "L";
inline constexpr std::string_view kPrefixBasic = "B";

// Xapian rejects terms over 245 bytes; long names keep a readable head plus a stable hash
// (FNV, not std::hash, because the index outlives the binary).
std::string make_term(std::string_view prefix, std::string_view body);

// Separators removed, folded (full-width to ASCII, lower case): the form exact-name terms,
// synonym keys and suggestions compare.
std::u32string compact_cps(std::string_view text);
std::string compact(std::string_view text);

// Index side: every CJK character, every adjacent CJK pair, every Latin/digit word of
// `text`, under `prefix`. The query side (plan_query) looks for exactly these tokens.
void add_text_terms(Xapian::Document& doc, std::string_view prefix, std::string_view text);

// Keeps only keys and targets with something searchable in them (a key left without
// targets goes too); longest key first.
std::shared_ptr<const SearchIndex::Config> make_config(const Synonyms& synonyms);

// One searchable piece of a query: a CJK bigram, a lone CJK character or a Latin word, and
// the query positions it covers when a document contains it.
struct Unit {
  std::string token;
  std::uint64_t positions = 0;
};

// The query as typed, or one synonym rewrite of it.
struct Clause {
  std::vector<Unit> units;
  std::vector<int> position_weights;
  int total_weight = 0;
  std::string exact;  // compact form, for the exact-name term
  double scale = 1.0;

  // The coverage rule: strictly more than half the query's weight must be covered.
  bool passes(std::uint64_t covered) const {
    int w = 0;
    for (std::size_t p = 0; p < position_weights.size(); ++p)
      if (covered & (std::uint64_t{1} << p)) w += position_weights[p];
    return 2 * w > total_weight;
  }
  // When any single unit already passes, every document the OR matches is acceptable and
  // the coverage pass can be skipped (the common case for short queries).
  bool any_unit_passes() const {
    return std::all_of(units.begin(), units.end(), [&](const Unit& u) { return passes(u.positions); });
  }
};

// A search plan: the clauses and the Xapian query built from them; no clauses means a
// filter-only listing.
struct Plan {
  std::vector<Clause> clauses;
  Xapian::Query query;
  bool needs_coverage = false;  // some document the OR matches may fail the coverage rule
};

// The query (as typed, then one clause per synonym rewrite) as one weighted OR over the
// name, alias, text and department-name fields plus an exact-name term per clause. No
// clauses when nothing in `q` is searchable.
Plan plan_query(const std::string& q, const SearchIndex::Config& config);

// The documents of `db` that satisfy the coverage rule for at least one clause (or carry an
// exact name), as a query to AND into the filter. Only needed when plan.needs_coverage.
Xapian::Query coverage_filter(const Xapian::Database& db, const Plan& plan);

// "Did you mean": the name, alias or synonym key containing the closest match to the query,
// allowing strictly fewer edits than half the query's length; ties go to the shorter
// candidate (the more specific word), then to byte order so the pick does not depend on
// the order candidates are offered in. Nothing is offered when the query is itself a known
// name or word: then finding little is the true answer.
class SuggestionPicker {
 public:
  explicit SuggestionPicker(std::string_view q);
  // False for queries too short to misspell (under 3 characters) or longer than a query is
  // ever planned; then best() is empty whatever is considered, so callers skip collecting.
  bool worthwhile() const { return worthwhile_; }
  void consider(const std::string& display, std::u32string_view cps);
  std::optional<std::string> best() const;

 private:
  std::u32string query_;
  std::uint64_t query_sig_ = 0;
  bool worthwhile_ = false;
  bool known_ = false;
  std::optional<std::string> best_;
  std::size_t best_distance_ = 0, best_length_ = 0;
};

}  // namespace search_terms
}  // namespace tb::catalog
