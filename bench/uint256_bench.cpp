// U256 arithmetic: the per-opcode cost floor of the EVM interpreter (STYLE.md §2.8).
// Operands cycle through a table of random values so nothing constant-folds; each iteration
// is one operation.

#include <txtypes/uint256.hpp>

#include <array>
#include <random>

#include <benchmark/benchmark.h>

namespace {

using l2::U256;

constexpr size_t kN = 256;  // Power of two: index with a mask.

using Table = std::array<U256, kN>;

/// Values of exactly `bits` bits (top bit set), from a fixed seed.
Table random_values(unsigned bits, uint64_t seed)
{
    std::mt19937_64 rng{seed};
    Table t;
    for (auto& v : t)
    {
        v = U256{rng(), rng(), rng(), rng()} >> (256 - bits);
        v |= U256{1} << (bits - 1);
    }
    return t;
}

template <typename Op>
void run_binary(benchmark::State& state, const Table& a, const Table& b, Op op)
{
    size_t i = 0;
    for (auto _ : state)
    {
        U256 r = op(a[i & (kN - 1)], b[(i + 1) & (kN - 1)]);
        benchmark::DoNotOptimize(r);
        ++i;
    }
}

void BM_u256_add(benchmark::State& state)
{
    run_binary(state, random_values(256, 1), random_values(256, 2),
               [](const U256& x, const U256& y) { return x + y; });
}
BENCHMARK(BM_u256_add);

void BM_u256_sub(benchmark::State& state)
{
    run_binary(state, random_values(256, 1), random_values(256, 2),
               [](const U256& x, const U256& y) { return x - y; });
}
BENCHMARK(BM_u256_sub);

void BM_u256_lt(benchmark::State& state)
{
    run_binary(state, random_values(256, 1), random_values(256, 2),
               [](const U256& x, const U256& y) { return U256{x < y}; });
}
BENCHMARK(BM_u256_lt);

void BM_u256_mul(benchmark::State& state)
{
    run_binary(state, random_values(256, 1), random_values(256, 2),
               [](const U256& x, const U256& y) { return x * y; });
}
BENCHMARK(BM_u256_mul);

void BM_u256_shl(benchmark::State& state)
{
    Table shifts;
    std::mt19937_64 rng{3};
    for (auto& s : shifts)
        s = rng() % 256;
    run_binary(state, random_values(256, 1), shifts,
               [](const U256& x, const U256& s) { return x << s.w[0]; });
}
BENCHMARK(BM_u256_shl);

/// 256-bit dividends over divisors of state.range(0) bits: 64 and 128 are the one- and two-limb
/// reciprocal paths, 192 and 256 Knuth's algorithm D.
void BM_u256_div(benchmark::State& state)
{
    run_binary(state, random_values(256, 1),
               random_values(static_cast<unsigned>(state.range(0)), 2),
               [](const U256& x, const U256& y) { return x / y; });
}
BENCHMARK(BM_u256_div)->Arg(64)->Arg(128)->Arg(192)->Arg(256);

/// Both operands fit one limb: the hardware-divide fast path.
void BM_u256_div_small(benchmark::State& state)
{
    run_binary(state, random_values(64, 1), random_values(32, 2),
               [](const U256& x, const U256& y) { return x / y; });
}
BENCHMARK(BM_u256_div_small);

void BM_u256_addmod(benchmark::State& state)
{
    const Table m = random_values(256, 3);
    size_t i = 0;
    const Table a = random_values(255, 1);
    const Table b = random_values(255, 2);
    for (auto _ : state)
    {
        U256 r = l2::addmod(a[i & (kN - 1)], b[(i + 1) & (kN - 1)], m[(i + 2) & (kN - 1)]);
        benchmark::DoNotOptimize(r);
        ++i;
    }
}
BENCHMARK(BM_u256_addmod);

/// Full 512-bit product over a modulus of state.range(0) bits.
void BM_u256_mulmod(benchmark::State& state)
{
    const Table a = random_values(256, 1);
    const Table b = random_values(256, 2);
    const Table m = random_values(static_cast<unsigned>(state.range(0)), 3);
    size_t i = 0;
    for (auto _ : state)
    {
        U256 r = l2::mulmod(a[i & (kN - 1)], b[(i + 1) & (kN - 1)], m[(i + 2) & (kN - 1)]);
        benchmark::DoNotOptimize(r);
        ++i;
    }
}
BENCHMARK(BM_u256_mulmod)->Arg(64)->Arg(128)->Arg(256);

/// base^exponent with exponents of state.range(0) bits (one multiply-and-square per bit).
void BM_u256_exp(benchmark::State& state)
{
    run_binary(state, random_values(256, 1),
               random_values(static_cast<unsigned>(state.range(0)), 2),
               [](const U256& x, const U256& e) { return l2::exp(x, e); });
}
BENCHMARK(BM_u256_exp)->Arg(8)->Arg(64)->Arg(256);

void BM_u256_to_string(benchmark::State& state)
{
    const Table a = random_values(256, 1);
    size_t i = 0;
    for (auto _ : state)
    {
        std::string s = l2::to_string(a[i & (kN - 1)]);
        benchmark::DoNotOptimize(s);
        ++i;
    }
}
BENCHMARK(BM_u256_to_string);

void BM_u256_from_string(benchmark::State& state)
{
    std::array<std::string, kN> strings;
    const Table a = random_values(256, 1);
    for (size_t k = 0; k < kN; ++k)
        strings[k] = l2::to_string(a[k]);
    size_t i = 0;
    for (auto _ : state)
    {
        auto r = l2::u256_from_string(strings[i & (kN - 1)]);
        benchmark::DoNotOptimize(r);
        ++i;
    }
}
BENCHMARK(BM_u256_from_string);

}  // namespace
