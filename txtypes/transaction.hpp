#pragma once
/// Transactions: EIP-2718 envelopes of type 0x00 (legacy, EIP-155), 0x01 (EIP-2930),
/// 0x02 (EIP-1559), 0x7D (l2node fee-split) and 0x7E (OP Stack deposit / system tx).
/// Wire formats are specified in docs/spec/transactions.md.

#include <optional>
#include <string>
#include <vector>

#include "bytes.hpp"
#include "hash.hpp"
#include "result.hpp"
#include "rlp.hpp"
#include "secp256k1.hpp"
#include "uint256.hpp"

namespace l2::txtypes {

enum class TxType : uint8_t
{
    kLegacy = 0x00,
    kAccessList = 0x01,  ///< EIP-2930
    kDynamicFee = 0x02,  ///< EIP-1559
    kFeeSplit = 0x7D,    ///< EIP-1559 + maxDataFee, maxProofFee, misc (DESIGN.md)
    kDeposit = 0x7E,     ///< OP Stack deposit / system tx, no signature
};

struct AccessListEntry
{
    Address address;
    std::vector<Hash> storage_keys;
    friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};

/// A 0x7D extension pair. No key is defined yet, so any entry makes the tx invalid
/// (check_misc); keys must be strictly ascending so that one tx has one encoding.
struct MiscEntry
{
    Bytes key;
    Bytes value;
    friend bool operator==(const MiscEntry&, const MiscEntry&) = default;
};

/// One struct for every type; fields a type lacks stay at their defaults. For legacy and 0x01
/// txs `max_fee_per_gas` and `max_priority_fee_per_gas` both hold gasPrice.
struct Transaction
{
    TxType type = TxType::kLegacy;
    /// Absent only for pre-EIP-155 legacy txs (v = 27/28). Deposits carry none.
    std::optional<uint64_t> chain_id;
    uint64_t nonce = 0;
    U256 max_priority_fee_per_gas;
    U256 max_fee_per_gas;
    uint64_t gas_limit = 0;
    std::optional<Address> to;  ///< empty = contract creation
    U256 value;
    Bytes data;
    std::vector<AccessListEntry> access_list;

    // 0x7D fee-split.
    U256 max_data_fee;
    U256 max_proof_fee;
    std::vector<MiscEntry> misc;

    // 0x7E deposit.
    Hash source_hash;
    Address from;
    U256 mint;
    bool is_system_tx = false;

    // Signature (not for 0x7E).
    Signature signature;

    bool is_creation() const noexcept { return !to.has_value(); }
    const U256& gas_price() const noexcept { return max_fee_per_gas; }

    friend bool operator==(const Transaction&, const Transaction&) = default;
};

enum class TxErrc
{
    kRlp,              ///< malformed RLP in `field` (see `rlp`)
    kEmpty,            ///< no bytes at all
    kUnsupportedType,  ///< unknown EIP-2718 type byte
    kTooFewFields,
    kTooManyFields,
    kChainIdOverflow,  ///< legacy v encodes a chain id beyond 64 bits
    kInvalidV,         ///< legacy v is neither 27/28 nor an EIP-155 value
    kNotCanonical,     ///< e.g. a typed tx wrapped or misc keys out of order
};

struct TxError
{
    TxErrc code = TxErrc::kRlp;
    rlp::RlpError rlp = rlp::RlpError::kInputTooShort;
    const char* field = "";

    std::string message() const;
};

/// Decodes the canonical (EIP-2718 "binary") form: `type || payload` for typed txs, an RLP
/// list for legacy. Strict: trailing bytes and non-canonical RLP are errors.
Result<Transaction, TxError> decode_transaction(ByteView in) noexcept;

/// Decodes a transaction as it stands inside a block body's RLP list: a legacy list, or a
/// typed tx wrapped in an RLP string. Consumes one item from `in`.
Result<Transaction, TxError> decode_transaction_in_list(ByteView& in) noexcept;

/// The canonical binary encoding (what eth_sendRawTransaction takes and the tx trie holds).
Bytes encode_transaction(const Transaction& txn);

/// The encoding inside a block body: legacy as is, typed wrapped in an RLP string.
void encode_transaction_in_list(Bytes& out, const Transaction& txn);

/// keccak256 of the canonical encoding.
Hash transaction_hash(const Transaction& txn);

/// The hash a signer signs (EIP-155 / EIP-2930 / EIP-1559, and the same shape for 0x7D).
/// Deposits have none: returns a zero hash.
Hash signing_hash(const Transaction& txn);

/// Signs `txn` in place with `private_key` (sets r, s, yParity). Returns false for a bad key
/// or a deposit.
bool sign_transaction(Transaction& txn, const Hash& private_key);

/// The sender: `from` for a deposit, otherwise the recovered signer.
Result<Address, SigError> recover_sender(const Transaction& txn) noexcept;

/// Legacy v as it goes on the wire: 27/28, or chainId * 2 + 35/36 (EIP-155).
U256 legacy_v(const Transaction& txn) noexcept;

}  // namespace l2::txtypes
