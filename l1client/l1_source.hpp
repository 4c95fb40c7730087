#pragma once
/// L1Source: what the node reads from L1 (STYLE.md §2.6: one interface per dependency). L1Client
/// implements it over JSON-RPC, FakeL1Source in memory for derivation and sequencer tests.

#include <cstdint>
#include <optional>
#include <vector>

#include <txtypes/result.hpp>

#include "l1_types.hpp"
#include "rpc_error.hpp"

namespace l2::l1client {

class L1Source
{
public:
    virtual ~L1Source() = default;

    /// eth_chainId.
    virtual Result<uint64_t, RpcError> chain_id() = 0;
    /// eth_blockNumber: the latest block number.
    virtual Result<uint64_t, RpcError> block_number() = 0;
    /// eth_getBlockByNumber; empty when the block does not exist (yet). With `full_txs` the
    /// transactions carry all L1Tx fields, otherwise only their hashes.
    virtual Result<std::optional<L1Block>, RpcError> block_by_number(BlockTag tag,
                                                                     bool full_txs) = 0;
    /// eth_getBlockByHash; empty when no such block is known.
    virtual Result<std::optional<L1Block>, RpcError> block_by_hash(const Hash& hash,
                                                                   bool full_txs) = 0;
    /// eth_getLogs.
    virtual Result<std::vector<L1Log>, RpcError> logs(const LogFilter& filter) = 0;
    /// eth_getStorageAt: the 32-byte value of `slot` of `address` at `block`.
    virtual Result<Hash, RpcError> storage_at(const Address& address, const U256& slot,
                                              const BlockId& block) = 0;
    /// eth_getTransactionReceipt; empty while the tx is not mined.
    virtual Result<std::optional<L1Receipt>, RpcError> transaction_receipt(const Hash& tx_hash) = 0;
};

}  // namespace l2::l1client
