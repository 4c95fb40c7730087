#pragma once
/// The derivation pipeline (docs/spec/derivation.md "Deriving the chain from L1"): walks L1 block
/// by block, collects the authorized batcher's frames from the batch inbox and the portal's
/// deposits, and turns them into L2 blocks through the one BlockBuilder the sequencer also uses.
/// Every block derived from L1 is *safe*; the ones derived from finalized L1 data are
/// *finalized*.
///
/// Rules, applied to each L1 block in order and deterministic in the L1 chain alone:
/// - a batch block is accepted when it is the next L2 block (timestamp = parent + block time),
///   its L1 origin is the parent's epoch or the next L1 block (never skipping one, so an epoch's
///   deposits are never left out), that origin is not newer than the L1 block holding the batch,
///   the batch landed within `seq_window_size` L1 blocks of that origin, the origin's timestamp
///   is <= the block's, a block past the max drift carries no user txs, and all its txs execute;
///   otherwise the rest of that span batch is dropped;
/// - forced inclusion: the first block of each epoch gets exactly that L1 block's deposits (they
///   come from L1, never from a batch);
/// - sequencer downtime: once the pipeline has passed L1 block `epoch + seq_window_size` with no
///   valid batch for the next L2 block, it derives that block itself (L1-info + deposits).
///
/// Where the node already holds unsafe blocks (the sequencer's own, or a follower's after an L1
/// reorg), a derived block that equals the stored one just moves the safe head (consolidation);
/// one that differs rewinds the unsafe chain and replaces it (an L2 reorg).

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <execution/chain.hpp>
#include <l1client/l1_source.hpp>

#include "batch.hpp"
#include "channel.hpp"
#include "rollup_config.hpp"

namespace l2 {
class WorkerPool;
}

namespace l2::derivation {

struct PipelineStatus
{
    uint64_t l1_cursor = 0;     ///< the newest L1 block the pipeline has read
    uint64_t l1_head = 0;       ///< the newest L1 block seen
    uint64_t l1_finalized = 0;  ///< L1's finalized block (0 when unknown)
    state::BlockRef safe;
    state::BlockRef finalized;
    uint64_t blocks_derived = 0;       ///< blocks executed from L1 data
    uint64_t blocks_consolidated = 0;  ///< unsafe blocks L1 data confirmed
    uint64_t default_blocks = 0;       ///< blocks derived without a batch (window expired)
    uint64_t batches_dropped = 0;      ///< invalid batch blocks (the rest of their span dropped)
    uint64_t txs_ignored = 0;          ///< inbox txs not from the batcher, or malformed
    uint64_t l1_reorgs = 0;
    uint64_t l2_reorgs = 0;  ///< unsafe blocks replaced by different derived ones
    /// Batch txs whose sender was not recovered: the block equals the stored one (the
    /// sequencer's own blocks, a follower re-deriving after a restart), so it is not executed.
    uint64_t txs_recovery_skipped = 0;
    std::string last_error;
};

struct StepResult
{
    uint64_t l1_blocks = 0;  ///< L1 blocks read in this step
    uint64_t l2_blocks = 0;  ///< L2 blocks made safe in this step
    bool caught_up = false;  ///< the cursor is at the L1 head
};

class Pipeline
{
public:
    /// Called after an L2 reorg removed unsafe blocks (oldest first): the sequencer node
    /// returns their transactions to the mempool.
    using RewindHook = std::function<void(std::vector<txtypes::Block>)>;

    /// `recovery_threads`: threads (the pipeline's own included) that recover a batch block's
    /// senders; 0 = one per core. The result does not depend on it.
    Pipeline(execution::Chain& chain,
             const RollupConfig& cfg,
             l1client::L1Source& l1,
             unsigned recovery_threads = 0);
    ~Pipeline();

    /// Reads up to `max_l1_blocks` new L1 blocks and derives what they allow. L1 errors are
    /// returned (the caller retries later); nothing is half-applied.
    Result<StepResult, std::string> step(uint64_t max_l1_blocks = 64);

    void set_rewind_hook(RewindHook hook) { m_on_rewind = std::move(hook); }

    PipelineStatus status() const;

private:
    struct L1Entry
    {
        l1client::L1Block block;  ///< without transactions
        std::vector<txtypes::Transaction> deposits;
    };
    struct Epoch
    {
        uint64_t number = 0;
        Hash hash;
        uint64_t sequence_number = 0;
    };
    struct Safe
    {
        state::BlockRef ref;
        uint64_t timestamp = 0;
        Epoch epoch;
    };
    struct PendingSpan
    {
        SpanBatch span;
        uint64_t inclusion = 0;  ///< the L1 block whose data completed its channel
        size_t next = 0;         ///< first block not yet used or skipped
        bool parent_checked = false;
    };

    /// (Re)starts traversal from the safe head: walks the safe head back while its epoch is not
    /// canonical on L1, then re-reads L1 from channel_timeout blocks before its epoch.
    Result<void, std::string> reset();
    Result<Safe, std::string> load_safe(const state::BlockRef& ref) const;
    /// Reads L1 block `number`; false when it does not exist yet. Detects reorgs.
    Result<bool, std::string> advance_l1(uint64_t number);
    Result<void, std::string> handle_l1_reorg();
    void read_batcher_txs(const l1client::L1Block& block);
    /// Derives as many L2 blocks as the L1 data read so far allows.
    Result<uint64_t, std::string> derive();
    struct Candidate
    {
        execution::PayloadAttributes attrs;
        std::vector<txtypes::Transaction> txs;
        std::vector<Address> senders;  ///< empty when the block equals the stored one
        std::vector<Bytes> raw;
        /// The node's canonical block at safe + 1, when it equals this one (check_stored).
        std::optional<Hash> stored;
        bool stored_checked = false;
        Epoch epoch;
        size_t span_pos = 0;  ///< index in m_spans (batch candidates)
    };
    /// The next block from a batch, if one is valid; drops invalid spans on the way.
    std::optional<Candidate> batch_candidate();
    /// Why `b` cannot be the next block (empty when it can).
    std::optional<std::string> check_block(const BatchBlock& b, uint64_t inclusion) const;
    Candidate default_candidate() const;
    /// Consolidates with or replaces the unsafe block at safe + 1; false = the block's txs do
    /// not all execute (the batch is invalid).
    Result<bool, std::string> apply(Candidate& c, bool from_batch);
    bool matches_stored(const Candidate& c, const txtypes::Block& stored) const;
    /// Sets `c.stored`: whether the node already holds `c` as its canonical block at safe + 1
    /// (read and compared once per candidate: a block of thousands of txs is not cheap).
    void check_stored(Candidate& c) const;
    /// Recovers `c.txs`' senders over the worker pool; false when a signature is invalid.
    bool recover_senders(Candidate& c);
    void update_finalized();
    void prune();

    execution::Chain& m_chain;
    const RollupConfig& m_cfg;
    l1client::L1Source& m_l1;
    RewindHook m_on_rewind;

    bool m_ready = false;  ///< reset() done
    bool m_derive_pending = false;  ///< the last derive() failed: retry it before reading L1
    uint64_t m_next = 0;   ///< the next L1 block to read
    Safe m_safe;
    std::map<uint64_t, L1Entry> m_blocks;  ///< L1 blocks read, by number (a contiguous range)
    ChannelBank m_bank;
    std::deque<PendingSpan> m_spans;
    /// L2 block -> the L1 block it was derived from (this run only; finality needs it).
    std::map<uint64_t, uint64_t> m_derived_from;

    std::unique_ptr<WorkerPool> m_workers;  ///< sender recovery

    mutable std::mutex m_status_mutex;
    PipelineStatus m_status;
};

}  // namespace l2::derivation
