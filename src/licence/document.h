// The licence as a printable document (PDF): the type as title, the holder and the data in
// Chinese, the issuing department with its red seal drawn in vector form, and a QR code
// (libqrencode) carrying the verification URL. Fonts: the PDF standard's Chinese font
// (STSong-Light, Adobe-GB1, not embedded), so the file stays small and any reader — and
// pdftotext — shows the text.
#pragma once

#include <string>

#include "core/error.h"

namespace tb::licence {

struct DocumentInput {
  std::string title;         // 特种行业许可证
  std::string licence_id;
  std::string holder_label, holder_name, holder_id;
  std::vector<std::pair<std::string, std::string>> rows;  // label, value
  std::string valid_from, valid_to;
  std::string issuer_name;   // the department, also around the seal
  std::string seal_use;      // 行政审批专用章
  std::string issued_on;
  std::string verify_url;    // what the QR code carries
};

// PDF bytes.
std::string render_pdf(const DocumentInput& in);

}  // namespace tb::licence
