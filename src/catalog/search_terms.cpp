// The term side of catalogue search (see search_terms.h): UTF-8 folding and segmentation,
// the tokens written for a document and looked for by a query, query clauses with their
// coverage rule, and suggestion ranking. Nothing here keeps state between calls; the only
// Xapian use is building documents' terms and queries and reading posting lists.
#include "catalog/search_terms.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>
#include <map>
#include <unordered_map>
#include <utility>

namespace tb::catalog::search_terms {
namespace {

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

// Queries longer than this are cut: coverage masks are 64-bit and longer "queries" are pastes.
constexpr std::size_t kMaxQueryPositions = 48;
constexpr std::size_t kMaxClauses = 8;  // the original query plus synonym rewrites
constexpr std::size_t kMaxWordBytes = 64;
constexpr std::size_t kMaxTermBytes = 240;  // Xapian's limit is 245 bytes

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

std::string word_token(std::u32string_view word) {
  std::string w = encode_utf8(word);
  if (w.size() > kMaxWordBytes) w.resize(kMaxWordBytes);  // ASCII only, so no split characters
  return w;
}

}  // namespace

// Separators removed, folded: the form exact-name terms, synonym keys and suggestions compare.
std::u32string compact_cps(std::string_view text) {
  std::u32string out;
  for (const auto& s : segment(text)) out += s.text;
  return out;
}

std::string compact(std::string_view text) {
  return encode_utf8(compact_cps(text));
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
// Query side: clauses, synonym rewrites, the plan.

namespace {

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

// ---------------------------------------------------------------------------------------
// Coverage: which documents cover enough of the query.

namespace {

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

}  // namespace

Xapian::Query coverage_filter(const Xapian::Database& db, const Plan& plan) {
  auto docs = std::make_shared<const std::vector<Xapian::docid>>(covered_documents(db, plan));
  return Xapian::Query((new DocListSource(std::move(docs)))->release());
}

// ---------------------------------------------------------------------------------------
// Suggestions.

namespace {

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

SuggestionPicker::SuggestionPicker(std::string_view q) : query_(compact_cps(q)) {
  worthwhile_ = query_.size() >= 3 && query_.size() <= kMaxQueryPositions;
  if (worthwhile_) query_sig_ = char_signature(query_);
}

void SuggestionPicker::consider(const std::string& display, std::u32string_view cps) {
  if (!worthwhile_) return;
  if (cps == query_) {
    known_ = true;
    return;
  }
  // No character in common (modulo 64): cannot be within the edit budget, skip the DP.
  if ((char_signature(cps) & query_sig_) == 0) return;
  std::size_t distance = substring_distance(query_, cps);
  // 0 means the query is inside this candidate, so the search already found it.
  if (distance == 0 || 2 * distance >= query_.size()) return;
  if (!best_ || distance < best_distance_ || (distance == best_distance_ && cps.size() < best_length_) ||
      (distance == best_distance_ && cps.size() == best_length_ && display < *best_)) {
    best_ = display;
    best_distance_ = distance;
    best_length_ = cps.size();
  }
}

std::optional<std::string> SuggestionPicker::best() const {
  if (!worthwhile_ || known_) return std::nullopt;
  return best_;
}

}  // namespace tb::catalog::search_terms
