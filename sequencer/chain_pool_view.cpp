#include "chain_pool_view.hpp"

#include <execution/l1_fee.hpp>
#include <execution/l1_info.hpp>

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
    return execution::l1_data_fee(execution::read_l1_info(m_chain.state()).fee_params(), raw);
}

}  // namespace l2::sequencer
