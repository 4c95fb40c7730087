#include "history_pruner.hpp"

#include <algorithm>
#include <charconv>

#include <spdlog/spdlog.h>

namespace l2::node {

HistoryPruner::HistoryPruner(state::KvStore& kv,
                             const state::BlockStore& blocks,
                             HistoryPrunerConfig cfg,
                             std::function<PruneHeads()> heads)
    : m_kv{kv}, m_blocks{blocks}, m_cfg{cfg}, m_heads{std::move(heads)}
{
    if (m_cfg.batch_blocks == 0)
        m_cfg.batch_blocks = 1;
    if (auto oldest = m_blocks.oldest_available(); oldest)
        m_oldest = *oldest;
}

HistoryPruner::~HistoryPruner()
{
    stop();
}

std::optional<uint64_t> HistoryPruner::prune_target(const PruneHeads& h, uint64_t keep_blocks)
{
    if (keep_blocks == 0 || h.head <= keep_blocks || h.finalized == 0)
        return std::nullopt;
    // Blocks head - keep_blocks .. head stay: the newest one to go is one below. The finalized
    // block itself stays too: derivation's reset walks back to it (reading its L1-info deposit).
    const uint64_t below_window = h.head - keep_blocks - 1;
    return std::min(below_window, h.finalized - 1);
}

Result<uint64_t, std::string> HistoryPruner::prune_step()
{
    const auto target = prune_target(m_heads(), m_cfg.keep_blocks);
    auto oldest = m_blocks.oldest_available();
    if (!oldest)
        return unexpected(oldest.error().message);
    m_oldest = *oldest;
    if (!target || *target < *oldest)
        return uint64_t{0};
    // Grow the batch height by height up to the op bound (a height's deletes are never split:
    // the oldest-available mark always names a whole height).
    const uint64_t last = std::min(*target, *oldest + m_cfg.batch_blocks - 1);
    state::WriteBatch batch;
    uint64_t to = *oldest;
    for (uint64_t n = *oldest;; ++n)
    {
        state::WriteBatch one;
        auto r = m_blocks.prune_history(one, n, n);
        if (!r)
            return unexpected(r.error().message);
        batch.append(std::move(one));
        to = n;
        if (n == last || batch.size() >= m_cfg.batch_max_ops)
            break;
    }
    // The mark of the last height added wins (a batch applies its ops in order).
    if (auto w = m_kv.write(batch); !w)
        return unexpected(w.error().message);
    const uint64_t pruned = to - *oldest + 1;
    m_oldest = to + 1;
    m_pruned += pruned;
    if (state_gc)
        state_gc(to);
    m_since_compact += pruned;
    const uint64_t every = m_cfg.compact_every != 0 ? m_cfg.compact_every
                                                    : std::max<uint64_t>(m_cfg.keep_blocks, 1024);
    // Only once caught up: while a backlog is pruned (pruning switched on for an old chain),
    // compacting the whole column every `every` blocks would rewrite the backlog again and again.
    if (compact && m_since_compact >= every && to == *target)
    {
        m_since_compact = 0;
        compact();
    }
    return pruned;
}

void HistoryPruner::start()
{
    if (m_thread.joinable() || m_cfg.keep_blocks == 0)
        return;
    {
        std::lock_guard lock{m_mutex};
        m_stop = false;
    }
    m_thread = std::thread{[this] { run(); }};
}

void HistoryPruner::stop()
{
    {
        std::lock_guard lock{m_mutex};
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void HistoryPruner::notify()
{
    {
        std::lock_guard lock{m_mutex};
        m_notified = true;
    }
    m_wake.notify_all();
}

std::string HistoryPruner::last_error() const
{
    std::lock_guard lock{m_mutex};
    return m_last_error;
}

void HistoryPruner::run()
{
    std::unique_lock lock{m_mutex};
    while (!m_stop)
    {
        lock.unlock();
        auto r = prune_step();
        lock.lock();
        if (!r)
        {
            if (r.error() != m_last_error)
                spdlog::warn("history pruning: {} (retrying)", r.error());
            m_last_error = r.error();
        }
        else
            m_last_error.clear();
        // Behind: next batch after a short pause; caught up (or failing): wait for the head.
        const auto pause = r && *r > 0 ? m_cfg.batch_pause : m_cfg.poll;
        m_wake.wait_for(lock, pause,
                        [this, &r] { return m_stop || (m_notified && !(r && *r > 0)); });
        m_notified = false;
    }
}

Result<uint64_t, std::string> parse_history_blocks(const std::string& text)
{
    if (text == "all")
        return uint64_t{0};
    uint64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc{} || p != end)
        return unexpected("history.blocks: expected a block count or \"all\", got \"" + text +
                          "\"");
    return v;
}

}  // namespace l2::node
