#pragma once
/// RocksDB KvStore: one column family per Column, WAL on, atomic WriteBatch per block.
/// No RocksDB type leaks out of this header.

#include <memory>
#include <string>

#include "kv_store.hpp"

namespace l2::state {

struct RocksDbOptions
{
    /// Block cache shared by all column families.
    size_t block_cache_bytes = 512ull << 20;
    /// Memtable size per column family, except the trie nodes' and the flat state's.
    size_t write_buffer_bytes = 64ull << 20;
    /// Memtable size of the flat-state column. A large block's deferred flat write inserts
    /// ~40k random keys (20k accounts + 20k slots); into a 64 MiB skiplist (~500k entries) each
    /// insert is ~20 key compares that miss the CPU caches. At 16 MiB the flat writer's CPU per
    /// block falls and the block commit is ~5-10% faster (docs/performance.md, thirteenth pass);
    /// reads still find recent writes in the read cache first.
    size_t state_write_buffer_bytes = 16ull << 20;
    /// Memtable size of the trie-node column. Small on purpose: a large block writes more node
    /// bytes than this (13 MB for 20k accounts + 20k slots), so its ~90k random-hash inserts go
    /// into a nearly empty skiplist instead of one holding the last few blocks' nodes; the
    /// commit's write is ~28% faster (docs/performance.md, "State root update and block commit").
    size_t trie_write_buffer_bytes = 8ull << 20;
    bool create_if_missing = true;
    /// Open read-only (inspection tools, `l2node status`). A column the database does not have
    /// yet (written by an older build) reads as empty; writes to it fail.
    bool read_only = false;
};

class RocksDbStore final : public KvStore
{
public:
    /// Opens (or creates) the database at `path`. The error names the path and RocksDB's reason.
    static Result<std::unique_ptr<RocksDbStore>, KvError> open(const std::string& path,
                                                               const RocksDbOptions& options = {});
    ~RocksDbStore() override;

    bool get(Column c, ByteView key, Bytes& out) const override;
    Result<void, KvError> write(const WriteBatch& batch, bool sync = false) override;
    /// Writes the puts, sorted, into table files (one per column) in the database's `ingest/`
    /// directory and ingests them: no log, no memtable, no flush (docs/spec/state.md,
    /// "Checkpoint ingestion").
    Result<void, KvError> ingest(const WriteBatch& batch) override;
    void scan(Column c, ByteView prefix, ByteView from, const KvVisitor& visit) const override;
    Result<void, KvError> delete_range(Column c, ByteView begin, ByteView end) override;
    uint64_t approximate_size(Column c) const override;

    /// Flushes memtables and compacts a column (tests and pruning).
    void compact(Column c);

private:
    struct Impl;
    explicit RocksDbStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace l2::state
