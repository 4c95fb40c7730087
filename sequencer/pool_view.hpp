#pragma once
/// What the mempool needs from the chain head (the sequencer implements it over its state).

#include <cstdint>

#include <txtypes/hash.hpp>
#include <txtypes/transaction.hpp>
#include <txtypes/uint256.hpp>

namespace l2::sequencer {

/// The head the pool validates against. Every method may be called from several threads at
/// once (RPC threads and add_batch's workers), so an implementation must be thread-safe.
class PoolView
{
public:
    virtual ~PoolView() = default;
    virtual uint64_t nonce(const Address& account) const = 0;
    virtual U256 balance(const Address& account) const = 0;
    virtual uint64_t chain_id() const = 0;
    /// The base fee of the next block.
    virtual U256 base_fee() const = 0;
    virtual uint64_t block_gas_limit() const = 0;
    /// The L1 data fee this tx would pay now (the consensus formula lives in execution/; the
    /// pool just asks).
    virtual U256 data_fee(const txtypes::Transaction& txn, ByteView raw) const = 0;
};

}  // namespace l2::sequencer
