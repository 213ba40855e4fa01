// Real-name level 3: the person's face matched against the population base by an external
// provider, behind FaceVerifier.
#include "crypto/crypto.h"
#include "http/client.h"
#include "identity/service_internal.h"
#include "identity/store.h"

namespace tb::identity {
namespace {

class HttpFaceVerifier final : public FaceVerifier {
 public:
  explicit HttpFaceVerifier(std::string url) : url_(std::move(url)) {}
  Result<Answer> verify(const std::string& name, const std::string& id_number, const std::string& image) override {
    auto res = http::post_json(url_, {{"name", name}, {"id_number", id_number}, {"image_base64", crypto::base64_encode(image)}},
                               std::chrono::seconds(10));
    if (!res) return std::unexpected(res.error());
    Json body = Json::parse(res->body, nullptr, false);
    if (res->status != 200 || !body.is_object() || !body.contains("match") || !body["match"].is_boolean())
      return fail(codes::kUnavailable, "人脸核验服务返回异常，请稍后再试", {{"status", res->status}});
    return Answer{body["match"].get<bool>(), body.value("score", 0.0)};
  }

 private:
  std::string url_;
};

}  // namespace

std::unique_ptr<FaceVerifier> http_face_verifier(std::string url) {
  return std::make_unique<HttpFaceVerifier>(std::move(url));
}

void IdentityService::set_face_verifier(std::unique_ptr<FaceVerifier> verifier) { face_verifier_ = std::move(verifier); }

Result<Account> IdentityService::verify_face(const Principal& p, const std::string& image, const Origin& origin) {
  if (!face_verifier_) return fail(codes::kUnavailable, "人脸核验服务未开通");
  if (p.kind != "person") return fail(codes::kForbidden, "只有自然人账号需要人脸核验");
  if (p.real_name_level < 2)
    return fail(codes::kRealNameLevelRequired, "请先完成实名核验（L2），再进行人脸核验", {{"required", 2}});
  if (image.empty() || image.size() > 5 * 1024 * 1024)
    return fail(codes::kValidationFailed, "请上传不超过 5 MB 的人脸照片", {{"field", "image_base64"}});
  auto a = db_.read([&](store::Conn& c) { return sql::account_by_id(c, p.account_id); });
  if (!a) return fail(codes::kAccountNotFound, "账号不存在");
  auto id = key_.open(a->id_number_sealed, sql::kIdNumberSeal);
  if (!id) throw FatalError("ID number of account " + std::to_string(p.account_id) + " does not open");
  auto answer = face_verifier_->verify(a->account.name, *id, image);
  if (!answer) return std::unexpected(answer.error());
  EpochMs now = clock_.now_ms();
  // The attempt is audited either way; only a match raises the level.
  auto updated = db_.write([&](store::Conn& c) -> std::optional<Account> {
    impl_->audit(c, &p, "", "account.verify_face", "account:" + std::to_string(p.account_id), answer->match, origin,
                 {{"score", answer->score}});
    if (!answer->match) return std::nullopt;
    sql::set_real_name_level(c, p.account_id, 3, now);
    return sql::account_by_id(c, p.account_id)->account;
  });
  if (!updated) return fail(codes::kValidationFailed, "人脸与身份信息不一致，请重新拍摄", {{"field", "image_base64"}});
  return *updated;
}

}  // namespace tb::identity
