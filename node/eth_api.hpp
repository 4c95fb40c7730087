#pragma once
/// The L2 `eth_` JSON-RPC API (plus net_, web3_ and rollup_) over the chain on disk, in the
/// shapes ethers v6, viem and cast use unchanged. Reference: docs/rpc.md.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <execution/chain.hpp>
#include <nlohmann/json.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>
#include <txtypes/transaction.hpp>

#include "rpc_types.hpp"

namespace l2::node {

/// Bounds on expensive queries (DESIGN.md "Bad input": the server caps eth_getLogs and eth_call).
struct RpcLimits
{
    uint64_t max_logs_block_range = 10'000;  ///< eth_getLogs: blocks per query
    size_t max_logs = 20'000;                ///< eth_getLogs: logs per answer
    uint64_t max_call_gas = 50'000'000;      ///< eth_call / eth_estimateGas gas cap
};

/// What the API needs from the node beyond the chain.
struct EthApiContext
{
    execution::Chain& chain;
    uint64_t l1_chain_id = 0;
    /// eth_sendRawTransaction: the sequencer's mempool admission (returns the tx hash or the
    /// pool's error message); a follower's refuses. Empty: the method answers an error.
    std::function<l2::Result<Hash, std::string>(ByteView raw)> submit;
    /// Pending nonce of an account including queued pool txs (eth_getTransactionCount
    /// "pending"); nullopt = use the state nonce.
    std::function<std::optional<uint64_t>(const Address&)> pending_nonce;
    /// rollup_syncStatus body (the node builds it).
    std::function<nlohmann::json()> sync_status;
    /// Pool lookups for eth_getTransactionByHash of a pending tx (may be empty).
    std::function<std::optional<txtypes::Transaction>(const Hash&)> pending_tx;
    RpcLimits limits;
};

/// The tip eth_maxPriorityFeePerGas suggests and eth_gasPrice adds to the next base fee:
/// 0.001 gwei. L2 blocks are rarely full, so any tip is included; wallets add it on top of
/// their base-fee margin.
inline constexpr uint64_t kSuggestedTip = 1'000'000;

/// eth_feeHistory serves at most this many blocks per call.
inline constexpr uint64_t kMaxFeeHistoryBlocks = 1024;

/// The OP Stack L2ToL1MessagePasser predeploy: its storage root is part of the output root.
inline constexpr Address kMessagePasser =
    address_literal("4200000000000000000000000000000000000016");

/// Registers every eth_/net_/web3_/rollup_ method of docs/rpc.md on `methods`; `ctx` must
/// outlive them. Handlers never throw: bad parameters are -32602 naming the parameter.
void register_eth_api(RpcMethods& methods, EthApiContext& ctx);

/// OP Stack output root v0: keccak256(bytes32(0) || stateRoot || messagePasserStorageRoot ||
/// blockHash).
Hash output_root_v0(const Hash& state_root,
                    const Hash& message_passer_storage_root,
                    const Hash& block_hash);

}  // namespace l2::node
