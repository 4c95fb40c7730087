// keccak-256 throughput: l2node's keccak-f[1600] beside Crypto++'s Keccak_256 (the Debian
// alternative; OpenSSL 3.0 has no Keccak-256).
#include <benchmark/benchmark.h>

#include <txtypes/keccak.hpp>

#include <vector>

#ifdef L2_HAVE_CRYPTOPP
#include <cryptopp/keccak.h>
#endif

namespace {

void BM_keccak256(benchmark::State& state)
{
    const l2::Bytes data(static_cast<size_t>(state.range(0)), 0xa5);
    for (auto _ : state)
        benchmark::DoNotOptimize(l2::keccak256(data));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_keccak256)->Arg(32)->Arg(64)->Arg(136)->Arg(1024)->Arg(16384);

#ifdef L2_HAVE_CRYPTOPP
void BM_keccak256_cryptopp(benchmark::State& state)
{
    const l2::Bytes data(static_cast<size_t>(state.range(0)), 0xa5);
    uint8_t out[32];
    for (auto _ : state)
    {
        CryptoPP::Keccak_256 k;
        k.Update(data.data(), data.size());
        k.Final(out);
        benchmark::DoNotOptimize(out);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_keccak256_cryptopp)->Arg(32)->Arg(64)->Arg(136)->Arg(1024)->Arg(16384);
#endif

}  // namespace

/// keccak256_many over a batch of `range(1)` messages of `range(0)` bytes (trie nodes: a
/// branch of 16 hashes is 532 bytes, an account leaf ~110) with implementation `range(2)`
/// (l2::KeccakLanes: 1 a loop of keccak256, 4 AVX2, 8 AVX-512; skipped where the CPU lacks it).
void BM_keccak256_many(benchmark::State& state)
{
    const auto len = static_cast<size_t>(state.range(0));
    const auto n = static_cast<size_t>(state.range(1));
    const auto lanes = static_cast<l2::KeccakLanes>(state.range(2));
    if (!l2::keccak_lanes_supported(lanes))
    {
        state.SkipWithError("this CPU lacks the instructions");
        return;
    }
    std::vector<l2::Bytes> data(n, l2::Bytes(len, 0x5a));
    for (size_t i = 0; i < n; ++i)
        data[i][0] = static_cast<uint8_t>(i);
    std::vector<l2::ByteView> in(data.begin(), data.end());
    std::vector<l2::Hash> out(n);
    for (auto _ : state)
    {
        l2::keccak256_many(in, out, lanes);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_keccak256_many)
    ->ArgsProduct({{32}, {1, 2, 4, 8, 64}, {1, 4, 8}})
    ->ArgsProduct({{110, 532}, {4, 8, 64}, {1, 4, 8}});
