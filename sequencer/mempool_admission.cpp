// Mempool admission: decoding and every check (docs/spec/mempool.md, "Admission"), then the
// insert under the pool lock (replacement, funds over the sender's queue, limits, eviction).
#include <mutex>

#include <txtypes/keccak.hpp>
#include <txtypes/validation.hpp>

#include "mempool.hpp"
#include "mempool_detail.hpp"

namespace l2::sequencer {

namespace {

using txtypes::TxInvalid;
using txtypes::TxType;

Unexpected<PoolError> fail(PoolErrc code, std::string message)
{
    return unexpected(PoolError{code, std::move(message)});
}

std::string dec(const U256& x)
{
    return l2::to_string(x);
}

/// a + b, or empty on overflow past 2^256.
std::optional<U256> checked_add(const U256& a, const U256& b) noexcept
{
    const U256 s = a + b;
    if (s < a)
        return std::nullopt;
    return s;
}

Unexpected<PoolError> stateless_error(TxInvalid e, const txtypes::Transaction& txn,
                                      Revision rev)
{
    switch (e)
    {
    case TxInvalid::kInvalidSignature:
    case TxInvalid::kSenderRecoveryFailed:
        return fail(PoolErrc::kBadSignature, "invalid transaction v, r, s values");
    case TxInvalid::kInvalidChainId:
        return fail(PoolErrc::kWrongChainId, "invalid chain id for signer");
    case TxInvalid::kIntrinsicGasTooLow:
        return fail(PoolErrc::kStateless,
                    "intrinsic gas too low: gas " + std::to_string(txn.gas_limit) +
                        ", minimum needed " + std::to_string(txtypes::intrinsic_gas(txn, rev)));
    case TxInvalid::kTypeNotSupported:
    case TxInvalid::kGasLimitPriceOverflow:
    case TxInvalid::kPriorityAboveMaxFee:
    case TxInvalid::kInitcodeTooLarge:
    case TxInvalid::kNonceMax:
    case TxInvalid::kUnknownMiscKey:
        break;
    }
    return fail(PoolErrc::kStateless, txtypes::to_string(e));
}

}  // namespace

U256 effective_tip(const txtypes::Transaction& txn, const U256& base_fee) noexcept
{
    if (txn.max_fee_per_gas < base_fee)
        return 0;
    const U256 room = txn.max_fee_per_gas - base_fee;
    return txn.max_priority_fee_per_gas < room ? txn.max_priority_fee_per_gas : room;
}

/// Everything that needs no pool lock: size, type, decoding, stateless rules, the sender, the
/// fee caps, the tx's own cost against the balance, the nonce window. Runs on add_batch's
/// workers, so it reads only the view (thread-safe) and `known` (shared lock).
Result<Mempool::Prepared, PoolError> Mempool::prepare(ByteView raw) const
{
    if (raw.size() > m_config.max_tx_bytes)
        return fail(PoolErrc::kTooLarge, "oversized data: " + std::to_string(raw.size()) +
                                             " bytes, limit " +
                                             std::to_string(m_config.max_tx_bytes));
    // Before decoding, so that even a malformed deposit gets the clear answer.
    if (!raw.empty() && raw[0] == static_cast<uint8_t>(TxType::kDeposit))
        return fail(PoolErrc::kDeposit, kDepositMessage);

    auto decoded = txtypes::decode_transaction(raw);
    if (!decoded)
    {
        if (decoded.error().code == txtypes::TxErrc::kUnsupportedType)
            return fail(PoolErrc::kDecode, "transaction type not supported");
        return fail(PoolErrc::kDecode,
                    "invalid transaction encoding: " + decoded.error().message());
    }
    auto ptx = std::make_shared<PooledTx>();
    ptx->txn = std::move(*decoded);
    const txtypes::Transaction& txn = ptx->txn;
    ptx->hash = keccak256(raw);  // decoding is strict: `raw` is the canonical encoding
    if (known(ptx->hash))
        return fail(PoolErrc::kAlreadyKnown, "already known");

    const uint64_t chain_id = m_view.chain_id();
    if (!txn.chain_id)
        return fail(PoolErrc::kWrongChainId, kReplayProtectionMessage);
    if (*txn.chain_id != chain_id)
        return fail(PoolErrc::kWrongChainId, "invalid chain id for signer: have " +
                                                 std::to_string(*txn.chain_id) + " want " +
                                                 std::to_string(chain_id));
    const txtypes::TxRules rules{m_config.revision, chain_id, true};
    if (auto ok = txtypes::validate_stateless(txn, rules); !ok)
        return stateless_error(ok.error(), txn, m_config.revision);

    if (const uint64_t limit = m_view.block_gas_limit(); txn.gas_limit > limit)
        return fail(PoolErrc::kGasLimitAboveBlock, "exceeds block gas limit: gas " +
                                                       std::to_string(txn.gas_limit) +
                                                       ", limit " + std::to_string(limit));
    if (const U256 base_fee = m_view.base_fee(); txn.max_fee_per_gas < base_fee)
        return fail(PoolErrc::kFeeCapBelowBaseFee,
                    "max fee per gas less than block base fee: maxFeePerGas " +
                        dec(txn.max_fee_per_gas) + ", baseFee " + dec(base_fee));

    // The expensive step (~50 µs): add_batch runs it on several threads.
    auto sender = txtypes::recover_sender(txn);
    if (!sender)
        return fail(PoolErrc::kBadSignature, std::string{"invalid sender: "} +
                                                 l2::to_string(sender.error()));
    ptx->sender = *sender;

    ptx->data_fee_estimate = m_view.data_fee(txn, raw);
    // gas_limit * max_fee fits in 256 bits (validate_stateless).
    std::optional<U256> cost =
        checked_add(U256{txn.gas_limit} * txn.max_fee_per_gas, txn.value);
    if (txn.type == TxType::kFeeSplit)
    {
        // The sender pays at most its caps; a cap below today's data fee cannot be included.
        if (txn.max_data_fee < ptx->data_fee_estimate)
            return fail(PoolErrc::kDataFeeCapTooLow,
                        "max data fee less than current L1 data fee: maxDataFee " +
                            dec(txn.max_data_fee) + ", dataFee " + dec(ptx->data_fee_estimate));
        if (cost)
            cost = checked_add(*cost, txn.max_data_fee);
        if (cost)
            cost = checked_add(*cost, txn.max_proof_fee);
    }
    else if (cost)
        cost = checked_add(*cost, ptx->data_fee_estimate);  // uncapped, as on OP Stack

    const uint64_t account_nonce = m_view.nonce(ptx->sender);
    if (txn.nonce < account_nonce)
        return fail(PoolErrc::kNonceTooLow, "nonce too low: next nonce " +
                                                std::to_string(account_nonce) + ", tx nonce " +
                                                std::to_string(txn.nonce));
    if (txn.nonce - account_nonce > m_config.max_nonce_gap)
        return fail(PoolErrc::kNonceGap, "nonce too high: next nonce " +
                                             std::to_string(account_nonce) + ", tx nonce " +
                                             std::to_string(txn.nonce) + ", max gap " +
                                             std::to_string(m_config.max_nonce_gap));
    const U256 balance = m_view.balance(ptx->sender);
    if (!cost)
        return fail(PoolErrc::kInsufficientFunds, std::string{kFundsMessage} + ": balance " +
                                                      dec(balance) + ", tx cost exceeds 2^256");
    if (*cost > balance)
        return fail(PoolErrc::kInsufficientFunds, std::string{kFundsMessage} + ": balance " +
                                                      dec(balance) + ", tx cost " + dec(*cost) +
                                                      ", overshot " + dec(*cost - balance));
    ptx->max_cost = *cost;
    ptx->raw.assign(raw.data(), raw.size());
    return Prepared{std::move(ptx), account_nonce, balance};
}

/// The checks that need the pool, then the insert. Caller holds the unique lock.
Result<Hash, PoolError> Mempool::insert(Prepared&& p)
{
    PooledTx& ptx = *p.ptx;
    const uint64_t nonce = ptx.txn.nonce;
    if (m_by_hash.contains(ptx.hash))
        return fail(PoolErrc::kAlreadyKnown, "already known");

    auto [sit, created] = m_senders.try_emplace(ptx.sender);
    SenderQueue& q = sit->second;
    if (created)
        q.account_nonce = q.pending_end = p.account_nonce;
    else if (p.account_nonce > q.account_nonce)
        sync_sender(q, p.account_nonce);  // the head moved on before on_new_head
    // An empty queue made here must not outlive a rejection.
    const auto reject = [&](PoolErrc code, std::string message) {
        drop_if_empty(m_senders.find(ptx.sender));
        return fail(code, std::move(message));
    };
    if (nonce < q.account_nonce)  // `p` read an older head than the pool has seen
        return reject(PoolErrc::kNonceTooLow, "nonce too low: next nonce " +
                                                  std::to_string(q.account_nonce) +
                                                  ", tx nonce " + std::to_string(nonce));

    const auto old = q.txs.find(nonce);
    U256 queued_cost = q.total_cost;
    if (old != q.txs.end())
    {
        const txtypes::Transaction& o = old->second->txn;
        const U256 pct{100 + m_config.price_bump_percent};
        // Both fields fit: gas_limit >= 21000 bounds max_fee far below 2^256 / 110.
        const U256 min_fee = o.max_fee_per_gas * pct / 100;
        const U256 min_tip = o.max_priority_fee_per_gas * pct / 100;
        if (ptx.txn.max_fee_per_gas < min_fee || ptx.txn.max_priority_fee_per_gas < min_tip)
            return reject(PoolErrc::kReplacementUnderpriced,
                          "replacement transaction underpriced");
        queued_cost -= old->second->max_cost;
    }
    // geth's overdraft rule: the balance covers everything the sender has queued here.
    const std::optional<U256> need = checked_add(queued_cost, ptx.max_cost);
    if (!need || *need > p.balance)
        return reject(PoolErrc::kInsufficientFunds,
                      std::string{kFundsMessage} + ": balance " + dec(p.balance) +
                          ", queued cost " + dec(queued_cost) + ", tx cost " +
                          dec(ptx.max_cost) +
                          (need ? ", overshot " + dec(*need - p.balance) : std::string{}));
    if (old == q.txs.end())
    {
        if (q.txs.size() >= m_config.max_per_sender)
            return reject(PoolErrc::kSenderFull,
                          "account limit exceeded: " + std::to_string(q.txs.size()) +
                              " transactions of this sender pooled, limit " +
                              std::to_string(m_config.max_per_sender));
        if (m_by_hash.size() >= m_config.max_txs &&
            !evict_one(ptx.sender, effective_tip(ptx.txn, m_base_fee)))
            return reject(PoolErrc::kPoolFull, "txpool is full");
    }

    ptx.arrival = m_next_arrival++;
    PooledTxPtr shared = std::move(p.ptx);
    if (old != q.txs.end())
    {
        q.total_cost -= old->second->max_cost;
        m_by_hash.erase(old->second->hash);
        old->second = shared;
    }
    else
        q.txs.emplace(nonce, shared);
    q.total_cost += shared->max_cost;
    m_by_hash.emplace(shared->hash, shared);
    if (nonce == q.pending_end)
    {
        const uint64_t before = q.pending_end;
        while (q.txs.contains(q.pending_end))
            ++q.pending_end;
        m_pending += static_cast<size_t>(q.pending_end - before);
    }
    update_tail(shared->sender, q);
    return shared->hash;
}

}  // namespace l2::sequencer
