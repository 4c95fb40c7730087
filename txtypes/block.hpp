#pragma once
/// Ethereum-shaped block header and block (Yellow Paper §4.3, with the London, Shanghai,
/// Cancun and Prague additions as optional trailing fields), so every Ethereum client reads it.

#include <optional>
#include <vector>

#include "bytes.hpp"
#include "hash.hpp"
#include "receipt.hpp"
#include "result.hpp"
#include "rlp.hpp"
#include "transaction.hpp"
#include "uint256.hpp"

namespace l2::txtypes {

/// keccak256(rlp([])): the ommers hash of every post-merge block.
inline constexpr Hash kEmptyListHash =
    hash_literal("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
/// keccak256(rlp("")): the root of an empty trie.
inline constexpr Hash kEmptyRootHash =
    hash_literal("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");

struct BlockHeader
{
    Hash parent_hash;
    Hash ommers_hash = kEmptyListHash;
    Address beneficiary;
    Hash state_root;
    Hash transactions_root = kEmptyRootHash;
    Hash receipts_root = kEmptyRootHash;
    Bloom logs_bloom{};
    U256 difficulty;
    uint64_t number = 0;
    uint64_t gas_limit = 0;
    uint64_t gas_used = 0;
    uint64_t timestamp = 0;
    Bytes extra_data;
    Hash mix_hash;  ///< prevRandao after the merge
    std::array<uint8_t, 8> nonce{};
    std::optional<U256> base_fee_per_gas;           ///< London
    std::optional<Hash> withdrawals_root;           ///< Shanghai
    std::optional<uint64_t> blob_gas_used;          ///< Cancun
    std::optional<uint64_t> excess_blob_gas;        ///< Cancun
    std::optional<Hash> parent_beacon_block_root;   ///< Cancun
    std::optional<Hash> requests_hash;              ///< Prague

    friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

struct Withdrawal
{
    uint64_t index = 0;
    uint64_t validator_index = 0;
    Address address;
    uint64_t amount_gwei = 0;
    friend bool operator==(const Withdrawal&, const Withdrawal&) = default;
};

struct Block
{
    BlockHeader header;
    std::vector<Transaction> transactions;
    std::vector<BlockHeader> ommers;
    std::optional<std::vector<Withdrawal>> withdrawals;
    friend bool operator==(const Block&, const Block&) = default;
};

enum class [[nodiscard]] BlockError
{
    kRlp,
    kTransaction,
    kOptionalFieldGap,  ///< a later fork's header field present while an earlier one is absent
};

Bytes encode_header(const BlockHeader& h);
Result<BlockHeader, rlp::RlpError> decode_header(ByteView in) noexcept;
/// keccak256(rlp(header)).
Hash header_hash(const BlockHeader& h);

Bytes encode_block(const Block& b);
Result<Block, BlockError> decode_block(ByteView in) noexcept;

/// Roots of the ordered tries keyed by rlp(index): transactions, receipts, withdrawals.
Hash transactions_root(const std::vector<Transaction>& txns);
Hash receipts_root(const std::vector<Receipt>& receipts);
Hash withdrawals_root(const std::vector<Withdrawal>& withdrawals);

}  // namespace l2::txtypes
