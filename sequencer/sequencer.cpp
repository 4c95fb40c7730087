#include "sequencer.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include <derivation/attributes.hpp>
#include <derivation/deposits.hpp>
#include <execution/l1_info.hpp>
#include <txtypes/hex.hpp>

namespace l2::sequencer {

Sequencer::Sequencer(execution::Chain& chain, const derivation::RollupConfig& rollup,
                     l1client::L1Source& l1, Mempool& pool, SequencerConfig cfg)
  : m_chain{chain}, m_rollup{rollup}, m_l1{l1}, m_pool{pool}, m_cfg{cfg}
{}

uint64_t Sequencer::clock(uint64_t now) const noexcept
{
    return std::max(now, m_l1_head_time);
}

uint64_t Sequencer::seconds_until_next(uint64_t now) const
{
    const uint64_t next = m_chain.head().header.timestamp + m_rollup.block_time;
    now = clock(now);
    return next > now ? next - now : 0;
}

SequencerStatus Sequencer::status() const
{
    std::lock_guard lock{m_status_mutex};
    SequencerStatus s = m_status;
    s.active = m_active;
    s.head = m_chain.head().header.number;
    return s;
}

Result<void, std::string> Sequencer::load_origin()
{
    // The head's epoch: the L1-info deposit of the head block (genesis: the rollup's L1 anchor).
    const execution::ChainHead head = m_chain.head();
    Hash origin_hash = m_rollup.genesis_l1.hash;
    uint64_t seq = 0;
    if (head.header.number > m_rollup.genesis_l2.number)
    {
        auto block = m_chain.blocks().block(head.header.number, head.hash);
        if (!block || !*block || (*block)->transactions.empty())
            return unexpected(std::string{"head block body missing"});
        const auto info = execution::decode_l1_info_calldata((*block)->transactions[0].data);
        if (!info)
            return unexpected(std::string{"head block has no L1-info transaction"});
        origin_hash = info->hash;
        seq = info->sequence_number;
    }
    auto b = m_l1.block_by_hash(origin_hash, false);
    if (!b)
        return unexpected("L1: " + b.error().to_string());
    if (!*b)
        return unexpected("L1 origin " + to_0x_hex(origin_hash.view()) +
                          " not found on L1 (reorged? wrong L1?)");
    m_origin = Origin{std::move(**b), seq};
    return {};
}

Result<std::pair<Sequencer::Origin, std::vector<txtypes::Transaction>>, std::string>
Sequencer::next_origin(uint64_t timestamp)
{
    const Origin& cur = *m_origin;
    Origin same{cur.block, cur.sequence_number + 1};

    // Adopt the next L1 block once it is confirmed and not newer than the L2 block.
    auto latest = m_l1.block_by_number(l1client::BlockTag::latest(), false);
    if (!latest || !*latest)
    {
        const std::string why = latest ? "no latest block" : latest.error().to_string();
        if (timestamp > cur.block.timestamp + m_rollup.max_sequencer_drift)
            return unexpected("L1 unreachable and the max drift is reached: " + why);
        spdlog::warn("sequencer: L1 unreachable, staying on origin {}: {}", cur.block.number, why);
        return std::make_pair(same, std::vector<txtypes::Transaction>{});
    }
    m_l1_head = (*latest)->number;
    m_l1_head_time = std::max(m_l1_head_time, (*latest)->timestamp);
    {
        std::lock_guard lock{m_status_mutex};
        m_status.l1_head = m_l1_head;
    }
    const uint64_t want = cur.block.number + 1;
    if (m_l1_head < want + m_rollup.l1_confirmations)
        return std::make_pair(same, std::vector<txtypes::Transaction>{});
    auto next = m_l1.block_by_number(l1client::BlockTag{want}, false);
    if (!next || !*next)
        return std::make_pair(same, std::vector<txtypes::Transaction>{});
    if ((*next)->timestamp > timestamp)
        return std::make_pair(same, std::vector<txtypes::Transaction>{});
    if ((*next)->parent_hash != cur.block.hash)
    {
        m_origin_reorged = true;
        return unexpected("L1 reorg: the origin " + std::to_string(cur.block.number) +
                          " of the head is no longer canonical");
    }

    l1client::LogFilter f;
    f.block_hash = (*next)->hash;
    f.addresses = {m_rollup.deposit_portal};
    f.topics = {{derivation::transaction_deposited_topic()}};
    auto logs = m_l1.logs(f);
    if (!logs)
        return unexpected("L1 deposits of block " + std::to_string(want) + ": " +
                          logs.error().to_string());
    auto deposits = derivation::deposits_from_logs(*logs, m_rollup.deposit_portal);
    if (!deposits)
        return unexpected("L1 deposits of block " + std::to_string(want) + ": " +
                          deposits.error().message);
    return std::make_pair(Origin{std::move(**next), 0}, std::move(*deposits));
}

Result<void, std::string> Sequencer::unwind_to_safe()
{
    // The head's L1 origin was reorged away: the unsafe blocks built on it are void. Back to the
    // safe head (derivation moves it below the reorg), their txs back to the pool.
    const auto safe = m_chain.head_ref(state::Head::kSafe);
    if (!safe)
        return unexpected(std::string{"database: no safe head"});
    if (safe->number < m_chain.head().header.number)
    {
        auto removed = m_chain.rewind_to(safe->number);
        if (!removed)
            return unexpected("unwinding after an L1 reorg: " + removed.error());
        spdlog::warn("sequencer: L1 origin reorged away; unsafe chain rewound to the safe head {} "
                     "({} blocks)",
                     safe->number, removed->size());
        requeue(*removed);
    }
    m_origin.reset();
    m_origin_reorged = false;
    return {};
}

void Sequencer::requeue(const std::vector<txtypes::Block>& blocks)
{
    std::vector<Bytes> raw;
    for (const auto& b : blocks)
        for (const auto& t : b.transactions)
            if (t.type != txtypes::TxType::kDeposit)
                raw.push_back(txtypes::encode_transaction(t));
    if (raw.empty())
        return;
    size_t back = 0;
    for (const auto& r : m_pool.add_batch(raw))
        back += r.has_value();
    spdlog::info("sequencer: {} of {} transactions of unwound blocks back in the pool", back,
                 raw.size());
}

Result<std::optional<uint64_t>, std::string> Sequencer::tick(uint64_t now)
{
    if (!m_active)
        return std::optional<uint64_t>{};
    const execution::ChainHead head = m_chain.head();
    const uint64_t timestamp = head.header.timestamp + m_rollup.block_time;
    if (timestamp > clock(now) && now != m_l1_polled_at)
    {
        // Not due by our clock; L1 time may have moved ahead of it (once per second).
        m_l1_polled_at = now;
        if (auto latest = m_l1.block_by_number(l1client::BlockTag::latest(), false);
            latest && *latest)
            m_l1_head_time = std::max(m_l1_head_time, (*latest)->timestamp);
    }
    if (timestamp > clock(now))
        return std::optional<uint64_t>{};
    if (m_origin && m_origin_head != head.hash)
        m_origin.reset();  // the chain moved without us (derivation, a reorg)
    if (!m_origin)
    {
        if (auto r = load_origin(); !r)
        {
            std::lock_guard lock{m_status_mutex};
            m_status.last_error = r.error();
            return unexpected(r.error());
        }
    }
    auto picked = next_origin(timestamp);
    if (!picked && m_origin_reorged)
    {
        spdlog::warn("sequencer: {}", picked.error());
        if (auto r = unwind_to_safe(); !r)
            return unexpected(r.error());
        return std::optional<uint64_t>{};
    }
    if (!picked)
    {
        std::lock_guard lock{m_status_mutex};
        m_status.last_error = picked.error();
        return unexpected(picked.error());
    }
    auto& [origin, deposits] = *picked;
    // Past the max drift, blocks carry no user transactions until the origin catches up. Nor
    // when the origin's sequencing window closes before a batch could land: such a block is
    // exactly the one derivation produces without a batch.
    const bool drifted = timestamp > origin.block.timestamp + m_rollup.max_sequencer_drift;
    const uint64_t margin = std::min(m_cfg.window_margin, m_rollup.seq_window_size / 4);
    const bool window_closing =
        m_rollup.window_end(origin.block.number) < m_l1_head + margin;

    execution::PayloadAttributes attrs = derivation::make_attributes(
        m_rollup, origin.block, origin.sequence_number, timestamp, deposits);
    execution::BlockBuilder builder{m_chain.state(), m_chain.spec(), head.header, head.hash,
                                    std::move(attrs), m_chain.block_hash_fn()};
    builder.set_l1_storage(m_chain.l1_storage());
    if (auto r = builder.apply_deposits(); !r)
        return unexpected("deposits: " + r.error().message);

    size_t included = 0;
    size_t deferred = 0;
    std::vector<Hash> dropped;
    if (!drifted && !window_closing)
    {
        auto best = m_pool.best(*builder.header().base_fee_per_gas);
        while (included < m_cfg.max_txs_per_block && builder.gas_left() >= 21'000)
        {
            PooledTxPtr ptx = best.next();
            if (!ptx)
                break;
            auto out = builder.add(ptx->txn, ptx->sender, ptx->raw);
            if (out)
            {
                ++included;
                continue;
            }
            best.mark_invalid(ptx->sender);
            switch (out.error())
            {
            case execution::TxRejection::kGasLimitAboveBlock:
            case execution::TxRejection::kNonceTooHigh:
                break;  // may fit a later block
            case execution::TxRejection::kL1Unavailable:
                // Its L1SLOAD could not reach L1: not invalid, not a revert. It stays in the
                // pool (with its sender's later txs) for a block after L1 answers again.
                spdlog::debug("sequencer: tx {} deferred: it calls L1SLOAD and L1 is unavailable",
                              to_0x_hex(ptx->hash.view()));
                ++deferred;
                break;
            default:
                spdlog::debug("sequencer: dropping tx {}: {}", to_0x_hex(ptx->hash.view()),
                              execution::to_string(out.error()));
                dropped.push_back(ptx->hash);
            }
        }
    }

    auto built = builder.seal();
    if (!built)
        return unexpected("sealing: " + built.error().message);
    const uint64_t number = built->block.header.number;
    const size_t tx_count = built->block.transactions.size();
    if (auto r = m_chain.append(*built); !r)
        return unexpected(r.error());
    m_origin = origin;
    m_origin_head = built->hash;
    // Once per outage, not once per block: the txs stay in the pool and are retried each block.
    if (deferred != 0 && !m_deferring_l1sload)
        spdlog::warn("sequencer: {} tx(s) deferred: they call L1SLOAD and L1 is unavailable; "
                     "they stay in the pool until it answers",
                     deferred);
    else if (deferred == 0 && m_deferring_l1sload)
        spdlog::info("sequencer: no tx deferred for L1SLOAD any more");
    m_deferring_l1sload = deferred != 0;
    if (!dropped.empty())
        m_pool.remove(dropped);
    m_pool.on_new_head();
    {
        std::lock_guard lock{m_status_mutex};
        m_status.l1_origin = origin.block.number;
        ++m_status.blocks_built;
        m_status.txs_included += included;
        m_status.txs_deferred_l1 += deferred;
        m_status.last_error.clear();
    }
    spdlog::info("sequencer: block {} txs={} deposits={} gas={} origin={}{}", number, tx_count,
                 tx_count - included, built->block.header.gas_used, origin.block.number,
                 drifted          ? " (drift: no user txs)"
                 : window_closing ? " (sequencing window closing: no user txs)"
                                  : "");
    return std::optional<uint64_t>{number};
}

}  // namespace l2::sequencer
