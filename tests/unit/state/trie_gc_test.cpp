// Trie node garbage collection (docs/spec/state.md, "Garbage collection of trie nodes"): the
// counter column, the GC record layout, and randomized chains over a small key space (values
// repeat, storage tries of different accounts are identical) with GC behind a moving window and
// rewinds, on the memory store and RocksDB. After every step the stored node set is exactly the
// union of the nodes of the retained roots, every node's count is exactly what the layout says,
// and the flat state's from-scratch root is the stored one.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include <state/memory_store.hpp>
#include <state/rocksdb_store.hpp>
#include <state/state_db.hpp>
#include <state/undo.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

#include "scratch_state.hpp"
#include "temp_dir.hpp"

#include "test_identity.hpp"

using namespace l2;
using namespace l2::state;

namespace {

Address identity(uint64_t i)
{
    return test::test_identity(i);
}

Engine engine_of(uint64_t i)
{
    return i % 11 == 0 ? Engine::kWasm : Engine::kEvm;
}

/// Tree multiplicity of every stored node of the state at `root`: the account trie and each
/// account's storage trie (two accounts with one storage root count its nodes twice).
using NodeCounts = std::map<Hash, int64_t>;

NodeCounts nodes_of(const StateDb& db,
                    const Hash& root,
                    std::map<Hash, NodeCounts>* storage_cache = nullptr)
{
    NodeCounts out;
    const Trie trie = db.trie();
    std::vector<Hash> storage_roots;
    auto walked = trie.walk_nodes(
        root, [&](const Hash& h) { ++out[h]; },
        [&](ByteView leaf) {
            auto a = decode_account(leaf);
            EXPECT_TRUE(a) << "undecodable account leaf";
            if (a && a->storage_root != txtypes::kEmptyRootHash)
                storage_roots.push_back(a->storage_root);
        });
    EXPECT_TRUE(walked) << "state root " << to_hex(root) << ": " << walked.error().message;
    std::map<Hash, NodeCounts> local;
    auto& cache = storage_cache != nullptr ? *storage_cache : local;
    for (const Hash& s : storage_roots)
    {
        const auto emplaced = cache.try_emplace(s);
        const auto it = emplaced.first;  // not a structured binding: lambdas capture it (clang)
        if (emplaced.second)
        {
            auto w = trie.walk_nodes(s, [&](const Hash& h) { ++it->second[h]; });
            EXPECT_TRUE(w) << "storage root " << to_hex(s) << ": " << w.error().message;
        }
        for (const auto& [h, n] : it->second)
            out[h] += n;
    }
    return out;
}

std::map<Hash, int64_t> column_counts(const KvStore& kv)
{
    std::map<Hash, int64_t> out;
    scan_prefix(kv, Column::kTrieRefs, {}, [&](ByteView k, ByteView v) {
        Hash h;
        EXPECT_TRUE(Hash::from_view(k, h));
        out[h] = decode_counter(v);
        return true;
    });
    return out;
}

std::set<Hash> stored_nodes(const KvStore& kv)
{
    std::set<Hash> out;
    scan_prefix(kv, Column::kTrieNodes, {}, [&](ByteView k, ByteView v) {
        Hash h;
        EXPECT_TRUE(Hash::from_view(k, h));
        EXPECT_EQ(keccak256(v), h);
        out.insert(h);
        return true;
    });
    return out;
}

size_t column_size(const KvStore& kv, Column c)
{
    size_t n = 0;
    scan_prefix(kv, c, {}, [&](ByteView, ByteView) {
        ++n;
        return true;
    });
    return n;
}

/// A block over a small key space: `pool` accounts, 6 slots each, values 0..2, balances 1..3,
/// so leaves, storage tries and whole subtrees repeat across accounts and blocks. Some accounts
/// are destroyed or have their storage cleared; `big` adds 1,500 slot writes (parallel storage
/// tries) and, over a pool of at least 1,200, 1,100 account updates (parallel account trie).
StateDiff small_diff(std::mt19937_64& rng, uint64_t pool, bool big)
{
    std::map<uint64_t, AccountChange> changes;
    const uint64_t count = big && pool >= 1200 ? 1100 : 5 + rng() % 25;
    for (uint64_t c = 0; c < count; ++c)
    {
        const uint64_t i = rng() % pool;
        AccountChange ch;
        ch.engine = engine_of(i);
        ch.identity = identity(i);
        const uint64_t kind = rng() % 100;
        if (kind < 5)
        {
            changes[i] = std::move(ch);
            continue;
        }
        Account a;
        a.engine = ch.engine;
        a.nonce = rng() % 2;
        a.balance = U256{1 + rng() % 3};
        ch.account = a;
        ch.storage_cleared = kind >= 95;
        if (kind >= 30)
        {
            const uint64_t n = 1 + rng() % 4;
            for (uint64_t s = 0; s < n; ++s)
                ch.storage.push_back({U256{rng() % 6}, U256{rng() % 3}});
        }
        changes[i] = std::move(ch);
    }
    if (big)
    {
        for (uint64_t c = 0; c < 3; ++c)
        {
            const uint64_t i = 1 + c;
            AccountChange& ch = changes[i];
            ch.engine = engine_of(i);
            ch.identity = identity(i);
            ch.account = Account{};
            ch.account->engine = ch.engine;
            ch.storage.clear();
            ch.storage_cleared = false;
            std::set<uint64_t> slots;
            while (slots.size() < 500)
                slots.insert(rng() % 2000);
            for (const uint64_t s : slots)
                ch.storage.push_back({U256{s}, U256{rng() % 3}});
        }
    }
    StateDiff diff;
    for (auto& [i, ch] : changes)
        diff.accounts.push_back(std::move(ch));
    return diff;
}

/// A chain with GC: blocks 1..top (block 0 is the empty state), GC applied up to `gc_done`.
class GcChain
{
public:
    /// Block 0 is a genesis state, committed as Chain does: built from the empty root, no
    /// undo or GC record, never unwound.
    GcChain(KvStore& kv, uint64_t seed, uint64_t pool) : m_kv{&kv}, m_rng{seed}, m_pool{pool}
    {
        open(kv);
        auto p = m_db->prepare(small_diff(m_rng, m_pool, false), txtypes::kEmptyRootHash);
        EXPECT_TRUE(p && m_db->commit(*p));
        m_roots.push_back(p ? p->state_root : Hash{});
    }

    void open(KvStore& kv)
    {
        m_kv = &kv;
        m_db = std::make_unique<StateDb>(kv, StateDb::kDefaultTrieCacheBytes, 2);
        ASSERT_TRUE(m_db->trie_gc_enabled()) << m_db->trie_gc_status();
    }
    void close() { m_db.reset(); }

    uint64_t top() const { return m_roots.size() - 1; }
    uint64_t gc_done() const { return m_gc_done; }
    std::mt19937_64& rng() { return m_rng; }
    StateDb& db() { return *m_db; }
    const Hash& root(uint64_t n) const { return m_roots[n]; }

    void append(bool big = false)
    {
        if (m_rng() % 4 == 0)
            m_db->drop_cache();
        const uint64_t n = top() + 1;
        const StateDiff diff = small_diff(m_rng, m_pool, big);
        auto p = m_db->prepare(diff, m_roots.back());
        ASSERT_TRUE(p) << "block " << n << ": " << p.error().message;
        ASSERT_FALSE(p->undo.trie_gc.empty());
        put_undo_record(p->batch, n, p->undo);
        p->block = n;
        ASSERT_TRUE(m_db->commit(*p));
        m_roots.push_back(p->state_root);
    }

    /// GC up to `up_to` (at most `max` blocks); checks the returned stats.
    TrieGcStats gc(uint64_t up_to, size_t max = SIZE_MAX)
    {
        auto s = m_db->collect_garbage(up_to, max);
        EXPECT_TRUE(s) << s.error().message;
        if (!s)
            return {};
        EXPECT_EQ(s->anomalies, 0u);
        if (s->last_block)
        {
            EXPECT_GT(*s->last_block, m_gc_done);
            EXPECT_LE(*s->last_block, up_to);
            m_gc_done = *s->last_block;
        }
        return *s;
    }

    void rewind(uint64_t target)
    {
        ASSERT_GE(target, m_gc_done) << "a rewind never goes below what GC passed";
        WriteBatch batch;
        for (uint64_t n = top(); n > target; --n)
        {
            auto u = m_db->unwind_block(batch, n);
            ASSERT_TRUE(u) << u.error().message;
            delete_undo_records(batch, n, n);
        }
        ASSERT_TRUE(m_db->write_unwind(batch));
        m_roots.resize(target + 1);
    }

    /// The stored nodes are exactly those of the roots of blocks gc_done..top, the counts
    /// exactly what the layout says, and the flat state hashes to the head root.
    void check(bool scratch = true)
    {
        // The store itself is checked: the last block's nodes written first.
        ASSERT_TRUE(m_db->wait_for_nodes());
        // Storage tries are walked once per check (blocks share most of them).
        std::map<Hash, NodeCounts> storage;
        std::set<Hash> want;
        for (uint64_t b = m_gc_done; b <= top(); ++b)
            for (const auto& [h, n] : nodes_of(*m_db, m_roots[b], &storage))
                want.insert(h);
        const std::set<Hash> got = stored_nodes(*m_kv);
        ASSERT_EQ(got.size(), want.size())
            << "stored nodes vs nodes of blocks " << m_gc_done << ".." << top();
        ASSERT_TRUE(got == want);

        // Counts: the places in the state of the count frontier `a` (written lists counted up
        // to there), plus the replaced lists of blocks gc_done+1..a not yet applied.
        const uint64_t a = trie_gc_counted(*m_kv);
        EXPECT_LE(a, top());
        EXPECT_GE(a, m_gc_done);
        NodeCounts expected = nodes_of(*m_db, m_roots[std::min(a, top())], &storage);
        std::set<uint64_t> records;
        scan_prefix(*m_kv, Column::kTrieGc, {}, [&](ByteView k, ByteView v) {
            uint64_t n = 0;
            for (const uint8_t b : k)
                n = (n << 8) | b;
            records.insert(n);
            auto r = decode_trie_gc_record(v);
            EXPECT_TRUE(r);
            for (size_t i = 0; r && n <= a && i < r->replaced.size(); i += 32)
            {
                Hash h;
                (void)Hash::from_view(r->replaced.substr(i, 32), h);
                ++expected[h];
            }
            return true;
        });
        std::set<uint64_t> want_records;
        for (uint64_t b = m_gc_done + 1; b <= top(); ++b)
            want_records.insert(b);
        ASSERT_TRUE(records == want_records);
        const auto counts = column_counts(*m_kv);
        ASSERT_EQ(counts.size(), expected.size());
        for (const auto& [h, n] : expected)
        {
            const auto it = counts.find(h);
            ASSERT_TRUE(it != counts.end()) << "no count for " << to_hex(h);
            ASSERT_EQ(it->second, n) << "count of " << to_hex(h);
        }
        if (scratch)
        {
            ASSERT_EQ(to_hex(test::scratch_state_root(*m_kv).root), to_hex(m_roots.back()));
        }
    }

private:
    KvStore* m_kv;
    std::mt19937_64 m_rng;
    uint64_t m_pool;
    std::unique_ptr<StateDb> m_db;
    std::vector<Hash> m_roots;
    uint64_t m_gc_done = 0;
};

/// Appends with GC `window` blocks behind the head, rewinds of random depth down to the GC
/// point, a check after every step.
void moving_window(GcChain& c, uint64_t window, int steps)
{
    for (int s = 0; s < steps; ++s)
    {
        SCOPED_TRACE("step " + std::to_string(s) + ", top " + std::to_string(c.top()));
        const uint64_t r = c.rng()() % 10;
        if (r == 0 && c.top() > c.gc_done())
            c.rewind(c.gc_done() + c.rng()() % (c.top() - c.gc_done() + 1));
        else
            c.append(r == 1);
        if (::testing::Test::HasFatalFailure())
            return;
        if (c.top() > window && c.rng()() % 2 == 0)
            c.gc(c.top() - window, 1 + c.rng()() % 4);
        c.check(s % 5 == 0);
        if (::testing::Test::HasFatalFailure())
            return;
    }
}

using test::TempDir;

TEST(TrieGc, CounterColumnAddsOnBothStores)
{
    EXPECT_EQ(to_hex(Bytes{encode_counter(1).data(), 8}), "0000000000000001");
    EXPECT_EQ(to_hex(Bytes{encode_counter(-1).data(), 8}), "ffffffffffffffff");
    EXPECT_EQ(decode_counter(Bytes{encode_counter(-5).data(), 8}), -5);
    TempDir dir{"l2-triegc-counter"};
    MemoryStore mem;
    auto rocks = RocksDbStore::open(dir.path.string());
    ASSERT_TRUE(rocks);
    for (KvStore* kv : {static_cast<KvStore*>(&mem), static_cast<KvStore*>(rocks->get())})
    {
        const Bytes key{1, 2, 3};
        WriteBatch b;
        b.add(Column::kTrieRefs, key, 1);
        b.add(Column::kTrieRefs, key, 1);
        ASSERT_TRUE(kv->write(b));
        WriteBatch c = b;  // copies keep the adds
        c.add(Column::kTrieRefs, key, -3);
        ASSERT_TRUE(kv->write(c));
        Bytes v;
        ASSERT_TRUE(kv->get(Column::kTrieRefs, key, v));
        EXPECT_EQ(to_hex(v), "0000000000000001");
        WriteBatch d;
        d.del(Column::kTrieRefs, key);
        d.add(Column::kTrieRefs, key, 7);  // after a delete: from 0
        ASSERT_TRUE(kv->write(d));
        ASSERT_TRUE(kv->get(Column::kTrieRefs, key, v));
        EXPECT_EQ(decode_counter(v), 7);
    }
    WriteBatch bad;
    bad.add(Column::kState, Bytes{1}, 1);
    EXPECT_FALSE((*rocks)->write(bad)) << "a counter add on a column without merge operator";
}

TEST(TrieGc, RecordLayout)
{
    Hash a;
    a.bytes.fill(0xaa);
    Hash b;
    b.bytes.fill(0xbb);
    const std::vector<Hash> written{a};
    const std::vector<Hash> replaced{b, b};
    const Bytes r = encode_trie_gc_record(written, replaced);
    EXPECT_EQ(to_hex(r.substr(0, 5)), "0100000001");
    ASSERT_EQ(r.size(), 5u + 3 * 32);
    auto d = decode_trie_gc_record(r);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->written, a.view());
    EXPECT_EQ(d->replaced.size(), 64u);
    EXPECT_FALSE(decode_trie_gc_record(r.substr(0, r.size() - 1)));
    EXPECT_FALSE(decode_trie_gc_record(Bytes{2, 0, 0, 0, 0}));
    EXPECT_FALSE(decode_trie_gc_record(Bytes{1, 0, 0, 0, 4}));
}

TEST(TrieGc, SharedStorageTrieSurvivesOneOwner)
{
    MemoryStore kv;
    StateDb db{kv};
    StateDiff d1;
    for (uint64_t i = 0; i < 2; ++i)
    {
        AccountChange ch;
        ch.identity = identity(i);
        ch.account = Account{};
        for (uint64_t s = 0; s < 10; ++s)
            ch.storage.push_back({U256{s}, U256{s + 100}});
        d1.accounts.push_back(std::move(ch));
    }
    auto p1 = db.prepare(d1, txtypes::kEmptyRootHash);
    ASSERT_TRUE(p1);
    put_undo_record(p1->batch, 1, p1->undo);
    p1->block = 1;
    ASSERT_TRUE(db.commit(*p1));
    const auto a0 = db.account(Engine::kEvm, identity(0));
    ASSERT_TRUE(a0);
    EXPECT_EQ(a0->storage_root, db.account(Engine::kEvm, identity(1))->storage_root);

    StateDiff d2;  // account 0 goes, with its storage; account 1 keeps the same trie
    AccountChange gone;
    gone.identity = identity(0);
    d2.accounts.push_back(gone);
    auto p2 = db.prepare(d2, p1->state_root);
    ASSERT_TRUE(p2);
    put_undo_record(p2->batch, 2, p2->undo);
    p2->block = 2;
    ASSERT_TRUE(db.commit(*p2));
    auto s = db.collect_garbage(2, 10);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->blocks, 2u);
    EXPECT_GT(s->nodes_deleted, 0u);
    EXPECT_EQ(s->anomalies, 0u);
    for (uint64_t slot = 0; slot < 10; ++slot)
    {
        const Hash key = keccak256(trie_slot(U256{slot}));
        auto v = db.trie().get(a0->storage_root, key);
        ASSERT_TRUE(v) << v.error().message;
        EXPECT_TRUE(v->has_value());
    }
    // Account 1 dies too: now its storage trie goes.
    StateDiff d3;
    gone.identity = identity(1);
    d3.accounts.push_back(gone);
    auto p3 = db.prepare(d3, p2->state_root);
    ASSERT_TRUE(p3);
    put_undo_record(p3->batch, 3, p3->undo);
    p3->block = 3;
    ASSERT_TRUE(db.commit(*p3));
    ASSERT_TRUE(db.collect_garbage(3, 10));
    EXPECT_EQ(kv.count(Column::kTrieNodes), 0u);
    EXPECT_EQ(kv.count(Column::kTrieRefs), 0u);
    EXPECT_EQ(kv.count(Column::kTrieGc), 0u);
}

TEST(TrieGc, MovingWindowWithRewindsMemory)
{
    for (uint64_t seed = 1; seed <= 3; ++seed)
    {
        SCOPED_TRACE("seed " + std::to_string(seed));
        MemoryStore kv;
        GcChain c{kv, seed, seed == 3 ? uint64_t{1300} : uint64_t{40}};
        moving_window(c, 4 + seed, seed == 3 ? 25 : 150);
        if (::testing::Test::HasFatalFailure())
            return;
    }
}

TEST(TrieGc, MovingWindowWithRewindsRocksDb)
{
    TempDir dir{"l2-triegc-window"};
    auto kv = RocksDbStore::open(dir.path.string());
    ASSERT_TRUE(kv);
    GcChain c{**kv, 7, 40};
    moving_window(c, 6, 120);
}

TEST(TrieGc, GcThenReopenRocksDb)
{
    TempDir dir{"l2-triegc-reopen"};
    std::unique_ptr<GcChain> c;
    for (int run = 0; run < 4; ++run)
    {
        SCOPED_TRACE("run " + std::to_string(run));
        auto kv = RocksDbStore::open(dir.path.string());
        ASSERT_TRUE(kv);
        if (!c)
            c = std::make_unique<GcChain>(**kv, 99, 50);
        else
        {
            c->open(**kv);
            c->check();  // what the last run left is consistent after the reopen
        }
        moving_window(*c, 5, 30);
        if (::testing::Test::HasFatalFailure())
            return;
        c->close();
    }
}

/// 2,000 blocks rewriting the same 100 accounts: once the window is full, the stored nodes
/// stay within a small factor of the live set (the head's nodes), far below all nodes ever
/// written.
void steady_load(KvStore& kv, int blocks)
{
    GcChain c{kv, 5, 100};
    constexpr uint64_t kWindow = 8;
    size_t most = 0;
    std::set<Hash> ever;
    for (int b = 0; b < blocks; ++b)
    {
        c.append();
        if (::testing::Test::HasFatalFailure())
            return;
        if (c.top() > kWindow)
            c.gc(c.top() - kWindow, 4);
        if (b % 50 == 49)
        {
            ASSERT_TRUE(c.db().wait_for_nodes());
            const std::set<Hash> now = stored_nodes(kv);
            ever.insert(now.begin(), now.end());
            if (b >= 200)
                most = std::max(most, now.size());
        }
    }
    c.check();
    const size_t live = nodes_of(c.db(), c.root(c.top())).size();
    const size_t stored = column_size(kv, Column::kTrieNodes);
    std::cout << "[          ] steady load: " << live << " live nodes, " << stored
              << " stored, at most " << most << " stored after block 200, " << ever.size()
              << " distinct ever stored (sampled)\n";
    EXPECT_LE(most, 4 * live);
    EXPECT_LT(10 * most, ever.size());
    EXPECT_EQ(column_size(kv, Column::kTrieGc), kWindow);
}

TEST(TrieGc, SteadyLoadStaysFlatMemory)
{
    MemoryStore kv;
    steady_load(kv, 2000);
}

TEST(TrieGc, SteadyLoadStaysFlatRocksDb)
{
    TempDir dir{"l2-triegc-steady"};
    auto kv = RocksDbStore::open(dir.path.string());
    ASSERT_TRUE(kv);
    steady_load(**kv, 2000);
}

TEST(TrieGc, DatabaseWithoutCountsNeverCollects)
{
    MemoryStore kv;
    {
        // Nodes written without counts (an older build): a bare Trie apply.
        Trie t{kv};
        WriteBatch b;
        std::vector<TrieUpdate> u{{keccak256(Bytes{1}), Bytes{1, 2, 3}}};
        ASSERT_TRUE(t.apply(txtypes::kEmptyRootHash, u, b));
        ASSERT_TRUE(kv.write(b));
    }
    StateDb db{kv};
    EXPECT_FALSE(db.trie_gc_enabled());
    EXPECT_NE(db.trie_gc_status().find("off"), std::string::npos);
    StateDiff d;
    AccountChange ch;
    ch.identity = identity(1);
    ch.account = Account{};
    ch.storage.push_back({U256{1}, U256{2}});
    d.accounts.push_back(ch);
    auto p = db.prepare(d, txtypes::kEmptyRootHash);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->undo.trie_gc.empty());
    put_undo_record(p->batch, 1, p->undo);
    p->block = 1;
    ASSERT_TRUE(db.commit(*p));
    EXPECT_EQ(kv.count(Column::kTrieRefs), 0u);
    EXPECT_EQ(kv.count(Column::kTrieGc), 0u);
    auto s = db.collect_garbage(100, 100);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->blocks, 0u);
    WriteBatch undo;
    ASSERT_TRUE(db.unwind_block(undo, 1));
    ASSERT_TRUE(db.write_unwind(undo));
    // Reopened, still off; a fresh store is on from its first block.
    EXPECT_FALSE(StateDb{kv}.trie_gc_enabled());
    MemoryStore fresh;
    StateDb on{fresh};
    EXPECT_TRUE(on.trie_gc_enabled());
    auto q = on.prepare(d, txtypes::kEmptyRootHash);
    ASSERT_TRUE(q);
    ASSERT_TRUE(on.commit(*q));
    EXPECT_TRUE(StateDb{fresh}.trie_gc_enabled());
    EXPECT_NE(StateDb{fresh}.trie_gc_status().find("on"), std::string::npos);
}

}  // namespace
