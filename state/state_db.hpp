#pragma once
/// The state over one KvStore: flat reads (never walking the trie) and the per-block commit that
/// turns a StateDiff into flat-KV writes, trie nodes and the new state root, all in a
/// WriteBatch the caller completes with the block and heads and writes once (atomic).

#include <memory>
#include <mutex>
#include <optional>

#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>

#include "account.hpp"
#include "kv_store.hpp"
#include "state_cache.hpp"
#include "state_diff.hpp"
#include "trie.hpp"
#include "undo.hpp"

namespace l2::state {

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

struct PreparedState
{
    Hash state_root;
    WriteBatch batch;  ///< flat state, code and trie nodes; add the block, then commit() once
    /// The block's undo record (undo.hpp): the old value of every flat key the batch writes.
    /// Not in `batch`: the chain stores it under the block's number (put_undo_record).
    Bytes undo;

    // What the read cache learns once the batch is on disk.
    std::vector<std::pair<AccountKey, std::optional<Account>>> cached_accounts;
    std::vector<std::pair<SlotKey, U256>> cached_slots;
    bool drops_storage = false;  ///< some account's whole storage went: drop cached slots
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
    static constexpr size_t kDefaultTrieCacheBytes = 256u << 20;
    /// The machine DESIGN targets has two cores.
    static constexpr unsigned kDefaultCommitThreads = 2;
    ~StateDb() override;

    std::optional<Account> account(Engine engine, const Address& identity) const override;
    U256 storage(Engine engine, const Address& identity, const U256& slot) const override;
    Bytes code(const Hash& code_hash) const override;

    /// Builds the writes of `diff` applied on top of the state whose root is `parent_root`
    /// (which must be the current flat state), the resulting state root and the block's undo
    /// record. Nothing is written.
    Result<PreparedState, KvError> prepare(const StateDiff& diff, const Hash& parent_root);

    /// Writes `prepared.batch` (the state plus whatever the caller added: block, receipts,
    /// heads) atomically, then updates the read cache. On error nothing is applied.
    Result<void, KvError> commit(PreparedState& prepared, bool sync = false);

    /// Drops the read cache (after writes that bypassed commit(), e.g. a reorg unwind).
    void drop_cache() noexcept;

    /// Adds to `batch` the writes that take the flat state from block `block_num`'s state back
    /// to its parent's (from the block's undo record in Column::kUndo), and the record's
    /// delete. `block_num` must be the newest block not yet unwound in the state `batch` will
    /// apply to: unwind several blocks newest first, in one batch. An error (and `batch` to be
    /// dropped) when the record is missing, e.g. written by a build without undo records.
    Result<void, KvError> unwind_block(WriteBatch& batch, uint64_t block_num) const;

    /// Writes a batch that changes the flat state outside prepare()/commit() (a reorg: the
    /// unwind_block writes plus the block store's), then drops the read cache.
    Result<void, KvError> write_unwind(const WriteBatch& batch, bool sync = false);

    /// The trie over this store (proofs, tools).
    Trie trie() const;

    KvStore& kv() noexcept { return m_kv; }

private:
    struct StorageJob;
    /// One account's flat slot writes and storage trie into `batch` (and their undo entries
    /// into the job's own writer); returns the new root.
    Result<Hash, KvError> apply_storage(StorageJob& job,
                                        WriteBatch& batch,
                                        std::vector<std::pair<SlotKey, U256>>& cached) const;
    /// All accounts' storage, over the commit threads; `roots[i]` is job i's new root.
    Result<void, KvError> apply_storage_jobs(std::vector<StorageJob>& jobs,
                                             std::vector<Hash>& roots,
                                             PreparedState& out) const;

    KvStore& m_kv;
    std::unique_ptr<TrieNodeCache> m_cache;
    // Reads may come from several threads (RPC, block builder); commit() from one writer.
    mutable std::mutex m_cache_mutex;
    mutable StateCache m_state_cache;
    uint64_t m_generation = 0;  ///< bumped by every commit and drop_cache
    unsigned m_threads;
};

}  // namespace l2::state
