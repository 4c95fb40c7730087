#pragma once
/// L1SLOAD's source in a running node (docs/spec/l1sload.md): execution's L1StorageReader
/// interface over l1client's JSON-RPC reader with its memory and RocksDB caches. Its own L1
/// connection (l1sload.rpc, default l1_rpc) with the l1sload.timeout_ms timeout and no retries:
/// a read that fails aborts the transaction at once (the sequencer defers it, derivation retries
/// the block), and the reader's circuit breaker keeps a down L1 from costing a timeout per read.

#include <atomic>
#include <memory>

#include <execution/l1sload.hpp>
#include <l1client/l1_storage.hpp>
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
    /// 1 while the last L1 read failed.
    bool l1_down() const noexcept { return m_down.load(); }

private:
    std::unique_ptr<l1client::L1StorageReader> m_reader;
    std::atomic<bool> m_down{false};
};

}  // namespace l2::node
