#pragma once
/// L1SLOAD's source in a running node (docs/spec/l1sload.md): execution's L1StorageReader
/// interface over l1client's JSON-RPC reader with its memory and RocksDB caches. Its own L1
/// connection (l1sload.rpc, default l1_rpc) with the l1sload.timeout_ms timeout and no retries:
/// a read that fails aborts the transaction at once (the sequencer defers it, derivation retries
/// the block), and the reader's circuit breaker keeps a down L1 from costing a timeout per read.

#include <atomic>
#include <memory>
#include <optional>

#include <execution/l1sload.hpp>
#include <l1client/l1_storage.hpp>
#include <state/block_store.hpp>
#include <state/kv_store.hpp>

#include "config.hpp"

namespace l2::node {

class L1SloadSource final : public execution::L1StorageReader
{
public:
    L1SloadSource(const NodeConfig& cfg, state::KvStore& cache_store);

    Result<std::vector<Hash>, std::string> load(const Address& account,
                                                std::span<const Hash> keys, uint64_t number,
                                                const Hash& hash) override;

    l1client::L1StorageStats stats() const { return m_reader->stats(); }

    /// History pruning has removed the blocks below `oldest_kept` (history.blocks): drops the
    /// cached L1 reads of L1 blocks older than that block's L1 origin, in memory and in
    /// Column::kL1Sload. Only the pruned blocks read there (origins never go back along the
    /// chain) and no node re-executes them: re-derivation stops at the finalized head, which the
    /// pruner never passes. Does nothing until the origin has moved `min_step` L1 blocks past
    /// the last cut, so the column gets one range delete per `min_step` L1 blocks, not one per
    /// pruning batch. Returns the new cut, if it moved. Runs on the pruner thread.
    std::optional<uint64_t> prune_for_history(const state::BlockStore& blocks,
                                              uint64_t oldest_kept,
                                              uint64_t min_step = kPruneStep);
    /// L1 blocks between two cuts of the persistent cache (about 13 minutes of L1).
    static constexpr uint64_t kPruneStep = 64;
    /// The current cut: cached reads of L1 blocks below it are gone (0: none pruned yet).
    uint64_t pruned_below() const noexcept { return m_pruned_below.load(); }
    /// 1 while the last L1 read failed.
    bool l1_down() const noexcept { return m_down.load(); }

private:
    std::unique_ptr<l1client::L1StorageReader> m_reader;
    std::atomic<bool> m_down{false};
    std::atomic<uint64_t> m_pruned_below{0};
};

}  // namespace l2::node
