#pragma once
/// Typed Ethereum JSON-RPC calls over an RpcClient. Results are decoded with l1_decode.hpp; a
/// result of the wrong shape is a kDecode RpcError naming the method, URL and field.

#include <cstdint>
#include <optional>
#include <vector>

#include <txtypes/bytes.hpp>

#include "l1_source.hpp"
#include "rpc_client.hpp"

namespace l2::l1client {

/// Arguments of eth_estimateGas and eth_call.
struct CallRequest
{
    std::optional<Address> from;
    std::optional<Address> to;  ///< empty = contract creation
    U256 value;
    Bytes data;
};

class L1Client final : public L1Source
{
public:
    /// `rpc` must outlive the client.
    explicit L1Client(RpcClient& rpc) noexcept : m_rpc{rpc} {}

    RpcClient& rpc() noexcept { return m_rpc; }

    // L1Source.
    Result<uint64_t, RpcError> chain_id() override;
    Result<uint64_t, RpcError> block_number() override;
    Result<std::optional<L1Block>, RpcError> block_by_number(BlockTag tag, bool full_txs) override;
    Result<std::optional<L1Block>, RpcError> block_by_hash(const Hash& hash,
                                                           bool full_txs) override;
    Result<std::vector<L1Log>, RpcError> logs(const LogFilter& filter) override;
    Result<Hash, RpcError> storage_at(const Address& address, const U256& slot,
                                      const BlockId& block) override;
    Result<std::optional<L1Receipt>, RpcError> transaction_receipt(const Hash& tx_hash) override;

    /// eth_getTransactionCount: the account's nonce at `block` ("pending" includes the pool).
    Result<uint64_t, RpcError> transaction_count(const Address& address, BlockTag block);
    /// eth_getBalance.
    Result<U256, RpcError> balance(const Address& address, BlockTag block);
    /// eth_sendRawTransaction of a signed, EIP-2718 encoded tx; returns the tx hash.
    Result<Hash, RpcError> send_raw_transaction(ByteView raw_tx);
    /// eth_feeHistory over `block_count` blocks ending at `newest`, with rewards at the given
    /// percentiles (0..100, ascending).
    Result<FeeHistory, RpcError> fee_history(uint64_t block_count, BlockTag newest,
                                             const std::vector<double>& reward_percentiles);
    /// eth_estimateGas (against "latest").
    Result<uint64_t, RpcError> estimate_gas(const CallRequest& call);
    /// eth_call; returns the return data. A revert is a kRpc error with the revert data in
    /// RpcError::data.
    Result<Bytes, RpcError> call(const CallRequest& call, const BlockId& block);
    /// eth_blobBaseFee; empty when the node does not have the method (pre-Cancun nodes).
    Result<std::optional<U256>, RpcError> blob_base_fee();
    /// eth_maxPriorityFeePerGas (the node's tip suggestion).
    Result<U256, RpcError> max_priority_fee();

private:
    RpcClient& m_rpc;
};

}  // namespace l2::l1client
