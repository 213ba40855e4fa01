// An Excel workbook written by libxlsxwriter into a temporary file and handed back as bytes
// (the catalogue's export and the statistics' indicators share it).
//
//   Workbook book("tongban-export");
//   lxw_worksheet* sheet = workbook_add_worksheet(book.get(), "实施清单");
//   …
//   std::string bytes = book.finish();
#pragma once

#include <xlsxwriter.h>

#include <filesystem>
#include <string>

namespace tb::catalog {

class Workbook {
 public:
  explicit Workbook(const std::string& name_prefix);
  ~Workbook();  // removes the temporary file, also when finish() was never reached
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  lxw_workbook* get() { return book_; }
  lxw_format* bold();
  // Closes the workbook and returns its bytes; throws when libxlsxwriter failed.
  std::string finish();

 private:
  std::filesystem::path path_;
  lxw_workbook* book_ = nullptr;
  lxw_format* bold_ = nullptr;
};

}  // namespace tb::catalog
