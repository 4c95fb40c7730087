#pragma once
/// The state over one KvStore: flat reads (never walking the trie) and the per-block commit that
/// turns a StateDiff into flat-KV writes, trie nodes and the new state root. The flat writes go
/// in a WriteBatch the caller completes with the block and heads and writes once (atomic); the
/// block's new trie nodes go in a second batch that commit() keeps in its node buffer and writes
/// at a checkpoint, off the caller's path, without the nodes replaced meanwhile
/// (docs/spec/state.md, "Trie node buffer and checkpoints").

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>

#include "account.hpp"
#include "kv_store.hpp"
#include "node_buffer.hpp"
#include "state_cache.hpp"
#include "state_diff.hpp"
#include "trie.hpp"
#include "undo.hpp"

namespace l2::state {

class FlatWriter;
class JobThread;

/// Reads of the current state (the last committed block): the interface execution sees.
class StateReader
{
public:
    virtual ~StateReader() = default;
    virtual std::optional<Account> account(Engine engine, const Address& identity) const = 0;
    /// Zero when absent.
    virtual U256 storage(Engine engine, const Address& identity, const U256& slot) const = 0;
    /// Empty when absent.
    virtual Bytes code(const Hash& code_hash) const = 0;
};

/// Where a prepare's time went, per phase (steady clock, microseconds). For benches and logs
/// only: nothing in the block depends on it.
struct PrepareTimings
{
    uint32_t accounts_us = 0;      ///< first pass: old records, undo entries, trie keys
    uint32_t storage_us = 0;       ///< the storage tries and flat slot writes (commit threads)
    uint32_t records_us = 0;       ///< the new account records
    uint32_t account_trie_us = 0;  ///< the account trie and the state root (commit threads)
};

struct PreparedState
{
    Hash state_root;
    WriteBatch batch;  ///< flat state and code; add the block, then commit() once
    /// The block's new trie nodes (Column::kTrieNodes puts only). commit() keeps them in its
    /// node buffer until the next checkpoint; a crash before it leaves them to
    /// repair_head_nodes().
    WriteBatch nodes;
    /// The stored nodes the block stopped referencing, one entry per place (empty when the
    /// store does not count references): nodes of the buffer left with no place die unwritten.
    std::vector<Hash> replaced;
    /// The block's number: the caller sets it (a checkpoint records it).
    uint64_t block = 0;
    /// The block's undo record (undo.hpp): the old value of every flat key the batch writes,
    /// and its trie GC record (`undo.trie_gc`). Not in `batch`: the chain stores both under
    /// the block's number (put_undo_record).
    BlockUndo undo;

    // What the read cache learns once the batch is on disk.
    std::vector<std::pair<AccountKey, std::optional<Account>>> cached_accounts;
    std::vector<std::pair<SlotKey, U256>> cached_slots;
    bool drops_storage = false;  ///< some account's whole storage went: drop cached slots
    PrepareTimings timings;
};

class StateDb final : public StateReader
{
public:
    /// `trie_cache_bytes` bounds the trie-node cache shared by all blocks' root updates;
    /// `threads` is how many threads prepare() uses for a large block (storage tries, account
    /// trie). The result does not depend on it.
    explicit StateDb(KvStore& kv,
                     size_t trie_cache_bytes = kDefaultTrieCacheBytes,
                     unsigned threads = kDefaultCommitThreads);
    /// 1 GiB: the upper levels of a 200k-account state with 1,000 contracts of 5,000 slots
    /// outgrow 256 MiB (docs/performance.md, "Tenth pass"); the cache grows only as used.
    static constexpr size_t kDefaultTrieCacheBytes = size_t{1} << 30;
    /// 256 MiB: ~1.3M storage leaves of ~100 bytes.
    static constexpr size_t kDefaultTrieLeafCacheBytes = size_t{256} << 20;
    /// The machine DESIGN targets has two cores.
    static constexpr unsigned kDefaultCommitThreads = 2;
    /// Block size (accounts + slots) from which commit() fills the read cache on a helper
    /// thread, beside the block's write, and indexes the block's trie nodes there behind it.
    static constexpr size_t kParallelCacheUpdate = 4096;
    /// Writes the node buffer and waits (a clean shutdown leaves nothing to repair).
    ~StateDb() override;

    /// The trie node buffer (docs/spec/state.md, "Trie node buffer"): commit() keeps blocks'
    /// new nodes in memory and writes those still referenced at a checkpoint, every
    /// `max_blocks` blocks or when the buffer holds `max_bytes`. 1 block (the default) writes
    /// every block's nodes behind it. Between commits (each commit checks the bounds then).
    void set_node_buffer(size_t max_blocks, size_t max_bytes) noexcept;

    /// Blocks of at least `min_keys` flat writes (accounts + slots) defer them
    /// (docs/spec/state.md, "Deferred flat write"): commit() writes the rest of the block with
    /// a redo record, and a background thread the flat writes, which reads find in memory
    /// until they land. Default kParallelCacheUpdate; 0 defers every block. Between commits.
    void set_deferred_flat_write(size_t min_keys) noexcept { m_deferred_flat_min = min_keys; }

    /// Whether opening the store applied a redo record (a kill between a block's write and its
    /// deferred flat write), for the log; the error when the record could not be applied (every
    /// commit fails with it then).
    Result<bool, KvError> flat_redo_applied() const;

    /// The trie-node cache's byte budget (the constructor's `trie_cache_bytes`); a smaller one
    /// evicts at once. Safe at any time.
    void set_trie_cache_bytes(size_t bytes);
    /// The storage-trie leaf cache's byte budget (kDefaultTrieLeafCacheBytes; 0 turns it off).
    /// The leaves storage-trie updates write, kept so that a later block's new slot that
    /// lands on one (the leaf is split) does not read it from the store; account-trie leaves
    /// are not kept (docs/performance.md, "Seventeenth pass"). Safe at any time.
    void set_trie_leaf_cache_bytes(size_t bytes);

    /// The newest checkpoint on disk: the blocks above it need their undo records kept
    /// (repair_head_nodes rebuilds their nodes from them), and trie GC stays at or below it.
    /// 0 until a store has one (a store written before checkpoints gets one at its head from
    /// repair_head_nodes, which a node runs at every start).
    uint64_t durable_checkpoint() const noexcept;

    /// Column::kMeta key of the newest checkpoint: u64be block || state root (32 bytes).
    static constexpr std::string_view kTrieCheckpointKey = "trie/checkpoint";

    std::optional<Account> account(Engine engine, const Address& identity) const override;
    U256 storage(Engine engine, const Address& identity, const U256& slot) const override;
    Bytes code(const Hash& code_hash) const override;

    /// Builds the writes of `diff` applied on top of the state whose root is `parent_root`
    /// (which must be the current flat state), the resulting state root and the block's undo
    /// record. Nothing is written.
    Result<PreparedState, KvError> prepare(const StateDiff& diff, const Hash& parent_root);

    /// Writes `prepared.batch` (the state plus whatever the caller added: block, receipts,
    /// heads) atomically, then updates the read cache; it consumes the batch. On error nothing
    /// is applied. A large block's flat writes land behind it (set_deferred_flat_write): the
    /// atomic write holds them as one redo record, and this StateDb reads them from memory
    /// until they are written; the next commit waits for them first. The block's
    /// trie nodes (`prepared.nodes`) are then written by a background thread: until they are,
    /// this StateDb's tries read them from memory, and the next commit waits for them first
    /// (so only the newest block's nodes are ever unwritten). An error of that write fails the
    /// next commit (and wait_for_nodes()); the block itself stays written, its nodes are
    /// rebuilt by repair_head_nodes() when the database is next opened. With `sync`, the nodes
    /// are written before the batch, both before returning, and the batch is synced.
    Result<void, KvError> commit(PreparedState& prepared, bool sync = false);

    /// Writes the node buffer (a checkpoint at the newest committed block) and waits until
    /// every committed block's trie nodes and flat writes are on disk; the first failed
    /// write's error. Then no older state is kept in memory either (states of blocks before
    /// the head are whole only where their nodes are on disk, as after a restart).
    Result<void, KvError> wait_for_nodes();

    /// The background trie node writes so far (for /metrics).
    struct NodeWriteStats
    {
        uint64_t blocks = 0;  ///< node batches written
        uint64_t nodes = 0;   ///< trie nodes in them
        uint64_t micros = 0;  ///< time the writes took, summed
    };
    NodeWriteStats node_write_stats() const;

    /// After a crash: rebuilds the trie nodes of block `block` (the head: root `root`) when
    /// they are missing, from the newest checkpoint (or, in a store without one, the parent's
    /// root `parent_root`), the undo records of the blocks since (which keys they wrote, and
    /// the old account records) and the flat state (their new values), and makes the head the
    /// checkpoint. Writes only trie nodes and the checkpoint. False when nothing was missing;
    /// an error when the nodes cannot be rebuilt (no undo record) or the rebuilt root differs
    /// from `root` (a corrupt database).
    Result<bool, KvError> repair_head_nodes(uint64_t block,
                                            const Hash& parent_root,
                                            const Hash& root);

    /// Adds to `nodes` the trie nodes of the state at block `to` (root `to_root`), rebuilt
    /// from the state at block `from` (root `from_root`, whose nodes must be readable), the
    /// undo records of the blocks between (Column::kUndo) and the flat state, which must be at
    /// the higher of the two blocks. Forward (`to` > `from`): a restart's repair of nodes lost
    /// to a crash. Backward: a rewind's target root, when nodes of it were never stored. An
    /// error when a record is missing or the rebuilt root is not `to_root`.
    Result<void, KvError> rebuild_nodes(uint64_t from,
                                        const Hash& from_root,
                                        uint64_t to,
                                        const Hash& to_root,
                                        WriteBatch& nodes) const;

    /// Drops the read cache (after writes that bypassed commit(), e.g. a reorg unwind).
    void drop_cache() noexcept;

    /// Adds to `batch` the writes that take the flat state from block `block_num`'s state back
    /// to its parent's (from the block's undo record in Column::kUndo), and the record's
    /// delete. `block_num` must be the newest block not yet unwound in the state `batch` will
    /// apply to: unwind several blocks newest first, in one batch. An error (and `batch` to be
    /// dropped) when the record is missing, e.g. written by a build without undo records.
    Result<void, KvError> unwind_block(WriteBatch& batch, uint64_t block_num) const;

    /// The trie side of a rewind from block `head` (root `head_root`) to block `target` (root
    /// `target_root`), before write_unwind() of the same batch: blocks of the node buffer
    /// above the target go when that write lands, and a target below the newest checkpoint
    /// gets the nodes the buffer never wrote (rebuilt backward from the head's, into `batch`,
    /// with the target as the checkpoint). Call it last, right before write_unwind(), which
    /// applies its decision to the buffer (an error in between would leave it pending).
    Result<void, KvError> unwind_nodes(WriteBatch& batch,
                                       uint64_t head,
                                       const Hash& head_root,
                                       uint64_t target,
                                       const Hash& target_root);

    /// Writes a batch that changes the flat state outside prepare()/commit() (a reorg: the
    /// unwind_block writes plus the block store's), then drops the read cache.
    Result<void, KvError> write_unwind(const WriteBatch& batch, bool sync = false);

    /// Trie node garbage collection (docs/spec/state.md, "Garbage collection of trie nodes").
    /// First counts the written lists of all blocks up to the head (the count frontier), then
    /// applies the replaced lists of blocks <= `up_to_block`, oldest first, at most `max_blocks`
    /// of them (plan_trie_gc): a node left with no count is deleted unless a block above the
    /// frontier wrote it again. One atomic write per step (a crash leaves whole steps done or
    /// not), serialized with commit() and write_unwind() (the commit writes no count).
    /// Afterwards the state roots of blocks >= the newest applied block stay whole; older
    /// roots may lose nodes. `up_to_block` must not exceed the finalized head (a block GC
    /// passed can no longer be unwound): the pruner passes min(finalized, head - window). Safe
    /// to call from a thread other than the committing one. Does nothing when GC is off.
    Result<TrieGcStats, KvError> collect_garbage(uint64_t up_to_block, size_t max_blocks);

    /// Whether this store counts node references (created with it from its genesis). A database
    /// written by an older build has nodes without counts: it never GCs (trie_gc_status()).
    bool trie_gc_enabled() const noexcept;
    /// An archive node (`history.blocks = all`): a fresh store does not count node references
    /// (no GC records, no marker), so keeping all state costs nothing extra; it never GCs. No
    /// effect on a store that already counts. Call before the genesis commit.
    void keep_all_state() noexcept;
    /// Why GC is on or off, for the log.
    std::string trie_gc_status() const;

    /// Column::kMeta key of the trie GC schema marker (value: one byte, 1).
    static constexpr std::string_view kTrieGcMarker = "trie_gc/version";

    /// The trie over this store (proofs, tools); it also reads nodes not yet written.
    Trie trie() const;

    KvStore& kv() noexcept { return m_kv; }

private:
    struct StorageJob;
    /// A flat-state read (Column::kState): the deferred block's writes, then the store.
    bool flat_get(ByteView key, Bytes& out) const;
    /// Waits for the deferred flat write (before anything that scans or rewrites the flat
    /// state behind the read path); its error, if it failed.
    Result<void, KvError> wait_for_flat() const;
    class NodeWriter;
    class NodeOverlay;
    /// One account's flat slot writes and storage trie into `batch` (and their undo entries
    /// into the job's own writer); returns the new root.
    Result<Hash, KvError> apply_storage(StorageJob& job,
                                        WriteBatch& batch,
                                        WriteBatch& nodes,
                                        std::vector<std::pair<SlotKey, U256>>& cached) const;
    /// All accounts' storage, over the commit threads; `roots[i]` is job i's new root.
    Result<void, KvError> apply_storage_jobs(std::vector<StorageJob>& jobs,
                                             std::vector<Hash>& roots,
                                             PreparedState& out) const;

    /// The GC record of a prepared block (gc_mode() != kOff); the genesis state (built from
    /// the empty root) counts its nodes at once instead.
    void add_trie_refs(PreparedState& out, std::span<const Hash> replaced, bool genesis) const;
    /// Writes `batch` with its node-count decrements resolved: a node whose count reaches 0
    /// is deleted with its count. Under m_write_mutex.
    Result<void, KvError> write_with_node_deletes(const WriteBatch& batch, bool sync);

    /// kOff: a store with uncounted nodes; kFresh: empty when opened (every prepare writes the
    /// marker until a commit lands); kOn: counted from genesis.
    enum class GcMode : uint8_t
    {
        kOff,
        kFresh,
        kOn,
    };

    /// Puts the block's new values in the read cache (under the cache lock; commit() keeps
    /// the generation odd meanwhile, so readers bypass the cache).
    void learn(const PreparedState& prepared);
    KvStore& m_kv;
    /// m_kv plus the trie nodes of the last commit while they are being written: every Trie
    /// of this StateDb reads through it.
    std::unique_ptr<NodeOverlay> m_nodes_view;
    std::unique_ptr<NodeWriter> m_node_writer;
    /// Writes large blocks' flat state behind commit(); readers look at its pending block.
    std::unique_ptr<FlatWriter> m_flat_writer;
    size_t m_deferred_flat_min = kParallelCacheUpdate;
    bool m_flat_redo_applied = false;
    /// The blocks since the last checkpoint (under m_write_mutex; readers go through
    /// m_nodes_view).
    std::shared_ptr<NodeBuffer> m_buffer;
    size_t m_buffer_blocks = 1;
    size_t m_buffer_bytes = 64u << 20;
    /// Indexes a large block's nodes into the buffer behind commit(), holding the buffer's
    /// lock: node readers (the next prepare) and the next commit wait for it.
    std::unique_ptr<JobThread> m_indexer;
    /// Hands the buffer to the node writer as a checkpoint and starts an empty one. Under
    /// m_write_mutex, the writer idle.
    void checkpoint_buffer();
    /// What the next write_unwind does to the buffer (set by unwind_nodes): keep the blocks up
    /// to .first, or drop it whole (.second).
    std::optional<std::pair<uint64_t, bool>> m_unwind_buffer;
    std::unique_ptr<TrieNodeCache> m_cache;
    std::unique_ptr<TrieNodeCache> m_leaf_cache;  ///< storage-trie leaves only
    /// m_leaf_cache, or null when its budget is 0.
    TrieNodeCache* storage_leaf_cache() const noexcept;
    std::atomic<GcMode> m_gc_mode{GcMode::kOff};
    /// Serializes the writes that add or delete trie nodes or GC records (commit, write_unwind,
    /// GC): GC decides a delete from counts and pending records, which a block writing the
    /// node again must not slip between.
    std::mutex m_write_mutex;
    uint64_t m_ref_writes = 0;  ///< commits and unwinds so far (under m_write_mutex)
    std::mutex m_gc_mutex;      ///< one collect_garbage at a time
    uint64_t m_gc_next = 0;     ///< no GC record below this block (under m_gc_mutex)
    // Reads may come from several threads (RPC, block builder); commit() from one writer.
    mutable std::mutex m_cache_mutex;
    mutable StateCache m_state_cache;
    /// Bumped by every commit, unwind and drop_cache; odd while a commit or unwind writes
    /// (readers then bypass the cache).
    uint64_t m_generation = 0;
    unsigned m_threads;
};

}  // namespace l2::state
