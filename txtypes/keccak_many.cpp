// keccak256_many: several keccak-256 hashes at once. On x86-64 with AVX-512 eight messages
// share one permutation, each 64-bit lane of a zmm register holding one message's state word
// (the "times8" layout of the Keccak team's XKCP): 24 rounds of ~100 vector instructions do
// eight permutations. vpternlogq computes chi's a ^ (~b & c) and theta's three-way xors in one
// instruction each, vprolq the rotations. With AVX2 only (AMD before Zen 4, or a hypervisor that
// hides AVX-512), four messages share a ymm permutation (the "times4" layout). Elsewhere, or for
// a single message, the scalar keccak256. No library in Debian offers a multi-message keccak
// (OpenSSL's SHA3 is one message at a time and has no keccak-256 padding), hence this file.

#include "keccak.hpp"
#include "keccak_rounds.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

#if defined(__x86_64__)
// GCC 12's _mm512_rol_epi64 passes _mm512_undefined_epi32() (a self-initialised variable)
// as the unused merge source: a false -W(maybe-)uninitialized in the intrinsic's own header.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
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

/// The rate's 17 little-endian words at `p`.
void block_words(const uint8_t* p, uint64_t out[kRateWords]) noexcept
{
    for (size_t w = 0; w < kRateWords; ++w)
    {
        uint64_t v;
        std::memcpy(&v, p + 8 * w, 8);
        if constexpr (std::endian::native == std::endian::big)
            v = __builtin_bswap64(v);
        out[w] = v;
    }
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
    block_words(buf, out);
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

/// Rotation left by N of each 64-bit word (AVX2 has no rotate).
template <int N>
__attribute__((target("avx2"), always_inline)) inline __m256i rol4(__m256i x) noexcept
{
    if constexpr (N == 8)
    {
        // Each byte one place up in its word (shuffle indices are per 128-bit half).
        const __m128i up = _mm_setr_epi8(7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12, 13, 14);
        return _mm256_shuffle_epi8(x, _mm256_broadcastsi128_si256(up));
    }
    else if constexpr (N == 56)
    {
        // Each byte one place down in its word.
        const __m128i down = _mm_setr_epi8(1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13, 14, 15, 8);
        return _mm256_shuffle_epi8(x, _mm256_broadcastsi128_si256(down));
    }
    else
        return _mm256_or_si256(_mm256_slli_epi64(x, N), _mm256_srli_epi64(x, 64 - N));
}

__attribute__((target("avx2"), always_inline)) inline __m256i xor4(__m256i p, __m256i q) noexcept
{
    return _mm256_xor_si256(p, q);
}

/// chi's p ^ (~q & r) (andnot computes ~q & r).
__attribute__((target("avx2"), always_inline)) inline __m256i chi(__m256i p,
                                                                  __m256i q,
                                                                  __m256i r) noexcept
{
    return _mm256_xor_si256(p, _mm256_andnot_si256(q, r));
}

/// The four-way permutation: the same rounds as keccakf1600_x8 on ymm registers. AVX2 has
/// neither a rotate nor a three-way logic op: a rotation is two shifts and an or (a byte
/// shuffle for 8 and 56), chi an and-not and an xor.
__attribute__((target("avx2"))) void keccakf1600_x4(__m256i a[25]) noexcept
{
    for (int round = 0; round < 24; ++round)
    {
        const __m256i c0 = xor4(xor4(xor4(a[0], a[5]), xor4(a[10], a[15])), a[20]);
        const __m256i c1 = xor4(xor4(xor4(a[1], a[6]), xor4(a[11], a[16])), a[21]);
        const __m256i c2 = xor4(xor4(xor4(a[2], a[7]), xor4(a[12], a[17])), a[22]);
        const __m256i c3 = xor4(xor4(xor4(a[3], a[8]), xor4(a[13], a[18])), a[23]);
        const __m256i c4 = xor4(xor4(xor4(a[4], a[9]), xor4(a[14], a[19])), a[24]);
        const __m256i d0 = xor4(c4, rol4<1>(c1));
        const __m256i d1 = xor4(c0, rol4<1>(c2));
        const __m256i d2 = xor4(c1, rol4<1>(c3));
        const __m256i d3 = xor4(c2, rol4<1>(c4));
        const __m256i d4 = xor4(c3, rol4<1>(c0));

        const __m256i b00 = xor4(a[0], d0);
        const __m256i b10 = rol4<1>(xor4(a[1], d1));
        const __m256i b20 = rol4<62>(xor4(a[2], d2));
        const __m256i b05 = rol4<28>(xor4(a[3], d3));
        const __m256i b15 = rol4<27>(xor4(a[4], d4));
        const __m256i b16 = rol4<36>(xor4(a[5], d0));
        const __m256i b01 = rol4<44>(xor4(a[6], d1));
        const __m256i b11 = rol4<6>(xor4(a[7], d2));
        const __m256i b21 = rol4<55>(xor4(a[8], d3));
        const __m256i b06 = rol4<20>(xor4(a[9], d4));
        const __m256i b07 = rol4<3>(xor4(a[10], d0));
        const __m256i b17 = rol4<10>(xor4(a[11], d1));
        const __m256i b02 = rol4<43>(xor4(a[12], d2));
        const __m256i b12 = rol4<25>(xor4(a[13], d3));
        const __m256i b22 = rol4<39>(xor4(a[14], d4));
        const __m256i b23 = rol4<41>(xor4(a[15], d0));
        const __m256i b08 = rol4<45>(xor4(a[16], d1));
        const __m256i b18 = rol4<15>(xor4(a[17], d2));
        const __m256i b03 = rol4<21>(xor4(a[18], d3));
        const __m256i b13 = rol4<8>(xor4(a[19], d4));
        const __m256i b14 = rol4<18>(xor4(a[20], d0));
        const __m256i b24 = rol4<2>(xor4(a[21], d1));
        const __m256i b09 = rol4<61>(xor4(a[22], d2));
        const __m256i b19 = rol4<56>(xor4(a[23], d3));
        const __m256i b04 = rol4<14>(xor4(a[24], d4));

        a[0] = chi(b00, b01, b02);
        a[1] = chi(b01, b02, b03);
        a[2] = chi(b02, b03, b04);
        a[3] = chi(b03, b04, b00);
        a[4] = chi(b04, b00, b01);
        a[5] = chi(b05, b06, b07);
        a[6] = chi(b06, b07, b08);
        a[7] = chi(b07, b08, b09);
        a[8] = chi(b08, b09, b05);
        a[9] = chi(b09, b05, b06);
        a[10] = chi(b10, b11, b12);
        a[11] = chi(b11, b12, b13);
        a[12] = chi(b12, b13, b14);
        a[13] = chi(b13, b14, b10);
        a[14] = chi(b14, b10, b11);
        a[15] = chi(b15, b16, b17);
        a[16] = chi(b16, b17, b18);
        a[17] = chi(b17, b18, b19);
        a[18] = chi(b18, b19, b15);
        a[19] = chi(b19, b15, b16);
        a[20] = chi(b20, b21, b22);
        a[21] = chi(b21, b22, b23);
        a[22] = chi(b22, b23, b24);
        a[23] = chi(b23, b24, b20);
        a[24] = chi(b24, b20, b21);

        a[0] = xor4(a[0], _mm256_set1_epi64x(static_cast<long long>(kRoundConstants[round])));
    }
}

/// `L` keccak states side by side: w[i][lane] is word i of lane's state.
template <size_t L>
struct alignas(64) LaneStates
{
    uint64_t w[25][L];
};

__attribute__((target("avx512f"))) void permute_x8(LaneStates<8>& s) noexcept
{
    __m512i a[25];
    for (size_t i = 0; i < 25; ++i)
        a[i] = _mm512_load_si512(s.w[i]);
    keccakf1600_x8(a);
    for (size_t i = 0; i < 25; ++i)
        _mm512_store_si512(s.w[i], a[i]);
}

__attribute__((target("avx2"))) void permute_x4(LaneStates<4>& s) noexcept
{
    __m256i a[25];
    for (size_t i = 0; i < 25; ++i)
        a[i] = _mm256_load_si256(reinterpret_cast<const __m256i*>(s.w[i]));
    keccakf1600_x4(a);
    for (size_t i = 0; i < 25; ++i)
        _mm256_store_si256(reinterpret_cast<__m256i*>(s.w[i]), a[i]);
}

/// Up to L messages (`n` of them) through one L-way permutation, block by block. A lane whose
/// message has ended absorbs nothing and its output is taken at the block it ended on.
template <size_t L, void (*Permute)(LaneStates<L>&) noexcept>
void hash_lanes(const ByteView* in, Hash* const* out, size_t n) noexcept
{
    size_t blocks[L] = {};
    size_t most = 0;
    for (size_t i = 0; i < n; ++i)
    {
        blocks[i] = blocks_of(in[i].size());
        most = std::max(most, blocks[i]);
    }
    LaneStates<L> st{};
    uint64_t words[kRateWords];
    for (size_t b = 0; b < most; ++b)
    {
        for (size_t i = 0; i < n; ++i)
        {
            if (b >= blocks[i])
                continue;
            if (b + 1 < blocks[i])
                block_words(in[i].data() + b * kRate, words);  // whole: no padding copy
            else
                padded_block(in[i], b, words);
            for (size_t w = 0; w < kRateWords; ++w)
                st.w[w][i] ^= words[w];
        }
        Permute(st);
        for (size_t i = 0; i < n; ++i)
        {
            if (blocks[i] != b + 1)
                continue;
            for (size_t w = 0; w < 4; ++w)
            {
                uint64_t v = st.w[w][i];
                if constexpr (std::endian::native == std::endian::big)
                    v = __builtin_bswap64(v);
                std::memcpy(out[i]->data() + 8 * w, &v, 8);
            }
        }
    }
}

/// keccak256_many over groups of L messages of equal block counts (a lane whose message is
/// shorter than its group's longest permutes for nothing): sorted by blocks, stable.
template <size_t L, void (*Permute)(LaneStates<L>&) noexcept>
void hash_grouped(std::span<const ByteView> inputs, std::span<Hash> out, size_t n)
{
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
    for (size_t at = 0; at < n; at += L)
    {
        const size_t k = std::min(L, n - at);
        if (k == 1)
        {
            out[order[at]] = keccak256(inputs[order[at]]);
            break;
        }
        ByteView in[L];
        Hash* dst[L];
        for (size_t j = 0; j < k; ++j)
        {
            in[j] = inputs[order[at + j]];
            dst[j] = &out[order[at + j]];
        }
        hash_lanes<L, Permute>(in, dst, k);
    }
}
#endif

/// The widest implementation this CPU runs.
KeccakLanes best_lanes() noexcept
{
    static const KeccakLanes best = [] {
#ifdef L2_KECCAK_X8
        if (__builtin_cpu_supports("avx512f"))
            return KeccakLanes::kX8Avx512;
        if (__builtin_cpu_supports("avx2"))
            return KeccakLanes::kX4Avx2;
#endif
        return KeccakLanes::kScalar;
    }();
    return best;
}

}  // namespace

bool keccak_lanes_supported(KeccakLanes lanes) noexcept
{
    // Every CPU with a wider path has the narrower ones (AVX-512F CPUs have AVX2).
    return static_cast<uint8_t>(lanes) <= static_cast<uint8_t>(best_lanes());
}

void keccak256_many(std::span<const ByteView> inputs, std::span<Hash> out) noexcept
{
    keccak256_many(inputs, out, best_lanes());
}

void keccak256_many(std::span<const ByteView> inputs,
                    std::span<Hash> out,
                    KeccakLanes lanes) noexcept
{
    const size_t n = std::min(inputs.size(), out.size());
    if (!keccak_lanes_supported(lanes))
        lanes = best_lanes();
#ifdef L2_KECCAK_X8
    if (n >= 2 && lanes == KeccakLanes::kX8Avx512)
        return hash_grouped<8, permute_x8>(inputs, out, n);
    if (n >= 2 && lanes == KeccakLanes::kX4Avx2)
        return hash_grouped<4, permute_x4>(inputs, out, n);
#endif
    for (size_t i = 0; i < n; ++i)
        out[i] = keccak256(inputs[i]);
}

}  // namespace l2
