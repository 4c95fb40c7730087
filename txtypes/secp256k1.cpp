#include "secp256k1.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>

#include "keccak.hpp"

namespace l2 {

namespace {

/// One context for the process: created once, then only read (libsecp256k1 allows
/// concurrent use of a const context). Randomized once against side channels when signing.
const secp256k1_context* context() noexcept
{
    static const secp256k1_context* const ctx = [] {
        secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        uint8_t seed[32] = {0x6c, 0x32, 0x6e, 0x6f, 0x64, 0x65};
        [[maybe_unused]] const int randomized = secp256k1_context_randomize(c, seed);
        return c;
    }();
    return ctx;
}

Address address_of(const secp256k1_pubkey& pubkey) noexcept
{
    uint8_t serialized[65];
    size_t len = sizeof(serialized);
    secp256k1_ec_pubkey_serialize(context(), serialized, &len, &pubkey,
                                  SECP256K1_EC_UNCOMPRESSED);
    const Hash h = keccak256({serialized + 1, 64});
    Address a;
    std::memcpy(a.data(), h.data() + 12, 20);
    return a;
}

}  // namespace

const char* to_string(SigError e) noexcept
{
    switch (e)
    {
    case SigError::kInvalidValues:
        return "signature values out of range (r, s must be in [1, n-1], yParity 0 or 1)";
    case SigError::kHighS:
        return "signature s value is above n/2 (EIP-2)";
    case SigError::kRecoveryFailed:
        return "no public key recovers from the signature";
    }
    return "unknown signature error";
}

bool is_valid_signature(const U256& r, const U256& s, uint8_t y_parity,
                        bool require_low_s) noexcept
{
    if (y_parity > 1 || r == 0 || s == 0 || r >= kSecp256k1N || s >= kSecp256k1N)
        return false;
    return !require_low_s || s <= kSecp256k1HalfN;
}

std::optional<Signature> sign(const Hash& hash, const Hash& private_key) noexcept
{
    secp256k1_ecdsa_recoverable_signature rsig;
    if (!secp256k1_ecdsa_sign_recoverable(context(), &rsig, hash.data(), private_key.data(),
                                          secp256k1_nonce_function_rfc6979, nullptr))
        return std::nullopt;
    uint8_t compact[64];
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), compact, &recid, &rsig);
    Signature sig;
    sig.r = from_be_bytes({compact, 32});
    sig.s = from_be_bytes({compact + 32, 32});
    sig.y_parity = static_cast<uint8_t>(recid);
    return sig;
}

Result<Address, SigError> recover_address(const Hash& hash, const Signature& sig) noexcept
{
    if (!is_valid_signature(sig.r, sig.s, sig.y_parity, false))
        return unexpected(SigError::kInvalidValues);
    uint8_t compact[64];
    to_be_bytes(sig.r, compact);
    to_be_bytes(sig.s, compact + 32);
    secp256k1_ecdsa_recoverable_signature rsig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &rsig, compact,
                                                             sig.y_parity))
        return unexpected(SigError::kInvalidValues);
    secp256k1_pubkey pubkey;
    if (!secp256k1_ecdsa_recover(context(), &pubkey, &rsig, hash.data()))
        return unexpected(SigError::kRecoveryFailed);
    return address_of(pubkey);
}

std::optional<Address> address_from_private_key(const Hash& private_key) noexcept
{
    secp256k1_pubkey pubkey;
    if (!secp256k1_ec_pubkey_create(context(), &pubkey, private_key.data()))
        return std::nullopt;
    return address_of(pubkey);
}

}  // namespace l2
