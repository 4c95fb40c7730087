#include "state_db.hpp"

#include "flat_writer.hpp"
#include "forwarding_store.hpp"
#include "job_thread.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <latch>
#include <limits>
#include <map>
#include <shared_mutex>
#include <string>
#include <system_error>
#include <thread>

#include <txtypes/keccak.hpp>
#include <txtypes/rlp.hpp>

namespace l2::state {

namespace {

SlotKey slot_key(Engine engine, const Address& identity, const U256& slot) noexcept
{
    return engine == Engine::kEvm ? evm_slot_key(identity, slot)
                                  : wasm_slot_key(identity, low_u64(slot));
}

/// Deletes every flat slot of an account (the keys that extend its account key), each with
/// its undo entry.
void delete_flat_storage(const KvStore& kv,
                         const AccountKey& akey,
                         WriteBatch& batch,
                         UndoWriter& undo)
{
    const ByteView prefix{akey.data(), akey.size()};
    scan_prefix(kv, Column::kState, prefix, [&](ByteView key, ByteView value) {
        if (key.size() > akey.size())
        {
            batch.del(Column::kState, key);
            undo.add_slot(key, value);
        }
        return true;
    });
}

/// Sorts by key and keeps the last update of each key (a diff should not repeat keys, but a
/// repeated one must not corrupt the trie).
void sort_unique(std::vector<TrieUpdate>& updates)
{
    // Sorts (key prefix, index) pairs and moves each update once: an update holds two
    // strings, which a merge sort's passes moved again and again (a block's 20k account
    // updates: 81 -> 48-57 perf samples of ~750 in prepare, ~3 ms per block). Keys are hashes,
    // so their first 8 bytes (big-endian) nearly always decide; the index keeps a repeated
    // key's updates in diff order.
    struct Order
    {
        uint64_t prefix;
        uint32_t index;
    };
    std::vector<Order> order(updates.size());
    for (size_t i = 0; i < updates.size(); ++i)
    {
        uint64_t p = 0;
        for (size_t b = 0; b < 8; ++b)
            p = (p << 8) | updates[i].key[b];
        order[i] = {p, static_cast<uint32_t>(i)};
    }
    const auto same_key = [&](const Order& a, const Order& b) {
        return a.prefix == b.prefix && updates[a.index].key == updates[b.index].key;
    };
    std::sort(order.begin(), order.end(), [&](const Order& a, const Order& b) {
        if (a.prefix != b.prefix)
            return a.prefix < b.prefix;
        const int c = std::memcmp(updates[a.index].key.data(), updates[b.index].key.data(),
                                  updates[a.index].key.size());
        return c != 0 ? c < 0 : a.index < b.index;
    });
    std::vector<TrieUpdate> sorted;
    sorted.reserve(order.size());
    for (size_t i = 0; i < order.size(); ++i)
        if (i + 1 == order.size() || !same_key(order[i + 1], order[i]))
            sorted.push_back(std::move(updates[order[i].index]));
    updates = std::move(sorted);
}

/// The record with each job's slot fragment inserted at its offset (offsets ascending).
template <typename Job>
Bytes splice_undo(Bytes main,
                  const std::vector<std::pair<size_t, size_t>>& splices,
                  const std::vector<Job>& jobs)
{
    if (splices.empty())
        return main;
    size_t size = main.size();
    for (const Job& j : jobs)
        size += j.undo.size();
    Bytes out;
    out.reserve(size);
    const ByteView all{main};
    size_t from = 0;
    for (const auto& [at, job] : splices)
    {
        out.append(all.substr(from, at - from));
        out.append(jobs[job].undo.bytes());
        from = at;
    }
    out.append(all.substr(from));
    return out;
}

/// The checkpoint record (StateDb::kTrieCheckpointKey): u64be block || root.
Bytes encode_checkpoint(uint64_t block, const Hash& root)
{
    const auto number = undo_key(block);  // u64be, as every per-block key
    Bytes out{number.data(), number.size()};
    out.append(ByteView{root});
    return out;
}

std::optional<std::pair<uint64_t, Hash>> read_checkpoint(const KvStore& kv)
{
    Bytes v;
    if (!kv.get(Column::kMeta, as_view(StateDb::kTrieCheckpointKey), v) || v.size() != 40)
        return std::nullopt;
    uint64_t block = 0;
    for (size_t i = 0; i < 8; ++i)
        block = (block << 8) | v[i];
    Hash root;
    (void)Hash::from_view(ByteView{v}.substr(8), root);
    return std::pair{block, root};
}

std::optional<uint64_t> checkpoint_block(const KvStore& kv)
{
    if (const auto c = read_checkpoint(kv))
        return c->first;
    return std::nullopt;
}

}  // namespace

/// The store as the tries see it: the node buffer (the blocks since the last checkpoint), the
/// checkpoint being written, then the store. Content-addressed nodes are never stale, so
/// serving them from memory changes no answer; only reads of Column::kTrieNodes look here.
class StateDb::NodeOverlay final : public ForwardingStore
{
public:
    explicit NodeOverlay(KvStore& inner) noexcept : ForwardingStore{inner} {}

    void set_current(std::shared_ptr<const NodeBuffer> buffer)
    {
        std::lock_guard lock{m_mutex};
        m_current = std::move(buffer);
    }
    void set_frozen(std::shared_ptr<const NodeBuffer> buffer)
    {
        std::lock_guard lock{m_mutex};
        m_frozen = std::move(buffer);
    }
    bool get(Column c, ByteView key, Bytes& out) const override
    {
        if (c == Column::kTrieNodes)
        {
            std::shared_ptr<const NodeBuffer> current;
            std::shared_ptr<const NodeBuffer> frozen;
            {
                std::lock_guard lock{m_mutex};
                current = m_current;
                frozen = m_frozen;
            }
            if (current && current->find(key, out))
                return true;
            if (frozen && frozen->find(key, out))
                return true;
        }
        return ForwardingStore::get(c, key, out);
    }

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const NodeBuffer> m_current;
    std::shared_ptr<const NodeBuffer> m_frozen;
};

/// One background thread that writes checkpoints: a frozen node buffer's live nodes (a bulk
/// load, KvStore::ingest), then the checkpoint record.
class StateDb::NodeWriter
{
public:
    /// `durable`: the store's newest checkpoint, if it has one.
    NodeWriter(KvStore& kv, std::optional<uint64_t> durable)
        : m_kv{kv}, m_durable{durable.value_or(0)}, m_has_durable{durable.has_value()}
    {}

    /// Hands over a frozen buffer; the writer must be idle (wait() returned).
    void submit(std::shared_ptr<const NodeBuffer> buffer)
    {
        // Written or not, the buffer stays readable until the next checkpoint replaces it: the
        // states of its blocks, whose replaced nodes it never wrote, stay queryable
        // (eth_getProof, eth_getBalance at a recent block), and a failed write's nodes stay in
        // memory while the next commit reports the error.
        m_thread.submit([this, job = std::move(buffer)]() -> Result<void, KvError> {
            const auto start = std::chrono::steady_clock::now();
            WriteBatch batch;  // borrows the frozen buffer's nodes (it lives until the write)
            job->borrow_live_nodes(batch);
            const size_t nodes = batch.size();
            const uint64_t block = job->last_block();
            // The nodes as a bulk load (no log, no memtable), durable before the record that
            // names them: a kill in between leaves nodes no record counts on, which the
            // restart's rebuild writes again (content-addressed: the same bytes).
            if (auto ingested = m_kv.ingest(batch); !ingested)
                return unexpected(KvError{"trie node write failed: " + ingested.error().message});
            WriteBatch record;
            record.put(Column::kMeta, as_view(StateDb::kTrieCheckpointKey),
                       encode_checkpoint(block, job->last_root()));
            if (auto written = m_kv.write(record, false); !written)
                return unexpected(KvError{"trie node write failed: " + written.error().message});
            m_blocks.fetch_add(job->blocks(), std::memory_order_relaxed);
            m_nodes.fetch_add(nodes, std::memory_order_relaxed);
            m_micros.fetch_add(
                static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now() - start)
                                          .count()),
                std::memory_order_relaxed);
            set_durable(block);
            return {};
        });
    }

    /// Blocks until no write is in flight; the first failed write's error (it stays).
    Result<void, KvError> wait() { return m_thread.wait(); }
    /// The first failed write's error, without waiting.
    Result<void, KvError> failed() const { return m_thread.failed(); }

    /// The newest checkpoint on disk (0 while there is none).
    uint64_t durable() const noexcept { return m_durable.load(std::memory_order_acquire); }
    bool has_durable() const noexcept { return m_has_durable.load(std::memory_order_acquire); }
    void set_durable(uint64_t block) noexcept
    {
        m_durable.store(block, std::memory_order_release);
        m_has_durable.store(true, std::memory_order_release);
    }

    StateDb::NodeWriteStats stats() const noexcept
    {
        return {m_blocks.load(std::memory_order_relaxed), m_nodes.load(std::memory_order_relaxed),
                m_micros.load(std::memory_order_relaxed)};
    }

private:
    KvStore& m_kv;
    std::atomic<uint64_t> m_durable;
    std::atomic<bool> m_has_durable;
    std::atomic<uint64_t> m_blocks{0};
    std::atomic<uint64_t> m_nodes{0};
    std::atomic<uint64_t> m_micros{0};
    JobThread m_thread{"l2-trie-write"};  // last: joined before the rest goes
};

StateDb::StateDb(KvStore& kv, size_t trie_cache_bytes, unsigned threads)
    : m_kv{kv},
      m_nodes_view{std::make_unique<NodeOverlay>(kv)},
      m_node_writer{std::make_unique<NodeWriter>(kv, checkpoint_block(kv))},
      m_flat_writer{std::make_unique<FlatWriter>(kv)},
      m_buffer{std::make_shared<NodeBuffer>()},
      m_indexer{std::make_unique<JobThread>("l2-trie-index")},
      m_cache{std::make_unique<TrieNodeCache>(trie_cache_bytes)},
      m_leaf_cache{std::make_unique<TrieNodeCache>(kDefaultTrieLeafCacheBytes)},
      m_threads{std::max(1u, threads)}
{
    m_nodes_view->set_current(m_buffer);
    // A kill between a block's write and its deferred flat write: the redo record holds the
    // flat writes. Applied before anything reads the flat state; if it cannot be, every
    // commit fails with the reason (the node stops rather than build on a stale state).
    if (Bytes redo; m_kv.get(Column::kMeta, as_view(kFlatRedoKey), redo))
    {
        WriteBatch apply;
        auto decoded = decode_flat_redo(redo, apply);
        if (decoded)
        {
            apply.del(Column::kMeta, as_view(kFlatRedoKey));
            decoded = m_kv.write(apply, true);
        }
        m_flat_redo_applied = decoded.has_value();
        if (!decoded)
            m_flat_writer->fail(
                KvError{"applying the flat redo record: " + decoded.error().message});
    }
    // Counted from genesis (the marker), fresh (no node yet: counting starts now), or nodes
    // written by a build that did not count them: those are never collected.
    Bytes marker;
    if (m_kv.get(Column::kMeta, as_view(kTrieGcMarker), marker))
    {
        m_gc_mode = GcMode::kOn;
        return;
    }
    bool empty = true;
    scan_prefix(m_kv, Column::kTrieNodes, {}, [&](ByteView, ByteView) {
        empty = false;
        return false;
    });
    m_gc_mode = empty ? GcMode::kFresh : GcMode::kOff;
}
StateDb::~StateDb()
{
    // The buffered blocks' nodes reach the store before the StateDb (and maybe the store)
    // goes: a clean shutdown leaves nothing to repair. A failed write is repaired at the
    // next open.
    (void)wait_for_nodes();
    m_indexer.reset();
    m_node_writer.reset();
    m_flat_writer.reset();
}

void StateDb::set_node_buffer(size_t max_blocks, size_t max_bytes) noexcept
{
    m_buffer_blocks = std::max<size_t>(1, max_blocks);
    m_buffer_bytes = max_bytes;
}

void StateDb::set_trie_cache_bytes(size_t bytes)
{
    m_cache->set_budget(bytes);
}

void StateDb::set_trie_leaf_cache_bytes(size_t bytes)
{
    m_leaf_cache->set_budget(bytes);
}

TrieNodeCache* StateDb::storage_leaf_cache() const noexcept
{
    return m_leaf_cache->budget() == 0 ? nullptr : m_leaf_cache.get();
}

uint64_t StateDb::durable_checkpoint() const noexcept
{
    return m_node_writer->durable();
}

void StateDb::checkpoint_buffer()
{
    if (m_buffer->empty())
        return;
    m_nodes_view->set_frozen(m_buffer);
    m_node_writer->submit(m_buffer);
    m_buffer = std::make_shared<NodeBuffer>();
    m_nodes_view->set_current(m_buffer);
}

std::optional<Account> StateDb::account(Engine engine, const Address& identity) const
{
    const AccountKey key = account_key(engine, identity);
    const ByteView k{key.data(), key.size()};
    uint64_t generation = 0;
    {
        std::lock_guard lock{m_cache_mutex};
        generation = m_generation;
        // Odd: a commit is writing, and the cache may already hold its block's values
        // (commit): read the store, which shows a write whole or not at all.
        if (generation % 2 == 0)
            if (const auto* hit = m_state_cache.accounts.find(k))
                return *hit;
    }
    Bytes value;
    std::optional<Account> out;
    if (flat_get(k, value))
    {
        // A corrupt record reads as absent; the state root check would catch it.
        if (auto a = decode_account(value))
            out = *a;
    }
    // A commit between the miss and here may have made `out` stale: don't cache it then.
    std::lock_guard lock{m_cache_mutex};
    if (generation == m_generation && generation % 2 == 0)
        m_state_cache.accounts.put(k, out);
    return out;
}

U256 StateDb::storage(Engine engine, const Address& identity, const U256& slot) const
{
    const SlotKey key = slot_key(engine, identity, slot);
    uint64_t generation = 0;
    {
        std::lock_guard lock{m_cache_mutex};
        generation = m_generation;
        if (generation % 2 == 0)  // as account()
            if (const U256* hit = m_state_cache.slots.find(key.view()))
                return *hit;
    }
    Bytes value;
    U256 v = 0;
    if (flat_get(key.view(), value))
        v = decode_storage_value(value);
    std::lock_guard lock{m_cache_mutex};
    if (generation == m_generation && generation % 2 == 0)
        m_state_cache.slots.put(key.view(), v);
    return v;
}

Result<bool, KvError> StateDb::flat_redo_applied() const
{
    if (auto f = m_flat_writer->wait(); !f)
        return unexpected(f.error());
    return m_flat_redo_applied;
}

bool StateDb::flat_get(ByteView key, Bytes& out) const
{
    if (const auto pending = m_flat_writer->pending())
    {
        switch (pending->find(key, out))
        {
        case PendingFlat::Lookup::kFound:
            return true;
        case PendingFlat::Lookup::kDeleted:
            return false;
        case PendingFlat::Lookup::kNotWritten:
            break;
        }
    }
    return m_kv.get(Column::kState, key, out);
}

Result<void, KvError> StateDb::wait_for_flat() const
{
    return m_flat_writer->wait();
}

Result<void, KvError> StateDb::commit(PreparedState& prepared, bool sync)
{
    // A failed checkpoint write stops the chain here: no block goes on top of a hole.
    if (auto w = m_node_writer->failed(); !w)
        return w;
    // The last block's deferred flat writes land before this block's (one in flight), and
    // before the generation goes odd: readers meanwhile keep the cache.
    if (auto f = wait_for_flat(); !f)
        return f;
    // Odd generation = a write in flight: readers go to the store and cache nothing (what
    // they read may predate the write). Meanwhile the cache learns the block's values and the
    // node buffer takes its nodes, on a helper thread for a large block (~15 ms each for 40k
    // keys and 90k nodes): the cache beside the write, before the generation is even again;
    // the nodes behind the commit, under the buffer's lock, which readers of trie nodes (the
    // next prepare) and the next commit wait for.
    {
        std::lock_guard lock{m_cache_mutex};
        ++m_generation;
    }
    Result<void, KvError> written;
    {
        std::lock_guard write_lock{m_write_mutex};
        // The last block's indexing is done (the buffer's lock would wait for it anyway).
        (void)m_indexer->wait();
        // A checkpoint after this block waits for the previous one first (one in flight).
        // A store without a checkpoint gets one at its first block, written before the
        // block as a synced commit's is (a restart rebuilds from the newest one, so there must
        // always be one).
        const bool first = !m_node_writer->has_durable();
        const bool checkpoint =
            sync || first || m_buffer->blocks() + 1 >= m_buffer_blocks ||
            m_buffer->bytes() + prepared.nodes.approximate_bytes() >= m_buffer_bytes;
        if (checkpoint)
            written = m_node_writer->wait();
        const size_t keys = prepared.cached_accounts.size() + prepared.cached_slots.size();
        // The helper's hand-over: the latches outlive whichever side finishes last.
        struct Handover
        {
            std::latch buffer_locked{1};
            std::latch learned{1};
        };
        std::shared_ptr<Handover> handover;
        auto nodes = std::make_shared<NodeBuffer::Block>(NodeBuffer::Block{
            prepared.block, prepared.state_root, std::move(prepared.nodes),
            std::move(prepared.replaced)});
        if (written && !sync && !first && keys >= kParallelCacheUpdate)
        {
            try
            {
                auto h = std::make_shared<Handover>();
                m_indexer->submit([this, h, nodes, buffer = m_buffer, &prepared]()
                                      -> Result<void, KvError> {
                    auto lock = buffer->lock();
                    h->buffer_locked.count_down();
                    // `prepared` lives until `learned`: commit() waits for it.
                    learn(prepared);
                    h->learned.count_down();
                    buffer->add_block(lock, std::move(*nodes));
                    return {};
                });
                handover = std::move(h);
                // The block's nodes are locked before the block can be read.
                handover->buffer_locked.wait();
            }
            catch (const std::system_error&)
            {
                // No thread to spare: the same work, before the write (below).
            }
        }
        if (!handover)
        {
            // The block's nodes readable before the block is: a reader that sees the block
            // finds its trie. A failed write takes them back.
            {
                const auto lock = m_buffer->lock();
                m_buffer->add_block(lock, std::move(*nodes));
            }
            learn(prepared);
        }
        if (written && (sync || first))
        {
            // Synced: the checkpoint before the batch that references it, so a synced block
            // is whole.
            checkpoint_buffer();
            written = m_node_writer->wait();
        }
        // A large block's flat writes go behind it (one redo record in its write instead);
        // readers see them once published, which is before the generation is even again.
        std::shared_ptr<const PendingFlat> deferred;
        if (written && !sync && !first && keys >= m_deferred_flat_min)
            deferred = std::make_shared<PendingFlat>(std::move(prepared.batch));
        if (written)
            written = m_kv.write(deferred ? deferred->now() : prepared.batch, sync);
        if (written && deferred)
            m_flat_writer->submit(std::move(deferred));
        ++m_ref_writes;
        if (handover)
            handover->learned.wait();
        prepared.nodes.clear();
        prepared.replaced.clear();
        // Under the write lock: a GC step (which waits for node writes under it) never runs
        // while a node write it has not seen is in flight.
        if (!written)
            m_buffer->drop_newest();
        else if (checkpoint && !sync && !first)
            checkpoint_buffer();
    }
    // The first block on a fresh store carried the marker: counted from genesis.
    if (written && m_gc_mode == GcMode::kFresh)
        m_gc_mode = GcMode::kOn;
    std::lock_guard lock{m_cache_mutex};
    if (!written)
    {
        // The cache learned values the store does not have.
        m_state_cache.slots.clear();
        m_state_cache.accounts.clear();
    }
    ++m_generation;
    return written;
}

void StateDb::learn(const PreparedState& prepared)
{
    std::lock_guard lock{m_cache_mutex};
    if (prepared.drops_storage)
        m_state_cache.slots.clear();
    // A block's keys are spread over tables larger than the CPU caches: prefetch ahead.
    constexpr size_t kAhead = 8;
    const auto& accounts = prepared.cached_accounts;
    for (size_t i = 0; i < accounts.size(); ++i)
    {
        if (i + kAhead < accounts.size())
        {
            const AccountKey& next = accounts[i + kAhead].first;
            m_state_cache.accounts.prefetch({next.data(), next.size()});
        }
        m_state_cache.accounts.put({accounts[i].first.data(), accounts[i].first.size()},
                                   accounts[i].second);
    }
    const auto& slots = prepared.cached_slots;
    for (size_t i = 0; i < slots.size(); ++i)
    {
        if (i + kAhead < slots.size())
            m_state_cache.slots.prefetch(slots[i + kAhead].first.view());
        m_state_cache.slots.put(slots[i].first.view(), slots[i].second);
    }
}

Result<void, KvError> StateDb::wait_for_nodes()
{
    std::lock_guard write_lock{m_write_mutex};
    if (auto f = wait_for_flat(); !f)
        return f;
    if (auto w = m_node_writer->wait(); !w)
        return w;
    checkpoint_buffer();
    auto written = m_node_writer->wait();
    // Everything is on disk: memory keeps no older states (what a restart would see).
    if (written)
        m_nodes_view->set_frozen(nullptr);
    return written;
}

StateDb::NodeWriteStats StateDb::node_write_stats() const
{
    return m_node_writer->stats();
}

Result<bool, KvError> StateDb::repair_head_nodes(uint64_t block,
                                                 const Hash& parent_root,
                                                 const Hash& root)
{
    std::lock_guard write_lock{m_write_mutex};
    if (auto w = m_node_writer->wait(); !w)
        return unexpected(w.error());
    const auto checkpoint = read_checkpoint(m_kv);
    // A checkpoint's write holds all its nodes: the head's root there means all of them are.
    Bytes probe;
    if (root == txtypes::kEmptyRootHash || m_kv.get(Column::kTrieNodes, root, probe))
    {
        if (!checkpoint || checkpoint->first != block || checkpoint->second != root)
        {
            // The head is a checkpoint without its record: a store from before checkpoints,
            // one whose checkpoint a failed write left above the head, or a kill between a
            // checkpoint's nodes and its record (two writes). Recorded, a crash from here on
            // is repaired from the head.
            WriteBatch mark;
            mark.put(Column::kMeta, as_view(kTrieCheckpointKey), encode_checkpoint(block, root));
            if (auto w = m_kv.write(mark, true); !w)
                return unexpected(w.error());
            m_node_writer->set_durable(block);
        }
        return false;
    }
    // From the newest checkpoint below the head; a store without one wrote every block's
    // nodes but maybe the head's.
    uint64_t from = block - 1;
    Hash from_root = parent_root;
    if (checkpoint && checkpoint->first < block)
    {
        from = checkpoint->first;
        from_root = checkpoint->second;
    }
    WriteBatch nodes;
    if (auto rebuilt = rebuild_nodes(from, from_root, block, root, nodes); !rebuilt)
        return unexpected(rebuilt.error());
    nodes.put(Column::kMeta, as_view(kTrieCheckpointKey), encode_checkpoint(block, root));
    if (auto w = m_kv.write(nodes, true); !w)
        return unexpected(
            KvError{"trie nodes of block " + std::to_string(block) + ": " + w.error().message});
    m_node_writer->set_durable(block);
    return true;
}

Result<void, KvError> StateDb::rebuild_nodes(uint64_t from,
                                             const Hash& from_root,
                                             uint64_t to,
                                             const Hash& to_root,
                                             WriteBatch& nodes) const
{
    const std::string what = "trie nodes of block " + std::to_string(to);
    if (from == to)
    {
        if (from_root != to_root)
            return unexpected(KvError{what + ": two roots for one block"});
        return {};
    }
    const uint64_t lo = std::min(from, to);
    const uint64_t hi = std::max(from, to);
    const bool forward = to > from;  // the flat state is at `hi` either way

    // Every key blocks lo+1..hi wrote, with its value at `lo`: each record's old values,
    // newest block first, so the oldest block's (the value before it) is what stays.
    std::map<Bytes, std::optional<Bytes>, std::less<>> at_lo;
    for (uint64_t n = hi; n > lo; --n)
    {
        const auto key = undo_key(n);
        Bytes record;
        if (!m_kv.get(Column::kUndo, {key.data(), key.size()}, record))
            return unexpected(KvError{what + " missing and no undo record of block " +
                                      std::to_string(n) + " to rebuild them from"});
        WriteBatch old;
        if (auto added = add_undo_writes(old, record); !added)
            return unexpected(
                KvError{what + ": block " + std::to_string(n) + ": " + added.error().message});
        for (const WriteBatch::Op& op : old.ops())
        {
            std::optional<Bytes> v;
            if (!op.is_delete)
                v = op.value;
            at_lo.insert_or_assign(op.key, std::move(v));
        }
    }
    // A key's value at `hi`: the flat state's.
    Bytes flat;
    const auto at_hi = [&](ByteView k) -> std::optional<Bytes> {
        if (!flat_get(k, flat))
            return std::nullopt;
        return flat;
    };
    const auto decode =
        [&](const std::optional<Bytes>& v) -> Result<std::optional<Account>, KvError> {
        if (!v)
            return std::optional<Account>{};
        auto a = decode_account(*v);
        if (!a)
            return unexpected(KvError{what + ": a malformed account record"});
        return std::optional<Account>{*a};
    };

    // The map is sorted, so each account key comes right before its slots' keys (which
    // extend it). Storage tries first (from the account's storage root in the `from` state),
    // then the account trie from `from_root`, with the values of the `to` state.
    Trie trie{*m_nodes_view, m_cache.get()};
    std::vector<TrieUpdate> accounts;
    for (auto it = at_lo.begin(); it != at_lo.end();)
    {
        const ByteView akey = it->first;
        if (akey.size() != kAccountKeySize)
            return unexpected(KvError{what + ": a slot outside its account's group"});
        std::optional<Bytes> to_record = forward ? at_hi(akey) : it->second;
        auto base = decode(forward ? it->second : at_hi(akey));
        if (!base)
            return unexpected(base.error());
        auto target = decode(to_record);
        if (!target)
            return unexpected(target.error());
        std::vector<TrieUpdate> slots;
        for (++it; it != at_lo.end() && it->first.size() > kAccountKeySize &&
                   ByteView{it->first}.substr(0, kAccountKeySize) == akey;
             ++it)
        {
            const ByteView k = it->first;
            // The slot as the trie keys it (EVM: 32 bytes; WASM: a u64, zero-extended).
            TrieUpdate u;
            u.key = keccak256(trie_slot(from_be_bytes(k.substr(kAccountKeySize))));
            const std::optional<Bytes> v = forward ? at_hi(k) : it->second;
            if (v)
                rlp::encode(u.value, ByteView{*v});
            slots.push_back(std::move(u));
        }
        if (*target && !slots.empty())
        {
            sort_unique(slots);
            const Hash base_root = *base ? (*base)->storage_root : txtypes::kEmptyRootHash;
            auto storage = trie.apply(base_root, slots, nodes);
            if (!storage)
                return unexpected(KvError{what + ": " + storage.error().message});
            if (*storage != (*target)->storage_root)
                return unexpected(KvError{what + ": a storage root rebuilt as " +
                                          to_0x_hex(*storage) + ", the account says " +
                                          to_0x_hex((*target)->storage_root)});
        }
        Address identity;
        std::memcpy(identity.bytes.data(), akey.data() + 1, identity.bytes.size());
        TrieUpdate u;
        u.key = keccak256(identity);
        if (to_record)
            u.value = std::move(*to_record);
        accounts.push_back(std::move(u));
    }
    sort_unique(accounts);
    auto rebuilt = trie.apply(from_root, accounts, nodes);
    if (!rebuilt)
        return unexpected(KvError{what + ": " + rebuilt.error().message});
    if (*rebuilt != to_root)
        return unexpected(KvError{what + ": the state root rebuilt as " + to_0x_hex(*rebuilt) +
                                  ", the block says " + to_0x_hex(to_root)});
    return {};
}

void StateDb::drop_cache() noexcept
{
    std::lock_guard lock{m_cache_mutex};
    m_generation += 2;
    m_state_cache.slots.clear();
    m_state_cache.accounts.clear();
}

Result<void, KvError> StateDb::unwind_block(WriteBatch& batch, uint64_t block_num) const
{
    const auto key = undo_key(block_num);
    const ByteView k{key.data(), key.size()};
    Bytes record;
    if (!m_kv.get(Column::kUndo, k, record))
        return unexpected(KvError{"no undo record for block " + std::to_string(block_num) +
                                  " (finalized, or written by a build without undo records)"});
    if (auto added = add_undo_writes(batch, record); !added)
        return unexpected(
            KvError{"block " + std::to_string(block_num) + ": " + added.error().message});
    batch.del(Column::kUndo, k);
    // The block's GC record goes unapplied (GC stays at or below the finalized head, so it
    // never counted the block); write_unwind reads it first and deletes the nodes only the
    // unwound blocks used.
    if (m_gc_mode != GcMode::kOff)
        batch.del(Column::kTrieGc, k);
    return {};
}

Result<void, KvError> StateDb::unwind_nodes(WriteBatch& batch,
                                            uint64_t head,
                                            const Hash& head_root,
                                            uint64_t target,
                                            const Hash& target_root)
{
    std::lock_guard write_lock{m_write_mutex};
    // The flat state the rebuild reads, and the checkpoint in flight, land first: the buffer
    // then holds the blocks above it.
    if (auto f = wait_for_flat(); !f)
        return f;
    if (auto w = m_node_writer->wait(); !w)
        return w;
    const uint64_t durable = m_node_writer->durable();
    if (target >= durable)
    {
        // The target's nodes are on disk or in the buffer (it keeps replaced nodes until its
        // checkpoint): drop the unwound blocks from it.
        m_unwind_buffer = std::pair{target, false};
        return {};
    }
    // Below the checkpoint: nodes of the target's state that died inside a window were never
    // written. A root whose node is stored is whole (a checkpoint's write), else rebuild it
    // from the head's. The rebuild emits the nodes on the paths of the keys the unwound blocks
    // wrote; the rest of the target's trie is shared with the head's, whose nodes are on disk
    // or in the buffer. So the buffer goes to disk too, whole: a node a buffered block built
    // again beside those paths (a leaf split off, merged back, split again) may be the
    // target's. Nodes only unwound blocks wrote are deleted again by write_unwind's GC plan.
    Bytes probe;
    if (target_root != txtypes::kEmptyRootHash && !m_kv.get(Column::kTrieNodes, target_root, probe))
    {
        if (auto rebuilt = rebuild_nodes(head, head_root, target, target_root, batch); !rebuilt)
            return rebuilt;  // the caller drops the batch
        m_buffer->live_nodes(batch, /*all=*/true);
    }
    batch.put(Column::kMeta, as_view(kTrieCheckpointKey), encode_checkpoint(target, target_root));
    m_unwind_buffer = std::pair{target, true};
    return {};
}

Result<void, KvError> StateDb::write_unwind(const WriteBatch& batch, bool sync)
{
    // An unwind deletes nodes only the unwound blocks used: never before they are written.
    // Its flat writes go after the last block's.
    if (auto f = wait_for_flat(); !f)
        return f;
    if (auto w = m_node_writer->wait(); !w)
        return w;
    // As commit(): an odd generation while the write is in flight keeps concurrent misses from
    // caching what they read; then the whole cache goes (any entry may predate the unwind).
    {
        std::lock_guard lock{m_cache_mutex};
        ++m_generation;
    }
    Result<void, KvError> written;
    {
        std::lock_guard write_lock{m_write_mutex};
        written = write_with_node_deletes(batch, sync);
        ++m_ref_writes;
        if (written && m_unwind_buffer)
        {
            if (m_unwind_buffer->second)
            {
                m_buffer = std::make_shared<NodeBuffer>();
                m_nodes_view->set_current(m_buffer);
                m_node_writer->set_durable(m_unwind_buffer->first);
            }
            else
                m_buffer->truncate(m_unwind_buffer->first);
        }
        m_unwind_buffer.reset();
    }
    std::lock_guard lock{m_cache_mutex};
    ++m_generation;
    m_state_cache.slots.clear();
    m_state_cache.accounts.clear();
    return written;
}

Bytes StateDb::code(const Hash& code_hash) const
{
    Bytes code;
    m_kv.get(Column::kCode, code_hash, code);
    return code;
}

Trie StateDb::trie() const
{
    return Trie{*m_nodes_view, m_cache.get(), 1, storage_leaf_cache()};
}

/// One account's storage update within a block's prepare: runs on any of the commit threads.
struct StateDb::StorageJob
{
    const AccountChange* change = nullptr;
    Hash root;                   ///< the storage root before the block (empty root when cleared)
    size_t pending = 0;          ///< index of the account's record in prepare's list
    size_t work = 0;             ///< slot updates (for scheduling the largest first)
    bool had_account = false;    ///< false: no slot of it is stored (a slot needs its account)
    UndoWriter undo;             ///< this account's slot entries: a fragment of the block's record
    std::vector<Hash> replaced;  ///< old storage-trie nodes rebuilt (when GC counts)
};

Result<Hash, KvError> StateDb::apply_storage(StorageJob& job,
                                             WriteBatch& batch,
                                             WriteBatch& nodes,
                                             std::vector<std::pair<SlotKey, U256>>& cached) const
{
    const AccountChange& change = *job.change;
    const size_t n = change.storage.size();
    std::vector<SlotKey> keys;
    keys.reserve(n);
    for (const StorageChange& s : change.storage)
        keys.push_back(slot_key(change.engine, change.identity, s.slot));

    // Each slot's value before the block, for the undo record: from the read cache (execution
    // read most written slots: SSTORE's gas needs the current value), else the flat KV.
    // A new account has no stored slots: nothing to look up (execution may not have read them).
    std::vector<U256> before(n, U256{0});
    std::vector<uint8_t> known(n, job.had_account ? 0 : 1);
    if (job.had_account)
    {
        std::lock_guard lock{m_cache_mutex};
        // Each lookup is a DRAM miss in a table larger than the CPU caches: start them all
        // first so they overlap (~0.75 us a lookup one by one in the commit bench).
        for (size_t i = 0; i < n; ++i)
            m_state_cache.slots.prefetch(keys[i].view());
        for (size_t i = 0; i < n; ++i)
        {
            if (const U256* hit = m_state_cache.slots.find(keys[i].view()))
            {
                before[i] = *hit;
                known[i] = 1;
            }
        }
    }
    Bytes read;
    for (size_t i = 0; i < n; ++i)
    {
        if (!known[i] && flat_get(keys[i].view(), read))
            before[i] = decode_storage_value(read);
        job.undo.add_slot(keys[i].view(), before[i]);
    }
    // The old values double as old-leaf hints that save the trie a node read per overwrite;
    // after a storage clear the trie starts empty: no old leaf.
    const bool hints = !change.storage_cleared;

    // The slots' trie keys, hashed together (keccak256_many: eight at a time on AVX-512).
    std::vector<Hash> slots(n);
    std::vector<Hash> trie_keys(n);
    std::vector<ByteView> slot_views(n);
    for (size_t i = 0; i < n; ++i)
    {
        slots[i] = trie_slot(change.storage[i].slot);
        slot_views[i] = slots[i];
    }
    keccak256_many(slot_views, trie_keys);

    std::vector<TrieUpdate> updates;
    updates.reserve(n);
    for (size_t i = 0; i < n; ++i)
    {
        const StorageChange& s = change.storage[i];
        TrieUpdate u;
        u.key = trie_keys[i];
        if (s.value == 0)
            batch.del(Column::kState, keys[i].view());
        else
        {
            const Bytes v = encode_storage_value(s.value);
            batch.put(Column::kState, keys[i].view(), v);
            rlp::encode(u.value, ByteView{v});
        }
        if (hints && before[i] != 0)
            rlp::encode(u.old_value, ByteView{encode_storage_value(before[i])});
        updates.push_back(std::move(u));
        cached.emplace_back(keys[i], s.value);
    }
    sort_unique(updates);
    Trie t{*m_nodes_view, m_cache.get(), 1, storage_leaf_cache()};
    return t.apply(job.root, updates, nodes, m_gc_mode != GcMode::kOff ? &job.replaced : nullptr);
}

Result<void, KvError> StateDb::apply_storage_jobs(std::vector<StorageJob>& jobs,
                                                  std::vector<Hash>& roots,
                                                  PreparedState& out) const
{
    roots.assign(jobs.size(), Hash{});
    size_t total = 0;
    for (const auto& j : jobs)
        total += j.work;
    const size_t threads =
        (m_threads > 1 && jobs.size() > 1 && total >= Trie::kParallelMinUpdates) ? m_threads : 1;
    if (threads == 1)
    {
        for (size_t i = 0; i < jobs.size(); ++i)
        {
            auto root = apply_storage(jobs[i], out.batch, out.nodes, out.cached_slots);
            if (!root)
                return unexpected(root.error());
            roots[i] = *root;
        }
        return {};
    }

    // Storage tries are independent: threads take accounts, largest first, each into its own
    // batch, appended after the main batch (after any storage-clear deletes it holds).
    std::vector<size_t> order(jobs.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return jobs[a].work > jobs[b].work; });
    struct Lane
    {
        WriteBatch batch;
        WriteBatch nodes;
        std::vector<std::pair<SlotKey, U256>> cached;
        std::optional<KvError> error;
    };
    std::vector<Lane> lanes(threads);
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    const auto work = [&](Lane& lane) {
        for (size_t k = next++; k < order.size() && !failed; k = next++)
        {
            auto root = apply_storage(jobs[order[k]], lane.batch, lane.nodes, lane.cached);
            if (!root)
            {
                lane.error = root.error();
                failed = true;
                return;
            }
            roots[order[k]] = *root;
        }
    };
    std::vector<std::thread> helpers;
    helpers.reserve(threads - 1);
    for (size_t t = 1; t < threads; ++t)
        helpers.emplace_back(work, std::ref(lanes[t]));
    work(lanes[0]);
    for (auto& h : helpers)
        h.join();
    for (auto& lane : lanes)
    {
        if (lane.error)
            return unexpected(std::move(*lane.error));
        out.batch.append(std::move(lane.batch));
        out.nodes.append(std::move(lane.nodes));
        out.cached_slots.insert(out.cached_slots.end(), lane.cached.begin(), lane.cached.end());
    }
    return {};
}

namespace {

/// Microseconds since `from`, advancing it to now (PrepareTimings).
uint32_t lap_us(std::chrono::steady_clock::time_point& from)
{
    const auto now = std::chrono::steady_clock::now();
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - from).count();
    from = now;
    return static_cast<uint32_t>(std::clamp<int64_t>(us, 0, std::numeric_limits<uint32_t>::max()));
}

}  // namespace

Result<PreparedState, KvError> StateDb::prepare(const StateDiff& diff, const Hash& parent_root)
{
    auto lap = std::chrono::steady_clock::now();
    PreparedState out;
    WriteBatch& batch = out.batch;
    // The undo record: one group per account, written here with its cleared storage; the
    // slots a storage job writes go to the job's own fragment, spliced into the account's
    // group at `splices` once the jobs are done (the bytes do not depend on the threads).
    UndoWriter undo;
    undo.reserve(1 + diff.accounts.size() * 40);
    undo.begin_record();
    std::vector<std::pair<size_t, size_t>> splices;  // (offset in `undo`, job index)

    for (const auto& [hash, code] : diff.code)
        batch.put(Column::kCode, hash, code);

    // Pass 1 (this thread): old records, deletes, and the storage work to do.
    struct Pending
    {
        const AccountChange* change;
        AccountKey akey;
        Hash trie_key;
        Bytes old_leaf;
        Hash storage_root;
    };
    std::vector<Pending> pending;
    pending.reserve(diff.accounts.size());
    std::vector<StorageJob> jobs;
    std::vector<TrieUpdate> account_updates;
    account_updates.reserve(diff.accounts.size());
    const bool counts = m_gc_mode != GcMode::kOff;
    std::vector<Hash> replaced;  // old nodes the block stops referencing (GC)
    const Trie storage_walker{*m_nodes_view, m_cache.get()};
    // A destroyed or cleared account's slots are found by scanning the store: the deferred
    // flat write of the last block must have landed (its new slots are in it).
    for (const AccountChange& change : diff.accounts)
    {
        if (!change.account || change.storage_cleared)
        {
            if (auto f = wait_for_flat(); !f)
                return unexpected(f.error());
            break;
        }
    }
    // The accounts' trie keys, hashed together (keccak256_many: eight at a time on AVX-512).
    std::vector<Hash> trie_keys(diff.accounts.size());
    {
        std::vector<ByteView> ids;
        ids.reserve(diff.accounts.size());
        for (const AccountChange& change : diff.accounts)
            ids.emplace_back(change.identity);
        keccak256_many(ids, trie_keys);
    }
    // The read cache is larger than the CPU caches: each account() below would wait for its
    // slot's line. Loading a chunk ahead, under one lock per chunk, overlaps those misses.
    constexpr size_t kPrefetchChunk = 16;
    const auto prefetch_accounts = [&](size_t from) {
        const size_t to = std::min(from + kPrefetchChunk, diff.accounts.size());
        if (from >= to)
            return;
        std::lock_guard lock{m_cache_mutex};
        for (size_t i = from; i < to; ++i)
        {
            const AccountKey k = account_key(diff.accounts[i].engine, diff.accounts[i].identity);
            m_state_cache.accounts.prefetch(ByteView{k.data(), k.size()});
        }
    };
    prefetch_accounts(0);
    for (size_t ai = 0; ai < diff.accounts.size(); ++ai)
    {
        if (ai % kPrefetchChunk == 0)
            prefetch_accounts(ai + kPrefetchChunk);
        const AccountChange& change = diff.accounts[ai];
        const AccountKey akey = account_key(change.engine, change.identity);
        const ByteView akey_view{akey.data(), akey.size()};
        const Hash& trie_key = trie_keys[ai];

        // The record before this block: its storage root, and the old leaf as a hint that
        // saves the trie a store read for most overwrites.
        const std::optional<Account> old = account(change.engine, change.identity);
        Bytes old_leaf = old ? encode_account(*old) : Bytes{};
        undo.begin_account(akey, old);
        // A destroyed or cleared account's old storage trie loses its place whole: every
        // node of it is stale (rare: a walk of the trie, as the flat storage is scanned).
        if (counts && old && old->storage_root != txtypes::kEmptyRootHash &&
            (!change.account || change.storage_cleared))
        {
            auto walked = storage_walker.walk_nodes(old->storage_root,
                                                    [&](const Hash& h) { replaced.push_back(h); });
            if (!walked)
                return unexpected(walked.error());
        }

        if (!change.account)
        {
            // Destroyed / removed: the account and all its storage go.
            batch.del(Column::kState, akey_view);
            delete_flat_storage(m_kv, akey, batch, undo);
            undo.end_account();
            account_updates.push_back({trie_key, {}, std::move(old_leaf)});
            out.cached_accounts.emplace_back(akey, std::nullopt);
            out.drops_storage = true;
            continue;
        }

        Hash storage_root = txtypes::kEmptyRootHash;
        if (!change.storage_cleared)
        {
            if (old)
                storage_root = old->storage_root;
        }
        else
        {
            delete_flat_storage(m_kv, akey, batch, undo);
            out.drops_storage = true;
        }
        if (!change.storage.empty())
        {
            splices.emplace_back(undo.size(), jobs.size());
            jobs.push_back({&change,
                            storage_root,
                            pending.size(),
                            change.storage.size(),
                            old.has_value(),
                            {},
                            {}});
        }
        undo.end_account();
        pending.push_back({&change, akey, trie_key, std::move(old_leaf), storage_root});
    }

    out.timings.accounts_us = lap_us(lap);
    // Pass 2: the storage tries, over the commit threads.
    std::vector<Hash> roots;
    if (auto done = apply_storage_jobs(jobs, roots, out); !done)
        return unexpected(done.error());
    for (size_t i = 0; i < jobs.size(); ++i)
        pending[jobs[i].pending].storage_root = roots[i];
    out.undo = BlockUndo{splice_undo(undo.take(), splices, jobs)};
    out.timings.storage_us = lap_us(lap);

    // Pass 3: the account records and the account trie.
    for (Pending& p : pending)
    {
        Account a = *p.change->account;
        a.engine = p.change->engine;
        a.storage_root = p.storage_root;
        Bytes encoded = encode_account(a);
        batch.put(Column::kState, {p.akey.data(), p.akey.size()}, encoded);
        out.cached_accounts.emplace_back(p.akey, a);
        account_updates.push_back({p.trie_key, std::move(encoded), std::move(p.old_leaf)});
    }

    sort_unique(account_updates);
    out.timings.records_us = lap_us(lap);
    // The account trie of a large block is split over the commit threads (Trie's threads).
    Trie account_trie{*m_nodes_view, m_cache.get(), m_threads};
    auto root =
        account_trie.apply(parent_root, account_updates, out.nodes, counts ? &replaced : nullptr);
    if (!root)
        return unexpected(root.error());
    out.state_root = *root;
    out.timings.account_trie_us = lap_us(lap);
    if (counts)
    {
        for (const StorageJob& j : jobs)
            replaced.insert(replaced.end(), j.replaced.begin(), j.replaced.end());
        add_trie_refs(out, replaced, parent_root == txtypes::kEmptyRootHash);
        out.replaced = std::move(replaced);
    }
    return out;
}

void StateDb::add_trie_refs(PreparedState& out, std::span<const Hash> replaced, bool genesis) const
{
    // Every node put is a place gained, every replaced node a place lost: both wait in the
    // block's GC record until GC passes the block (the commit writes no count). The genesis
    // state (built from the empty root, never unwound, stored without a record) counts its
    // nodes at once.
    WriteBatch& batch = out.batch;
    std::vector<Hash> written;
    written.reserve(out.nodes.size());
    for (const WriteBatch::Op& op : out.nodes.ops())
    {
        Hash h;
        (void)Hash::from_view(op.key, h);
        written.push_back(h);
    }
    if (genesis)
    {
        for (const Hash& h : written)
            batch.add(Column::kTrieRefs, h, 1);
        written.clear();
    }
    if (m_gc_mode == GcMode::kFresh)
    {
        const uint8_t version = 1;
        batch.put(Column::kMeta, as_view(kTrieGcMarker), {&version, 1});
    }
    out.undo.trie_gc = encode_trie_gc_record(written, replaced);
}

Result<void, KvError> StateDb::write_with_node_deletes(const WriteBatch& batch, bool sync)
{
    WriteBatch out;
    if (!plan_trie_gc_unwind(m_kv, batch, out))
        return m_kv.write(batch, sync);
    return m_kv.write(out, sync);
}

void StateDb::keep_all_state() noexcept
{
    if (m_gc_mode == GcMode::kFresh)
        m_gc_mode = GcMode::kOff;
}

bool StateDb::trie_gc_enabled() const noexcept
{
    return m_gc_mode != GcMode::kOff;
}

std::string StateDb::trie_gc_status() const
{
    if (m_gc_mode != GcMode::kOff)
        return "trie GC on: node references counted since genesis";
    return "trie GC off: the database was created without trie node reference counts (as an "
           "archive, history.blocks = all, or by an older build); old trie nodes are kept "
           "(resync into a new data directory with history.blocks = N for state GC)";
}

Result<TrieGcStats, KvError> StateDb::collect_garbage(uint64_t up_to_block, size_t max_blocks)
{
    TrieGcStats stats;
    if (m_gc_mode != GcMode::kOn)
        return stats;
    std::lock_guard gc_lock{m_gc_mutex};
    // Never past the newest checkpoint (the one in flight landed first): a restart rebuilds
    // the head from its state, so no node of it may go.
    if (auto w = m_node_writer->wait(); !w)
        return unexpected(w.error());
    up_to_block = std::min(up_to_block, m_node_writer->durable());
    // Each step is planned without the write lock (a commit may go on meanwhile) and written
    // under it if no commit or unwind came in between; else planned again, holding it (a block
    // committed meanwhile may have written a node again, an unwind moved the frontier).
    const auto step = [&](const auto& plan) -> Result<bool, KvError> {
        uint64_t seen = 0;
        {
            std::lock_guard lock{m_write_mutex};
            seen = m_ref_writes;
        }
        WriteBatch batch;
        auto planned = plan(batch);
        if (!planned || !*planned)
            return planned;
        std::lock_guard lock{m_write_mutex};
        // No node write in flight under the lock (commit submits under it): GC's deletes and
        // a block's node puts never interleave.
        if (auto w = m_node_writer->wait(); !w)
            return unexpected(w.error());
        if (m_ref_writes != seen)
        {
            batch.clear();
            planned = plan(batch);
            if (!planned || !*planned)
                return planned;
        }
        if (auto w = m_kv.write(batch); !w)
            return unexpected(w.error());
        return true;
    };
    const auto bad = [](uint64_t n, const KvError& e) {
        return KvError{"trie GC of block " + std::to_string(n) + ": " + e.message};
    };

    // Count the places every block since the frontier gained (its written list), up to the
    // head: O(written) per block, once.
    for (;;)
    {
        uint64_t added = 0;
        auto counted = step([&](WriteBatch& b) -> Result<bool, KvError> {
            Bytes record;
            const auto n = first_trie_gc_record(m_kv, trie_gc_counted(m_kv) + 1, record);
            if (!n)
                return false;
            const auto gc = decode_trie_gc_record(record);
            if (!gc)
                return unexpected(bad(*n, gc.error()));
            added = plan_trie_gc_count(*n, *gc, b);
            return true;
        });
        if (!counted)
            return unexpected(counted.error());
        if (!*counted)
            break;
        stats.refs_added += added;
    }
    // Then the places the oldest blocks lost (their replaced lists), one block per write.
    while (stats.blocks < max_blocks)
    {
        TrieGcStats one;
        uint64_t block = 0;
        auto done = step([&](WriteBatch& b) -> Result<bool, KvError> {
            Bytes record;
            const uint64_t counted = trie_gc_counted(m_kv);
            const auto n = first_trie_gc_record(m_kv, m_gc_next, record);
            if (!n || *n > up_to_block || *n > counted)
                return false;
            const auto gc = decode_trie_gc_record(record);
            if (!gc)
                return unexpected(bad(*n, gc.error()));
            one = plan_trie_gc(m_kv, *n, counted, *gc, b);
            block = *n;
            return true;
        });
        if (!done)
            return unexpected(done.error());
        if (!*done)
            break;
        m_gc_next = block + 1;
        ++stats.blocks;
        stats.refs_dropped += one.refs_dropped;
        stats.nodes_deleted += one.nodes_deleted;
        stats.anomalies += one.anomalies;
        stats.last_block = block;
    }
    return stats;
}

}  // namespace l2::state
