#pragma once
/// L1 values as the Ethereum JSON-RPC API returns them, decoded (l1_decode.hpp) into l2's
/// vocabulary types.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/uint256.hpp>

namespace l2::l1client {

/// A block parameter: a number or one of the named tags (execution-apis "BlockTag").
struct BlockTag
{
    enum class Kind : uint8_t
    {
        kNumber,
        kLatest,
        kSafe,
        kFinalized,
        kPending,
        kEarliest,
    };
    Kind kind = Kind::kLatest;
    uint64_t number = 0;  ///< for kNumber

    constexpr BlockTag() noexcept = default;
    constexpr BlockTag(uint64_t n) noexcept : kind{Kind::kNumber}, number{n} {}  // Implicit.
    constexpr explicit BlockTag(Kind k) noexcept : kind{k} {}

    static constexpr BlockTag latest() noexcept { return BlockTag{Kind::kLatest}; }
    static constexpr BlockTag safe() noexcept { return BlockTag{Kind::kSafe}; }
    static constexpr BlockTag finalized() noexcept { return BlockTag{Kind::kFinalized}; }
    static constexpr BlockTag pending() noexcept { return BlockTag{Kind::kPending}; }
    static constexpr BlockTag earliest() noexcept { return BlockTag{Kind::kEarliest}; }

    /// "0x1a", "latest", "safe", ...
    std::string to_rpc() const;

    friend bool operator==(const BlockTag&, const BlockTag&) = default;
};

/// A block by tag/number or by hash (EIP-1898 `{"blockHash": ...}`: reorg-safe state reads).
struct BlockId
{
    std::variant<BlockTag, Hash> value;

    BlockId() = default;
    BlockId(BlockTag t) : value{t} {}  // Implicit, as BlockTag.
    BlockId(uint64_t n) : value{BlockTag{n}} {}
    BlockId(const Hash& h) : value{h} {}
};

/// A transaction inside a block. With `full_txs = false` only `hash` is set.
struct L1Tx
{
    Hash hash;
    uint8_t type = 0;  ///< EIP-2718 type (0x03 = blob tx)
    Address from;
    std::optional<Address> to;  ///< empty = contract creation
    Bytes input;
    U256 value;
    uint64_t nonce = 0;
    friend bool operator==(const L1Tx&, const L1Tx&) = default;
};

struct L1Block
{
    uint64_t number = 0;
    Hash hash;
    Hash parent_hash;
    Hash mix_hash;  ///< prevrandao after the merge
    uint64_t timestamp = 0;
    std::optional<U256> base_fee;  ///< London and later
    std::optional<uint64_t> excess_blob_gas;  ///< Cancun and later
    std::optional<uint64_t> blob_gas_used;
    std::vector<L1Tx> transactions;
    friend bool operator==(const L1Block&, const L1Block&) = default;
};

struct L1Log
{
    Address address;
    std::vector<Hash> topics;
    Bytes data;
    uint64_t block_number = 0;
    Hash block_hash;
    Hash tx_hash;
    uint64_t tx_index = 0;
    uint64_t log_index = 0;
    bool removed = false;  ///< dropped by a reorg (filters only)
    friend bool operator==(const L1Log&, const L1Log&) = default;
};

/// eth_getLogs filter. With `block_hash` set, the block range is ignored.
struct LogFilter
{
    uint64_t from_block = 0;
    uint64_t to_block = 0;
    std::vector<Address> addresses;  ///< any of; empty = any address
    /// Per position, any of; an empty inner list (or a missing position) matches anything.
    std::vector<std::vector<Hash>> topics;
    std::optional<Hash> block_hash;
};

struct L1Receipt
{
    Hash tx_hash;
    uint64_t block_number = 0;
    Hash block_hash;
    bool status = false;  ///< true = success
    uint64_t gas_used = 0;
    U256 effective_gas_price;
    std::optional<Address> contract_address;
    std::vector<L1Log> logs;
    friend bool operator==(const L1Receipt&, const L1Receipt&) = default;
};

/// eth_feeHistory. `base_fee_per_gas` has one more entry than blocks asked: the next block's.
struct FeeHistory
{
    uint64_t oldest_block = 0;
    std::vector<U256> base_fee_per_gas;
    std::vector<std::vector<U256>> reward;  ///< per block, per requested percentile
    std::vector<U256> base_fee_per_blob_gas;  ///< Cancun nodes only; may be empty
};

/// True when `log` matches `filter`'s addresses and topics (not its block range).
bool matches(const LogFilter& filter, const L1Log& log) noexcept;

}  // namespace l2::l1client
