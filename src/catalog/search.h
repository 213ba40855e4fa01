// Full-text search over the catalogue's implementation items (事项检索), on an on-disk
// Xapian database. Xapian's own CJK handling (1.4.22) treats a Chinese query as a phrase
// and has a mixed CJK/Latin parser bug, so this component tokenizes text itself and builds
// Xapian::Query trees directly; QueryParser is not used at all.
//
//   SearchIndex index(dir, synonyms);
//   index.rebuild(docs);
//   SearchResult r = index.search({.q = "食品许可", .division = "341500"});
//
// Matching, in short (details in search_terms.cpp):
// - Text is cut into CJK single characters and bigrams, and whole Latin/digit words
//   (lower-cased, full-width folded). Name, alias, text and department-name tokens get their
//   own term prefixes so a name match weighs more than the same word in the conditions.
// - A query becomes an OR of weighted terms, plus an exact-name term that ranks exact names
//   first, plus one extra branch per synonym expansion (the query with the colloquial word
//   replaced by the catalogue word).
// - Coverage: a document must cover more than half of the query (counted in characters,
//   a Latin word counts as two, a single letter or digit as one) with the query's bigrams,
//   words and lone characters, in the original query or in one synonym rewrite. This keeps
//   "食品许可" finding "食品经营许可证核发" while one shared character does not flood results.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace Xapian {
class Database;
class WritableDatabase;
}  // namespace Xapian

namespace tb::catalog {

struct SearchDoc {
  std::string impl_code;             // unique id of an implementation item (31 chars)
  std::string basic_code;            // 12 chars; several impl items (divisions) can share one
  std::string name;                  // 事项名称
  std::vector<std::string> aliases;  // colloquial names from the data, e.g. "开饭店"
  std::string text;                  // conditions + material names, joined
  std::string department_code, department_name, division_code;
  int type = 0;                              // national item type code
  std::vector<std::string> themes, objects;  // objects: natural_person / legal_person
  bool online = false;
};

// Colloquial word → catalogue words ("开饭店" → {"食品经营许可"}).
using Synonyms = std::map<std::string, std::vector<std::string>>;

struct SearchQuery {
  std::string q;                        // empty (or nothing searchable in it): filters only, ordered by name
  std::optional<std::string> division;  // subtree root: "341500" matches 341500, 341502, 341502001…
  std::optional<std::string> department;
  std::optional<int> type;
  std::optional<std::string> theme, object;
  std::optional<bool> online;
  int offset = 0, limit = 20;  // negative values count as 0; limit is capped at kMaxLimit
  // Facets and an exact total need every match examined; without them Xapian stops once the
  // page is certain and `total` is an estimate (a result list's later pages skip them).
  bool facets = true;
};

struct SearchHit {
  std::string impl_code;
  double score = 0;  // BM25-based relevance; 0 for filter-only listings
};

struct SearchResult {
  std::vector<SearchHit> hits;
  std::size_t total = 0;
  bool total_exact = true;  // matches (exact: the whole match set is always examined for facets)
  // "department" (code), "type", "theme", "division" (county-level 6 digits) → value → count,
  // over the whole match set, not just the page.
  std::map<std::string, std::map<std::string, std::size_t>> facets;
  std::optional<std::string> suggestion;  // "did you mean": set when the query finds little or nothing
};

class SearchIndex {
 public:
  static constexpr int kMaxLimit = 100;

  // Opens (or creates) the Xapian database in `dir`. Only one SearchIndex per directory at a
  // time: Xapian allows one writer. Throws tb::FatalError when the database cannot be opened.
  SearchIndex(std::filesystem::path dir, Synonyms synonyms);
  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  void rebuild(const std::vector<SearchDoc>& docs);  // replace everything, one transaction
  void upsert(const SearchDoc& doc);                 // by impl_code
  void upsert(const std::vector<SearchDoc>& docs);   // by impl_code, one commit for all
  void remove(const std::string& impl_code);         // no-op when absent
  std::size_t size() const;

  // Thread-safe; many concurrent callers. Sees the last committed write.
  SearchResult search(const SearchQuery& q) const;

  // Takes effect for searches that start afterwards; the index itself does not change.
  void set_synonyms(Synonyms synonyms);

  // Internal pieces, declared here so search.cpp's helpers can name them.
  struct Reader;
  struct Config;
  struct Vocabulary;
  struct FacetTable;

 private:
  class ReaderLease;
  ReaderLease acquire_reader() const;
  void release_reader(std::unique_ptr<Reader> reader, std::uint64_t generation) const;
  void wait_for_older_readers();
  void note_committed();
  std::shared_ptr<const Config> config() const;
  std::shared_ptr<const FacetTable> facet_table(const Xapian::Database& db) const;
  void vocabulary_add(const std::string& name, const std::vector<std::string>& aliases);
  void vocabulary_remove_doc_data(const std::string& data);
  std::optional<std::string> suggest(const std::string& q, const Config& config) const;

  std::filesystem::path dir_;

  mutable std::mutex write_mutex_;  // serializes rebuild/upsert/remove and guards writer_
  std::unique_ptr<Xapian::WritableDatabase> writer_;

  // Readers and the writer share one process and one directory. Glass may overwrite blocks
  // of revision N once revision N+1 is committed, so a search still reading N would fail
  // (DatabaseModifiedError) or read garbage. Each search registers the generation (commit
  // count) it reads at; before changing anything a write waits until no search reads an
  // older generation than the latest. Searches never wait for writes.
  mutable std::mutex epoch_mutex_;
  mutable std::condition_variable epoch_cv_;
  std::uint64_t generation_ = 0;                         // guarded by epoch_mutex_
  mutable std::map<std::uint64_t, int> active_readers_;  // generation → searches, same guard
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<Reader>> pool_;  // idle readers, reopened when stale

  mutable std::mutex config_mutex_;
  std::shared_ptr<const Config> config_;

  // Facet values of every document at one revision, so counting facets over a large match
  // set is an array lookup per document instead of reading and hashing a value.
  mutable std::mutex facet_mutex_;
  mutable std::shared_ptr<const FacetTable> facet_table_;

  // Names and aliases with reference counts, for suggestions.
  mutable std::shared_mutex vocabulary_mutex_;
  std::unique_ptr<Vocabulary> vocabulary_;
};

}  // namespace tb::catalog
