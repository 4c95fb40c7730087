#pragma once
/// secp256k1 ECDSA for Ethereum, through libsecp256k1: deterministic signing (RFC 6979) and
/// public-key recovery to an address. The hash is always a 32-byte keccak digest.

#include <optional>

#include "hash.hpp"
#include "result.hpp"
#include "uint256.hpp"

namespace l2 {

/// The curve order n, and n/2 (EIP-2 low-s bound).
inline constexpr U256 kSecp256k1N{0xbfd25e8cd0364141, 0xbaaedce6af48a03b, 0xfffffffffffffffe,
                                  0xffffffffffffffff};
inline constexpr U256 kSecp256k1HalfN{0xdfe92f46681b20a0, 0x5d576e7357a4501d, 0xffffffffffffffff,
                                      0x7fffffffffffffff};

struct Signature
{
    U256 r;
    U256 s;
    uint8_t y_parity = 0;  ///< 0 or 1: the parity of R's y coordinate
    friend bool operator==(const Signature&, const Signature&) = default;
};

enum class [[nodiscard]] SigError
{
    kInvalidValues,  ///< r or s is zero or >= n, or y_parity > 1
    kHighS,          ///< s > n/2 where EIP-2 forbids it
    kRecoveryFailed, ///< no public key recovers from this signature and hash
};

const char* to_string(SigError e) noexcept;

/// True when 0 < r < n, 0 < s < n (and s <= n/2 if `require_low_s`), y_parity in {0, 1}.
bool is_valid_signature(const U256& r, const U256& s, uint8_t y_parity,
                        bool require_low_s) noexcept;

/// Signs `hash` with `private_key` (RFC 6979 nonces, low-s). Empty for an invalid key.
std::optional<Signature> sign(const Hash& hash, const Hash& private_key) noexcept;

/// Recovers the signer's address: keccak256(pubkey)[12..32].
Result<Address, SigError> recover_address(const Hash& hash, const Signature& sig) noexcept;

/// The address of a private key. Empty for an invalid key.
std::optional<Address> address_from_private_key(const Hash& private_key) noexcept;

}  // namespace l2
