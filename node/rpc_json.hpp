#pragma once
/// JSON forms of the Ethereum JSON-RPC API (execution-apis, EIP-1474): strict decoders of the
/// parameters (QUANTITY, DATA, addresses, hashes, block tags incl. EIP-1898 objects, call
/// objects, log filters) and encoders of blocks, transactions (incl. 0x7D and OP 0x7E),
/// receipts (incl. OP Stack L1 fee fields) and logs, in the shapes ethers v6, viem and cast
/// parse. Decoders never throw: a bad value is a -32602 error naming the parameter.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <execution/call.hpp>
#include <execution/l1_info.hpp>
#include <nlohmann/json.hpp>
#include <txtypes/block.hpp>
#include <txtypes/receipt.hpp>
#include <txtypes/transaction.hpp>

#include "rpc_types.hpp"

namespace l2::node {

using nlohmann::json;

template <typename T>
using RpcParse = l2::Result<T, RpcError>;

// ---- positional parameters ---------------------------------------------------------------

/// Checks that `params` is an array of `min`..`max` items (trailing nulls count as absent).
RpcParse<void> check_params(const json& params, size_t min, size_t max);

/// params[i], or nullptr when absent or null.
const json* param(const json& params, size_t i) noexcept;

// ---- scalars -----------------------------------------------------------------------------

/// QUANTITY: "0x" then 1-16 hex digits (leading zeros tolerated).
RpcParse<uint64_t> parse_u64(const json& v, std::string_view name);
/// QUANTITY up to 2^256 - 1.
RpcParse<U256> parse_u256(const json& v, std::string_view name);
/// A count given as a QUANTITY or a JSON integer (eth_feeHistory's blockCount).
RpcParse<uint64_t> parse_u64_or_int(const json& v, std::string_view name);
/// DATA: "0x" then an even number of hex digits.
RpcParse<Bytes> parse_data(const json& v, std::string_view name);
RpcParse<Address> parse_address(const json& v, std::string_view name);
RpcParse<Hash> parse_hash(const json& v, std::string_view name);
/// A storage key: DATA or QUANTITY of at most 32 bytes, left-padded (eth_getStorageAt/getProof).
RpcParse<U256> parse_slot(const json& v, std::string_view name);
RpcParse<bool> parse_bool(const json& v, std::string_view name);

// ---- block tags --------------------------------------------------------------------------

struct BlockTag
{
    enum class Kind
    {
        kLatest,
        kPending,  ///< answered as latest: the sequencer's pool is not a block
        kSafe,
        kFinalized,
        kEarliest,
        kNumber,
        kHash,
    };
    Kind kind = Kind::kLatest;
    uint64_t number = 0;             ///< kNumber
    Hash hash;                       ///< kHash
    bool require_canonical = false;  ///< kHash (EIP-1898)
};

/// "latest" | "pending" | "safe" | "finalized" | "earliest" | QUANTITY, and when `allow_hash`
/// a 32-byte hash or an EIP-1898 object {"blockNumber"} / {"blockHash", "requireCanonical"}.
/// Absent (nullptr) = latest.
RpcParse<BlockTag> parse_block_tag(const json* v, std::string_view name, bool allow_hash);

// ---- objects -----------------------------------------------------------------------------

/// The transaction-call object of eth_call / eth_estimateGas. `input` and `data` are aliases
/// (both set and different is an error); unknown members are ignored as geth does.
RpcParse<execution::CallRequest> parse_call_request(const json& v, std::string_view name);

/// An eth_getLogs filter.
struct LogFilter
{
    std::optional<BlockTag> from_block;
    std::optional<BlockTag> to_block;
    std::optional<Hash> block_hash;  ///< exclusive with from/to
    std::vector<Address> addresses;  ///< empty: any
    /// Per position: the accepted topics (OR); an empty set is a wildcard.
    std::vector<std::vector<Hash>> topics;
};

inline constexpr size_t kMaxFilterAddresses = 1000;
inline constexpr size_t kMaxFilterTopics = 4;
inline constexpr size_t kMaxTopicAlternatives = 1000;

RpcParse<LogFilter> parse_log_filter(const json& v, std::string_view name);

/// True when the bloom may hold a log that `f` matches (a block can be skipped when false).
bool bloom_may_match(const LogFilter& f, const txtypes::Bloom& bloom) noexcept;
/// True when `log` matches the filter's addresses and topics.
bool log_matches(const LogFilter& f, const txtypes::Log& log) noexcept;

// ---- encoders ----------------------------------------------------------------------------

std::string quantity(uint64_t v);
std::string quantity(const U256& v);
std::string data_hex(ByteView b);

/// Where a transaction sits (absent for a pending transaction).
struct TxPosition
{
    Hash block_hash;
    uint64_t block_number = 0;
    uint32_t index = 0;
    std::optional<U256> base_fee;  ///< the block's: gasPrice shows the effective price
};

/// A transaction object. `deposit_nonce` / `deposit_receipt_version` come from the receipt of a
/// 0x7E deposit (op-geth shows the nonce from there).
json transaction_json(const txtypes::Transaction& txn,
                      const Hash& hash,
                      const Address& from,
                      const std::optional<TxPosition>& pos,
                      std::optional<uint64_t> deposit_nonce = std::nullopt,
                      std::optional<uint64_t> deposit_receipt_version = std::nullopt);

/// The header members of a block object plus hash and size; the caller adds "transactions".
json header_json(const txtypes::BlockHeader& h, const Hash& hash, uint64_t size);

/// A log object; `log_index` is block-wide.
json log_json(const txtypes::Log& log,
              const Hash& block_hash,
              uint64_t block_number,
              const Hash& tx_hash,
              uint32_t tx_index,
              uint64_t log_index);

/// The L2 fee members of a non-deposit receipt, recomputed from the block's L1-info calldata.
struct ReceiptL2Fees
{
    execution::L1Info l1;  ///< l1GasPrice, l1BlobBaseFee and the scalars
    U256 l1_fee;
    uint64_t l1_gas_used = 0;
    U256 proof_fee;
};

/// Everything a receipt object shows beyond the consensus receipt.
struct ReceiptContext
{
    Hash tx_hash;
    Address from;
    std::optional<Address> to;
    std::optional<Address> contract_address;
    Hash block_hash;
    uint64_t block_number = 0;
    uint32_t index = 0;
    uint64_t gas_used = 0;
    uint64_t first_log_index = 0;
    U256 effective_gas_price;
    std::optional<ReceiptL2Fees> l2_fees;
};

json receipt_json(const txtypes::Receipt& r, const ReceiptContext& c);

}  // namespace l2::node
