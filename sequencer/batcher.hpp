#pragma once
/// The batcher (issue 6): posts the sequencer's L2 blocks to L1 as calldata to the batch inbox,
/// so that followers derive the chain from L1 alone (docs/spec/batches.md). Per tick it
///   1. lets the poster track its in-flight txs (fee bumps),
///   2. reconciles what it has posted with the chain: `posted_up_to` starts at the safe head, goes
///      back to it when the unsafe chain was rewound under it, and - when the safe head has not
///      caught up `resubmit_after_l1_blocks` L1 blocks after the last post or the last safe-head
///      advance - treats the posted data as lost (L1 reorg, dropped tx), resets the poster and
///      posts again,
///   3. when blocks are due (the oldest unposted one is `max_delay` old, or they fill a frame),
///      encodes them into span batches in channels of at most `max_channel_bytes` uncompressed
///      input, cuts each channel into frames and posts one L1 tx per frame, in order.
/// The batcher only reads the chain (Chain reads are thread-safe); one thread calls tick(),
/// status() may be called from any thread.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include <derivation/batch.hpp>
#include <derivation/compression.hpp>
#include <derivation/rollup_config.hpp>
#include <execution/chain.hpp>

#include "batch_poster.hpp"

namespace l2::sequencer {

struct BatcherConfig
{
    /// Wire bytes per frame (23 bytes of header + data); one frame per L1 tx.
    size_t max_frame_size = 120'000;
    /// Post at most this many seconds after the oldest unposted block's timestamp.
    uint64_t max_delay = 2;
    /// Uncompressed span-batch bytes per channel; a new channel starts beyond (a single block
    /// larger than this gets a channel of its own). Capped at 9/10 of derivation's 10 MB.
    size_t max_channel_bytes = 1'000'000;
    /// Repost from the safe head when it has not caught up this many L1 blocks after the last
    /// post (or the last safe-head advance); 0 = never repost.
    uint64_t resubmit_after_l1_blocks = 10;
    derivation::CompressionOptions compression;
};

struct BatcherStatus
{
    state::BlockRef posted_up_to;  ///< the last L2 block handed to L1
    state::BlockRef safe_head;     ///< the safe head seen at the last tick
    uint64_t txs_posted = 0;       ///< L2 user txs put into channels
    uint64_t blocks_posted = 0;
    uint64_t frames_posted = 0;  ///< = batcher (L1) txs sent
    uint64_t channels_posted = 0;
    uint64_t bytes_posted = 0;  ///< calldata bytes sent
    uint64_t resubmits = 0;     ///< times posted data was found lost and posted again
    uint64_t l1_head_at_last_post = 0;
    std::string last_error;  ///< of the last tick (empty when it went fine)
};

class Batcher
{
public:
    /// `chain`, `rollup` and `poster` must outlive the batcher.
    Batcher(const execution::Chain& chain, const derivation::RollupConfig& rollup,
            BatchPoster& poster, BatcherConfig cfg = {});

    /// One step at L1 head `l1_head` (the newest L1 block number known; the last known one while
    /// L1 is unreachable) and wall time `now_unix` (seconds). Posts every channel that is due.
    /// Returns the number of batcher (L1) txs sent, or an error (chain read, encoding or post
    /// failure: the caller logs and calls again; a half-posted channel is never completed, its
    /// blocks go again in a new channel).
    Result<size_t, std::string> tick(uint64_t l1_head, uint64_t now_unix);

    BatcherStatus status() const;

private:
    /// One unposted L2 block as the batch will carry it.
    struct Pending
    {
        state::BlockRef ref;
        Hash parent_hash;
        Hash l1_origin_hash;
        derivation::BatchBlock block;
        size_t raw_bytes = 0;  ///< sum of its user txs' canonical sizes
        size_t size = 0;       ///< estimated bytes in a span batch
    };

    Result<void, std::string> reconcile(uint64_t l1_head);
    /// Extends m_pending up to the chain head.
    Result<void, std::string> load_pending();
    bool due(uint64_t now_unix) const;
    /// Posts one channel of blocks from the front of m_pending; returns the frames sent.
    Result<size_t, std::string> post_channel(uint64_t l1_head);
    void set_posted(state::BlockRef ref);
    void clear_pending() noexcept;
    void fail(const std::string& error);

    const execution::Chain& m_chain;
    const derivation::RollupConfig& m_rollup;
    BatchPoster& m_poster;
    BatcherConfig m_cfg;
    std::random_device m_random;

    std::optional<state::BlockRef> m_posted;  ///< empty until the first tick
    std::deque<Pending> m_pending;            ///< m_posted + 1 .. (a prefix of the chain)
    size_t m_pending_size = 0;                ///< estimated batch bytes of m_pending
    uint64_t m_last_post_l1 = 0;              ///< L1 head at the last post
    struct InFlight
    {
        uint64_t last_block = 0;  ///< the channel's last L2 block
        uint64_t l1_head = 0;     ///< L1 head when it was posted
    };
    std::deque<InFlight> m_in_flight;  ///< posted channels not yet derived, oldest first
    uint64_t m_last_safe_move_l1 = 0;         ///< L1 head when the safe head last changed
    state::BlockRef m_last_safe;
    /// Compressed per 1000 uncompressed bytes of the last channel (frame-fill estimate).
    uint64_t m_ratio_permille = 1000;

    mutable std::mutex m_status_mutex;
    BatcherStatus m_status;
};

}  // namespace l2::sequencer
