#include "catalog/workbook.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/crypto.h"

namespace tb::catalog {

Workbook::Workbook(const std::string& name_prefix)
    : path_(std::filesystem::temp_directory_path() / (name_prefix + "-" + crypto::random_hex(8) + ".xlsx")),
      book_(workbook_new(path_.c_str())) {
  if (!book_) throw std::runtime_error("cannot create " + path_.string());
}

Workbook::~Workbook() {
  if (book_) workbook_close(book_);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

lxw_format* Workbook::bold() {
  if (!bold_) {
    bold_ = workbook_add_format(book_);
    format_set_bold(bold_);
  }
  return bold_;
}

std::string Workbook::finish() {
  lxw_error rc = workbook_close(book_);
  book_ = nullptr;
  if (rc != LXW_NO_ERROR) throw std::runtime_error(std::string("xlsx export failed: ") + lxw_strerror(rc));
  std::ifstream in(path_, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace tb::catalog
