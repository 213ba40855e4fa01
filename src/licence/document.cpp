#include "licence/document.h"

#include <hpdf.h>
#include <iconv.h>
#include <qrencode.h>

#include <cmath>
#include <memory>
#include <vector>

namespace tb::licence {
namespace {

// The built-in Chinese font takes GB (EUC-CN/GBK) text; characters outside GBK become '?'.
std::string to_gbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK//TRANSLIT", "UTF-8");
  if (cd == iconv_t(-1)) throw FatalError("iconv UTF-8 → GBK unavailable");
  std::string in = utf8, out(utf8.size() * 2 + 8, '\0');
  char* src = in.data();
  char* dst = out.data();
  std::size_t left = in.size(), room = out.size();
  while (left > 0) {
    if (iconv(cd, &src, &left, &dst, &room) == std::size_t(-1)) {
      if (room == 0) break;
      *dst++ = '?';
      --room;
      // Skip one UTF-8 character.
      do {
        ++src;
        --left;
      } while (left > 0 && (static_cast<unsigned char>(*src) & 0xC0) == 0x80);
    }
  }
  iconv_close(cd);
  out.resize(out.size() - room);
  return out;
}

// Splits UTF-8 into characters (for placing the name around the seal).
std::vector<std::string> characters(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = 1;
    while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

void error_handler(HPDF_STATUS error, HPDF_STATUS detail, void*) {
  throw FatalError("libharu error " + std::to_string(error) + "/" + std::to_string(detail));
}

struct Doc {
  HPDF_Doc pdf = HPDF_New(error_handler, nullptr);
  ~Doc() { HPDF_Free(pdf); }
};

// Draws mixed Chinese and ASCII text, each run in its own font, one after the other: through
// the GB CMap ASCII bytes would come out full-width, so ASCII runs use the Latin font.
void text_at(HPDF_Page page, HPDF_Font font, HPDF_Font latin_font, float size, float x, float y,
             const std::string& utf8) {
  HPDF_Page_BeginText(page);
  for (std::size_t i = 0; i < utf8.size();) {
    bool ascii = static_cast<unsigned char>(utf8[i]) < 0x80;
    std::size_t j = i;
    while (j < utf8.size() && (static_cast<unsigned char>(utf8[j]) < 0x80) == ascii) ++j;
    std::string run = ascii ? utf8.substr(i, j - i) : to_gbk(utf8.substr(i, j - i));
    HPDF_Page_SetFontAndSize(page, ascii ? latin_font : font, size);
    HPDF_Page_TextOut(page, x, y, run.c_str());
    x += HPDF_Page_TextWidth(page, run.c_str());
    i = j;
  }
  HPDF_Page_EndText(page);
}

// The round red seal: ring, star, the department's name along the upper arc, the use below.
void draw_seal(HPDF_Page page, HPDF_Font font, HPDF_Font latin, float cx, float cy, float r, const std::string& name,
               const std::string& use) {
  HPDF_Page_SetRGBStroke(page, 0.83f, 0, 0);
  HPDF_Page_SetRGBFill(page, 0.83f, 0, 0);
  HPDF_Page_SetLineWidth(page, 2.5f);
  HPDF_Page_Circle(page, cx, cy, r);
  HPDF_Page_Stroke(page);
  for (int i = 0; i < 10; ++i) {
    float radius = i % 2 ? r * 0.14f : r * 0.36f;
    float a = float(M_PI / 2 + i * M_PI / 5);
    float x = cx + radius * std::cos(a), y = cy + radius * std::sin(a);
    if (i == 0) HPDF_Page_MoveTo(page, x, y);
    else HPDF_Page_LineTo(page, x, y);
  }
  HPDF_Page_ClosePathFillStroke(page);
  auto chars = characters(name);
  float size = r * 0.24f;
  float span = float(M_PI * 1.25);  // the arc the name covers, centred on the top
  for (std::size_t i = 0; i < chars.size(); ++i) {
    float a = float(M_PI / 2 + span / 2 - (chars.size() == 1 ? span / 2 : span * i / (chars.size() - 1)));
    float tx = cx + (r * 0.72f) * std::cos(a), ty = cy + (r * 0.72f) * std::sin(a);
    float rot = a - float(M_PI / 2);
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, font, size);
    HPDF_Page_SetTextMatrix(page, std::cos(rot), std::sin(rot), -std::sin(rot), std::cos(rot),
                            tx - size / 2 * std::cos(rot), ty - size / 2 * std::sin(rot));
    HPDF_Page_ShowText(page, to_gbk(chars[i]).c_str());
    HPDF_Page_EndText(page);
  }
  float use_size = r * 0.17f;
  text_at(page, font, latin, use_size, cx - use_size * float(characters(use).size()) / 2, cy - r * 0.62f, use);
  HPDF_Page_SetRGBFill(page, 0, 0, 0);
  HPDF_Page_SetRGBStroke(page, 0, 0, 0);
}

void draw_qr(HPDF_Page page, float x, float y, float size, const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!qr) throw FatalError("QR encoding failed");
  int quiet = 4, n = qr->width + 2 * quiet;
  float cell = size / float(n);
  HPDF_Page_SetRGBFill(page, 1, 1, 1);
  HPDF_Page_Rectangle(page, x, y, size, size);
  HPDF_Page_Fill(page);
  HPDF_Page_SetRGBFill(page, 0, 0, 0);
  for (int row = 0; row < qr->width; ++row)
    for (int col = 0; col < qr->width; ++col)
      if (qr->data[row * qr->width + col] & 1)
        HPDF_Page_Rectangle(page, x + float(col + quiet) * cell, y + size - float(row + quiet + 1) * cell, cell, cell);
  HPDF_Page_Fill(page);
}

}  // namespace

std::string render_pdf(const DocumentInput& in) {
  Doc doc;
  HPDF_SetCompressionMode(doc.pdf, HPDF_COMP_ALL);
  HPDF_UseCNSFonts(doc.pdf);
  HPDF_UseCNSEncodings(doc.pdf);
  HPDF_Font song = HPDF_GetFont(doc.pdf, "SimSun", "GBK-EUC-H");
  HPDF_Font hei = HPDF_GetFont(doc.pdf, "SimHei", "GBK-EUC-H");
  HPDF_Font latin = HPDF_GetFont(doc.pdf, "Helvetica", nullptr);
  HPDF_Page page = HPDF_AddPage(doc.pdf);
  HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
  float w = HPDF_Page_GetWidth(page), h = HPDF_Page_GetHeight(page);

  HPDF_Page_SetLineWidth(page, 3);
  HPDF_Page_Rectangle(page, 28, 28, w - 56, h - 56);
  HPDF_Page_Stroke(page);
  float title_size = 30;
  text_at(page, hei, latin, title_size, (w - title_size * float(characters(in.title).size())) / 2, h - 100, in.title);
  text_at(page, song, latin, 10, 60, h - 130, "证照编号：" + in.licence_id);

  float y = h - 180;
  auto row = [&](const std::string& label, const std::string& value) {
    text_at(page, hei, latin, 14, 80, y, label);
    text_at(page, song, latin, 14, 240, y, value);
    y -= 30;
  };
  row(in.holder_label, in.holder_name);
  row("证件号码", in.holder_id);
  for (const auto& [label, value] : in.rows) row(label, value);
  row("有效期限", in.valid_from + " 至 " + (in.valid_to.empty() ? "长期" : in.valid_to));

  text_at(page, song, latin, 14, w - 330, 120, in.issuer_name);
  text_at(page, song, latin, 14, w - 330, 95, in.issued_on);
  draw_seal(page, song, latin, w - 240, 125, 62, in.issuer_name, in.seal_use);
  draw_qr(page, 70, 60, 110, in.verify_url);
  text_at(page, song, latin, 9, 70, 48, "扫码核验");

  if (HPDF_SaveToStream(doc.pdf) != HPDF_OK) throw FatalError("PDF rendering failed");
  HPDF_ResetStream(doc.pdf);
  std::string out;
  for (;;) {
    HPDF_BYTE buf[8192];
    HPDF_UINT32 n = sizeof buf;
    HPDF_ReadFromStream(doc.pdf, buf, &n);
    if (n == 0) break;
    out.append(reinterpret_cast<char*>(buf), n);
  }
  return out;
}

}  // namespace tb::licence
