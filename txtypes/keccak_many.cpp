// keccak256_many: several keccak-256 hashes at once. On x86-64 with AVX-512 eight messages
// share one permutation, each 64-bit lane of a zmm register holding one message's state word
// (the "times8" layout of the Keccak team's XKCP): 24 rounds of ~100 vector instructions do
// eight permutations. vpternlogq computes chi's a ^ (~b & c) and theta's three-way xors in one
// instruction each, vprolq the rotations. Elsewhere, or for a single message, the scalar
// keccak256. No library in Debian offers a multi-message keccak (OpenSSL's SHA3 is one message
// at a time and has no keccak-256 padding), hence this file.

#include "keccak.hpp"
#include "keccak_rounds.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

#if defined(__x86_64__)
// GCC 12's _mm512_rol_epi64 passes _mm512_undefined_epi32() (a self-initialised variable)
// as the unused merge source: a false -Wmaybe-uninitialized in the intrinsic's own header.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#endif

namespace l2 {

namespace {

constexpr size_t kRate = 136;
constexpr size_t kRateWords = kRate / 8;

size_t blocks_of(size_t len) noexcept
{
    return len / kRate + 1;  // the padding always adds a byte
}

/// Block `b` of `msg` padded (keccak's 0x01 ... 0x80), as little-endian words.
void padded_block(ByteView msg, size_t b, uint64_t out[kRateWords]) noexcept
{
    uint8_t buf[kRate];
    const size_t from = b * kRate;
    const size_t take = from < msg.size() ? std::min(kRate, msg.size() - from) : 0;
    if (take != 0)
        std::memcpy(buf, msg.data() + from, take);
    std::memset(buf + take, 0, kRate - take);
    if (b + 1 == blocks_of(msg.size()))
    {
        buf[msg.size() - from] ^= 0x01;
        buf[kRate - 1] ^= 0x80;
    }
    for (size_t w = 0; w < kRateWords; ++w)
    {
        uint64_t v;
        std::memcpy(&v, buf + 8 * w, 8);
        if constexpr (std::endian::native == std::endian::big)
            v = __builtin_bswap64(v);
        out[w] = v;
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define L2_KECCAK_X8 1

using keccak_detail::kRoundConstants;

/// Eight keccak-f[1600] permutations: a[i] holds word i of each of the eight states. The
/// rounds follow keccakf1600's (keccak.cpp): same rho offsets, same pi placement.
__attribute__((target("avx512f"))) void keccakf1600_x8(__m512i a[25]) noexcept
{
    for (int round = 0; round < 24; ++round)
    {
        // theta (0x96: three-way xor)
        const __m512i c0 = _mm512_ternarylogic_epi64(
            _mm512_ternarylogic_epi64(a[0], a[5], a[10], 0x96), a[15], a[20], 0x96);
        const __m512i c1 = _mm512_ternarylogic_epi64(
            _mm512_ternarylogic_epi64(a[1], a[6], a[11], 0x96), a[16], a[21], 0x96);
        const __m512i c2 = _mm512_ternarylogic_epi64(
            _mm512_ternarylogic_epi64(a[2], a[7], a[12], 0x96), a[17], a[22], 0x96);
        const __m512i c3 = _mm512_ternarylogic_epi64(
            _mm512_ternarylogic_epi64(a[3], a[8], a[13], 0x96), a[18], a[23], 0x96);
        const __m512i c4 = _mm512_ternarylogic_epi64(
            _mm512_ternarylogic_epi64(a[4], a[9], a[14], 0x96), a[19], a[24], 0x96);
        const __m512i d0 = _mm512_xor_si512(c4, _mm512_rol_epi64(c1, 1));
        const __m512i d1 = _mm512_xor_si512(c0, _mm512_rol_epi64(c2, 1));
        const __m512i d2 = _mm512_xor_si512(c1, _mm512_rol_epi64(c3, 1));
        const __m512i d3 = _mm512_xor_si512(c2, _mm512_rol_epi64(c4, 1));
        const __m512i d4 = _mm512_xor_si512(c3, _mm512_rol_epi64(c0, 1));

        // rho + pi: b[y][2x+3y] = rotl(a[x][y] ^ d[x], r[x][y])
        const __m512i b00 = _mm512_xor_si512(a[0], d0);
        const __m512i b10 = _mm512_rol_epi64(_mm512_xor_si512(a[1], d1), 1);
        const __m512i b20 = _mm512_rol_epi64(_mm512_xor_si512(a[2], d2), 62);
        const __m512i b05 = _mm512_rol_epi64(_mm512_xor_si512(a[3], d3), 28);
        const __m512i b15 = _mm512_rol_epi64(_mm512_xor_si512(a[4], d4), 27);
        const __m512i b16 = _mm512_rol_epi64(_mm512_xor_si512(a[5], d0), 36);
        const __m512i b01 = _mm512_rol_epi64(_mm512_xor_si512(a[6], d1), 44);
        const __m512i b11 = _mm512_rol_epi64(_mm512_xor_si512(a[7], d2), 6);
        const __m512i b21 = _mm512_rol_epi64(_mm512_xor_si512(a[8], d3), 55);
        const __m512i b06 = _mm512_rol_epi64(_mm512_xor_si512(a[9], d4), 20);
        const __m512i b07 = _mm512_rol_epi64(_mm512_xor_si512(a[10], d0), 3);
        const __m512i b17 = _mm512_rol_epi64(_mm512_xor_si512(a[11], d1), 10);
        const __m512i b02 = _mm512_rol_epi64(_mm512_xor_si512(a[12], d2), 43);
        const __m512i b12 = _mm512_rol_epi64(_mm512_xor_si512(a[13], d3), 25);
        const __m512i b22 = _mm512_rol_epi64(_mm512_xor_si512(a[14], d4), 39);
        const __m512i b23 = _mm512_rol_epi64(_mm512_xor_si512(a[15], d0), 41);
        const __m512i b08 = _mm512_rol_epi64(_mm512_xor_si512(a[16], d1), 45);
        const __m512i b18 = _mm512_rol_epi64(_mm512_xor_si512(a[17], d2), 15);
        const __m512i b03 = _mm512_rol_epi64(_mm512_xor_si512(a[18], d3), 21);
        const __m512i b13 = _mm512_rol_epi64(_mm512_xor_si512(a[19], d4), 8);
        const __m512i b14 = _mm512_rol_epi64(_mm512_xor_si512(a[20], d0), 18);
        const __m512i b24 = _mm512_rol_epi64(_mm512_xor_si512(a[21], d1), 2);
        const __m512i b09 = _mm512_rol_epi64(_mm512_xor_si512(a[22], d2), 61);
        const __m512i b19 = _mm512_rol_epi64(_mm512_xor_si512(a[23], d3), 56);
        const __m512i b04 = _mm512_rol_epi64(_mm512_xor_si512(a[24], d4), 14);

        // chi (0xD2: a ^ (~b & c))
        a[0] = _mm512_ternarylogic_epi64(b00, b01, b02, 0xD2);
        a[1] = _mm512_ternarylogic_epi64(b01, b02, b03, 0xD2);
        a[2] = _mm512_ternarylogic_epi64(b02, b03, b04, 0xD2);
        a[3] = _mm512_ternarylogic_epi64(b03, b04, b00, 0xD2);
        a[4] = _mm512_ternarylogic_epi64(b04, b00, b01, 0xD2);
        a[5] = _mm512_ternarylogic_epi64(b05, b06, b07, 0xD2);
        a[6] = _mm512_ternarylogic_epi64(b06, b07, b08, 0xD2);
        a[7] = _mm512_ternarylogic_epi64(b07, b08, b09, 0xD2);
        a[8] = _mm512_ternarylogic_epi64(b08, b09, b05, 0xD2);
        a[9] = _mm512_ternarylogic_epi64(b09, b05, b06, 0xD2);
        a[10] = _mm512_ternarylogic_epi64(b10, b11, b12, 0xD2);
        a[11] = _mm512_ternarylogic_epi64(b11, b12, b13, 0xD2);
        a[12] = _mm512_ternarylogic_epi64(b12, b13, b14, 0xD2);
        a[13] = _mm512_ternarylogic_epi64(b13, b14, b10, 0xD2);
        a[14] = _mm512_ternarylogic_epi64(b14, b10, b11, 0xD2);
        a[15] = _mm512_ternarylogic_epi64(b15, b16, b17, 0xD2);
        a[16] = _mm512_ternarylogic_epi64(b16, b17, b18, 0xD2);
        a[17] = _mm512_ternarylogic_epi64(b17, b18, b19, 0xD2);
        a[18] = _mm512_ternarylogic_epi64(b18, b19, b15, 0xD2);
        a[19] = _mm512_ternarylogic_epi64(b19, b15, b16, 0xD2);
        a[20] = _mm512_ternarylogic_epi64(b20, b21, b22, 0xD2);
        a[21] = _mm512_ternarylogic_epi64(b21, b22, b23, 0xD2);
        a[22] = _mm512_ternarylogic_epi64(b22, b23, b24, 0xD2);
        a[23] = _mm512_ternarylogic_epi64(b23, b24, b20, 0xD2);
        a[24] = _mm512_ternarylogic_epi64(b24, b20, b21, 0xD2);

        // iota
        a[0] = _mm512_xor_si512(a[0],
                                _mm512_set1_epi64(static_cast<long long>(kRoundConstants[round])));
    }
}

/// Up to eight messages (`n` of them) through keccakf1600_x8, block by block. A lane whose
/// message has ended absorbs zeros and its output is taken at the block it ended on.
__attribute__((target("avx512f"))) void hash_x8(const ByteView* in,
                                                Hash* const* out,
                                                size_t n) noexcept
{
    size_t blocks[8] = {};
    size_t most = 0;
    for (size_t i = 0; i < n; ++i)
    {
        blocks[i] = blocks_of(in[i].size());
        most = std::max(most, blocks[i]);
    }
    __m512i st[25];
    for (auto& w : st)
        w = _mm512_setzero_si512();
    alignas(64) uint64_t words[kRateWords][8];
    alignas(64) uint64_t lane_words[kRateWords];
    alignas(64) uint64_t digest[4][8];
    for (size_t b = 0; b < most; ++b)
    {
        std::memset(words, 0, sizeof words);
        for (size_t i = 0; i < n; ++i)
        {
            if (b >= blocks[i])
                continue;
            padded_block(in[i], b, lane_words);
            for (size_t w = 0; w < kRateWords; ++w)
                words[w][i] = lane_words[w];
        }
        for (size_t w = 0; w < kRateWords; ++w)
            st[w] = _mm512_xor_si512(st[w], _mm512_load_si512(words[w]));
        keccakf1600_x8(st);
        bool any = false;
        for (size_t i = 0; i < n; ++i)
            any = any || blocks[i] == b + 1;
        if (!any)
            continue;
        for (size_t w = 0; w < 4; ++w)
            _mm512_store_si512(digest[w], st[w]);
        for (size_t i = 0; i < n; ++i)
        {
            if (blocks[i] != b + 1)
                continue;
            for (size_t w = 0; w < 4; ++w)
            {
                uint64_t v = digest[w][i];
                if constexpr (std::endian::native == std::endian::big)
                    v = __builtin_bswap64(v);
                std::memcpy(out[i]->data() + 8 * w, &v, 8);
            }
        }
    }
}

bool have_avx512() noexcept
{
    static const bool yes = __builtin_cpu_supports("avx512f");
    return yes;
}
#endif

}  // namespace

void keccak256_many(std::span<const ByteView> inputs, std::span<Hash> out) noexcept
{
    const size_t n = std::min(inputs.size(), out.size());
#ifdef L2_KECCAK_X8
    if (n >= 2 && have_avx512())
    {
        // Group messages of equal block counts (a lane whose message is shorter than its
        // group's longest permutes for nothing): sorted by blocks, stable, eight at a time.
        std::array<uint32_t, 64> small_order;
        std::vector<uint32_t> large_order;
        uint32_t* order = small_order.data();
        if (n > small_order.size())
        {
            large_order.resize(n);
            order = large_order.data();
        }
        for (size_t i = 0; i < n; ++i)
            order[i] = static_cast<uint32_t>(i);
        std::stable_sort(order, order + n, [&](uint32_t a, uint32_t b) {
            return blocks_of(inputs[a].size()) < blocks_of(inputs[b].size());
        });
        for (size_t at = 0; at < n; at += 8)
        {
            const size_t k = std::min<size_t>(8, n - at);
            if (k == 1)
            {
                out[order[at]] = keccak256(inputs[order[at]]);
                break;
            }
            ByteView in[8];
            Hash* dst[8];
            for (size_t j = 0; j < k; ++j)
            {
                in[j] = inputs[order[at + j]];
                dst[j] = &out[order[at + j]];
            }
            hash_x8(in, dst, k);
        }
        return;
    }
#endif
    for (size_t i = 0; i < n; ++i)
        out[i] = keccak256(inputs[i]);
}

}  // namespace l2
