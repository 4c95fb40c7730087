// 0x100 P256VERIFY: ECDSA verification on secp256r1 (RIP-7212) with OpenSSL's EC_POINT and
// BIGNUM primitives (EC_KEY / ECDSA_do_verify are deprecated in OpenSSL 3).

#include <algorithm>
#include <cstring>
#include <memory>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "execution/precompiles.hpp"

namespace l2::execution {

namespace {

/// hash(32) || r(32) || s(32) || x(32) || y(32).
constexpr size_t kInputSize = 160;

/// The P-256 group order n and field prime p, big-endian (SEC 2 §2.4.2).
constexpr uint8_t kN[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};
constexpr uint8_t kP[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

bool is_zero(const uint8_t* w) noexcept
{
    return std::all_of(w, w + 32, [](uint8_t b) { return b == 0; });
}

/// Big-endian 32-byte words compare as byte strings.
bool less_than(const uint8_t* w, const uint8_t (&bound)[32]) noexcept
{
    return std::memcmp(w, bound, 32) < 0;
}

/// The curve, built once (immutable afterwards, so shared by every thread) and never freed.
const EC_GROUP* p256() noexcept
{
    static const EC_GROUP* const kGroup = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    return kGroup;
}

struct Deleter
{
    void operator()(BN_CTX* p) const noexcept { BN_CTX_free(p); }  // frees started frames too
    void operator()(EC_POINT* p) const noexcept { EC_POINT_free(p); }
};

/// ECDSA verification (SEC 1 §4.1.4) of the 160-byte input, after RIP-7212's required checks.
bool verify(const uint8_t* in) noexcept
{
    const uint8_t* hash = in;
    const uint8_t* r_bytes = in + 32;
    const uint8_t* s_bytes = in + 64;
    const uint8_t* x_bytes = in + 96;
    const uint8_t* y_bytes = in + 128;
    // 0 < r, s < n; x, y < p (the point import below would silently reduce them mod p); (0, 0)
    // encodes the point at infinity, which is no public key.
    if (is_zero(r_bytes) || !less_than(r_bytes, kN) || is_zero(s_bytes) || !less_than(s_bytes, kN))
        return false;
    if (!less_than(x_bytes, kP) || !less_than(y_bytes, kP) ||
        (is_zero(x_bytes) && is_zero(y_bytes)))
        return false;

    // Primitives rather than EVP_PKEY_verify: importing the key into an EVP_PKEY on every call
    // made verification 1.7x slower (201 vs 115 us here, against OpenSSL's own 77 us).
    const EC_GROUP* group = p256();
    std::unique_ptr<BN_CTX, Deleter> ctx{BN_CTX_new()};
    if (!group || !ctx)
        return false;
    BN_CTX_start(ctx.get());
    BIGNUM* e = BN_CTX_get(ctx.get());
    BIGNUM* r = BN_CTX_get(ctx.get());
    BIGNUM* s = BN_CTX_get(ctx.get());
    BIGNUM* x = BN_CTX_get(ctx.get());
    BIGNUM* y = BN_CTX_get(ctx.get());
    BIGNUM* w = BN_CTX_get(ctx.get());
    BIGNUM* u1 = BN_CTX_get(ctx.get());
    BIGNUM* u2 = BN_CTX_get(ctx.get());
    BIGNUM* rx = BN_CTX_get(ctx.get());
    if (rx == nullptr)  // BN_CTX_get fails for all later calls once one fails
        return false;
    BN_bin2bn(hash, 32, e);  // a 256-bit hash needs no truncation for the 256-bit n
    BN_bin2bn(r_bytes, 32, r);
    BN_bin2bn(s_bytes, 32, s);
    BN_bin2bn(x_bytes, 32, x);
    BN_bin2bn(y_bytes, 32, y);

    const std::unique_ptr<EC_POINT, Deleter> q{EC_POINT_new(group)};
    const std::unique_ptr<EC_POINT, Deleter> sum{EC_POINT_new(group)};
    if (!q || !sum || EC_POINT_set_affine_coordinates(group, q.get(), x, y, ctx.get()) != 1 ||
        EC_POINT_is_on_curve(group, q.get(), ctx.get()) != 1)
        return false;

    // w = s^-1, u1 = e w, u2 = r w (mod n); R = u1 G + u2 Q; valid iff R != O and R.x = r mod n.
    const BIGNUM* n = EC_GROUP_get0_order(group);
    if (BN_mod_inverse(w, s, n, ctx.get()) == nullptr || BN_mod_mul(u1, e, w, n, ctx.get()) != 1 ||
        BN_mod_mul(u2, r, w, n, ctx.get()) != 1 ||
        EC_POINT_mul(group, sum.get(), u1, q.get(), u2, ctx.get()) != 1 ||
        EC_POINT_is_at_infinity(group, sum.get()) == 1 ||
        EC_POINT_get_affine_coordinates(group, sum.get(), rx, nullptr, ctx.get()) != 1 ||
        BN_nnmod(rx, rx, n, ctx.get()) != 1)
        return false;
    return BN_cmp(rx, r) == 0;
}

}  // namespace

uint64_t p256verify_gas(ByteView, const GasSchedule& gas, Revision) noexcept
{
    return gas.p256verify > 0 ? static_cast<uint64_t>(gas.p256verify) : 0;
}

/// Output: 32 bytes 0x00..01 for a valid signature; empty (a successful call) for an invalid
/// one or an input that is not exactly 160 bytes.
PrecompileResult p256verify_run(ByteView input, Revision) noexcept
{
    if (input.size() != kInputSize)
        return {true, {}};
    if (!verify(input.data()))
    {
        ERR_clear_error();  // rejected keys and signatures leave OpenSSL errors queued
        return {true, {}};
    }
    Bytes out(32, 0);
    out[31] = 1;
    return {true, std::move(out)};
}

}  // namespace l2::execution
