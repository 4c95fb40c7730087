#pragma once
/// The persistent Merkle Patricia Trie (Yellow Paper Appendix D) behind the state root.
/// Nodes live in Column::kTrieNodes keyed by their keccak hash (nodes whose RLP is shorter than
/// 32 bytes are inlined in their parent, as Ethereum does; the root is always stored).
/// Updates are applied incrementally, in one pass over a block's sorted dirty keys: only the
/// nodes on the changed paths are read, rebuilt and written. Reads of state never walk the trie
/// (they go to the flat KV); the trie is walked only to update it and to build proofs.

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>

#include "kv_store.hpp"

namespace l2::state {

/// One change to a trie: `key` is the 32-byte hashed key (keccak(address) or keccak(slot)),
/// `value` the new leaf value; an empty value deletes the key.
struct TrieUpdate
{
    Hash key;
    Bytes value;
    /// Optional hint: the key's leaf value before this block (empty: absent or unknown). When
    /// the leaf built from it hashes to the ref `apply` meets, that leaf is not read: one keccak
    /// instead of a store read for most overwrites. A wrong hint only costs that keccak.
    Bytes old_value = {};
};

/// A bounded cache of decoded-or-raw trie nodes by hash, shared across blocks (optional).
/// Holds raw node RLP under a byte budget, evicting by CLOCK (second chance: a hit sets the
/// entry's bit; the hand clears set bits and evicts the first entry it finds clear), so the
/// upper levels, read by every block, stay. Trie's `cache` admits branches and extensions only:
/// each leaf is read about once per block and would push the upper levels out (leaves go to
/// a separate instance, Trie's `leaf_cache`, when one is given). Nodes are
/// content-addressed, so an entry is never stale; `apply` also caches the nodes it writes (the
/// next block reads them), even if that batch is later dropped.
/// Thread-safe: kShards shards by hash, each with its own mutex, budget and clock, so a
/// parallel apply, parallel storage-trie updates and proof readers may share one cache. The
/// indexes are open-addressing tables used for lookups only; nothing is iterated out of them.
class TrieNodeCache
{
public:
    /// `byte_budget` bounds the RLP bytes held plus kEntryOverhead per entry (split evenly
    /// between the shards).
    explicit TrieNodeCache(size_t byte_budget) noexcept : m_shard_budget{byte_budget / kShards} {}

    /// Copies the node's RLP into `out` (reusing its capacity). False on a miss. A hit marks
    /// the entry recently used, or with `replaced` (apply read it to rewrite it: the next block
    /// wants the new version) removes it, so the new version's put reuses its slot and buffer.
    /// (A dropped apply or a proof of the old state then reads the old node from the store.)
    bool get(const Hash& hash, Bytes& out, bool replaced = false);

    /// Adds a node (a no-op when present), evicting until it fits; nodes larger than a shard's
    /// budget are not kept.
    void put(const Hash& hash, ByteView rlp);

    void clear();

    /// Sets the byte budget (as the constructor's), evicting down to a smaller one at once.
    void set_budget(size_t byte_budget);
    size_t budget() const noexcept
    {
        return m_shard_budget.load(std::memory_order_relaxed) * kShards;
    }

    size_t size_bytes() const;
    size_t entries() const;
    uint64_t hits() const;
    uint64_t misses() const;

    /// Bytes charged per entry beyond its RLP: its slot and two index cells.
    static constexpr size_t kEntryOverhead = 96;
    static constexpr size_t kShards = 64;

private:
    /// One cached node: this header, then its RLP, in one allocation (a hit reads one block
    /// after the index cell). A free slot keeps its block for the next put that fits.
    struct Entry
    {
        Hash hash;
        uint32_t size = 0;      ///< RLP bytes
        uint32_t capacity = 0;  ///< RLP bytes the block holds
        bool used = false;
        bool referenced = false;

        uint8_t* rlp() noexcept { return reinterpret_cast<uint8_t*>(this + 1); }
    };
    struct FreeEntry
    {
        void operator()(Entry* e) const noexcept;
    };
    using EntryPtr = std::unique_ptr<Entry, FreeEntry>;
    /// An index cell: the hash's first 4 bytes (its home cell), `slot` + 1 (0: free) and the
    /// entry, so a lookup compares the tag and then the hash without touching `slots`.
    struct Cell
    {
        uint32_t tag = 0;
        uint32_t slot = 0;
        Entry* entry = nullptr;
    };
    /// Shards sit on their own cache lines: two threads locking neighbours do not share one.
    struct alignas(64) Shard
    {
        mutable std::mutex mutex;
        std::vector<EntryPtr> slots;  ///< CLOCK's ring; null until first used
        std::vector<uint32_t> free;
        std::vector<Cell> cells;  ///< power-of-two size, at most half full; linear probing
        size_t entries = 0;
        size_t hand = 0;
        size_t bytes = 0;
        uint64_t hits = 0;
        uint64_t misses = 0;

        size_t find_cell(const Hash& hash, uint32_t tag) const noexcept;
        void index_insert(const Cell& cell);
        void index_erase(size_t cell) noexcept;
        /// Drops the entry in `cell`: unindexed, uncounted, its slot free (keeping its block).
        void release(size_t cell) noexcept;
        void evict_one();
    };

    /// The shard of `hash`, chosen by a byte the index tags do not use.
    Shard& shard_of(const Hash& hash) noexcept { return m_shards[hash[31] % kShards]; }

    std::array<Shard, kShards> m_shards;
    std::atomic<size_t> m_shard_budget;
};

class Trie
{
public:
    /// `kv` holds the nodes; `cache` (branches and extensions) may be null. `leaf_cache`, if
    /// set, gets every stored leaf `apply` writes and is looked in after `cache` misses, before
    /// the store (StateDb gives one to storage tries only). With `threads` > 1, `apply` splits
    /// blocks of at least kParallelMinUpdates keys over that many threads (by the root's children),
    /// so `kv.get` must be safe to call concurrently (MemoryStore and RocksDbStore are, as is
    /// TrieNodeCache). The result and the batch's contents do not depend on it.
    explicit Trie(const KvStore& kv,
                  TrieNodeCache* cache = nullptr,
                  unsigned threads = 1,
                  TrieNodeCache* leaf_cache = nullptr) noexcept
        : m_kv{kv}, m_cache{cache}, m_leaves{leaf_cache}, m_threads{threads}
    {}

    /// Smallest block `apply` splits across threads (a thread costs ~50 us; this many keys ~10 ms).
    static constexpr size_t kParallelMinUpdates = 1024;

    /// Applies `updates` (sorted by key, keys unique) to the trie rooted at `root` and returns
    /// the new root. New nodes are added to `batch` (Column::kTrieNodes); nothing is deleted
    /// (old nodes stay for reorgs and proofs of recent roots; trie GC deletes them later).
    /// With `replaced`, the hashes of the stored nodes of the old trie that the new one no
    /// longer references at their place (the old nodes on the changed paths, the old root
    /// included) are appended to it, once per place: a node's `put`s in `batch` and its
    /// entries in `replaced` are the references it gains and loses (docs/spec/state.md,
    /// "Garbage collection of trie nodes"). The order does not depend on `threads`' split.
    /// A missing node (corrupt or pruned database) is reported, never guessed; after an error
    /// `batch` may hold some new nodes (harmless, they are content-addressed): drop it.
    Result<Hash, KvError> apply(const Hash& root,
                                std::span<const TrieUpdate> updates,
                                WriteBatch& batch,
                                std::vector<Hash>* replaced = nullptr);

    /// Visits every stored node of the trie at `root`, depth first, once per place it occupies
    /// (a node two subtrees share is visited twice): `on_node(hash)`, and with `on_leaf` each
    /// leaf's value. A missing or malformed node is an error. Whole-trie walks: a cleared
    /// storage trie's nodes for GC, tests and tools.
    Result<void, KvError> walk_nodes(const Hash& root,
                                     const std::function<void(const Hash&)>& on_node,
                                     const std::function<void(ByteView)>& on_leaf = {}) const;

    /// The value at `key` (a walk from the root; tests, proofs and tools only).
    Result<std::optional<Bytes>, KvError> get(const Hash& root, const Hash& key) const;

    /// The nodes from the root to `key` (eth_getProof's accountProof / storageProof): each
    /// node's RLP, root first. Proves presence or absence.
    Result<std::vector<Bytes>, KvError> prove(const Hash& root, const Hash& key) const;

private:
    const KvStore& m_kv;
    TrieNodeCache* m_cache;
    TrieNodeCache* m_leaves;
    unsigned m_threads;
};

/// Checks a proof from `prove`: true when it is valid for `root`; `value` gets the leaf value
/// (empty when the proof shows the key absent). Every node of `proof` must lie on the path (a
/// proof with extra nodes fails); inline nodes are read inside their parent, as `prove` omits them.
bool verify_proof(const Hash& root, const Hash& key, std::span<const Bytes> proof, Bytes& value);

}  // namespace l2::state
