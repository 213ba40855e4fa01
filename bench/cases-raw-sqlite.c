/* bench/cases: the raw SQLite baseline for a case submission.
 *
 * Usage: cases-raw-sqlite DB_FILE SECONDS
 *
 * A fresh database file with the server's settings (journal_mode=WAL, synchronous=NORMAL,
 * foreign_keys=ON), then, for SECONDS, one transaction per "submission" on one connection:
 * BEGIN IMMEDIATE; one case row with a ~2 KB JSON text column; 3 material rows; 2 event rows;
 * 1 audit row; COMMIT. Prepared statements are reused, nothing else runs: this is what the
 * same rows cost with the same durability and no HTTP, JSON, validation or hashing — the
 * ceiling the server's submission rate is compared with.
 *
 * Prints one line: transactions elapsed_seconds user_cpu_seconds sys_cpu_seconds.
 * Compiled by bench/cases with: cc -O2 -o … cases-raw-sqlite.c -lsqlite3
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static sqlite3 *db;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void fail(const char *what) {
  fprintf(stderr, "cases-raw-sqlite: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
  exit(1);
}

static void exec(const char *sql) {
  char *err = 0;
  if (sqlite3_exec(db, sql, 0, 0, &err) != SQLITE_OK) {
    fprintf(stderr, "cases-raw-sqlite: %s: %s\n", sql, err ? err : "?");
    exit(1);
  }
}

static sqlite3_stmt *prepare(const char *sql) {
  sqlite3_stmt *s = 0;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, 0) != SQLITE_OK) fail(sql);
  return s;
}

static void step(sqlite3_stmt *s, const char *what) {
  if (sqlite3_step(s) != SQLITE_DONE) fail(what);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
}

/* Tables shaped like the server's (text keys, the same indexes on the written columns). */
static const char *schema =
    "CREATE TABLE cases (id INTEGER PRIMARY KEY, case_no TEXT NOT NULL UNIQUE, impl_code TEXT NOT NULL,"
    "  applicant_account_id INTEGER NOT NULL, status TEXT NOT NULL, form TEXT NOT NULL,"
    "  version INTEGER NOT NULL, submitted_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX cases_applicant ON cases (applicant_account_id, id);"
    "CREATE INDEX cases_status ON cases (status);"
    "CREATE TABLE case_materials (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id),"
    "  name TEXT NOT NULL, upload_id INTEGER, added_at INTEGER NOT NULL);"
    "CREATE INDEX case_materials_case ON case_materials (case_id);"
    "CREATE TABLE case_events (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id),"
    "  type TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE INDEX case_events_case ON case_events (case_id, id);"
    "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER,"
    "  action TEXT NOT NULL, target TEXT NOT NULL, details TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE INDEX audit_log_at ON audit_log (at);"
    "CREATE INDEX audit_log_actor ON audit_log (actor_id, id);";

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: cases-raw-sqlite DB_FILE SECONDS\n");
    return 2;
  }
  double secs = atof(argv[2]);
  if (secs <= 0) return 2;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) fail("open");
  exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  exec(schema);

  /* A ~2 KB JSON document (the stored form and state of a case), Chinese text as UTF-8. */
  char form[2304];
  size_t len = (size_t)snprintf(form, sizeof form, "{\"company_name\":\"测试\",\"change_item\":\"经营者名称\",\"notes\":\"");
  while (len < 2000) len += (size_t)snprintf(form + len, sizeof form - len, "测试材料齐全");
  snprintf(form + len, sizeof form - len, "\"}");

  static const char *materials[3] = {"食品经营许可变更申请书", "食品经营许可证正、副本", "与变更事项有关的证明材料"};
  sqlite3_stmt *ins_case = prepare(
      "INSERT INTO cases (case_no, impl_code, applicant_account_id, status, form, version, submitted_at, updated_at)"
      " VALUES (?, '11341500001500138B3000117001002', 1, 'submitted', ?, 1, ?, ?)");
  sqlite3_stmt *ins_mat = prepare("INSERT INTO case_materials (case_id, name, upload_id, added_at) VALUES (?, ?, ?, ?)");
  sqlite3_stmt *ins_event = prepare("INSERT INTO case_events (case_id, type, payload, created_at) VALUES (?, ?, ?, ?)");
  sqlite3_stmt *ins_audit = prepare(
      "INSERT INTO audit_log (at, actor_id, action, target, details, hash) VALUES (?, 1, 'case.submit', ?, ?, ?)");
  sqlite3_stmt *begin = prepare("BEGIN IMMEDIATE");
  sqlite3_stmt *commit = prepare("COMMIT");

  static const char *payload =
      "{\"actor\":{\"account_id\":1,\"name\":\"张三\",\"role\":\"citizen\"},\"channel\":\"online\",\"from\":\"draft\","
      "\"item\":{\"code\":\"11341500001500138B3000117001002\",\"version\":1},\"to\":\"submitted\"}";
  static const char *hash = "6ea8d3b9e7f81f5befc643d094727b5baf4fdf4c19d22111037d15b731752a8b";

  long n = 0;
  double start = now(), end = start + secs;
  char case_no[64], target[80];
  while (now() < end) {
    sqlite3_int64 at = (sqlite3_int64)time(0) * 1000;
    snprintf(case_no, sizeof case_no, "11341500001500138B3000117001002%012ld", n + 1);
    snprintf(target, sizeof target, "case:%s", case_no);

    step(begin, "BEGIN IMMEDIATE");
    sqlite3_bind_text(ins_case, 1, case_no, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_case, 2, form, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins_case, 3, at);
    sqlite3_bind_int64(ins_case, 4, at);
    step(ins_case, "insert case");
    sqlite3_int64 id = sqlite3_last_insert_rowid(db);
    for (int i = 0; i < 3; i++) {
      sqlite3_bind_int64(ins_mat, 1, id);
      sqlite3_bind_text(ins_mat, 2, materials[i], -1, SQLITE_STATIC);
      sqlite3_bind_int(ins_mat, 3, i + 1);
      sqlite3_bind_int64(ins_mat, 4, at);
      step(ins_mat, "insert material");
    }
    for (int i = 0; i < 2; i++) {
      sqlite3_bind_int64(ins_event, 1, id);
      sqlite3_bind_text(ins_event, 2, i == 0 ? "case.submitted" : "case.routed", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins_event, 3, payload, -1, SQLITE_STATIC);
      sqlite3_bind_int64(ins_event, 4, at);
      step(ins_event, "insert event");
    }
    sqlite3_bind_int64(ins_audit, 1, at);
    sqlite3_bind_text(ins_audit, 2, target, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_audit, 3, payload, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_audit, 4, hash, -1, SQLITE_STATIC);
    step(ins_audit, "insert audit");
    step(commit, "COMMIT");
    n++;
  }
  double elapsed = now() - start;

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("%ld %.6f %.6f %.6f\n", n, elapsed, ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
         ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
  sqlite3_finalize(ins_case);
  sqlite3_finalize(ins_mat);
  sqlite3_finalize(ins_event);
  sqlite3_finalize(ins_audit);
  sqlite3_finalize(begin);
  sqlite3_finalize(commit);
  sqlite3_close(db);
  return 0;
}
