// 0x05 MODEXP: EIP-198, priced by EIP-198 before Berlin and by EIP-2565 from Berlin.

#include <algorithm>
#include <cstring>
#include <memory>

#include <openssl/bn.h>

#include "execution/precompiles.hpp"

namespace l2::execution {

namespace {

__extension__ typedef unsigned __int128 U128;

/// Stands for every value >= 2^128 in the saturating gas arithmetic below.
constexpr U128 kSat = ~U128{0};

/// Guards run() against lengths no gas limit can pay for (a modulus over 32 MiB costs more than
/// 3 * 10^12 gas under either formula): such a call fails instead of allocating.
constexpr U128 kMaxRunLength = U128{1} << 25;

U128 sat_add(U128 a, U128 b) noexcept
{
    U128 r = 0;
    return __builtin_add_overflow(a, b, &r) ? kSat : r;
}

U128 sat_mul(U128 a, U128 b) noexcept
{
    U128 r = 0;
    return __builtin_mul_overflow(a, b, &r) ? kSat : r;
}

/// The 32-byte big-endian word at `offset` of the zero-padded input; kSat when >= 2^128.
U128 read_length(ByteView input, size_t offset) noexcept
{
    uint8_t word[32] = {};
    if (offset < input.size())
        std::memcpy(word, input.data() + offset, std::min<size_t>(32, input.size() - offset));
    U128 v = 0;
    for (size_t i = 0; i < 32; ++i)
    {
        if (i < 16 && word[i] != 0)
            return kSat;
        v = v << 8 | word[i];
    }
    return v;
}

/// `len` bytes of the zero-padded input starting at `offset` (the caller bounds `len`).
Bytes read_padded(ByteView input, U128 offset, size_t len)
{
    Bytes out(len, 0);
    if (offset < input.size())
    {
        const auto off = static_cast<size_t>(offset);
        const size_t n = std::min(len, input.size() - off);
        if (n != 0)
            std::memcpy(out.data(), input.data() + off, n);
    }
    return out;
}

struct Lengths
{
    U128 base;
    U128 exp;
    U128 mod;
};

Lengths read_lengths(ByteView input) noexcept
{
    return {read_length(input, 0), read_length(input, 32), read_length(input, 64)};
}

/// EIP-198's ADJUSTED_EXPONENT_LENGTH: the index of the highest set bit of the exponent's
/// first 32 bytes (0 if none), plus 8 * (exp_len - 32) when the exponent is longer than that.
U128 adjusted_exp_length(ByteView input, const Lengths& len) noexcept
{
    const U128 head_len = std::min<U128>(len.exp, 32);
    uint8_t head[32] = {};
    const U128 offset = sat_add(96, len.base);
    if (offset < input.size())
    {
        const auto off = static_cast<size_t>(offset);
        std::memcpy(head, input.data() + off,
                    std::min(static_cast<size_t>(head_len), input.size() - off));
    }
    unsigned highest_bit = 0;
    for (size_t i = 0; i < static_cast<size_t>(head_len); ++i)
    {
        if (head[i] != 0)
        {
            const auto bits_in_byte = static_cast<unsigned>(32 - __builtin_clz(head[i]));
            highest_bit = static_cast<unsigned>(8 * (head_len - 1 - i)) + bits_in_byte - 1;
            break;
        }
    }
    if (len.exp <= 32)
        return highest_bit;
    return sat_add(sat_mul(8, len.exp - 32), highest_bit);
}

uint64_t clamp_u64(U128 v) noexcept
{
    return v > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(v);
}

/// EIP-198's mult_complexity(x): Karatsuba-shaped, for x = max(base_len, mod_len).
U128 eip198_mult_complexity(U128 x) noexcept
{
    const U128 sq = sat_mul(x, x);
    if (x <= 64)
        return sq;
    if (x <= 1024)
        return sq / 4 + 96 * x - 3072;  // x <= 1024: no overflow, and 96x > 3072
    if (sq == kSat)
        return kSat;
    return sat_add(sq / 16, sat_mul(480, x)) - 199680;  // > 199680 for x > 1024
}

struct BnDeleter
{
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
    void operator()(BN_CTX* p) const noexcept { BN_CTX_free(p); }
};
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;

Bn to_bn(const Bytes& b) noexcept
{
    return Bn{BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr)};
}

bool is_all_zero(const Bytes& b) noexcept
{
    return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
}

}  // namespace

/// EIP-198 before Berlin: floor(mult_complexity(max(base_len, mod_len)) *
/// max(adjusted_exp_len, 1) / 20). From Berlin, EIP-2565: max(modexp_min,
/// ceil(max(base_len, mod_len) / 8)^2 * max(adjusted_exp_len, 1) / modexp_divisor).
/// Lengths may be up to 2^256 - 1: the arithmetic saturates and the result is clamped to
/// UINT64_MAX, exactly below that.
uint64_t modexp_gas(ByteView input, const GasSchedule& gas, Revision rev) noexcept
{
    const Lengths len = read_lengths(input);
    const U128 max_len = std::max(len.base, len.mod);
    const U128 iterations = std::max<U128>(adjusted_exp_length(input, len), 1);
    if (rev < Revision::kBerlin)
        return clamp_u64(sat_mul(eip198_mult_complexity(max_len), iterations) / 20);

    const U128 words = max_len / 8 + (max_len % 8 != 0);
    const U128 complexity = sat_mul(words, words);
    const U128 divisor = gas.modexp_divisor > 0 ? static_cast<U128>(gas.modexp_divisor) : 1;
    const U128 min = gas.modexp_min > 0 ? static_cast<U128>(gas.modexp_min) : 0;
    return clamp_u64(std::max(min, sat_mul(complexity, iterations) / divisor));
}

/// base^exp mod mod, as exactly mod_len big-endian bytes. Operands follow the three lengths
/// in the zero-padded input; a zero modulus gives mod_len zero bytes.
PrecompileResult modexp_run(ByteView input, Revision) noexcept
{
    const Lengths len = read_lengths(input);
    if (len.mod == 0)
        return {true, {}};
    if (len.mod > kMaxRunLength)
        return {false, {}};  // unaffordable: see kMaxRunLength
    const auto mod_len = static_cast<size_t>(len.mod);

    const ByteView data = input.size() > 96 ? input.substr(96) : ByteView{};
    const U128 mod_offset = sat_add(len.base, len.exp);
    if (mod_offset >= data.size())
        return {true, Bytes(mod_len, 0)};  // the modulus lies in the zero padding
    const Bytes mod = read_padded(data, mod_offset, mod_len);
    if (is_all_zero(mod))
        return {true, Bytes(mod_len, 0)};

    // The modulus starts inside the input, so base and exponent lie wholly inside it: their
    // sizes are bounded by the input's.
    const Bytes base = read_padded(data, 0, static_cast<size_t>(len.base));
    const Bytes exp = read_padded(data, len.base, static_cast<size_t>(len.exp));

    const std::unique_ptr<BN_CTX, BnDeleter> ctx{BN_CTX_new()};
    const Bn b = to_bn(base);
    const Bn e = to_bn(exp);
    const Bn m = to_bn(mod);
    const Bn r{BN_new()};
    // BN_mod_exp fails only on allocation failure (m != 0 here).
    if (!ctx || !b || !e || !m || !r ||
        BN_mod_exp(r.get(), b.get(), e.get(), m.get(), ctx.get()) != 1)
        return {false, {}};
    Bytes out(mod_len, 0);
    if (BN_bn2binpad(r.get(), out.data(), static_cast<int>(mod_len)) < 0)
        return {false, {}};
    return {true, std::move(out)};
}

}  // namespace l2::execution
