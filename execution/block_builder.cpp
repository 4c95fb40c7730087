#include "block_builder.hpp"

#include <txtypes/mpt.hpp>

#include "l1_fee.hpp"

namespace l2::execution {

TxEnv tx_env_for(const ChainSpec& spec, uint64_t block_num)
{
    TxEnv env;
    env.revision = Revision::kCancun;
    env.l2 = true;
    env.gas = &spec.gas_table.at(block_num);
    return env;
}

BlockBuilder::BlockBuilder(state::StateDb& db, const ChainSpec& spec,
                           const txtypes::BlockHeader& parent, const Hash& parent_hash,
                           PayloadAttributes attrs, BlockHashFn block_hash)
  : m_db{db},
    m_spec{spec},
    m_parent_state_root{parent.state_root},
    m_attrs{std::move(attrs)},
    m_state{std::make_unique<state::JournaledState>(db)}
{
    m_header.parent_hash = parent_hash;
    m_header.beneficiary = m_attrs.fee_recipient;
    m_header.number = parent.number + 1;
    m_header.gas_limit = spec.gas_limit;
    m_header.timestamp = m_attrs.timestamp;
    m_header.mix_hash = m_attrs.prev_randao;
    m_header.base_fee_per_gas = next_base_fee(spec, parent);
    m_header.withdrawals_root = txtypes::kEmptyRootHash;
    m_header.blob_gas_used = 0;
    m_header.excess_blob_gas = 0;
    m_header.parent_beacon_block_root = Hash{};

    m_ctx.number = m_header.number;
    m_ctx.timestamp = m_header.timestamp;
    m_ctx.gas_limit = m_header.gas_limit;
    m_ctx.coinbase = m_header.beneficiary;
    m_ctx.prev_randao = m_header.mix_hash;
    m_ctx.base_fee = *m_header.base_fee_per_gas;
    m_ctx.blob_base_fee = 1;  // no blobs on L2: the EIP-4844 minimum
    m_ctx.chain_id = spec.chain_id;
    m_ctx.block_hash = std::move(block_hash);
}

BlockBuilder::~BlockBuilder() = default;

void BlockBuilder::record(const txtypes::Transaction& txn, const Address& sender,
                          TxOutcome outcome, const U256& effective_price, uint64_t l1_gas)
{
    m_gas_used += outcome.gas_used;
    txtypes::Receipt r = make_receipt(outcome, txn.type, m_gas_used);
    if (txn.type == txtypes::TxType::kDeposit)
    {
        r.deposit_nonce = outcome.deposit_nonce;
        r.deposit_receipt_version = 1;  // Canyon
    }
    ReceiptExtras x;
    x.l1_fee = outcome.data_fee;
    x.proof_fee = outcome.proof_fee;
    x.l1_gas_used = l1_gas;
    x.effective_gas_price = effective_price;
    x.contract_address = outcome.contract_address;
    m_txs.push_back(txn);
    m_receipts.push_back(std::move(r));
    m_extras.push_back(x);
    m_senders.push_back(sender);
    m_last = std::move(outcome);
}

Result<void, BlockError> BlockBuilder::apply_deposits()
{
    const TxEnv env = tx_env_for(m_spec, m_header.number);
    for (size_t i = 0; i < m_attrs.deposits.size(); ++i)
    {
        const txtypes::Transaction& txn = m_attrs.deposits[i];
        if (txn.type != txtypes::TxType::kDeposit)
            return unexpected(BlockError{BlockErrc::kBadDeposit,
                                         "forced transaction " + std::to_string(i) +
                                             " is not a deposit"});
        auto out = execute_deposit(*m_state, m_ctx, txn, env, gas_left());
        if (!out && out.error() == TxRejection::kL1Unavailable)
            return unexpected(BlockError{BlockErrc::kL1Unavailable,
                                         "deposit " + std::to_string(i) +
                                             " calls L1SLOAD and L1 is unavailable"});
        if (!out)
            return unexpected(BlockError{BlockErrc::kBadDeposit,
                                         "deposit " + std::to_string(i) +
                                             " does not fit the block's gas limit"});
        record(txn, txn.from, std::move(*out), 0, 0);
        if (i == 0)
        {
            m_l1_info = read_l1_info(*m_state);
            m_ctx.l1_block_number = m_l1_info.number;  // L1SLOAD's block, WASM's l1_block_number
            m_ctx.l1_block_hash = m_l1_info.hash;
        }
    }
    return {};
}

Result<const TxOutcome*, TxRejection> BlockBuilder::add(const txtypes::Transaction& txn,
                                                        const Address& sender, ByteView raw)
{
    if (txn.type == txtypes::TxType::kDeposit)
        return unexpected(TxRejection::kStateless);
    TxEnv env = tx_env_for(m_spec, m_header.number);
    const uint64_t l1_gas = l1_gas_used(raw);
    env.l2_fees = L2TxFees{l1_data_fee(m_l1_info.fee_params(), raw),
                           m_l1_info.proof_fee_per_gas};
    auto out = execute_transaction(*m_state, m_ctx, txn, sender, env, gas_left());
    if (!out)
        return unexpected(out.error());
    const U256 tip_cap = txn.max_fee_per_gas - m_ctx.base_fee;
    const U256 price = m_ctx.base_fee + std::min(txn.max_priority_fee_per_gas, tip_cap);
    record(txn, sender, std::move(*out), price, l1_gas);
    return &m_last;
}

Result<BuiltBlock, BlockError> BlockBuilder::seal()
{
    auto prepared = m_db.prepare(m_state->diff(), m_parent_state_root);
    if (!prepared)
        return unexpected(BlockError{BlockErrc::kStateWrite, "state commit failed"});

    m_header.gas_used = m_gas_used;
    m_header.state_root = prepared->state_root;
    std::vector<Bytes> tx_rlp;
    std::vector<Bytes> receipt_rlp;
    tx_rlp.reserve(m_txs.size());
    receipt_rlp.reserve(m_receipts.size());
    txtypes::Bloom bloom{};
    for (size_t i = 0; i < m_txs.size(); ++i)
    {
        tx_rlp.push_back(txtypes::encode_transaction(m_txs[i]));
        receipt_rlp.push_back(txtypes::encode_receipt(m_receipts[i]));
        for (size_t b = 0; b < bloom.size(); ++b)
            bloom[b] |= m_receipts[i].bloom[b];
    }
    m_header.transactions_root = txtypes::ordered_trie_root(tx_rlp);
    m_header.receipts_root = txtypes::ordered_trie_root(receipt_rlp);
    m_header.logs_bloom = bloom;

    BuiltBlock out;
    out.block.header = m_header;
    out.block.transactions = std::move(m_txs);
    out.block.withdrawals = std::vector<txtypes::Withdrawal>{};
    out.hash = txtypes::header_hash(m_header);
    out.receipts = std::move(m_receipts);
    out.extras = std::move(m_extras);
    out.senders = std::move(m_senders);
    out.state = std::move(*prepared);
    return out;
}

}  // namespace l2::execution
