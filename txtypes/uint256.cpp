#include "uint256.hpp"

#include "hex.hpp"

#include <array>
#include <bit>
#include <cstring>

namespace l2 {

namespace {

using u256_detail::U128;

constexpr uint64_t hi(U128 x) noexcept
{
    return static_cast<uint64_t>(x >> 64);
}

constexpr uint64_t lo(U128 x) noexcept
{
    return static_cast<uint64_t>(x);
}

constexpr U128 make_u128(uint64_t h, uint64_t l) noexcept
{
    return (U128{h} << 64) | l;
}

/// Initial 11-bit reciprocals floor((2^19 - 3 * 2^8) / d9) indexed by the top 9 bits d9 of a
/// normalized divisor, less 256 (Möller & Granlund, "Improved division by invariant integers",
/// IEEE Trans. Computers 2011, Algorithm 2).
constexpr std::array<uint16_t, 256> kReciprocalTable = [] {
    std::array<uint16_t, 256> t{};
    for (uint32_t i = 0; i < t.size(); ++i)
        t[i] = static_cast<uint16_t>(0x7fd00 / (256 + i));
    return t;
}();

/// floor((2^128 - 1) / d) - 2^64 for a normalized d (top bit set), by table lookup and two
/// Newton steps (Möller & Granlund Algorithm 2): a few multiplies instead of a 128-bit divide.
uint64_t reciprocal_2by1(uint64_t d) noexcept
{
    const uint64_t d9 = d >> 55;
    const uint64_t v0 = kReciprocalTable[static_cast<size_t>(d9 - 256)];
    const uint64_t d40 = (d >> 24) + 1;
    const uint64_t v1 = (v0 << 11) - ((v0 * v0 * d40) >> 40) - 1;
    const uint64_t v2 = (v1 << 13) + ((v1 * ((uint64_t{1} << 60) - v1 * d40)) >> 47);
    const uint64_t d0 = d & 1;
    const uint64_t d63 = (d >> 1) + d0;  // ceil(d / 2)
    const uint64_t e = ((v2 >> 1) & (0 - d0)) - v2 * d63;
    const uint64_t v3 = (hi(U128{v2} * e) >> 1) + (v2 << 31);
    return v3 - hi(U128{v3} * d + d) - d;
}

/// The 3-by-2 reciprocal floor((2^192 - 1) / (d1:d0)) - 2^64 for normalized d1 (Algorithm 6).
uint64_t reciprocal_3by2(uint64_t d1, uint64_t d0) noexcept
{
    uint64_t v = reciprocal_2by1(d1);
    uint64_t p = d1 * v + d0;
    if (p < d0)
    {
        --v;
        if (p >= d1)
        {
            --v;
            p -= d1;
        }
        p -= d1;
    }
    const U128 t = U128{v} * d0;
    p += hi(t);
    if (p < hi(t))
    {
        --v;
        if (make_u128(p, lo(t)) >= make_u128(d1, d0))
            --v;
    }
    return v;
}

struct QuotRem64
{
    uint64_t q;
    uint64_t r;
};

/// (u1:u0) / d for normalized d, u1 < d and v = reciprocal_2by1(d) (Algorithm 4).
inline QuotRem64 udivrem_2by1(uint64_t u1, uint64_t u0, uint64_t d, uint64_t v) noexcept
{
    const U128 qq = U128{v} * u1 + make_u128(u1, u0);
    uint64_t q = hi(qq) + 1;
    uint64_t r = u0 - q * d;
    if (r > lo(qq))
    {
        --q;
        r += d;
    }
    if (r >= d)  // Rare.
    {
        ++q;
        r -= d;
    }
    return {q, r};
}

struct QuotRem128
{
    uint64_t q;
    U128 r;
};

/// (u2:u1:u0) / d for normalized d, (u2:u1) < d and v = reciprocal_3by2(d) (Algorithm 5).
inline QuotRem128 udivrem_3by2(uint64_t u2, uint64_t u1, uint64_t u0, U128 d, uint64_t v) noexcept
{
    const uint64_t d1 = hi(d);
    const uint64_t d0 = lo(d);
    const U128 qq = U128{v} * u2 + make_u128(u2, u1);
    uint64_t q = hi(qq);
    const uint64_t r1 = u1 - q * d1;
    U128 r = make_u128(r1, u0) - U128{d0} * q - d;  // Mod 2^128.
    ++q;
    if (hi(r) >= lo(qq))
    {
        --q;
        r += d;
    }
    if (r >= d)  // Rare.
    {
        ++q;
        r -= d;
    }
    return {q, r};
}

/// a + b + carry; `carry` becomes the carry out.
inline uint64_t addc(uint64_t a, uint64_t b, bool& carry) noexcept
{
    uint64_t s = 0;
    const bool c1 = __builtin_add_overflow(a, b, &s);
    const bool c2 = __builtin_add_overflow(s, uint64_t{carry}, &s);
    carry = c1 || c2;
    return s;
}

/// out = in << s for s < 64; returns the bits shifted out of the top limb.
uint64_t shl_limbs(const uint64_t* in, size_t n, unsigned s, uint64_t* out) noexcept
{
    // `(x >> 1) >> (63 - s)` is `x >> (64 - s)` without the undefined shift by 64 when s = 0.
    const uint64_t carry = (in[n - 1] >> 1) >> (63 - s);
    for (size_t i = n - 1; i > 0; --i)
        out[i] = (in[i] << s) | ((in[i - 1] >> 1) >> (63 - s));
    out[0] = in[0] << s;
    return carry;
}

/// in[0..kN) -= q * d[0..kN); returns the limb to borrow from in[kN].
template <size_t kN>
uint64_t submul(uint64_t* in, const uint64_t* d, uint64_t q) noexcept
{
    uint64_t borrow = 0;
#pragma GCC unroll 4
    for (size_t i = 0; i < kN; ++i)
    {
        const U128 p = U128{d[i]} * q + borrow;  // At most 2^128 - 2^64: no overflow.
        borrow = hi(p) + (in[i] < lo(p));
        in[i] -= lo(p);
    }
    return borrow;
}

/// in[0..kN) += d[0..kN); returns the carry out.
template <size_t kN>
uint64_t add_limbs(uint64_t* in, const uint64_t* d) noexcept
{
    bool carry = false;
#pragma GCC unroll 4
    for (size_t i = 0; i < kN; ++i)
        in[i] = addc(in[i], d[i], carry);
    return carry;
}

/// Algorithm D's main loop (Knuth TAOCP vol. 2 §4.3.1) for a normalized divisor dn of kDlen >= 3
/// limbs: leaves the remainder in un[0..kDlen). The trial digit comes from a 3-by-2 division by
/// dn's top two limbs, so it is exact or one too large, and then one add-back fixes it.
template <size_t kDlen>
void knuth_loop(uint64_t* un, size_t ulen, const uint64_t* dn, uint64_t* q) noexcept
{
    const U128 dtop = make_u128(dn[kDlen - 1], dn[kDlen - 2]);
    const uint64_t v = reciprocal_3by2(dn[kDlen - 1], dn[kDlen - 2]);
    // Invariant: the window un[j .. j + kDlen] is below dn * 2^64, so its top two limbs are at
    // most dtop and the quotient digit fits one limb.
    for (size_t j = ulen - kDlen + 1; j-- > 0;)
    {
        uint64_t* win = un + j;
        const uint64_t u2 = win[kDlen];
        const uint64_t u1 = win[kDlen - 1];
        uint64_t qhat = ~uint64_t{0};  // When (u2:u1) == dtop the digit is exactly 2^64 - 1.
        if (make_u128(u2, u1) != dtop)
            qhat = udivrem_3by2(u2, u1, win[kDlen - 2], dtop, v).q;
        const uint64_t borrow = submul<kDlen>(win, dn, qhat);
        win[kDlen] = u2 - borrow;
        if (u2 < borrow)  // qhat was one too large: add the divisor back.
        {
            --qhat;
            win[kDlen] += add_limbs<kDlen>(win, dn);
        }
        q[j] = qhat;
    }
}

size_t significant_limbs(const uint64_t* x, size_t n) noexcept
{
    while (n > 0 && x[n - 1] == 0)
        --n;
    return n;
}

/// Divides u[0..ulen) by d[0..dlen), for 1 <= dlen <= ulen <= 8 and d[dlen - 1] != 0. Writes
/// ulen - dlen + 1 quotient limbs to q and dlen remainder limbs to r. The divisor is normalized
/// (top bit set) first; one- and two-limb divisors need only the 2-by-1 or 3-by-2 steps.
void udivrem_limbs(const uint64_t* u,
                   size_t ulen,
                   const uint64_t* d,
                   size_t dlen,
                   uint64_t* q,
                   uint64_t* r) noexcept
{
    const auto shift = static_cast<unsigned>(std::countl_zero(d[dlen - 1]));
    uint64_t dn[4];
    shl_limbs(d, dlen, shift, dn);
    uint64_t un[9];
    un[ulen] = shl_limbs(u, ulen, shift, un);  // un[ulen] < 2^shift <= dn[dlen - 1].

    if (dlen == 1)
    {
        const uint64_t v = reciprocal_2by1(dn[0]);
        uint64_t rem = un[ulen];
        for (size_t j = ulen; j-- > 0;)
        {
            const QuotRem64 qr = udivrem_2by1(rem, un[j], dn[0], v);
            q[j] = qr.q;
            rem = qr.r;
        }
        r[0] = rem >> shift;
        return;
    }
    if (dlen == 2)
    {
        const U128 dd = make_u128(dn[1], dn[0]);
        const uint64_t v = reciprocal_3by2(dn[1], dn[0]);
        U128 rem = make_u128(un[ulen], un[ulen - 1]);
        for (size_t j = ulen - 1; j-- > 0;)
        {
            const QuotRem128 qr = udivrem_3by2(hi(rem), lo(rem), un[j], dd, v);
            q[j] = qr.q;
            rem = qr.r;
        }
        rem >>= shift;
        r[0] = lo(rem);
        r[1] = hi(rem);
        return;
    }
    if (dlen == 3)
        knuth_loop<3>(un, ulen, dn, q);
    else
        knuth_loop<4>(un, ulen, dn, q);
    for (size_t i = 0; i + 1 < dlen; ++i)
        r[i] = (un[i] >> shift) | ((un[i + 1] << 1) << (63 - shift));
    r[dlen - 1] = un[dlen - 1] >> shift;
}

/// q = a / d and r = a % d, both 0 when d is 0; q and r start zero and are the callers' results
/// (written in place: no copies, no store-forwarding stalls on the way out).
inline void divide(const U256& a, const U256& d, U256& q, U256& r) noexcept
{
    const size_t dlen = significant_limbs(d.w, 4);
    const size_t alen = significant_limbs(a.w, 4);
    if (dlen == 0)
        return;
    if (alen <= 1)  // Then dlen == 1 too, or a < d.
    {
        if (dlen == 1)
        {
            q.w[0] = a.w[0] / d.w[0];
            r.w[0] = a.w[0] % d.w[0];
        }
        else
            r = a;
        return;
    }
    if (alen < dlen || a < d)
    {
        r = a;
        return;
    }
    udivrem_limbs(a.w, alen, d.w, dlen, q.w, r.w);
}

/// x * x mod 2^256 with each cross product computed once: 4 full and 2 low-half multiplies to
/// mul's 6 and 4 (exponentiation is a chain of squarings).
U256 square(const U256& x) noexcept
{
    const uint64_t* a = x.w;
    const U128 p01 = U128{a[0]} * a[1];
    const U128 p02 = U128{a[0]} * a[2] + hi(p01);  // At most (2^64 - 1)^2 + 2^64 - 1: fits.
    const U256 cross{0, lo(p01), lo(p02), hi(p02) + a[0] * a[3] + a[1] * a[2]};
    const U128 p00 = U128{a[0]} * a[0];
    const U128 p11 = U128{a[1]} * a[1];
    return cross + cross + U256{lo(p00), hi(p00), lo(p11), hi(p11)};
}

constexpr bool is_negative(const U256& x) noexcept
{
    return (x.w[3] >> 63) != 0;
}

/// x = x * m + a; returns the limb carried out past 2^256.
uint64_t mul_add_small(U256& x, uint64_t m, uint64_t a) noexcept
{
    uint64_t carry = a;
#pragma GCC unroll 4
    for (uint64_t& limb : x.w)
    {
        const U128 p = U128{limb} * m + carry;
        limb = lo(p);
        carry = hi(p);
    }
    return carry;
}

uint64_t load_be64(const uint8_t* p) noexcept
{
    uint64_t v = 0;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::little)
        v = __builtin_bswap64(v);
    return v;
}

void store_be64(uint8_t* p, uint64_t v) noexcept
{
    if constexpr (std::endian::native == std::endian::little)
        v = __builtin_bswap64(v);
    std::memcpy(p, &v, 8);
}

constexpr uint64_t kPow10_19 = 10'000'000'000'000'000'000u;

}  // namespace

U256DivResult udivrem(const U256& a, const U256& d) noexcept
{
    U256DivResult res;
    divide(a, d, res.quot, res.rem);
    return res;
}

U256 operator/(const U256& a, const U256& b) noexcept
{
    U256 q;
    U256 r;
    divide(a, b, q, r);
    return q;
}

U256 operator%(const U256& a, const U256& b) noexcept
{
    U256 q;
    U256 r;
    divide(a, b, q, r);
    return r;
}

unsigned clz(const U256& x) noexcept
{
    for (size_t i = 4; i-- > 0;)
    {
        if (x.w[i] != 0)
            return static_cast<unsigned>(3 - i) * 64 +
                   static_cast<unsigned>(std::countl_zero(x.w[i]));
    }
    return 256;
}

unsigned bit_width(const U256& x) noexcept
{
    return 256 - clz(x);
}

unsigned count_significant_bytes(const U256& x) noexcept
{
    return (bit_width(x) + 7) / 8;
}

U256 addmod(const U256& a, const U256& b, const U256& m) noexcept
{
    const size_t mlen = significant_limbs(m.w, 4);
    if (mlen == 0)
        return {};
    // Reduced operands (the usual case in EC arithmetic): one conditional subtraction.
    if (a < m && b < m)
    {
        const U256 s = a + b;
        return (s < a || s >= m) ? s - m : s;  // s < a: the sum carried out of 2^256.
    }
    uint64_t s[5];
    bool carry = false;
    for (size_t i = 0; i < 4; ++i)
        s[i] = addc(a.w[i], b.w[i], carry);
    s[4] = carry;
    // An operand is at least m here, so the sum has at least as many limbs as m.
    const size_t slen = significant_limbs(s, 5);
    uint64_t q[5];
    U256 r;
    udivrem_limbs(s, slen, m.w, mlen, q, r.w);
    return r;
}

U256 mulmod(const U256& a, const U256& b, const U256& m) noexcept
{
    const size_t mlen = significant_limbs(m.w, 4);
    if (mlen == 0)
        return {};
    uint64_t p[8] = {};
#pragma GCC unroll 4
    for (size_t j = 0; j < 4; ++j)
    {
        uint64_t carry = 0;
#pragma GCC unroll 4
        for (size_t i = 0; i < 4; ++i)
        {
            const U128 t = U128{a.w[i]} * b.w[j] + p[i + j] + carry;
            p[i + j] = lo(t);
            carry = hi(t);
        }
        p[j + 4] = carry;
    }
    const size_t plen = significant_limbs(p, 8);
    if (plen < mlen)
        return {p[0], p[1], p[2], p[3]};
    uint64_t q[8];
    U256 r;
    udivrem_limbs(p, plen, m.w, mlen, q, r.w);
    return r;
}

U256 exp(U256 base, const U256& exponent) noexcept
{
    if (base == 2)  // 2^e is a shift (common in contracts: masks, fixed-point scales).
        return U256{1} << (fits_u64(exponent) ? exponent.w[0] : 256);
    U256 result{1};
    const unsigned bits = bit_width(exponent);
    for (unsigned i = 0; i < bits; ++i)
    {
        if ((exponent.w[i / 64] >> (i % 64)) & 1)
            result *= base;
        if (i + 1 < bits)
            base = square(base);
    }
    return result;
}

U256 sdiv(const U256& a, const U256& b) noexcept
{
    const bool an = is_negative(a);
    const bool bn = is_negative(b);
    // |INT_MIN| wraps to INT_MIN, read as 2^255 unsigned: INT_MIN / -1 comes out as INT_MIN.
    const U256 q = (an ? -a : a) / (bn ? -b : b);
    return an != bn ? -q : q;
}

U256 smod(const U256& a, const U256& b) noexcept
{
    const bool an = is_negative(a);
    const U256 r = (an ? -a : a) % (is_negative(b) ? -b : b);
    return an ? -r : r;
}

U256 signextend(const U256& byte_index, const U256& x) noexcept
{
    if (!fits_u64(byte_index) || byte_index.w[0] >= 31)
        return x;
    const uint64_t bit = byte_index.w[0] * 8 + 7;  // The sign bit, at most 247.
    const U256 mask = (U256{1} << (bit + 1)) - 1;
    const bool negative = ((x.w[bit / 64] >> (bit % 64)) & 1) != 0;
    return negative ? (x | ~mask) : (x & mask);
}

U256 byte(const U256& index, const U256& x) noexcept
{
    if (!fits_u64(index) || index.w[0] >= 32)
        return {};
    const uint64_t from_low = 31 - index.w[0];
    return (x.w[from_low / 8] >> (from_low % 8 * 8)) & 0xff;
}

U256 sar(const U256& shift, const U256& x) noexcept
{
    const uint64_t s = fits_u64(shift) ? shift.w[0] : 256;
    return is_negative(x) ? ~(~x >> s) : x >> s;
}

U256 from_be_bytes(ByteView b) noexcept
{
    if (b.size() == 32)  // PUSH32, MLOAD, CALLDATALOAD: no padding copy.
        return {load_be64(&b[24]), load_be64(&b[16]), load_be64(&b[8]), load_be64(&b[0])};
    uint8_t buf[32] = {};
    const size_t n = b.size() < 32 ? b.size() : 32;
    if (n != 0)
        std::memcpy(buf + (32 - n), b.data() + (b.size() - n), n);
    return {load_be64(buf + 24), load_be64(buf + 16), load_be64(buf + 8), load_be64(buf)};
}

void to_be_bytes(const U256& x, uint8_t out[32]) noexcept
{
    for (size_t i = 0; i < 4; ++i)
        store_be64(out + 8 * i, x.w[3 - i]);
}

Bytes to_be_word(const U256& x)
{
    Bytes out(32, 0);
    to_be_bytes(x, out.data());
    return out;
}

Bytes to_be_bytes_trimmed(const U256& x)
{
    uint8_t buf[32];
    to_be_bytes(x, buf);
    const size_t n = count_significant_bytes(x);
    return Bytes(buf + (32 - n), n);
}

Result<U256, std::string> u256_from_string(std::string_view s)
{
    if (s.empty())
        return unexpected(std::string{"u256: empty string"});
    U256 r;
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    {
        s.remove_prefix(2);
        if (s.empty())
            return unexpected(std::string{"u256: no digits after 0x"});
        if (s.size() > 64)
            return unexpected(std::string{"u256: more than 64 hex digits"});
        // Digit k from the right is nibble k: bits 4k .. 4k + 3.
        for (size_t k = 0; k < s.size(); ++k)
        {
            const int v = hex_digit(s[s.size() - 1 - k]);
            if (v < 0)
                return unexpected(std::string{"u256: invalid hex digit"});
            r.w[k / 16] |= static_cast<uint64_t>(v) << (k % 16 * 4);
        }
        return r;
    }
    // Decimal, 19 digits (one limb multiply) at a time.
    while (!s.empty())
    {
        const size_t n = s.size() < 19 ? s.size() : 19;
        uint64_t chunk = 0;
        uint64_t scale = 1;
        for (size_t i = 0; i < n; ++i)
        {
            if (s[i] < '0' || s[i] > '9')
                return unexpected(std::string{"u256: invalid decimal digit"});
            chunk = chunk * 10 + static_cast<uint64_t>(s[i] - '0');
            scale *= 10;
        }
        if (mul_add_small(r, scale, chunk) != 0)
            return unexpected(std::string{"u256: decimal value does not fit 256 bits"});
        s.remove_prefix(n);
    }
    return r;
}

std::string to_hex(const U256& x)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    const unsigned bits = bit_width(x);
    const size_t n = bits == 0 ? 1 : (bits + 3) / 4;
    std::string out(2 + n, '0');
    out[1] = 'x';
    for (size_t k = 0; k < n; ++k)
        out[out.size() - 1 - k] = kDigits[(x.w[k / 16] >> (k % 16 * 4)) & 0xf];
    return out;
}

std::string to_string(const U256& x)
{
    // At most 78 digits; peel 19 at a time with the one-limb division path.
    char buf[80];
    size_t pos = sizeof(buf);
    U256 v = x;
    const uint64_t ten19[1] = {kPow10_19};
    do
    {
        const size_t len = significant_limbs(v.w, 4);
        uint64_t chunk = v.w[0];
        U256 q;
        if (len > 1 || chunk >= kPow10_19)
            udivrem_limbs(v.w, len, ten19, 1, q.w, &chunk);
        const bool last = !q;
        for (int i = 0; i < 19 && (chunk != 0 || !last || i == 0); ++i)
        {
            buf[--pos] = static_cast<char>('0' + chunk % 10);
            chunk /= 10;
        }
        v = q;
    } while (v);
    return std::string(buf + pos, sizeof(buf) - pos);
}

}  // namespace l2
