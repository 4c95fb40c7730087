#pragma once
/// Block production: every block time, picks the L1 origin (confirmation depth, max drift),
/// builds the payload attributes (L1-info deposit, the epoch's deposits in its first block),
/// fills the block from the mempool by tip and commits it. One thread calls tick(); admin
/// start/stop and status may come from others.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include <derivation/rollup_config.hpp>
#include <execution/chain.hpp>
#include <l1client/l1_source.hpp>

#include "mempool.hpp"

namespace l2::sequencer {

struct SequencerConfig
{
    size_t max_txs_per_block = 50'000;
    /// A block whose L1 origin's sequencing window closes within this many L1 blocks (at most a
    /// quarter of the window) of the L1 head gets no user transactions: its batch could land too late, and it then equals the
    /// block derivation makes itself (docs/spec/derivation.md "Sequencer downtime").
    uint64_t window_margin = 8;
};

struct SequencerStatus
{
    bool active = false;
    uint64_t head = 0;
    uint64_t l1_origin = 0;
    uint64_t l1_head = 0;  ///< the newest L1 block seen
    uint64_t blocks_built = 0;
    uint64_t txs_included = 0;
    uint64_t txs_deferred_l1 = 0;  ///< txs left in the pool because their L1SLOAD had no L1
    std::string last_error;  ///< the last L1 or build error (empty when fine)
};

class Sequencer
{
public:
    Sequencer(execution::Chain& chain, const derivation::RollupConfig& rollup,
              l1client::L1Source& l1, Mempool& pool, SequencerConfig cfg = {});

    /// Builds the next block when its timestamp (head time + block time) is <= the clock: `now`
    /// (unix seconds), or the newest L1 block's timestamp when L1 is ahead of it (a devnet L1
    /// fast-forwarded with anvil_mine; L2 time never lags L1 time). Returns the new block number, nothing when it is not time yet (or stopped), or
    /// an error (L1 unreachable beyond the drift, storage failure): the caller logs and retries.
    Result<std::optional<uint64_t>, std::string> tick(uint64_t now);

    /// Seconds until the next block is due at `now` (0 = due).
    uint64_t seconds_until_next(uint64_t now) const;

    /// Where the clock for block timestamps stands at wall-clock `now`.
    uint64_t clock(uint64_t now) const noexcept;

    /// admin_stopSequencer / admin_startSequencer.
    void stop() noexcept { m_active = false; }
    void start() noexcept { m_active = true; }
    bool active() const noexcept { return m_active; }

    SequencerStatus status() const;

    /// Returns the user transactions of unwound blocks to the mempool (after an L2 reorg).
    void requeue(const std::vector<txtypes::Block>& blocks);

private:
    struct Origin
    {
        l1client::L1Block block;
        uint64_t sequence_number = 0;  ///< of the head block within this epoch
    };
    Result<void, std::string> load_origin();
    Result<void, std::string> unwind_to_safe();
    /// The origin for a block at `timestamp`, with its deposits when it starts an epoch.
    Result<std::pair<Origin, std::vector<txtypes::Transaction>>, std::string> next_origin(
        uint64_t timestamp);

    execution::Chain& m_chain;
    const derivation::RollupConfig& m_rollup;
    l1client::L1Source& m_l1;
    Mempool& m_pool;
    SequencerConfig m_cfg;
    std::atomic<bool> m_active{true};
    std::optional<Origin> m_origin;  ///< the head block's epoch
    Hash m_origin_head;              ///< the head m_origin belongs to
    bool m_deferring_l1sload = false;  ///< the last block left L1SLOAD txs in the pool
    uint64_t m_l1_head = 0;          ///< the newest L1 block seen, and its timestamp
    uint64_t m_l1_head_time = 0;
    uint64_t m_l1_polled_at = 0;  ///< wall-clock second of the last L1 head poll while idle
    bool m_origin_reorged = false;   ///< the head's origin left L1: unwind to the safe head

    mutable std::mutex m_status_mutex;
    SequencerStatus m_status;
};

}  // namespace l2::sequencer
