// SearchIndex (search.h): the Xapian database and everything that touches it. Documents
// with their filter terms and values, writes, the pool of readers and the generation
// bookkeeping that keeps them safe from our own writer, facet counting, and running a
// match. How text becomes terms, how a query becomes a Plan (synonyms, coverage) and how a
// suggestion is ranked are in search_terms.h, so this file reads as storage and concurrency.
#include "catalog/search.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <xapian.h>

#include "catalog/search_terms.h"
#include "core/error.h"

namespace tb::catalog {
namespace {

using search_terms::add_text_terms;
using search_terms::compact;
using search_terms::compact_cps;
using search_terms::coverage_filter;
using search_terms::kPrefixAlias;
using search_terms::kPrefixBasic;
using search_terms::kPrefixDepartment;
using search_terms::kPrefixDepartmentName;
using search_terms::kPrefixDivision;
using search_terms::kPrefixExact;
using search_terms::kPrefixId;
using search_terms::kPrefixName;
using search_terms::kPrefixObject;
using search_terms::kPrefixOnline;
using search_terms::kPrefixText;
using search_terms::kPrefixTheme;
using search_terms::kPrefixType;
using search_terms::make_config;
using search_terms::make_term;
using search_terms::Plan;
using search_terms::plan_query;

// Value slots. All facets live in one packed value so the match spy makes one lookup per
// document and identical combinations (same department/type/division/themes) count once.
constexpr Xapian::valueno kSlotFacets = 0;
constexpr Xapian::valueno kSlotSortName = 1;

// ASCII unit and record separators: between the packed facet value's fields, and between
// its themes (facet_blob writes them, add_facets reads them).
constexpr char kFieldSep = '\x1f';
constexpr char kListSep = '\x1e';

// BM25 with a weak length penalty: long condition texts should not bury their own names.
constexpr double kBm25K1 = 1.2, kBm25B = 0.4;

// Below this many matches the result also carries a "did you mean".
constexpr std::size_t kSuggestBelow = 3;
// Idle readers kept open for reuse; one given back beyond this is closed.
constexpr std::size_t kMaxIdleReaders = 16;
// Our own writes never invalidate a running search (see epoch_mutex_); this only covers
// another process writing the same directory, which is not supported but should not crash.
constexpr int kModifiedRetries = 3;

}  // namespace

// ---------------------------------------------------------------------------------------
// Shared state.

// Every name and alias in the index, counted per document so upsert/remove can keep it in
// step; suggest() hands it to search_terms::SuggestionPicker.
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
                        bool with_facets, const Plan& plan, const Xapian::Query& filter, int offset, int limit) {
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
      Xapian::Query covered = coverage_filter(db, plan);
      restrict = restrict.empty() ? covered : Xapian::Query(Xapian::Query::OP_AND, covered, restrict);
    }
  }
  enquire.set_query(restrict.empty() ? main : Xapian::Query(Xapian::Query::OP_FILTER, main, restrict));
  FacetSpy spy(std::move(facets));
  if (with_facets) enquire.add_matchspy(&spy);
  // With facets, check_at_least = every document: facets and the total cover the whole match
  // set. Without, Xapian may stop once the page is known.
  Xapian::MSet mset = enquire.get_mset(static_cast<Xapian::doccount>(offset), static_cast<Xapian::doccount>(limit),
                                       with_facets ? db.get_doccount() : 0);
  SearchResult result;
  result.total = mset.get_matches_estimated();
  result.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    std::string data = it.get_document().get_data();
    result.hits.push_back({data.substr(0, data.find('\n')), listing ? 0.0 : it.get_weight()});
  }
  if (with_facets) add_facets(spy, result);
  return result;
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

void SearchIndex::upsert(const SearchDoc& doc) { upsert(std::vector<SearchDoc>{doc}); }

void SearchIndex::upsert(const std::vector<SearchDoc>& docs) {
  if (docs.empty()) return;
  std::lock_guard lock(write_mutex_);
  wait_for_older_readers();
  std::vector<std::string> old_data;
  try {
    for (const auto& doc : docs) {
      std::string id_term = make_term(kPrefixId, doc.impl_code);
      auto it = writer_->postlist_begin(id_term);
      if (it != writer_->postlist_end(id_term)) old_data.push_back(writer_->get_document(*it).get_data());
      writer_->replace_document(id_term, make_document(doc));
    }
    // One commit for the batch: an import of thousands of items would otherwise sync per item.
    writer_->commit();
  } catch (const Xapian::Error& e) {
    throw FatalError("search index: upsert failed: " + e.get_description());
  }
  for (const auto& data : old_data) vocabulary_remove_doc_data(data);
  for (const auto& doc : docs) vocabulary_add(doc.name, doc.aliases);
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
        result = run_search(reader->db, facet_table(reader->db), query.facets, plan, filter, offset, limit);
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
  // Few hits inside a filter (one district, one department) is no sign of a typo.
  bool filtered = query.division || query.department || query.type || query.theme || query.object || query.online;
  if (!plan.clauses.empty() && !filtered && result.total < kSuggestBelow) result.suggestion = suggest(query.q, *cfg);
  return result;
}

std::optional<std::string> SearchIndex::suggest(const std::string& q, const Config& config) const {
  search_terms::SuggestionPicker picker(q);
  if (!picker.worthwhile()) return std::nullopt;
  for (const auto& syn : config.synonyms) picker.consider(syn.display, syn.key_cps);
  std::shared_lock lock(vocabulary_mutex_);
  for (const auto& [display, entry] : vocabulary_->entries) picker.consider(display, entry.cps);
  return picker.best();
}

}  // namespace tb::catalog
