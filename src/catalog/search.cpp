#include "catalog/search.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <xapian.h>

#include "core/error.h"

namespace tb::catalog {
namespace {

// Value slots. All facets live in one packed value so the match spy makes one lookup per
// document and identical combinations (same department/type/division/themes) count once.
constexpr Xapian::valueno kSlotFacets = 0;
constexpr Xapian::valueno kSlotSortName = 1;

// Term prefixes: free text per field, then boolean filter terms.
constexpr std::string_view kPrefixId = "Q";
constexpr std::string_view kPrefixName = "N";
constexpr std::string_view kPrefixAlias = "A";
constexpr std::string_view kPrefixText = "T";
constexpr std::string_view kPrefixDepartmentName = "P";
constexpr std::string_view kPrefixExact = "X";  // a whole name or alias, separators removed
constexpr std::string_view kPrefixDepartment = "K";
constexpr std::string_view kPrefixDivision = "D";  // every prefix of the division code
constexpr std::string_view kPrefixType = "Y";
constexpr std::string_view kPrefixTheme = "H";
constexpr std::string_view kPrefixObject = "O";
constexpr std::string_view kPrefixOnline = "L";
constexpr std::string_view kPrefixBasic = "B";

// Query-time scale factors on top of BM25. A name hit must beat the same word buried in
// conditions; the exact-name term must beat any combination of partial hits.
struct FieldWeight {
  std::string_view prefix;
  double weight;
};
constexpr FieldWeight kFieldWeights[] = {
    {kPrefixName, 4.0}, {kPrefixAlias, 3.0}, {kPrefixText, 1.0}, {kPrefixDepartmentName, 0.5}};
constexpr double kExactWeight = 12.0;
// Synonym rewrites rank slightly below what the user literally typed.
constexpr double kSynonymFactor = 0.9;
// BM25 with a weak length penalty: long condition texts should not bury their own names.
constexpr double kBm25K1 = 1.2, kBm25B = 0.4;

// Queries longer than this are cut: coverage masks are 64-bit and longer "queries" are pastes.
constexpr std::size_t kMaxQueryPositions = 48;
constexpr std::size_t kMaxClauses = 8;  // the original query plus synonym rewrites
constexpr std::size_t kMaxWordBytes = 64;
constexpr std::size_t kMaxTermBytes = 240;  // Xapian's limit is 245 bytes
constexpr std::size_t kSuggestBelow = 3;
constexpr std::size_t kMaxIdleReaders = 16;
// Our own writes never invalidate a running search (see epoch_mutex_); this only covers
// another process writing the same directory, which is not supported but should not crash.
constexpr int kModifiedRetries = 3;

constexpr char kFieldSep = '\x1f';
constexpr char kListSep = '\x1e';

// ---------------------------------------------------------------------------------------
// Text: UTF-8, folding, tokens.

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    char32_t cp = 0xFFFD;
    std::size_t len = 1;
    if (b < 0x80) {
      cp = b;
    } else if ((b >> 5) == 0x6) {
      len = 2;
      cp = b & 0x1F;
    } else if ((b >> 4) == 0xE) {
      len = 3;
      cp = b & 0x0F;
    } else if ((b >> 3) == 0x1E) {
      len = 4;
      cp = b & 0x07;
    } else {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    if (i + len > s.size()) {
      out.push_back(0xFFFD);
      break;
    }
    bool ok = true;
    for (std::size_t k = 1; k < len; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c >> 6) != 0x2) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    if (!ok) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode_utf8(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size() * 3);
  for (char32_t cp : cps) append_utf8(out, cp);
  return out;
}

// Users type full-width Latin (ＩＣＰ) and capitals interchangeably with ASCII.
char32_t fold(char32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;
  if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
  return cp;
}

bool is_cjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0x20000 && cp <= 0x2FA1F) || cp == 0x3007;
}

bool is_word_char(char32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
}

// A maximal run of CJK characters or of Latin letters/digits; everything else separates.
struct Segment {
  bool cjk = false;
  std::u32string text;
};

std::vector<Segment> segment(std::string_view text) {
  std::vector<Segment> out;
  Segment current;
  auto flush = [&] {
    if (!current.text.empty()) out.push_back(std::move(current));
    current = Segment{};
  };
  for (char32_t raw : decode_utf8(text)) {
    char32_t cp = fold(raw);
    bool cjk = is_cjk(cp);
    if (!cjk && !is_word_char(cp)) {
      flush();
      continue;
    }
    if (!current.text.empty() && current.cjk != cjk) flush();
    current.cjk = cjk;
    current.text.push_back(cp);
  }
  flush();
  return out;
}

// Separators removed, folded: the form exact-name terms, synonym keys and suggestions compare.
std::u32string compact_cps(std::string_view text) {
  std::u32string out;
  for (const auto& s : segment(text)) out += s.text;
  return out;
}

std::string compact(std::string_view text) {
  return encode_utf8(compact_cps(text));
}

// Folded text with every separator run turned into one space, so substring replacement of
// synonym keys works on what the user typed.
std::string normalized(std::string_view text) {
  std::string out;
  for (const auto& s : segment(text)) {
    if (!out.empty()) out.push_back(' ');
    out += encode_utf8(s.text);
  }
  return out;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// Xapian rejects terms over 245 bytes; long names keep a readable head plus a stable hash
// (FNV, not std::hash, because the index outlives the binary).
std::string make_term(std::string_view prefix, std::string_view body) {
  std::string term(prefix);
  if (prefix.size() + body.size() <= kMaxTermBytes) {
    term += body;
    return term;
  }
  std::size_t keep = 160;
  while (keep > 0 && (static_cast<unsigned char>(body[keep]) & 0xC0) == 0x80) --keep;
  term += body.substr(0, keep);
  char hex[17];
  auto [end, ec] = std::to_chars(hex, hex + 16, fnv1a(body), 16);
  term.push_back('#');
  term.append(hex, end);
  return term;
}

std::string word_token(std::u32string_view word) {
  std::string w = encode_utf8(word);
  if (w.size() > kMaxWordBytes) w.resize(kMaxWordBytes);  // ASCII only, so no split characters
  return w;
}

// Index side: every CJK character, every adjacent CJK pair, every Latin/digit word.
void add_text_terms(Xapian::Document& doc, std::string_view prefix, std::string_view text) {
  for (const auto& s : segment(text)) {
    if (!s.cjk) {
      doc.add_term(make_term(prefix, word_token(s.text)));
      continue;
    }
    for (std::size_t i = 0; i < s.text.size(); ++i) {
      doc.add_term(make_term(prefix, encode_utf8(s.text.substr(i, 1))));
      if (i + 1 < s.text.size()) doc.add_term(make_term(prefix, encode_utf8(s.text.substr(i, 2))));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Query side.

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

Clause make_clause(std::string_view text, double scale) {
  Clause c;
  c.scale = scale;
  std::map<std::string, std::uint64_t> units;  // merged so "许可…许可" is one unit
  std::vector<std::string> order;
  auto add_unit = [&](std::string token, std::uint64_t positions) {
    auto [it, inserted] = units.try_emplace(token, 0);
    if (inserted) order.push_back(token);
    it->second |= positions;
  };
  for (const auto& s : segment(text)) {
    std::size_t start = c.position_weights.size();
    if (start >= kMaxQueryPositions) break;
    if (!s.cjk) {
      // A word like "icp" is as telling as a two-character Chinese word; a lone letter is not.
      c.position_weights.push_back(s.text.size() >= 2 ? 2 : 1);
      add_unit(word_token(s.text), std::uint64_t{1} << start);
      continue;
    }
    std::size_t n = std::min(s.text.size(), kMaxQueryPositions - start);
    for (std::size_t i = 0; i < n; ++i) c.position_weights.push_back(1);
    if (n == 1) {
      add_unit(encode_utf8(s.text.substr(0, 1)), std::uint64_t{1} << start);
      continue;
    }
    for (std::size_t i = 0; i + 1 < n; ++i) add_unit(encode_utf8(s.text.substr(i, 2)), std::uint64_t{3} << (start + i));
  }
  for (auto& token : order) c.units.push_back({token, units[token]});
  for (int w : c.position_weights) c.total_weight += w;
  c.exact = compact(text);
  return c;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Shared state.

struct SearchIndex::Config {
  struct Synonym {
    std::string key;  // normalized
    std::u32string key_cps;
    std::string display;
    std::vector<std::string> targets;
  };
  std::vector<Synonym> synonyms;  // longest key first: "我要开饭店" should use the longest match
};

struct SearchIndex::Vocabulary {
  struct Entry {
    int refs = 0;
    std::u32string cps;
  };
  std::map<std::string, Entry> entries;  // display form (as in the data) → entry
};

struct SearchIndex::Reader {
  Xapian::Database db;
  std::uint64_t generation = 0;
};

// docid → index of its packed facet value, for one database revision.
struct SearchIndex::FacetTable {
  Xapian::rev revision = 0;
  Xapian::docid first = 1;
  std::vector<std::uint32_t> combo_of;  // [docid - first] → combo index + 1; 0 = no entry
  std::vector<std::string> combos;      // packed facet values, see facet_blob()
};

// A pooled reader registered at a generation; both are given back on destruction.
class SearchIndex::ReaderLease {
 public:
  ReaderLease(const SearchIndex& owner, std::unique_ptr<Reader> reader, std::uint64_t generation)
      : owner_(&owner), reader_(std::move(reader)), generation_(generation) {}
  ReaderLease(ReaderLease&& other) noexcept
      : owner_(other.owner_), reader_(std::move(other.reader_)), generation_(other.generation_) {
    other.owner_ = nullptr;
  }
  ReaderLease& operator=(ReaderLease&&) = delete;
  ~ReaderLease() {
    if (owner_) owner_->release_reader(std::move(reader_), generation_);
  }
  Reader* operator->() const { return reader_.get(); }
  void attach(std::unique_ptr<Reader> reader) { reader_ = std::move(reader); }

 private:
  const SearchIndex* owner_;
  std::unique_ptr<Reader> reader_;  // null when opening failed
  std::uint64_t generation_;
};

namespace {

std::shared_ptr<const SearchIndex::Config> make_config(const Synonyms& synonyms) {
  auto config = std::make_shared<SearchIndex::Config>();
  for (const auto& [key, targets] : synonyms) {
    std::string norm = normalized(key);
    if (norm.empty()) continue;
    std::vector<std::string> kept;
    for (const auto& t : targets)
      if (!normalized(t).empty()) kept.push_back(t);
    if (kept.empty()) continue;
    config->synonyms.push_back({norm, compact_cps(key), key, std::move(kept)});
  }
  std::stable_sort(config->synonyms.begin(), config->synonyms.end(),
                   [](const auto& a, const auto& b) { return a.key.size() > b.key.size(); });
  return config;
}

// A search plan: the clauses and the Xapian query built from them; no clauses means a
// filter-only listing.
struct Plan {
  std::vector<Clause> clauses;
  Xapian::Query query;
  bool needs_coverage = false;
};

Plan plan_query(const std::string& q, const SearchIndex::Config& config) {
  Plan plan;
  std::string norm = normalized(q);
  Clause original = make_clause(norm, 1.0);
  if (original.units.empty()) return plan;
  plan.clauses.push_back(std::move(original));

  // Synonym rewrites: the colloquial word replaced by each catalogue word. Keys are matched
  // as substrings because Chinese queries have no spaces ("我要开饭店").
  std::vector<std::string> seen{norm};
  for (const auto& syn : config.synonyms) {
    auto at = norm.find(syn.key);
    if (at == std::string::npos) continue;
    for (const auto& target : syn.targets) {
      if (plan.clauses.size() >= kMaxClauses) break;
      std::string rewritten = normalized(norm.substr(0, at) + " " + target + " " + norm.substr(at + syn.key.size()));
      if (std::find(seen.begin(), seen.end(), rewritten) != seen.end()) continue;
      seen.push_back(rewritten);
      Clause c = make_clause(rewritten, kSynonymFactor);
      if (!c.units.empty()) plan.clauses.push_back(std::move(c));
    }
  }

  // One OR over distinct terms; a term shared by several clauses keeps its highest scale.
  std::map<std::string, double> scales;
  auto want = [&](std::string term, double scale) {
    auto [it, inserted] = scales.try_emplace(std::move(term), scale);
    if (!inserted) it->second = std::max(it->second, scale);
  };
  for (const auto& c : plan.clauses) {
    for (const auto& u : c.units)
      for (const auto& f : kFieldWeights) want(make_term(f.prefix, u.token), f.weight * c.scale);
    want(make_term(kPrefixExact, c.exact), kExactWeight * c.scale);
    if (!c.any_unit_passes()) plan.needs_coverage = true;
  }
  std::vector<Xapian::Query> parts;
  parts.reserve(scales.size());
  for (const auto& [term, scale] : scales)
    parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query(term), scale);
  plan.query = Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
  return plan;
}

std::vector<Xapian::docid> postings(const Xapian::Database& db, const std::string& term) {
  std::vector<Xapian::docid> out;
  for (auto it = db.postlist_begin(term); it != db.postlist_end(term); ++it) out.push_back(*it);
  return out;
}

std::vector<Xapian::docid> merge_union(std::vector<Xapian::docid> a, const std::vector<Xapian::docid>& b) {
  if (a.empty()) return b;
  std::vector<Xapian::docid> out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// Documents that satisfy the coverage rule for at least one clause (or carry an exact
// name). Computed from the posting lists of the query's own terms, so the per-document
// check in the match is a binary search instead of re-reading document text.
std::vector<Xapian::docid> covered_documents(const Xapian::Database& db, const Plan& plan) {
  std::unordered_map<std::string, std::vector<Xapian::docid>> by_token;
  auto unit_docs = [&](const std::string& token) -> const std::vector<Xapian::docid>& {
    auto it = by_token.find(token);
    if (it != by_token.end()) return it->second;
    std::vector<Xapian::docid> docs;
    for (const auto& f : kFieldWeights) docs = merge_union(std::move(docs), postings(db, make_term(f.prefix, token)));
    return by_token.emplace(token, std::move(docs)).first->second;
  };

  std::vector<Xapian::docid> accepted;
  for (const auto& c : plan.clauses) {
    accepted = merge_union(std::move(accepted), postings(db, make_term(kPrefixExact, c.exact)));
    std::vector<const std::vector<Xapian::docid>*> lists;
    for (const auto& u : c.units) lists.push_back(&unit_docs(u.token));
    std::vector<std::size_t> cursor(lists.size(), 0);
    std::vector<Xapian::docid> clause_docs;
    constexpr Xapian::docid kEnd = std::numeric_limits<Xapian::docid>::max();
    while (true) {
      Xapian::docid next = kEnd;
      for (std::size_t i = 0; i < lists.size(); ++i)
        if (cursor[i] < lists[i]->size()) next = std::min(next, (*lists[i])[cursor[i]]);
      if (next == kEnd) break;
      std::uint64_t covered = 0;
      for (std::size_t i = 0; i < lists.size(); ++i) {
        if (cursor[i] < lists[i]->size() && (*lists[i])[cursor[i]] == next) {
          covered |= c.units[i].positions;
          ++cursor[i];
        }
      }
      if (c.passes(covered)) clause_docs.push_back(next);
    }
    accepted = merge_union(std::move(accepted), clause_docs);
  }
  return accepted;
}

// The documents that pass the coverage rule, as a posting list for OP_FILTER. Filtering
// (rather than a MatchDecider) lets the matcher skip straight to accepted documents instead
// of scoring every document that shares one bigram with a long query.
class DocListSource : public Xapian::PostingSource {
 public:
  explicit DocListSource(std::shared_ptr<const std::vector<Xapian::docid>> docs) : docs_(std::move(docs)) {}
  Xapian::doccount get_termfreq_min() const override { return static_cast<Xapian::doccount>(docs_->size()); }
  Xapian::doccount get_termfreq_est() const override { return get_termfreq_min(); }
  Xapian::doccount get_termfreq_max() const override { return get_termfreq_min(); }
  void init(const Xapian::Database&) override {
    pos_ = 0;
    started_ = false;
  }
  void next(double) override {
    if (started_) ++pos_;
    started_ = true;
  }
  void skip_to(Xapian::docid did, double) override {
    started_ = true;
    pos_ = static_cast<std::size_t>(
        std::lower_bound(docs_->begin() + static_cast<std::ptrdiff_t>(pos_), docs_->end(), did) - docs_->begin());
  }
  bool at_end() const override { return started_ && pos_ >= docs_->size(); }
  Xapian::docid get_docid() const override { return (*docs_)[pos_]; }
  DocListSource* clone() const override { return new DocListSource(docs_); }
  std::string name() const override { return "tb.catalog.DocList"; }

 private:
  std::shared_ptr<const std::vector<Xapian::docid>> docs_;
  std::size_t pos_ = 0;
  bool started_ = false;
};

// Counts the facet combination of every match: through the revision's FacetTable, or by
// reading the value for a document the table does not know.
class FacetSpy : public Xapian::MatchSpy {
 public:
  explicit FacetSpy(std::shared_ptr<const SearchIndex::FacetTable> table)
      : table_(std::move(table)), counts_(table_->combos.size(), 0) {}
  void operator()(const Xapian::Document& doc, double) override {
    Xapian::docid did = doc.get_docid();
    if (did >= table_->first && did - table_->first < table_->combo_of.size()) {
      if (std::uint32_t combo = table_->combo_of[did - table_->first]) {
        ++counts_[combo - 1];
        return;
      }
    }
    ++others_[doc.get_value(kSlotFacets)];
  }
  template <class F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < counts_.size(); ++i)
      if (counts_[i]) f(std::string_view(table_->combos[i]), counts_[i]);
    for (const auto& [blob, count] : others_) f(std::string_view(blob), count);
  }

 private:
  std::shared_ptr<const SearchIndex::FacetTable> table_;
  std::vector<std::size_t> counts_;
  std::unordered_map<std::string, std::size_t> others_;
};

std::shared_ptr<const SearchIndex::FacetTable> build_facet_table(const Xapian::Database& db) {
  auto table = std::make_shared<SearchIndex::FacetTable>();
  table->revision = db.get_revision();
  std::vector<std::pair<Xapian::docid, std::uint32_t>> entries;
  std::unordered_map<std::string, std::uint32_t> ids;
  for (auto it = db.valuestream_begin(kSlotFacets); it != db.valuestream_end(kSlotFacets); ++it) {
    auto [at, inserted] = ids.try_emplace(*it, static_cast<std::uint32_t>(table->combos.size() + 1));
    if (inserted) table->combos.push_back(at->first);
    entries.emplace_back(it.get_docid(), at->second);
  }
  if (!entries.empty()) {
    // Value streams run in docid order; after a rebuild the live docids are one dense block.
    table->first = entries.front().first;
    table->combo_of.assign(entries.back().first - table->first + 1, 0);
    for (const auto& [did, combo] : entries) table->combo_of[did - table->first] = combo;
  }
  return table;
}

// Same rule as tb::division_within (core/principal.cpp): the root without its trailing zero
// groups is a prefix of every code in its subtree. Documents carry a term per prefix length.
std::string division_prefix(std::string_view root) {
  auto strip = [&](std::size_t keep, std::size_t group) {
    if (root.size() == keep + group && root.substr(keep).find_first_not_of('0') == std::string_view::npos)
      root = root.substr(0, keep);
  };
  strip(9, 3);
  strip(6, 3);
  strip(4, 2);
  strip(2, 2);
  return std::string(root);
}

std::string facet_blob(const SearchDoc& d) {
  std::string blob = d.department_code;
  blob.push_back(kFieldSep);
  blob += std::to_string(d.type);
  blob.push_back(kFieldSep);
  blob += d.division_code.substr(0, 6);
  blob.push_back(kFieldSep);
  for (std::size_t i = 0; i < d.themes.size(); ++i) {
    if (i) blob.push_back(kListSep);
    blob += d.themes[i];
  }
  return blob;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

std::string one_line(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

// Document data: impl_code, name, aliases one per line. The vocabulary for suggestions is
// rebuilt from it on start-up and kept in step on upsert/remove.
std::string doc_data(const SearchDoc& d) {
  std::string data = one_line(d.impl_code) + "\n" + one_line(d.name);
  for (const auto& a : d.aliases) data += "\n" + one_line(a);
  return data;
}

Xapian::Document make_document(const SearchDoc& d) {
  Xapian::Document doc;
  doc.set_data(doc_data(d));
  doc.add_boolean_term(make_term(kPrefixId, d.impl_code));
  if (!d.basic_code.empty()) doc.add_boolean_term(make_term(kPrefixBasic, d.basic_code));

  add_text_terms(doc, kPrefixName, d.name);
  for (const auto& a : d.aliases) add_text_terms(doc, kPrefixAlias, a);
  add_text_terms(doc, kPrefixText, d.text);
  add_text_terms(doc, kPrefixDepartmentName, d.department_name);
  // wdf 1, not a boolean term: BM25 gives wdf 0 no weight and this term must rank.
  if (auto c = compact(d.name); !c.empty()) doc.add_term(make_term(kPrefixExact, c));
  for (const auto& a : d.aliases)
    if (auto c = compact(a); !c.empty()) doc.add_term(make_term(kPrefixExact, c));

  if (!d.department_code.empty()) doc.add_boolean_term(make_term(kPrefixDepartment, d.department_code));
  for (std::size_t n = 1; n <= d.division_code.size(); ++n)
    doc.add_boolean_term(make_term(kPrefixDivision, d.division_code.substr(0, n)));
  doc.add_boolean_term(make_term(kPrefixType, std::to_string(d.type)));
  for (const auto& t : d.themes) doc.add_boolean_term(make_term(kPrefixTheme, t));
  for (const auto& o : d.objects) doc.add_boolean_term(make_term(kPrefixObject, o));
  doc.add_boolean_term(make_term(kPrefixOnline, d.online ? "1" : "0"));

  doc.add_value(kSlotFacets, facet_blob(d));
  doc.add_value(kSlotSortName, d.name);
  return doc;
}

Xapian::Query filter_query(const SearchQuery& q) {
  std::vector<Xapian::Query> terms;
  if (q.division) {
    std::string prefix = division_prefix(*q.division);
    if (!prefix.empty()) terms.emplace_back(make_term(kPrefixDivision, prefix));
  }
  if (q.department) terms.emplace_back(make_term(kPrefixDepartment, *q.department));
  if (q.type) terms.emplace_back(make_term(kPrefixType, std::to_string(*q.type)));
  if (q.theme) terms.emplace_back(make_term(kPrefixTheme, *q.theme));
  if (q.object) terms.emplace_back(make_term(kPrefixObject, *q.object));
  if (q.online) terms.emplace_back(make_term(kPrefixOnline, *q.online ? "1" : "0"));
  if (terms.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_AND, terms.begin(), terms.end());
}

void add_facets(const FacetSpy& spy, SearchResult& result) {
  // Views into the table's or spy's strings; the sorted maps get one entry per distinct value.
  std::unordered_map<std::string_view, std::size_t> department, type, division, theme;
  spy.for_each([&](std::string_view blob, std::size_t count) {
    auto fields = split(blob, kFieldSep);
    if (fields.size() != 4) return;
    if (!fields[0].empty()) department[fields[0]] += count;
    if (!fields[1].empty()) type[fields[1]] += count;
    if (!fields[2].empty()) division[fields[2]] += count;
    if (!fields[3].empty())
      for (auto t : split(fields[3], kListSep))
        if (!t.empty()) theme[t] += count;
  });
  auto put = [&](const char* facet, const std::unordered_map<std::string_view, std::size_t>& counts) {
    auto& out = result.facets[facet];
    for (const auto& [value, count] : counts) out.emplace(std::string(value), count);
  };
  put("department", department);
  put("type", type);
  put("division", division);
  put("theme", theme);
}

SearchResult run_search(const Xapian::Database& db, std::shared_ptr<const SearchIndex::FacetTable> facets,
                        const Plan& plan, const Xapian::Query& filter, int offset, int limit) {
  Xapian::Enquire enquire(db);
  Xapian::Query main;
  Xapian::Query restrict = filter;
  bool listing = plan.clauses.empty();
  if (listing) {
    // Not Xapian::Query::MatchAll: that is one shared static whose reference count is not
    // atomic, so copying it from many threads at once corrupts it. "" matches every document.
    main = Xapian::Query(std::string());
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_sort_by_value_then_relevance(kSlotSortName, false);
  } else {
    main = plan.query;
    enquire.set_weighting_scheme(Xapian::BM25Weight(kBm25K1, 0, 1, kBm25B, 0.5));
    if (plan.needs_coverage) {
      auto docs = std::make_shared<const std::vector<Xapian::docid>>(covered_documents(db, plan));
      Xapian::Query covered((new DocListSource(std::move(docs)))->release());
      restrict = restrict.empty() ? covered : Xapian::Query(Xapian::Query::OP_AND, covered, restrict);
    }
  }
  enquire.set_query(restrict.empty() ? main : Xapian::Query(Xapian::Query::OP_FILTER, main, restrict));
  FacetSpy spy(std::move(facets));
  enquire.add_matchspy(&spy);
  // check_at_least = every document: facets and the total must cover the whole match set.
  Xapian::MSet mset =
      enquire.get_mset(static_cast<Xapian::doccount>(offset), static_cast<Xapian::doccount>(limit), db.get_doccount());
  SearchResult result;
  result.total = mset.get_matches_estimated();
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    std::string data = it.get_document().get_data();
    result.hits.push_back({data.substr(0, data.find('\n')), listing ? 0.0 : it.get_weight()});
  }
  add_facets(spy, result);
  return result;
}

// Edit distance between the query and the closest substring of the candidate (Sellers'
// approximate substring match): a typo'd fragment "icq备按" is close to "…服务ICP备案".
std::size_t substring_distance(std::u32string_view query, std::u32string_view candidate) {
  std::vector<std::size_t> column(query.size() + 1);
  for (std::size_t i = 0; i <= query.size(); ++i) column[i] = i;
  std::size_t best = column.back();
  for (char32_t c : candidate) {
    std::size_t diagonal = column[0];  // column[0] stays 0: a match may start anywhere
    for (std::size_t i = 1; i <= query.size(); ++i) {
      std::size_t up = column[i];
      column[i] = std::min({column[i] + 1, column[i - 1] + 1, diagonal + (query[i - 1] == c ? 0 : 1)});
      diagonal = up;
    }
    best = std::min(best, column.back());
  }
  return best;
}

std::uint64_t char_signature(std::u32string_view s) {
  std::uint64_t sig = 0;
  for (char32_t c : s) sig |= std::uint64_t{1} << (c % 64);
  return sig;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// SearchIndex.

SearchIndex::SearchIndex(std::filesystem::path dir, Synonyms synonyms)
    : dir_(std::move(dir)), config_(make_config(synonyms)), vocabulary_(std::make_unique<Vocabulary>()) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw FatalError("search index: cannot create " + dir_.string() + ": " + ec.message());
  try {
    writer_ =
        std::make_unique<Xapian::WritableDatabase>(dir_.string(), Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
    for (auto it = writer_->postlist_begin(""); it != writer_->postlist_end(""); ++it) {
      std::string data = writer_->get_document(*it).get_data();
      auto lines = split(data, '\n');
      if (lines.size() < 2) continue;
      vocabulary_add(std::string(lines[1]), std::vector<std::string>(lines.begin() + 2, lines.end()));
    }
  } catch (const Xapian::Error& e) {
    throw FatalError("search index: cannot open " + dir_.string() + ": " + e.get_description());
  }
}

SearchIndex::~SearchIndex() = default;

void SearchIndex::note_committed() {
  std::lock_guard lock(epoch_mutex_);
  ++generation_;
}

void SearchIndex::wait_for_older_readers() {
  std::unique_lock lock(epoch_mutex_);
  epoch_cv_.wait(lock, [&] { return active_readers_.empty() || active_readers_.begin()->first >= generation_; });
}

std::shared_ptr<const SearchIndex::Config> SearchIndex::config() const {
  std::lock_guard lock(config_mutex_);
  return config_;
}

std::shared_ptr<const SearchIndex::FacetTable> SearchIndex::facet_table(const Xapian::Database& db) const {
  Xapian::rev revision = db.get_revision();
  {
    std::lock_guard lock(facet_mutex_);
    if (facet_table_ && facet_table_->revision == revision) return facet_table_;
  }
  // Built outside the lock (a few milliseconds for 20,000 items, once per write); a search
  // still on an older revision builds its own and leaves the newer shared table alone.
  auto table = build_facet_table(db);
  std::lock_guard lock(facet_mutex_);
  if (!facet_table_ || facet_table_->revision < revision) facet_table_ = table;
  return table;
}

void SearchIndex::set_synonyms(Synonyms synonyms) {
  auto fresh = make_config(synonyms);
  std::lock_guard lock(config_mutex_);
  config_ = std::move(fresh);
}

void SearchIndex::vocabulary_add(const std::string& name, const std::vector<std::string>& aliases) {
  std::unique_lock lock(vocabulary_mutex_);
  auto add = [&](const std::string& display) {
    auto cps = compact_cps(display);
    if (cps.empty()) return;
    auto& e = vocabulary_->entries[display];
    if (e.refs++ == 0) e.cps = std::move(cps);
  };
  add(name);
  for (const auto& a : aliases) add(a);
}

void SearchIndex::vocabulary_remove_doc_data(const std::string& data) {
  auto lines = split(data, '\n');
  std::unique_lock lock(vocabulary_mutex_);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto it = vocabulary_->entries.find(std::string(lines[i]));
    if (it != vocabulary_->entries.end() && --it->second.refs <= 0) vocabulary_->entries.erase(it);
  }
}

void SearchIndex::rebuild(const std::vector<SearchDoc>& docs) {
  std::lock_guard lock(write_mutex_);
  wait_for_older_readers();
  try {
    writer_->begin_transaction();
    try {
      std::vector<Xapian::docid> old;
      for (auto it = writer_->postlist_begin(""); it != writer_->postlist_end(""); ++it) old.push_back(*it);
      for (auto id : old) writer_->delete_document(id);
      // replace_document by id term, so a duplicated impl_code in the input keeps the last one.
      for (const auto& d : docs) writer_->replace_document(make_term(kPrefixId, d.impl_code), make_document(d));
      writer_->commit_transaction();
    } catch (...) {
      writer_->cancel_transaction();
      throw;
    }
  } catch (const Xapian::Error& e) {
    throw FatalError("search index: rebuild failed: " + e.get_description());
  }
  {
    std::unique_lock vlock(vocabulary_mutex_);
    vocabulary_->entries.clear();
  }
  for (const auto& d : docs) vocabulary_add(d.name, d.aliases);
  note_committed();
}

void SearchIndex::upsert(const SearchDoc& doc) {
  std::lock_guard lock(write_mutex_);
  wait_for_older_readers();
  std::string id_term = make_term(kPrefixId, doc.impl_code);
  std::optional<std::string> old_data;
  try {
    auto it = writer_->postlist_begin(id_term);
    if (it != writer_->postlist_end(id_term)) old_data = writer_->get_document(*it).get_data();
    writer_->replace_document(id_term, make_document(doc));
    writer_->commit();
  } catch (const Xapian::Error& e) {
    throw FatalError("search index: upsert failed: " + e.get_description());
  }
  if (old_data) vocabulary_remove_doc_data(*old_data);
  vocabulary_add(doc.name, doc.aliases);
  note_committed();
}

void SearchIndex::remove(const std::string& impl_code) {
  std::lock_guard lock(write_mutex_);
  wait_for_older_readers();
  std::string id_term = make_term(kPrefixId, impl_code);
  std::optional<std::string> old_data;
  try {
    auto it = writer_->postlist_begin(id_term);
    if (it == writer_->postlist_end(id_term)) return;
    old_data = writer_->get_document(*it).get_data();
    writer_->delete_document(id_term);
    writer_->commit();
  } catch (const Xapian::Error& e) {
    throw FatalError("search index: remove failed: " + e.get_description());
  }
  vocabulary_remove_doc_data(*old_data);
  note_committed();
}

std::size_t SearchIndex::size() const {
  std::lock_guard lock(write_mutex_);
  return writer_->get_doccount();
}

SearchIndex::ReaderLease SearchIndex::acquire_reader() const {
  std::uint64_t generation;
  {
    std::lock_guard lock(epoch_mutex_);
    generation = generation_;
    ++active_readers_[generation];
  }
  // From here the lease owns the registration, so an exception below still releases it.
  ReaderLease lease(*this, nullptr, generation);
  std::unique_ptr<Reader> reader;
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      reader = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  // Opening or reopening now lands on the newest commit, which is at least `generation`:
  // writes wait for this registration before overwriting anything that revision uses.
  if (!reader) {
    reader = std::make_unique<Reader>(Reader{Xapian::Database(dir_.string()), generation});
  } else if (reader->generation != generation) {
    reader->db.reopen();
    reader->generation = generation;
  }
  lease.attach(std::move(reader));
  return lease;
}

void SearchIndex::release_reader(std::unique_ptr<Reader> reader, std::uint64_t generation) const {
  if (reader) {
    std::lock_guard lock(pool_mutex_);
    if (pool_.size() < kMaxIdleReaders) pool_.push_back(std::move(reader));
  }
  std::lock_guard lock(epoch_mutex_);
  auto it = active_readers_.find(generation);
  if (--it->second == 0) {
    active_readers_.erase(it);
    epoch_cv_.notify_all();
  }
}

SearchResult SearchIndex::search(const SearchQuery& query) const {
  auto cfg = config();
  Plan plan = plan_query(query.q, *cfg);
  Xapian::Query filter = filter_query(query);
  int offset = std::max(0, query.offset);
  int limit = std::clamp(query.limit, 0, kMaxLimit);

  SearchResult result;
  try {
    auto reader = acquire_reader();
    for (int attempt = 0;; ++attempt) {
      try {
        result = run_search(reader->db, facet_table(reader->db), plan, filter, offset, limit);
        break;
      } catch (const Xapian::DatabaseModifiedError&) {
        // The writer committed twice while we read an old revision: move to the new one.
        if (attempt + 1 >= kModifiedRetries) throw;
        reader->db.reopen();
      }
    }
  } catch (const Xapian::Error& e) {
    throw FatalError("search index: search failed: " + e.get_description());
  }
  if (!plan.clauses.empty() && result.total < kSuggestBelow) result.suggestion = suggest(query.q, *cfg);
  return result;
}

// "Did you mean": the name, alias or synonym key containing the closest match to the query,
// allowing strictly fewer edits than half the query's length; ties go to the shorter
// candidate (the more specific word). Only offered when the query is not itself a known
// name or word: then finding little is the true answer.
std::optional<std::string> SearchIndex::suggest(const std::string& q, const Config& config) const {
  std::u32string query = compact_cps(q);
  if (query.size() < 3 || query.size() > kMaxQueryPositions) return std::nullopt;
  std::uint64_t query_sig = char_signature(query);

  std::optional<std::string> best;
  std::size_t best_distance = 0, best_length = 0;
  bool known = false;
  auto consider = [&](const std::string& display, std::u32string_view cps) {
    if (cps == query) {
      known = true;
      return;
    }
    if ((char_signature(cps) & query_sig) == 0) return;
    std::size_t distance = substring_distance(query, cps);
    // 0 means the query is inside this candidate, so the search already found it.
    if (distance == 0 || 2 * distance >= query.size()) return;
    if (!best || distance < best_distance || (distance == best_distance && cps.size() < best_length) ||
        (distance == best_distance && cps.size() == best_length && display < *best)) {
      best = display;
      best_distance = distance;
      best_length = cps.size();
    }
  };
  for (const auto& syn : config.synonyms) consider(syn.display, syn.key_cps);
  {
    std::shared_lock lock(vocabulary_mutex_);
    for (const auto& [display, entry] : vocabulary_->entries) consider(display, entry.cps);
  }
  if (known) return std::nullopt;
  return best;
}

}  // namespace tb::catalog
