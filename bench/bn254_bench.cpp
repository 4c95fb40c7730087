// The alt_bn128 precompiles (EIP-196/197) end to end, and the pieces that dominate them: the
// Montgomery product, the G2 subgroup check, the Miller loop and the final exponentiation.
// Peers for scale: geth's ecadd ~3 us, ecmul ~40 us, 2-pair pairing ~1 ms on 3+ GHz machines.
#include <benchmark/benchmark.h>

#include <execution/precompiles/bn254.hpp>
#include <execution/precompiles/bn254_pairing.hpp>

#include <string>

#include <txtypes/hex.hpp>

namespace {

namespace bn254 = l2::execution::bn254;

const std::string kG1 =
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002";
const std::string kG1Neg =
    "0000000000000000000000000000000000000000000000000000000000000001"
    "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45";
const std::string k2G1 =
    "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"
    "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4";
const std::string kG2 =
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
// A full-width scalar (more than r: ECMUL does not reduce it first).
const std::string kScalar = "f1e2d3c4b5a697887766554433221100ffeeddccbbaa99887766554433221100";

l2::Bytes bytes(const std::string& hex)
{
    return *l2::from_hex(hex);
}

void BM_bn254_ecadd(benchmark::State& state)
{
    const l2::Bytes in = bytes(kG1 + k2G1);
    for (auto _ : state)
        benchmark::DoNotOptimize(bn254::ecadd(in));
}
BENCHMARK(BM_bn254_ecadd)->Unit(benchmark::kMicrosecond);

void BM_bn254_ecmul(benchmark::State& state)
{
    const l2::Bytes in = bytes(k2G1 + kScalar);
    for (auto _ : state)
        benchmark::DoNotOptimize(bn254::ecmul(in));
}
BENCHMARK(BM_bn254_ecmul)->Unit(benchmark::kMicrosecond);

/// e(G1, G2) e(-G1, G2) = 1 repeated over `pairs` / 2: the common 2-pair check at 2.
void BM_bn254_ecpairing(benchmark::State& state)
{
    std::string hex;
    for (int64_t i = 0; i < state.range(0); ++i)
        hex += (i % 2 == 0 ? kG1 : kG1Neg) + kG2;
    const l2::Bytes in = bytes(hex);
    for (auto _ : state)
        benchmark::DoNotOptimize(bn254::ecpairing(in));
}
BENCHMARK(BM_bn254_ecpairing)->Arg(2)->Arg(4)->Arg(10)->Unit(benchmark::kMicrosecond);

void BM_bn254_fp_mul(benchmark::State& state)
{
    bn254::Fp a = bn254::to_fp(12345);
    const bn254::Fp b = bn254::to_fp(l2::U256{1, 2, 3, 4});
    for (auto _ : state)
    {
        a = a * b;  // A dependent chain: latency, not throughput.
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_bn254_fp_mul);

void BM_bn254_g2_subgroup_check(benchmark::State& state)
{
    const l2::Bytes in = bytes(kG2);
    auto word = [&](size_t i) {
        return bn254::to_fp(l2::from_be_bytes(l2::ByteView{in}.substr(32 * i, 32)));
    };
    const bn254::G2Affine q{{word(1), word(0)}, {word(3), word(2)}};
    for (auto _ : state)
        benchmark::DoNotOptimize(bn254::in_g2(q));
}
BENCHMARK(BM_bn254_g2_subgroup_check)->Unit(benchmark::kMicrosecond);

void BM_bn254_final_exponentiation(benchmark::State& state)
{
    bn254::Fp12 f = bn254::kFp12One;
    f.c1.c2.c0 = bn254::to_fp(7);
    f.c0.c1.c1 = bn254::to_fp(11);
    for (auto _ : state)
        benchmark::DoNotOptimize(bn254::final_exponentiation(f));
}
BENCHMARK(BM_bn254_final_exponentiation)->Unit(benchmark::kMicrosecond);

}  // namespace
