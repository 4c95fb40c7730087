#include "chain_pool_view.hpp"

#include <execution/l1_fee.hpp>
#include <execution/predeploys.hpp>

namespace l2::sequencer {

uint64_t ChainPoolView::nonce(const Address& account) const
{
    const auto a = m_chain.state().account(state::Engine::kEvm, account);
    return a ? a->nonce : 0;
}

U256 ChainPoolView::balance(const Address& account) const
{
    const auto a = m_chain.state().account(state::Engine::kEvm, account);
    return a ? a->balance : U256{0};
}

uint64_t ChainPoolView::chain_id() const
{
    return m_chain.spec().chain_id;
}

U256 ChainPoolView::base_fee() const
{
    return execution::next_base_fee(m_chain.spec(), m_chain.head().header);
}

uint64_t ChainPoolView::block_gas_limit() const
{
    return m_chain.spec().gas_limit;
}

U256 ChainPoolView::data_fee(const txtypes::Transaction&, ByteView raw) const
{
    namespace slot = execution::predeploys::l1block_slot;
    auto get = [&](uint64_t s) {
        return m_chain.state().storage(state::Engine::kEvm, execution::predeploys::kL1Block,
                                       U256{s});
    };
    execution::L1FeeParams p;
    p.l1_base_fee = get(slot::kBaseFee);
    p.blob_base_fee = get(slot::kBlobBaseFee);
    p.base_fee_scalar = static_cast<uint32_t>(low_u64(get(slot::kBaseFeeScalar)));
    p.blob_base_fee_scalar = static_cast<uint32_t>(low_u64(get(slot::kBlobBaseFeeScalar)));
    return execution::l1_data_fee(p, raw);
}

}  // namespace l2::sequencer
