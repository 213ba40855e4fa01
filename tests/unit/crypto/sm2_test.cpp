// SM2 signatures and certificates, checked both ways against the openssl command line so
// that an outside party with plain OpenSSL can verify what the platform signs.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "crypto/crypto.h"
#include "crypto/sm2.h"

namespace tb::crypto {
namespace {

namespace fs = std::filesystem;

struct Folder {
  fs::path path = fs::temp_directory_path() / ("tb-sm2-" + random_hex(6));
  Folder() { fs::create_directories(path); }
  ~Folder() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path / name, std::ios::binary) << bytes;
    return (path / name).string();
  }
};

// Runs a shell command; returns its exit status and output.
int run(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) *out += buf;
  return pclose(p);
}

constexpr EpochMs kJan2026 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr EpochMs kJan2036 = 2082758400000;

TEST(Sm2, SignsAndVerifiesAndRejectsTampering) {
  Sm2Key key = Sm2Key::generate();
  std::string sig = key.sign("六安市食品经营许可证");
  EXPECT_TRUE(key.verify("六安市食品经营许可证", sig));
  EXPECT_FALSE(key.verify("六安市食品经营许可证 ", sig));
  Sm2Key other = Sm2Key::generate();
  EXPECT_FALSE(other.verify("六安市食品经营许可证", sig));
  // The public half alone verifies; it cannot sign.
  auto pub = Sm2Key::from_public_pem(key.public_pem());
  ASSERT_TRUE(pub);
  EXPECT_TRUE(pub->verify("六安市食品经营许可证", sig));
  EXPECT_THROW(pub->sign("x"), FatalError);
  // A private key survives PEM (the seal module seals this text with SM4).
  auto back = Sm2Key::from_private_pem(key.private_pem());
  ASSERT_TRUE(back);
  EXPECT_TRUE(key.verify("y", back->sign("y")));
  EXPECT_FALSE(Sm2Key::from_private_pem("not a key"));
}

TEST(Sm2, PlainOpensslVerifiesOurSignatureAndWeVerifyItsOwn) {
  Folder f;
  Sm2Key key = Sm2Key::generate();
  std::string data = R"({"licence":"食品经营许可证","holder":"六安宾馆"})";
  std::string out;
  std::string cmd = "openssl dgst -sm3 -verify " + f.write("pub.pem", key.public_pem()) +
                    " -sigopt distid:1234567812345678 -signature " + f.write("sig.der", key.sign(data)) + " " +
                    f.write("data.json", data);
  EXPECT_EQ(run(cmd, &out), 0) << out;
  EXPECT_NE(out.find("Verified OK"), std::string::npos) << out;

  // And the other way: openssl signs with the standard ID, we verify.
  std::string key_file = f.write("key.pem", key.private_pem());
  out.clear();
  ASSERT_EQ(run("openssl dgst -sm3 -sign " + key_file + " -sigopt distid:1234567812345678 -out " +
                    (f.path / "theirs.der").string() + " " + (f.path / "data.json").string(),
                &out),
            0)
      << out;
  std::ifstream in(f.path / "theirs.der", std::ios::binary);
  std::string theirs((std::istreambuf_iterator<char>(in)), {});
  EXPECT_TRUE(key.verify(data, theirs));
}

TEST(Sm2, CertificatesChainToTheSealCaAndOpensslAgrees) {
  Folder f;
  Sm2Key ca_key = Sm2Key::generate(), seal_key = Sm2Key::generate();
  std::string ca = issue_certificate(ca_key, {.common_name = "通办电子印章 CA", .organisation = "六安市数据资源管理局",
                                              .not_before = kJan2026, .not_after = kJan2036, .ca = true},
                                     ca_key, "");
  std::string seal = issue_certificate(seal_key, {.common_name = "六安市市场监督管理局行政审批专用章",
                                                  .organisation = "六安市市场监督管理局", .not_before = kJan2026,
                                                  .not_after = kJan2026 + 365LL * 86400000},
                                       ca_key, ca);
  auto info = read_certificate(seal);
  ASSERT_TRUE(info);
  EXPECT_NE(info->subject.find("六安市市场监督管理局行政审批专用章"), std::string::npos) << info->subject;
  EXPECT_NE(info->issuer.find("通办电子印章 CA"), std::string::npos) << info->issuer;
  EXPECT_EQ(info->not_before, kJan2026);
  EXPECT_FALSE(info->ca);
  EXPECT_TRUE(read_certificate(ca)->ca);
  EXPECT_EQ(info->public_pem, seal_key.public_pem());
  EXPECT_TRUE(certificate_signed_by(seal, ca));
  EXPECT_TRUE(certificate_signed_by(ca, ca));
  Sm2Key stranger = Sm2Key::generate();
  std::string other_ca = issue_certificate(stranger, {.common_name = "别的 CA", .not_before = kJan2026, .not_after = kJan2036, .ca = true}, stranger, "");
  EXPECT_FALSE(certificate_signed_by(seal, other_ca));
  EXPECT_TRUE(certificate_signed_by(pem_to_der(seal), ca));

  std::string out;
  EXPECT_EQ(run("openssl verify -vfyopt distid:1234567812345678 -attime 1780000000 -CAfile " + f.write("ca.pem", ca) + " " +
                    f.write("seal.pem", seal),
                &out),
            0)
      << out;
  out.clear();
  EXPECT_NE(run("openssl verify -vfyopt distid:1234567812345678 -attime 1780000000 -CAfile " +
                    f.write("other.pem", other_ca) + " " + (f.path / "seal.pem").string(),
                &out),
            0)
      << out;
}

}  // namespace
}  // namespace tb::crypto
