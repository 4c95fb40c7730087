// keccak-256 throughput: l2node's keccak-f[1600] beside Crypto++'s Keccak_256 (the Debian
// alternative; OpenSSL 3.0 has no Keccak-256).
#include <benchmark/benchmark.h>

#include <txtypes/keccak.hpp>

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
