// Seal signatures and verifications per second (Google Benchmark), each beside its
// baseline from the same run: a bare SM2-with-SM3 signature / verification of the same
// payload. The ratio says what the GB/T 38540 structure (DER encoding, the seal inside,
// the six checks) costs on top of the cryptography itself.
#include <benchmark/benchmark.h>

#include "crypto/sm2.h"
#include "seal/picture.h"
#include "seal/signing.h"

namespace {

using tb::crypto::Sm2Key;
constexpr tb::EpochMs kDay = 86400000, kJan2026 = 1767225600000;

struct Fixture {
  Sm2Key ca_key = Sm2Key::generate();
  std::string ca = tb::crypto::issue_certificate(
      ca_key, {.common_name = "CA", .not_before = kJan2026, .not_after = kJan2026 + 3650 * kDay, .ca = true}, ca_key, "");
  Sm2Key seal_key = Sm2Key::generate();
  std::string seal_cert = tb::crypto::issue_certificate(
      seal_key, {.common_name = "六安市公安局行政审批专用章", .not_before = kJan2026, .not_after = kJan2026 + 365 * kDay},
      ca_key, ca);
  std::string seal;
  // A licence payload of a typical size (~600 bytes of canonical JSON).
  std::string payload = std::string(R"({"data":{"address":"六安市金安区梅山南路1号","company_name":"六安宾馆","rooms":30},)") +
                        R"("holder":{"id":"91341500MA2N0001XH","kind":"company","name":"六安宾馆"},)" +
                        R"("issuer":{"code":"11341500001500162U","department":"GA","name":"六安市公安局"},)" +
                        R"("licence_id":"1.2.156.3005.2.11100000000000051T005.11341500001500162U.20260000001.001.Z",)" +
                        R"("state":"valid","type":{"code":"11100000000000051T005","name":"特种行业许可证"},)" +
                        R"("valid_from":"2026-03-02","valid_to":"2031-03-01","version":1})";
  std::string signature;
  std::string raw;
  Fixture() {
    tb::seal::SealInfo info;
    info.es_id = "34150002000001";
    info.type = 2;
    info.name = "六安市公安局行政审批专用章";
    info.cert_list_der = {tb::crypto::pem_to_der(seal_cert)};
    info.created = info.valid_from = kJan2026;
    info.valid_to = kJan2026 + 365 * kDay;
    info.picture = tb::seal::seal_svg("六安市公安局", "行政审批专用章");
    seal = tb::seal::make_seal(info, ca_key, ca);
    signature = tb::seal::sign(seal, seal_key, seal_cert, payload, kJan2026 + kDay, "licence");
    raw = seal_key.sign(payload);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_RawSm2Sign(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.seal_key.sign(f.payload));
  state.SetItemsProcessed(state.iterations());
}

void BM_SealSign(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state)
    benchmark::DoNotOptimize(tb::seal::sign(f.seal, f.seal_key, f.seal_cert, f.payload, kJan2026 + kDay, "licence"));
  state.SetItemsProcessed(state.iterations());
}

void BM_RawSm2Verify(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.seal_key.verify(f.payload, f.raw));
  state.SetItemsProcessed(state.iterations());
}

void BM_SealVerify(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) {
    auto v = tb::seal::verify(f.signature, f.payload, f.ca);
    if (!v.ok) state.SkipWithError(("verification failed: " + v.failed).c_str());
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RawSm2Sign);
BENCHMARK(BM_SealSign);
BENCHMARK(BM_RawSm2Verify);
BENCHMARK(BM_SealVerify);

}  // namespace

BENCHMARK_MAIN();
