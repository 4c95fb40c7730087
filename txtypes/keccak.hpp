#pragma once
/// Keccak-256 (the pre-NIST padding Ethereum uses: 0x01 domain byte, not SHA3-256's 0x06).
/// Our own keccak-f[1600]: OpenSSL 3.0 has no Keccak-256 and Crypto++ was no faster
/// (bench/keccak_bench.cpp, docs/performance.md).

#include <cstdint>
#include <span>

#include "bytes.hpp"
#include "hash.hpp"

namespace l2 {

/// keccak256(data).
Hash keccak256(ByteView data) noexcept;

/// out[i] = keccak256(inputs[i]) for every i < min(inputs.size(), out.size()), for inputs of
/// any lengths. On x86-64 CPUs with AVX-512, eight messages at a time share one vectorised
/// permutation, with AVX2 four (keccak_many.cpp; bench/keccak_bench.cpp has the speed-ups);
/// elsewhere a loop of keccak256. Messages of the same block count (length / 136 + 1) batch
/// best.
void keccak256_many(std::span<const ByteView> inputs, std::span<Hash> out) noexcept;

/// keccak256_many's implementations, by messages per permutation (tests and benchmarks
/// compare them; the one-argument form uses the widest the CPU runs).
enum class KeccakLanes : uint8_t
{
    kScalar = 1,
    kX4Avx2 = 4,
    kX8Avx512 = 8,
};
/// Whether this CPU runs `lanes`.
bool keccak_lanes_supported(KeccakLanes lanes) noexcept;
/// keccak256_many with `lanes` (the widest supported one when this CPU lacks it).
void keccak256_many(std::span<const ByteView> inputs,
                    std::span<Hash> out,
                    KeccakLanes lanes) noexcept;

/// Incremental keccak-256, for hashing a value built from several pieces without a copy.
class Keccak256
{
public:
    Keccak256() noexcept;
    void update(ByteView data) noexcept;
    Hash finish() noexcept;

private:
    uint64_t m_state[25];
    uint8_t m_buf[136];
    size_t m_buf_len = 0;
};

/// The keccak-f[1600] permutation (24 rounds) on 25 lanes.
void keccakf1600(uint64_t state[25]) noexcept;

}  // namespace l2
