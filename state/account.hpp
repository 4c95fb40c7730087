#pragma once
/// Account records. The encoding is the Ethereum account RLP, `[nonce, balance, storageRoot,
/// codeHash]`, for EVM accounts (so their trie leaves, and eth_getProof, are byte-for-byte
/// Ethereum) and the same list plus the engine byte for other engines. The flat KV stores the
/// same bytes as the trie leaf.

#include <txtypes/block.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>
#include <txtypes/rlp.hpp>
#include <txtypes/uint256.hpp>

#include "keys.hpp"

namespace l2::state {

/// keccak256(""): the code hash of an account without code.
inline constexpr Hash kEmptyCodeHash =
    hash_literal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

struct Account
{
    uint64_t nonce = 0;
    U256 balance;
    Hash storage_root = txtypes::kEmptyRootHash;
    Hash code_hash = kEmptyCodeHash;
    Engine engine = Engine::kEvm;

    /// EIP-161 empty: no nonce, no balance, no code.
    bool is_empty() const noexcept
    {
        return nonce == 0 && balance == 0 && code_hash == kEmptyCodeHash;
    }
    friend bool operator==(const Account&, const Account&) = default;
};

enum class [[nodiscard]] AccountError
{
    kRlp,
    kUnknownEngine,
    kTrailingFields,
};

Bytes encode_account(const Account& a);
Result<Account, AccountError> decode_account(ByteView in) noexcept;

/// Flat storage values: minimal big-endian bytes (zero = absent). The storage trie leaf is
/// rlp(minimal big-endian), as in Ethereum.
Bytes encode_storage_value(const U256& v);
U256 decode_storage_value(ByteView in) noexcept;

}  // namespace l2::state
