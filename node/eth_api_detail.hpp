#pragma once
/// Internals shared by the eth_api*.cpp files: error helpers, block-tag resolution, block and
/// receipt loading (pruned history = 4444), the state a query reads, receipt enrichment.
/// Not part of the node's public API.

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <execution/call.hpp>
#include <execution/l1_info.hpp>
#include <state/kv_store.hpp>

#include "eth_api.hpp"
#include "rpc_json.hpp"

namespace l2::node::eth_detail {

inline constexpr int kServerError = -32000;    ///< geth's generic server error
inline constexpr int kRevertCode = 3;          ///< execution reverted (data = revert bytes)
inline constexpr int kLimitExceeded = -32005;  ///< EIP-1474 "limit exceeded"
inline constexpr int kPrunedHistory = 4444;    ///< DESIGN.md: history below the window

using Method = RpcResult (*)(EthApiContext& ctx, const json& params);

/// Registers `fn` under `name`, with every exception turned into -32603 (never thrown out).
void add_method(RpcMethods& methods, EthApiContext& ctx, std::string name, Method fn);

Unexpected<RpcError> server_error(std::string message);
Unexpected<RpcError> db_error(const state::KvError& e);
Unexpected<RpcError> pruned_error(uint64_t block_number);

/// A canonical (or, by hash, any stored) block.
struct BlockId
{
    uint64_t number = 0;
    Hash hash;
};

/// The block a tag names; nullopt when there is none (a number past the head, an unknown
/// hash, a head not set yet). "pending" is the head.
RpcParse<std::optional<BlockId>> resolve_block(EthApiContext& ctx, const BlockTag& tag);

/// Header and body of `id`; a pruned body is the 4444 error.
RpcParse<txtypes::Block> load_block(EthApiContext& ctx, const BlockId& id);
/// Receipts of `id`; pruned ones are the 4444 error.
RpcParse<std::vector<txtypes::Receipt>> load_receipts(EthApiContext& ctx, const BlockId& id);

using execution::block_l1_info;

/// `from` of a deposit, otherwise the recovered signer (zero address if recovery fails, which a
/// stored transaction never does).
Address sender_of(const txtypes::Transaction& txn);

/// The receipt object of transaction `index` of `block` (everything recomputed from the block,
/// its receipts and its L1-info calldata: nothing extra is stored).
json receipt_object(const txtypes::Block& block,
                    const Hash& block_hash,
                    const std::vector<txtypes::Receipt>& receipts,
                    size_t index,
                    const std::optional<execution::L1Info>& l1,
                    uint64_t first_log_index,
                    const Hash& tx_hash,
                    const Address& from);

/// The state a query reads: the head's flat state (under the chain's read lock, so it cannot
/// move underneath), or an older block's trie.
struct StateAt
{
    std::shared_lock<std::shared_mutex> lock;
    txtypes::BlockHeader header;
    Hash hash;
    bool is_head = false;
    std::unique_ptr<execution::TrieStateReader> trie;
    const state::StateReader* reader = nullptr;
};

/// Opens the state after the block `tag` names (state queries accept block hashes too).
RpcParse<StateAt> open_state(EthApiContext& ctx, const BlockTag& tag);

/// After reading an older block's trie: the "historical state not available" error when a
/// node was missing (pruned), else success.
RpcParse<void> check_state(const StateAt& s);

void register_block_methods(RpcMethods& methods, EthApiContext& ctx);
void register_state_methods(RpcMethods& methods, EthApiContext& ctx);
void register_log_and_fee_methods(RpcMethods& methods, EthApiContext& ctx);

}  // namespace l2::node::eth_detail
