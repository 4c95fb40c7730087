#pragma once
/// History pruning (issue 9, DESIGN.md "History pruning"): a background thread that deletes the
/// bodies, receipts and tx-index entries of blocks older than the window (`history.blocks`),
/// in bounded batches, each one atomic KvStore write (BlockStore::prune_history), so block
/// production never waits on it and a crash (kill -9) leaves either a whole batch or none.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <state/block_store.hpp>
#include <state/kv_store.hpp>
#include <txtypes/result.hpp>

namespace l2::node {

struct HistoryPrunerConfig
{
    /// Blocks of history kept below the head (`history.blocks`): block `head - keep_blocks` and
    /// newer stay complete. 0 = keep everything (the pruner never deletes).
    uint64_t keep_blocks = 0;
    /// Heights per batch (one atomic write each).
    uint64_t batch_blocks = 256;
    /// A batch also stops growing after this many deletes (blocks with many txs).
    size_t batch_max_ops = 32'768;
    /// Pause between batches while behind (lets block production and RPC have the disk).
    std::chrono::milliseconds batch_pause{10};
    /// How often the thread looks at the heads when nobody calls notify().
    std::chrono::milliseconds poll{500};
    /// Call `compact` after this many heights pruned since the last call (0: keep_blocks, at
    /// least 1024), once the pruner has caught up with its target. The pruned columns' live data is
    /// about one window, so compacting once per window's worth of pruning rewrites each live byte
    /// about once more: amortized O(1) per block, and the deleted bodies leave the disk instead of
    /// waiting for RocksDB to reach them.
    uint64_t compact_every = 0;
};

/// The chain heads the pruner needs, read when it wakes.
struct PruneHeads
{
    uint64_t head = 0;       ///< the unsafe head
    uint64_t finalized = 0;  ///< the finalized head (no reorg reaches it or below)
};

class HistoryPruner
{
public:
    /// `heads` is called from the pruner thread; `kv` and `blocks` are the chain's store.
    HistoryPruner(state::KvStore& kv,
                  const state::BlockStore& blocks,
                  HistoryPrunerConfig cfg,
                  std::function<PruneHeads()> heads);
    ~HistoryPruner();
    HistoryPruner(const HistoryPruner&) = delete;
    HistoryPruner& operator=(const HistoryPruner&) = delete;

    /// The newest block that may lose its history: min(finalized - 1, head - keep_blocks - 1),
    /// or nothing while the chain is shorter than the window, nothing is finalized or
    /// keep_blocks is 0. The finalized block and everything above it are never pruned: a reorg
    /// (rewind) may still need them, the batcher posts them from their bodies, and derivation
    /// re-reads the safe block's L1-info deposit, walking back as far as the finalized block.
    static std::optional<uint64_t> prune_target(const PruneHeads& h, uint64_t keep_blocks);

    /// Called after each batch with the highest block whose history is now gone (at most
    /// min(finalized - 1, head - N - 1)); the trie GC (StateDb::collect_garbage) hooks in here. Set
    /// it before start(). Runs on the pruner thread.
    std::function<void(uint64_t up_to_block)> state_gc;

    /// Compacts the pruned columns (bodies, receipts, tx index) so their space is reclaimed;
    /// called on the pruner thread every `compact_every` pruned heights. Optional.
    std::function<void()> compact;

    /// Starts the thread (no-op when keep_blocks is 0: nothing is pruned, state_gc never runs).
    void start();
    /// Stops and joins it (idempotent); an unfinished range continues at the next start.
    void stop();
    /// The head moved: wake up now rather than at the next poll.
    void notify();

    /// One batch, synchronously (the thread's step; tests): prunes up to batch_blocks heights
    /// from the oldest available block toward the target. Returns the number of heights
    /// pruned (0: nothing to do) or a storage error.
    Result<uint64_t, std::string> prune_step();

    /// The oldest block with its body (BlockStore::oldest_available), as last read or written.
    uint64_t oldest_block() const noexcept { return m_oldest.load(); }
    /// Heights pruned since this process started.
    uint64_t pruned_blocks() const noexcept { return m_pruned.load(); }
    /// The last batch's error, empty after a good one.
    std::string last_error() const;

private:
    void run();

    state::KvStore& m_kv;
    const state::BlockStore& m_blocks;
    HistoryPrunerConfig m_cfg;
    std::function<PruneHeads()> m_heads;
    std::atomic<uint64_t> m_oldest{0};
    std::atomic<uint64_t> m_pruned{0};
    uint64_t m_since_compact = 0;
    mutable std::mutex m_mutex;  ///< m_last_error, the wake-up
    std::condition_variable m_wake;
    bool m_stop = false;
    bool m_notified = false;
    std::string m_last_error;
    std::thread m_thread;
};

/// Parses `history.blocks` as given on the command line or in the config: a decimal block
/// count, or "all" (= 0, keep everything).
Result<uint64_t, std::string> parse_history_blocks(const std::string& text);

}  // namespace l2::node
