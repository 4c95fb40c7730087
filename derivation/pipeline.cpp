#include "pipeline.hpp"

#include <algorithm>
#include <atomic>

#include <spdlog/spdlog.h>

#include <execution/l1_info.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/worker_pool.hpp>

#include "attributes.hpp"
#include "deposits.hpp"
#include "frame.hpp"

namespace l2::derivation {

namespace {

/// L1 blocks kept behind the cursor for finding a reorg's common ancestor.
constexpr uint64_t kReorgLookback = 64;

std::string hex(const Hash& h)
{
    return to_0x_hex(h.view());
}

}  // namespace

Pipeline::Pipeline(execution::Chain& chain,
                   const RollupConfig& cfg,
                   l1client::L1Source& l1,
                   unsigned recovery_threads)
  : m_chain{chain},
    m_cfg{cfg},
    m_l1{l1},
    m_bank{cfg.channel_timeout},
    m_workers{std::make_unique<WorkerPool>(recovery_threads)}
{}

Pipeline::~Pipeline() = default;

PipelineStatus Pipeline::status() const
{
    std::lock_guard lock{m_status_mutex};
    return m_status;
}

Result<Pipeline::Safe, std::string> Pipeline::load_safe(const state::BlockRef& ref) const
{
    auto header = m_chain.blocks().header(ref.number, ref.hash);
    if (!header || !*header)
        return unexpected("safe block " + std::to_string(ref.number) + " missing");
    Safe s;
    s.ref = ref;
    s.timestamp = (*header)->timestamp;
    if (ref.number <= m_cfg.genesis_l2.number)
    {
        s.epoch = {m_cfg.genesis_l1.number, m_cfg.genesis_l1.hash, 0};
        return s;
    }
    auto block = m_chain.blocks().block(ref.number, ref.hash);
    if (!block || !*block || (*block)->transactions.empty())
        return unexpected("body of block " + std::to_string(ref.number) + " missing");
    auto info = execution::decode_l1_info_calldata((*block)->transactions[0].data);
    if (!info)
        return unexpected("block " + std::to_string(ref.number) + " has no L1-info transaction");
    s.epoch = {info->number, info->hash, info->sequence_number};
    return s;
}

Result<void, std::string> Pipeline::reset()
{
    auto ref = m_chain.head_ref(state::Head::kSafe);
    if (!ref)
        return unexpected(std::string{"database: no safe head"});
    auto safe = load_safe(*ref);
    if (!safe)
        return unexpected(safe.error());
    // An L1 reorg (while running or while the node was down) may have removed the epochs of the
    // newest safe blocks: walk back to one whose epoch is still canonical.
    bool moved = false;
    while (safe->ref.number > m_cfg.genesis_l2.number)
    {
        auto l1b = m_l1.block_by_number(l1client::BlockTag{safe->epoch.number}, false);
        if (!l1b)
            return unexpected("L1: " + l1b.error().to_string());
        if (*l1b && (*l1b)->hash == safe->epoch.hash)
            break;
        const uint64_t parent = safe->ref.number - 1;
        safe = load_safe({parent, m_chain.canonical_hash(parent)});
        if (!safe)
            return unexpected(safe.error());
        moved = true;
    }
    if (moved)
    {
        spdlog::warn("derivation: L1 no longer holds the epoch of the safe head; safe head back "
                     "to {} (epoch {})",
                     safe->ref.number, safe->epoch.number);
        if (auto r = m_chain.set_heads(safe->ref, std::nullopt); !r)
            return unexpected(r.error());
    }
    m_safe = *safe;
    m_blocks.clear();
    m_bank.reset();
    m_spans.clear();
    // A batch for a block after the safe head lands no earlier than that block's origin (>= the
    // safe epoch); its channel opened at most channel_timeout blocks before.
    const uint64_t epoch = m_safe.epoch.number;
    m_next = std::max(m_cfg.genesis_l1.number, epoch - std::min(epoch, m_cfg.channel_timeout));
    m_ready = true;
    spdlog::info("derivation: from safe block {} (epoch {}), reading L1 from block {}",
                 m_safe.ref.number, epoch, m_next);
    return {};
}

Result<bool, std::string> Pipeline::advance_l1(uint64_t number)
{
    auto fetched = m_l1.block_by_number(l1client::BlockTag{number}, true);
    if (!fetched)
        return unexpected("L1: " + fetched.error().to_string());
    if (!*fetched)
        return false;
    l1client::L1Block& block = **fetched;
    if (!m_blocks.empty() && block.parent_hash != m_blocks.rbegin()->second.block.hash)
    {
        if (auto r = handle_l1_reorg(); !r)
            return unexpected(r.error());
        return true;
    }

    // Deposits first: a failure here leaves no trace of the block.
    l1client::LogFilter filter;
    filter.block_hash = block.hash;
    filter.addresses = {m_cfg.deposit_portal};
    filter.topics = {{transaction_deposited_topic()}};
    auto logs = m_l1.logs(filter);
    if (!logs)
        return unexpected("L1 logs of block " + std::to_string(number) + ": " +
                          logs.error().to_string());
    auto deposits = deposits_from_logs(*logs, m_cfg.deposit_portal);
    if (!deposits)
        return unexpected("L1 deposits of block " + std::to_string(number) + ": " +
                          deposits.error().message);

    read_batcher_txs(block);
    block.transactions.clear();
    m_blocks[number] = L1Entry{block, std::move(*deposits)};
    m_next = number + 1;

    while (auto ready = m_bank.next_ready(number))
    {
        auto batches = decode_channel(ready->data);
        if (!batches)
        {
            spdlog::warn("derivation: dropping channel {} completed in L1 block {}: {}",
                         to_hex(ready->id.view()), number, batches.error().message());
            continue;
        }
        for (SpanBatch& span : *batches)
        {
            // The last block's origin must be the canonical L1 block of that number.
            const uint64_t origin = span.blocks.back().l1_origin;
            auto it = m_blocks.find(origin);
            if (it == m_blocks.end() || HashPrefix::of(it->second.block.hash) != span.l1_origin_check)
            {
                spdlog::warn("derivation: dropping a batch of L1 block {}: its L1 origin {} is "
                             "not the canonical one",
                             number, origin);
                std::lock_guard lock{m_status_mutex};
                ++m_status.batches_dropped;
                continue;
            }
            m_spans.push_back(PendingSpan{std::move(span), number});
        }
    }
    return true;
}

void Pipeline::read_batcher_txs(const l1client::L1Block& block)
{
    for (const l1client::L1Tx& tx : block.transactions)
    {
        if (!tx.to || *tx.to != m_cfg.batch_inbox)
            continue;
        if (tx.from != m_cfg.batcher)
        {
            spdlog::info("derivation: ignoring inbox tx {} in L1 block {} from {}: not the batcher",
                         hex(tx.hash), block.number, to_0x_hex(tx.from.view()));
            std::lock_guard lock{m_status_mutex};
            ++m_status.txs_ignored;
            continue;
        }
        auto frames = parse_calldata(tx.input);
        if (!frames)
        {
            spdlog::warn("derivation: ignoring batcher tx {} in L1 block {}: {}", hex(tx.hash),
                         block.number, to_string(frames.error()));
            std::lock_guard lock{m_status_mutex};
            ++m_status.txs_ignored;
            continue;
        }
        for (Frame& f : *frames)
        {
            const auto outcome = m_bank.add_frame(std::move(f), block.number);
            if (outcome != FrameOutcome::kAdded)
                spdlog::debug("derivation: frame of tx {} not added ({})", hex(tx.hash),
                              static_cast<int>(outcome));
        }
    }
}

Result<void, std::string> Pipeline::handle_l1_reorg()
{
    // The newest L1 block we read that is still canonical.
    std::optional<uint64_t> ancestor;
    for (auto it = m_blocks.rbegin(); it != m_blocks.rend(); ++it)
    {
        auto b = m_l1.block_by_number(l1client::BlockTag{it->first}, false);
        if (!b)
            return unexpected("L1: " + b.error().to_string());
        if (*b && (*b)->hash == it->second.block.hash)
        {
            ancestor = it->first;
            break;
        }
    }
    {
        std::lock_guard lock{m_status_mutex};
        ++m_status.l1_reorgs;
    }
    if (!ancestor)
    {
        // Deeper than the blocks kept: reset() walks the safe head back to a canonical epoch.
        spdlog::warn("derivation: L1 reorg deeper than {} blocks; restarting from L1",
                     m_blocks.size());
        m_derived_from.clear();
        m_ready = false;
        return reset();
    }
    // Safe blocks derived from L1 data above the ancestor are no longer safe. Blocks derived
    // before this run have no record: their batch landed within the window of their epoch.
    const uint64_t a = *ancestor;
    Safe s = m_safe;
    while (s.ref.number > m_cfg.genesis_l2.number)
    {
        auto df = m_derived_from.find(s.ref.number);
        const uint64_t from = df != m_derived_from.end() ? df->second
                                                          : m_cfg.window_end(s.epoch.number);
        if (from <= a && s.epoch.number <= a)
            break;
        const uint64_t parent = s.ref.number - 1;
        auto p = load_safe({parent, m_chain.canonical_hash(parent)});
        if (!p)
            return unexpected(p.error());
        s = *p;
    }
    spdlog::warn("derivation: L1 reorg below block {} (common ancestor {}); safe head {} -> {}",
                 m_blocks.rbegin()->first, a,
                 m_safe.ref.number, s.ref.number);
    for (auto it = m_derived_from.upper_bound(s.ref.number); it != m_derived_from.end();)
        it = m_derived_from.erase(it);
    if (s.ref != m_safe.ref)
    {
        if (auto r = m_chain.set_heads(s.ref, std::nullopt); !r)
            return unexpected(r.error());
    }
    m_ready = false;
    return reset();
}

std::optional<std::string> Pipeline::check_block(const BatchBlock& b, uint64_t inclusion) const
{
    const uint64_t epoch = m_safe.epoch.number;
    if (b.l1_origin != epoch && b.l1_origin != epoch + 1)
        return "L1 origin " + std::to_string(b.l1_origin) + " is neither the parent's epoch " +
               std::to_string(epoch) + " nor the next L1 block";
    if (b.l1_origin > inclusion)
        return "L1 origin " + std::to_string(b.l1_origin) + " is newer than the batch's L1 block";
    if (inclusion > m_cfg.window_end(b.l1_origin))
        return "landed in L1 block " + std::to_string(inclusion) +
               ", after the sequencing window of its origin " + std::to_string(b.l1_origin);
    auto it = m_blocks.find(b.l1_origin);
    if (it == m_blocks.end())
        return "L1 origin " + std::to_string(b.l1_origin) + " not read";
    if (b.l1_origin == epoch && it->second.block.hash != m_safe.epoch.hash)
        return std::string{"the parent's epoch is not canonical"};
    if (b.timestamp < it->second.block.timestamp)
        return "timestamp " + std::to_string(b.timestamp) + " before its L1 origin's";
    if (b.timestamp > it->second.block.timestamp + m_cfg.max_sequencer_drift && !b.txs.empty())
        return std::string{"transactions in a block past the max sequencer drift"};
    return std::nullopt;
}

std::optional<Pipeline::Candidate> Pipeline::batch_candidate()
{
    const uint64_t bt = m_cfg.block_time;
    const uint64_t next_ts = m_safe.timestamp + bt;
    for (size_t pos = 0; pos < m_spans.size();)
    {
        PendingSpan& p = m_spans[pos];
        const auto& blocks = p.span.blocks;
        auto drop = [&](const std::string& why) {
            spdlog::warn("derivation: dropping the batch of L1 block {} at L2 time {}: {}",
                         p.inclusion, blocks[std::min(p.next, blocks.size() - 1)].timestamp, why);
            std::lock_guard lock{m_status_mutex};
            ++m_status.batches_dropped;
            m_spans.erase(m_spans.begin() + static_cast<std::ptrdiff_t>(pos));
        };
        if (!p.parent_checked)
        {
            const uint64_t ts0 = blocks[0].timestamp;
            if (ts0 > next_ts)
            {
                ++pos;  // a future batch: wait for its parent
                continue;
            }
            if (ts0 <= m_cfg.genesis_l2_time || (ts0 - m_cfg.genesis_l2_time) % bt != 0)
            {
                drop("timestamp not on the block grid");
                continue;
            }
            const uint64_t parent =
                m_cfg.genesis_l2.number + (ts0 - m_cfg.genesis_l2_time) / bt - 1;
            if (HashPrefix::of(m_chain.canonical_hash(parent)) != p.span.parent_check)
            {
                drop("parent check does not match block " + std::to_string(parent));
                continue;
            }
            p.parent_checked = true;
        }
        while (p.next < blocks.size() && blocks[p.next].timestamp < next_ts)
            ++p.next;  // already derived
        if (p.next == blocks.size())
        {
            m_spans.erase(m_spans.begin() + static_cast<std::ptrdiff_t>(pos));
            continue;
        }
        const BatchBlock& b = blocks[p.next];
        if (b.timestamp != next_ts)
        {
            drop("timestamps leave a gap");
            continue;
        }
        if (auto why = check_block(b, p.inclusion))
        {
            drop(*why);
            continue;
        }
        const L1Entry& origin = m_blocks.at(b.l1_origin);
        Candidate c;
        c.span_pos = pos;
        c.epoch = {b.l1_origin, origin.block.hash,
                   b.l1_origin == m_safe.epoch.number ? m_safe.epoch.sequence_number + 1 : 0};
        c.attrs = make_attributes(m_cfg, origin.block, c.epoch.sequence_number, next_ts,
                                  origin.deposits);
        bool bad = false;
        c.txs.reserve(b.txs.size());
        c.raw.reserve(b.txs.size());
        for (const Bytes& raw : b.txs)
        {
            auto txn = txtypes::decode_transaction(raw);
            if (!txn)
            {
                bad = true;
                break;
            }
            c.txs.push_back(std::move(*txn));
            c.raw.push_back(raw);
        }
        if (bad)
        {
            drop("an undecodable transaction");
            continue;
        }
        // A block the node already holds (the sequencer's own, re-derived to become safe) only
        // moves the safe head: equal txs carry equal signatures, which were checked when the
        // block was built. Any other block is executed and needs its senders.
        check_stored(c);
        if (c.stored)
        {
            std::lock_guard lock{m_status_mutex};
            m_status.txs_recovery_skipped += c.txs.size();
        }
        else if (!recover_senders(c))
        {
            drop("a transaction with an invalid signature");
            continue;
        }
        return c;
    }
    return std::nullopt;
}

Pipeline::Candidate Pipeline::default_candidate() const
{
    const uint64_t next_ts = m_safe.timestamp + m_cfg.block_time;
    Candidate c;
    auto next = m_blocks.find(m_safe.epoch.number + 1);
    const L1Entry* origin = nullptr;
    if (next != m_blocks.end() && next->second.block.timestamp <= next_ts)
    {
        origin = &next->second;
        c.epoch = {next->first, origin->block.hash, 0};
    }
    else
    {
        origin = &m_blocks.at(m_safe.epoch.number);
        c.epoch = {m_safe.epoch.number, m_safe.epoch.hash, m_safe.epoch.sequence_number + 1};
    }
    c.attrs = make_attributes(m_cfg, origin->block, c.epoch.sequence_number, next_ts,
                              origin->deposits);
    return c;
}

void Pipeline::check_stored(Candidate& c) const
{
    c.stored_checked = true;
    c.stored.reset();
    const uint64_t number = m_safe.ref.number + 1;
    if (m_chain.head().header.number < number)
        return;
    const Hash hash = m_chain.canonical_hash(number);
    auto stored = m_chain.blocks().block(number, hash);
    if (stored && *stored && matches_stored(c, **stored))
        c.stored = hash;
}

bool Pipeline::recover_senders(Candidate& c)
{
    c.senders.assign(c.txs.size(), Address{});
    std::atomic<bool> bad{false};
    m_workers->parallel_for(c.txs.size(), [&](size_t i) {
        if (bad.load(std::memory_order_relaxed))
            return;
        auto sender = txtypes::recover_sender(c.txs[i]);
        if (sender)
            c.senders[i] = *sender;
        else
            bad = true;
    });
    return !bad;
}

bool Pipeline::matches_stored(const Candidate& c, const txtypes::Block& stored) const
{
    const auto& h = stored.header;
    if (h.timestamp != c.attrs.timestamp || h.mix_hash != c.attrs.prev_randao ||
        h.beneficiary != c.attrs.fee_recipient ||
        stored.transactions.size() != c.attrs.deposits.size() + c.txs.size())
        return false;
    size_t i = 0;
    for (const auto& d : c.attrs.deposits)
        if (!(stored.transactions[i++] == d))
            return false;
    for (const auto& t : c.txs)
        if (!(stored.transactions[i++] == t))
            return false;
    return true;
}

Result<bool, std::string> Pipeline::apply(Candidate& c, bool from_batch)
{
    const uint64_t number = m_safe.ref.number + 1;
    if (!c.stored_checked)
        check_stored(c);  // default candidates (batch candidates were checked when made)
    if (m_chain.head().header.number >= number)
    {
        if (c.stored)
        {
            const state::BlockRef ref{number, *c.stored};
            if (auto r = m_chain.set_heads(ref, std::nullopt); !r)
                return unexpected(r.error());
            m_safe = {ref, c.attrs.timestamp, c.epoch};
            m_derived_from[number] = m_next - 1;
            std::lock_guard lock{m_status_mutex};
            ++m_status.blocks_consolidated;
            return true;
        }
        auto removed = m_chain.rewind_to(m_safe.ref.number);
        if (!removed)
            return unexpected("rewinding the unsafe chain: " + removed.error());
        spdlog::warn("derivation: L1 derives a different block {}: the unsafe chain is rewound "
                     "to {} ({} blocks replaced)",
                     number, m_safe.ref.number, removed->size());
        {
            std::lock_guard lock{m_status_mutex};
            ++m_status.l2_reorgs;
        }
        if (m_on_rewind)
            m_on_rewind(std::move(*removed));
    }

    // Senders were skipped only for a block equal to the stored one, which returned above.
    if (c.senders.size() != c.txs.size() && !recover_senders(c))
        return false;
    const execution::ChainHead parent = m_chain.head();
    execution::BlockBuilder builder{m_chain.state(), m_chain.spec(), parent.header, parent.hash,
                                    std::move(c.attrs), m_chain.block_hash_fn()};
    builder.set_l1_storage(m_chain.l1_storage());
    if (auto r = builder.apply_deposits(); !r)
        return unexpected("deposits of block " + std::to_string(number) + ": " +
                          r.error().message);
    for (size_t i = 0; i < c.txs.size(); ++i)
    {
        if (auto r = builder.add(c.txs[i], c.senders[i], c.raw[i]); !r)
        {
            // Not the batch's fault: nothing is dropped, the block is derived again once L1
            // answers (step() retries the pending derivation first).
            if (r.error() == execution::TxRejection::kL1Unavailable)
                return unexpected("block " + std::to_string(number) + ": batch tx " +
                                  std::to_string(i) +
                                  " calls L1SLOAD and L1 is unavailable; retrying");
            spdlog::warn("derivation: batch tx {} of block {} does not execute: {}", i, number,
                         execution::to_string(r.error()));
            return false;
        }
    }
    auto built = builder.seal();
    if (!built)
        return unexpected("sealing block " + std::to_string(number) + ": " +
                          built.error().message);
    const state::BlockRef ref{number, built->hash};
    if (auto r = m_chain.append(*built, ref); !r)
        return unexpected(r.error());
    m_safe = {ref, built->block.header.timestamp, c.epoch};
    m_derived_from[number] = m_next - 1;
    std::lock_guard lock{m_status_mutex};
    ++m_status.blocks_derived;
    if (!from_batch)
        ++m_status.default_blocks;
    return true;
}

Result<uint64_t, std::string> Pipeline::derive()
{
    const uint64_t cursor = m_next - 1;
    if (m_blocks.empty() || cursor < m_safe.epoch.number)
        return uint64_t{0};
    uint64_t made = 0;
    for (;;)
    {
        auto c = batch_candidate();
        const bool from_batch = c.has_value();
        if (!c)
        {
            // No batch for the next block: past the sequencing window of the parent's epoch
            // the pipeline derives it itself.
            if (cursor <= m_cfg.window_end(m_safe.epoch.number))
                break;
            c = default_candidate();
            spdlog::info("derivation: no batch for L2 block {} by L1 block {} (epoch {} + window "
                         "{}): deriving it from L1 alone",
                         m_safe.ref.number + 1, cursor, m_safe.epoch.number,
                         m_cfg.seq_window_size);
        }
        const size_t pos = c->span_pos;
        auto ok = apply(*c, from_batch);
        if (!ok)
            return unexpected(ok.error());
        if (from_batch)
        {
            PendingSpan& p = m_spans[pos];
            if (!*ok || ++p.next == p.span.blocks.size())
            {
                if (!*ok)
                {
                    std::lock_guard lock{m_status_mutex};
                    ++m_status.batches_dropped;
                }
                m_spans.erase(m_spans.begin() + static_cast<std::ptrdiff_t>(pos));
            }
            if (!*ok)
                continue;
        }
        ++made;
    }
    return made;
}

void Pipeline::update_finalized()
{
    auto fin = m_l1.block_by_number(l1client::BlockTag::finalized(), false);
    if (!fin || !*fin)
        return;
    const uint64_t l1_final = (*fin)->number;
    {
        std::lock_guard lock{m_status_mutex};
        m_status.l1_finalized = l1_final;
    }
    // The newest safe block derived from finalized L1 data.
    std::optional<uint64_t> l2;
    for (const auto& [number, from] : m_derived_from)
    {
        if (from > l1_final || number > m_safe.ref.number)
            break;
        l2 = number;
    }
    const auto current = m_chain.head_ref(state::Head::kFinalized);
    if (!l2 || (current && current->number >= *l2))
        return;
    const state::BlockRef ref{*l2, m_chain.canonical_hash(*l2)};
    if (m_chain.set_heads(std::nullopt, ref))
        m_derived_from.erase(m_derived_from.begin(), m_derived_from.find(*l2));
}

void Pipeline::prune()
{
    if (m_blocks.empty())
        return;
    const uint64_t cursor = m_blocks.rbegin()->first;
    const uint64_t keep =
        std::min(m_safe.epoch.number, cursor > kReorgLookback ? cursor - kReorgLookback : 0);
    m_blocks.erase(m_blocks.begin(), m_blocks.lower_bound(keep));
}

Result<StepResult, std::string> Pipeline::step(uint64_t max_l1_blocks)
{
    StepResult out;
    auto fail = [&](std::string e) -> Result<StepResult, std::string> {
        std::lock_guard lock{m_status_mutex};
        m_status.last_error = e;
        return unexpected(std::move(e));
    };
    if (!m_ready)
        if (auto r = reset(); !r)
            return fail(r.error());
    auto head = m_l1.block_number();
    if (!head)
        return fail("L1: " + head.error().to_string());
    if (m_derive_pending)
    {
        // The last derivation stopped on an error (an L1SLOAD without L1): the L1 blocks it
        // had read are in already, so derive again before reading more.
        auto made = derive();
        if (!made)
            return fail(made.error());
        m_derive_pending = false;
        out.l2_blocks += *made;
    }
    while (out.l1_blocks < max_l1_blocks && m_next <= *head)
    {
        auto adv = advance_l1(m_next);
        if (!adv)
            return fail(adv.error());
        if (!*adv)
            break;
        ++out.l1_blocks;
        auto made = derive();
        if (!made)
        {
            m_derive_pending = true;
            return fail(made.error());
        }
        out.l2_blocks += *made;
    }
    if (m_next > *head && !m_blocks.empty())
    {
        // Caught up: a reorg that shortened L1 shows as a different block at the cursor.
        auto tip = m_l1.block_by_number(l1client::BlockTag{m_next - 1}, false);
        if (!tip)
            return fail("L1: " + tip.error().to_string());
        if (!*tip || (*tip)->hash != m_blocks.rbegin()->second.block.hash)
        {
            if (auto r = handle_l1_reorg(); !r)
                return fail(r.error());
        }
        else
            out.caught_up = true;
    }
    update_finalized();
    prune();
    std::lock_guard lock{m_status_mutex};
    m_status.l1_cursor = m_next - 1;
    m_status.l1_head = *head;
    m_status.safe = m_safe.ref;
    if (auto f = m_chain.head_ref(state::Head::kFinalized))
        m_status.finalized = *f;
    m_status.last_error.clear();
    return out;
}

}  // namespace l2::derivation
