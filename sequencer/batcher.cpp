#include "batcher.hpp"

#include <algorithm>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include <derivation/channel.hpp>
#include <derivation/frame.hpp>
#include <execution/l1_info.hpp>
#include <txtypes/hex.hpp>

namespace l2::sequencer {

namespace {

/// The follower refuses channels above kMaxChannelSize; stay well clear of it.
constexpr size_t kChannelBytesCap = derivation::kMaxChannelSize / 10 * 9;

/// Estimated span-batch bytes of the batch header (type, first timestamp and origin, checks,
/// count) and per block (timestamp and origin deltas, tx count) and per tx (bit lists, varints).
constexpr size_t kBatchOverhead = 64;
constexpr size_t kBlockOverhead = 4;
constexpr size_t kTxOverhead = 2;

/// Blocks loaded ahead of posting: about two channels' worth.
constexpr size_t kLoadChannels = 2;

std::string ref_str(const state::BlockRef& r)
{
    return std::to_string(r.number) + " (" + to_0x_hex(r.hash.view()).substr(0, 10) + ")";
}

}  // namespace

Batcher::Batcher(const execution::Chain& chain, const derivation::RollupConfig& rollup,
                 BatchPoster& poster, BatcherConfig cfg)
  : m_chain{chain}, m_rollup{rollup}, m_poster{poster}, m_cfg{cfg}
{
    // Every frame must carry at least one data byte after the version byte of its tx.
    if (m_cfg.max_frame_size <= derivation::kFrameOverhead + 1)
        throw std::invalid_argument{"batcher: max_frame_size must exceed 24 bytes"};
    m_cfg.max_channel_bytes = std::clamp<size_t>(m_cfg.max_channel_bytes, 1, kChannelBytesCap);
    // A full channel must fit in 65,536 frames (derivation's frame number is a u16).
    const size_t per_frame = m_cfg.max_frame_size - derivation::kFrameOverhead;
    if (m_cfg.max_channel_bytes / per_frame >= 65'536 / 2)
        throw std::invalid_argument{"batcher: max_frame_size too small for max_channel_bytes"};
}

BatcherStatus Batcher::status() const
{
    std::lock_guard lock{m_status_mutex};
    return m_status;
}

void Batcher::fail(const std::string& error)
{
    std::lock_guard lock{m_status_mutex};
    m_status.last_error = error;
}

void Batcher::clear_pending() noexcept
{
    m_pending.clear();
    m_pending_size = 0;
}

void Batcher::set_posted(state::BlockRef ref)
{
    m_posted = ref;
    while (!m_pending.empty() && m_pending.front().ref.number <= ref.number)
    {
        m_pending_size -= m_pending.front().size;
        m_pending.pop_front();
    }
    // What is left must extend `ref`; anything else is reloaded from the chain.
    if (!m_pending.empty() && m_pending.front().parent_hash != ref.hash)
        clear_pending();
    std::lock_guard lock{m_status_mutex};
    m_status.posted_up_to = ref;
}

Result<void, std::string> Batcher::reconcile(uint64_t l1_head)
{
    auto safe_opt = m_chain.head_ref(state::Head::kSafe);
    if (!safe_opt)
        return unexpected(std::string{"batcher: reading the safe head failed"});
    state::BlockRef safe = *safe_opt;
    // Nothing at or below the L2 genesis is ever posted.
    if (safe.number < m_rollup.genesis_l2.number)
        safe = {m_rollup.genesis_l2.number, m_chain.canonical_hash(m_rollup.genesis_l2.number)};
    if (m_chain.canonical_hash(safe.number) != safe.hash)
        return unexpected("batcher: the safe head " + ref_str(safe) + " is not canonical");
    {
        std::lock_guard lock{m_status_mutex};
        m_status.safe_head = safe;
    }
    if (!m_posted)
    {
        spdlog::info("batcher: starting from the safe head {}", ref_str(safe));
        m_last_safe = safe;
        m_last_safe_move_l1 = l1_head;
        set_posted(safe);
        return {};
    }
    if (safe != m_last_safe)
    {
        m_last_safe = safe;
        m_last_safe_move_l1 = l1_head;
    }

    if (m_chain.canonical_hash(m_posted->number) != m_posted->hash)
    {
        // The unsafe chain was rewound (an L2 reorg) under what was posted: post the new chain.
        spdlog::warn("batcher: posted block {} is no longer canonical; posting again from the "
                     "safe head {}",
                     ref_str(*m_posted), ref_str(safe));
        m_poster.reset();  // its in-flight txs carry the old chain (and may sit behind a gap)
        m_in_flight.clear();
        clear_pending();
        set_posted(safe);
        return {};
    }
    while (!m_in_flight.empty() && m_in_flight.front().last_block <= safe.number)
        m_in_flight.pop_front();  // derived from L1: landed
    if (safe.number >= m_posted->number)
    {
        // Derived from L1 up to (or past) what was posted: nothing is in flight.
        if (safe.number > m_posted->number)
            set_posted(safe);
        return {};
    }
    // The oldest channel not yet derived from L1: lost when it has had resubmit_after_l1_blocks
    // L1 blocks to land (a dropped tx, an L1 reorg that took its block, a nonce gap behind it).
    const uint64_t since = m_in_flight.empty() ? std::max(m_last_post_l1, m_last_safe_move_l1)
                                               : m_in_flight.front().l1_head;
    if (m_cfg.resubmit_after_l1_blocks != 0 && l1_head > since &&
        l1_head - since > m_cfg.resubmit_after_l1_blocks)
    {
        spdlog::warn("batcher: safe head {} has not reached posted block {} {} L1 blocks after "
                     "it was posted (L1 head {}); the data is lost (L1 reorg or dropped tx), "
                     "posting again from the safe head",
                     ref_str(safe), ref_str(*m_posted), l1_head - since, l1_head);
        m_in_flight.clear();
        m_poster.reset();
        clear_pending();
        set_posted(safe);
        // The repost restarts the clock even if it fails now.
        m_last_post_l1 = l1_head;
        std::lock_guard lock{m_status_mutex};
        ++m_status.resubmits;
    }
    return {};
}

Result<void, std::string> Batcher::load_pending()
{
    if (!m_pending.empty() &&
        m_chain.canonical_hash(m_pending.back().ref.number) != m_pending.back().ref.hash)
        clear_pending();  // Rewound since it was loaded; reconcile() sees it on the next tick.
    const uint64_t head = m_chain.head().header.number;
    uint64_t next = m_pending.empty() ? m_posted->number + 1 : m_pending.back().ref.number + 1;
    Hash parent = m_pending.empty() ? m_posted->hash : m_pending.back().ref.hash;
    const size_t max_load = kLoadChannels * m_cfg.max_channel_bytes;
    for (; next <= head; ++next)
    {
        if (m_pending_size >= max_load || m_pending.size() >= derivation::kMaxSpanBatchBlocks)
            break;
        const Hash hash = m_chain.canonical_hash(next);
        if (hash == Hash{})
            break;  // The head moved back meanwhile.
        auto block = m_chain.blocks().block(next, hash);
        if (!block)
            return unexpected("batcher: reading block " + std::to_string(next) + " failed");
        if (!*block)
            return unexpected("batcher: block " + std::to_string(next) +
                              " has no body (pruned before it was posted?)");
        const txtypes::Block& b = **block;
        if (b.header.parent_hash != parent)
        {
            clear_pending();  // A rewind raced with this read; start over next tick.
            return {};
        }
        if (b.transactions.empty() || b.transactions[0].type != txtypes::TxType::kDeposit)
            return unexpected("batcher: block " + std::to_string(next) +
                              " does not start with the L1-info deposit");
        const auto info = execution::decode_l1_info_calldata(b.transactions[0].data);
        if (!info)
            return unexpected("batcher: block " + std::to_string(next) +
                              " has an undecodable L1-info deposit");
        Pending p;
        p.ref = {next, hash};
        p.parent_hash = b.header.parent_hash;
        p.l1_origin_hash = info->hash;
        p.block.timestamp = b.header.timestamp;
        p.block.l1_origin = info->number;
        for (const auto& txn : b.transactions)
        {
            if (txn.type == txtypes::TxType::kDeposit)
                continue;  // Deposits are regenerated from L1, never batched.
            p.block.txs.push_back(txtypes::encode_transaction(txn));
            p.raw_bytes += p.block.txs.back().size();
        }
        p.size = p.raw_bytes + kBlockOverhead + kTxOverhead * p.block.txs.size();
        m_pending_size += p.size;
        parent = hash;
        m_pending.push_back(std::move(p));
    }
    return {};
}

bool Batcher::due(uint64_t now_unix) const
{
    if (m_pending.empty())
        return false;
    if (m_pending.front().block.timestamp + m_cfg.max_delay <= now_unix)
        return true;
    if (m_pending_size >= m_cfg.max_channel_bytes)
        return true;
    // Enough to fill a frame, at the last channel's compression ratio.
    const size_t frame_data = m_cfg.max_frame_size - derivation::kFrameOverhead - 1;
    return (kBatchOverhead + m_pending_size) * m_ratio_permille / 1000 >= frame_data;
}

Result<size_t, std::string> Batcher::post_channel(uint64_t l1_head)
{
    // The blocks of this channel: as many as fit in max_channel_bytes (at least one).
    size_t count = 0;
    size_t estimate = kBatchOverhead;
    while (count < m_pending.size() && count < derivation::kMaxSpanBatchBlocks &&
           (count == 0 || estimate + m_pending[count].size <= m_cfg.max_channel_bytes))
        estimate += m_pending[count++].size;

    derivation::ChannelId id;
    for (size_t i = 0; i < id.size(); i += 4)
    {
        const auto r = m_random();
        for (size_t j = 0; j < 4; ++j)
            id[i + j] = static_cast<uint8_t>(r >> (8 * j));
    }
    derivation::ChannelOut channel{id, m_cfg.compression};
    for (;;)
    {
        derivation::SpanBatch batch;
        batch.parent_check = derivation::HashPrefix::of(m_pending.front().parent_hash);
        batch.l1_origin_check = derivation::HashPrefix::of(m_pending[count - 1].l1_origin_hash);
        batch.blocks.reserve(count);
        for (size_t i = 0; i < count; ++i)
            batch.blocks.push_back(m_pending[i].block);
        auto added = channel.add_batch(batch);
        if (added)
            break;
        if (added.error().code == derivation::BatchErrc::kTooLarge && count > 1)
        {
            count /= 2;  // The estimate was far off: take fewer blocks.
            continue;
        }
        return unexpected("batcher: encoding blocks " + std::to_string(m_pending[0].ref.number) +
                          ".." + std::to_string(m_pending[count - 1].ref.number) + ": " +
                          added.error().message());
    }

    std::vector<derivation::Frame> frames;
    try
    {
        frames = channel.output_frames(m_cfg.max_frame_size);
    }
    catch (const std::invalid_argument& e)
    {
        return unexpected(std::string{"batcher: "} + e.what());
    }
    const auto& first = m_pending.front().ref;
    const auto& last = m_pending[count - 1].ref;
    const std::string id_hex = to_hex(id.view());
    for (size_t i = 0; i < frames.size(); ++i)
    {
        const Bytes calldata = derivation::encode_calldata({&frames[i], 1});
        auto h = m_poster.post(calldata);
        if (!h)
            return unexpected("batcher: posting frame " + std::to_string(i + 1) + "/" +
                              std::to_string(frames.size()) + " of channel " + id_hex +
                              " (blocks " + std::to_string(first.number) + ".." +
                              std::to_string(last.number) + "): " + h.error());
        spdlog::debug("batcher: channel {} frame {}/{} ({} bytes) in L1 tx {}", id_hex, i + 1,
                      frames.size(), calldata.size(), to_0x_hex(h->view()));
        m_last_post_l1 = l1_head;
        std::lock_guard lock{m_status_mutex};
        ++m_status.frames_posted;
        m_status.bytes_posted += calldata.size();
        m_status.l1_head_at_last_post = l1_head;
    }

    size_t txs = 0;
    for (size_t i = 0; i < count; ++i)
        txs += m_pending[i].block.txs.size();
    const size_t raw = channel.input_bytes();
    const size_t compressed = channel.compressed().size();
    m_ratio_permille = std::max<uint64_t>(1, compressed * 1000 / std::max<size_t>(raw, 1));
    spdlog::info("batcher: posted channel {}: blocks {}..{} ({} blocks, {} txs), {} bytes raw, "
                 "{} compressed, {} frame(s)",
                 id_hex, first.number, last.number, count, txs, raw, compressed, frames.size());
    {
        std::lock_guard lock{m_status_mutex};
        ++m_status.channels_posted;
        m_status.blocks_posted += count;
        m_status.txs_posted += txs;
    }
    m_in_flight.push_back({last.number, l1_head});
    set_posted(last);
    return frames.size();
}

Result<size_t, std::string> Batcher::tick(uint64_t l1_head, uint64_t now_unix)
{
    m_poster.poll();
    if (auto r = reconcile(l1_head); !r)
    {
        fail(r.error());
        return unexpected(r.error());
    }
    size_t sent = 0;
    for (;;)
    {
        if (auto r = load_pending(); !r)
        {
            fail(r.error());
            return unexpected(r.error());
        }
        // A block whose L1 origin's sequencing window closes before a batch sent now can land
        // is left to derivation, which derives it without a batch (the sequencer built it with
        // no user txs, so both agree); posting it would void the rest of its span batch.
        size_t expired = 0;
        while (!m_pending.empty() &&
               m_rollup.window_end(m_pending.front().block.l1_origin) <= l1_head)
        {
            set_posted(m_pending.front().ref);
            ++expired;
        }
        if (expired > 0)
            spdlog::info("batcher: {} blocks up to {} are past their sequencing window; left to "
                         "derivation",
                         expired, m_posted->number);
        if (!due(now_unix))
            break;
        auto r = post_channel(l1_head);
        if (!r)
        {
            fail(r.error());
            return unexpected(r.error());
        }
        sent += *r;
    }
    fail({});
    return sent;
}

}  // namespace l2::sequencer
