#pragma once
/// The mempool's view of the chain head: nonces and balances from the head state, the next
/// block's base fee, and the L1 data fee at the head's L1 parameters.

#include <execution/chain.hpp>

#include "pool_view.hpp"

namespace l2::sequencer {

class ChainPoolView final : public PoolView
{
public:
    explicit ChainPoolView(execution::Chain& chain) noexcept : m_chain{chain} {}

    uint64_t nonce(const Address& account) const override;
    U256 balance(const Address& account) const override;
    uint64_t chain_id() const override;
    U256 base_fee() const override;
    uint64_t block_gas_limit() const override;
    U256 data_fee(const txtypes::Transaction& txn, ByteView raw) const override;

private:
    execution::Chain& m_chain;
};

}  // namespace l2::sequencer
