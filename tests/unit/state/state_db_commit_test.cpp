// StateDb::prepare on large blocks: storage tries updated on several threads give the same
// root and writes as one thread (and as a from-scratch MPT), and old-slot hints taken from the
// read cache or the flat KV save trie reads without changing the result.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>

#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <txtypes/hex.hpp>

#include "forwarding_store.hpp"
#include "scratch_state.hpp"
#include "test_identity.hpp"

using namespace l2;
using namespace l2::state;

namespace {

Address addr_of(uint64_t i)
{
    return test::tagged_identity(i, 0xbb);
}

/// A KvStore that counts trie-node and flat-state reads.
class CountingStore final : public test::MemoryForwardingStore
{
public:
    bool get(Column c, ByteView key, Bytes& out) const override
    {
        if (c == Column::kTrieNodes)
            ++node_reads;
        if (c == Column::kState)
            ++state_reads;
        return MemoryForwardingStore::get(c, key, out);
    }

    mutable std::atomic<size_t> node_reads{0};
    mutable std::atomic<size_t> state_reads{0};
};

/// A block of ~`slots` slot changes over `contracts` contracts plus plain account changes, with
/// deletes (zero values), repeated slots, destroyed accounts and cleared storage mixed in.
StateDiff random_block(std::mt19937_64& rng, uint64_t block, size_t contracts, size_t slots)
{
    std::map<Address, AccountChange> changes;
    for (size_t i = 0; i < 300; ++i)
    {
        AccountChange ch;
        ch.identity = addr_of(rng() % 2000);
        ch.account = Account{};
        ch.account->nonce = block;
        ch.account->balance = U256{rng()};
        changes[ch.identity] = std::move(ch);
    }
    for (size_t s = 0; s < slots; ++s)
    {
        const Address a = addr_of(100'000 + rng() % contracts);
        auto& ch = changes[a];
        ch.identity = a;
        if (!ch.account)
            ch.account = Account{};
        const U256 v = rng() % 5 == 0 ? U256{0} : U256{rng()};
        ch.storage.push_back({U256{rng() % 300}, v});
    }
    for (auto& [a, ch] : changes)
    {
        if (ch.storage.empty())
            continue;
        if (rng() % 40 == 0)
            ch.storage_cleared = true;
        else if (rng() % 60 == 0)
        {
            ch.account.reset();  // destroyed: its storage goes with it
            ch.storage.clear();
        }
    }
    StateDiff diff;
    for (auto& [a, ch] : changes)
        diff.accounts.push_back(std::move(ch));
    return diff;
}

TEST(StateDbCommit, ParallelStorageTriesMatchOneThreadAndScratch)
{
    MemoryStore kv1;
    MemoryStore kv2;
    StateDb one{kv1, StateDb::kDefaultTrieCacheBytes, 1};
    StateDb two{kv2, StateDb::kDefaultTrieCacheBytes, 2};
    std::mt19937_64 rng{17};
    Hash root1 = txtypes::kEmptyRootHash;
    Hash root2 = txtypes::kEmptyRootHash;
    for (uint64_t b = 1; b <= 6; ++b)
    {
        const StateDiff diff = random_block(rng, b, 120, 3000);
        // One thread and no hints (cold cache) on one side, two threads and hints on the other.
        one.drop_cache();
        auto p1 = one.prepare(diff, root1);
        auto p2 = two.prepare(diff, root2);
        ASSERT_TRUE(p1 && p2);
        ASSERT_EQ(to_hex(p1->state_root), to_hex(p2->state_root)) << "block " << b;
        ASSERT_TRUE(one.commit(*p1));
        ASSERT_TRUE(two.commit(*p2));
        root1 = p1->state_root;
        root2 = p2->state_root;
        ASSERT_EQ(to_hex(root2), to_hex(test::scratch_state_root(kv2).root)) << "block " << b;
    }
    // Same contents on both sides.
    std::map<Bytes, Bytes> flat1;
    std::map<Bytes, Bytes> flat2;
    scan_prefix(kv1, Column::kState, {}, [&](ByteView k, ByteView v) {
        flat1.emplace(Bytes{k}, Bytes{v});
        return true;
    });
    scan_prefix(kv2, Column::kState, {}, [&](ByteView k, ByteView v) {
        flat2.emplace(Bytes{k}, Bytes{v});
        return true;
    });
    EXPECT_EQ(flat1, flat2);
}

// PrepareTimings splits one prepare into consecutive phases: together they fit in the time
// measured around the call, and a block with storage and accounts spends time in both tries.
TEST(StateDbCommit, PrepareTimingsAreConsecutivePhasesOfTheCall)
{
    MemoryStore kv;
    StateDb db{kv, StateDb::kDefaultTrieCacheBytes, 2};
    std::mt19937_64 rng{23};
    const StateDiff diff = random_block(rng, 1, 120, 3000);
    const auto t0 = std::chrono::steady_clock::now();
    auto p = db.prepare(diff, txtypes::kEmptyRootHash);
    const auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE(p);
    const auto outer = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
    const PrepareTimings& t = p->timings;
    const int64_t sum = int64_t{t.accounts_us} + t.storage_us + t.records_us + t.account_trie_us;
    EXPECT_LE(sum, outer);
    EXPECT_GT(t.storage_us, 0u);
    EXPECT_GT(t.account_trie_us, 0u);
}

// The storage-trie leaf cache: a new slot landing on a leaf an earlier block wrote splits it
// without reading it from the store, and the roots and writes are those of a node without it.
TEST(StateDbCommit, LeafCacheSavesStorageLeafReadsWithoutChangingTheRoot)
{
    CountingStore with_kv;
    CountingStore without_kv;
    StateDb with{with_kv, StateDb::kDefaultTrieCacheBytes, 2};
    StateDb without{without_kv, StateDb::kDefaultTrieCacheBytes, 2};
    without.set_trie_leaf_cache_bytes(0);
    std::mt19937_64 rng{29};
    Hash root_with = txtypes::kEmptyRootHash;
    Hash root_without = txtypes::kEmptyRootHash;
    size_t reads_with = 0;
    size_t reads_without = 0;
    for (uint64_t b = 1; b <= 5; ++b)
    {
        // Only contracts, each writing new slots (the account trie is small and cached).
        StateDiff diff;
        for (uint64_t c = 0; c < 40; ++c)
        {
            AccountChange ch;
            ch.identity = addr_of(200'000 + c);
            ch.account = Account{};
            std::map<U256, U256> slots;
            for (size_t i = 0; i < 75; ++i)
                slots[U256{rng() % 20'000}] = U256{rng() | 1};
            for (const auto& [slot, value] : slots)
                ch.storage.push_back({slot, value});
            diff.accounts.push_back(std::move(ch));
        }
        with_kv.node_reads = 0;
        without_kv.node_reads = 0;
        auto p1 = with.prepare(diff, root_with);
        auto p2 = without.prepare(diff, root_without);
        ASSERT_TRUE(p1 && p2);
        ASSERT_EQ(to_hex(p1->state_root), to_hex(p2->state_root)) << "block " << b;
        reads_with += with_kv.node_reads;
        reads_without += without_kv.node_reads;
        ASSERT_TRUE(with.commit(*p1));
        ASSERT_TRUE(without.commit(*p2));
        root_with = p1->state_root;
        root_without = p2->state_root;
    }
    EXPECT_EQ(to_hex(root_with), to_hex(test::scratch_state_root(with_kv).root));
    // Without the cache, inserts read the leaves they split; with it, (nearly) none.
    EXPECT_GT(reads_without, 100u);
    EXPECT_LT(reads_with * 10, reads_without) << reads_with << " vs " << reads_without;
}

TEST(StateDbCommit, RepeatedAccountInALargeBlockKeepsTheLastChange)
{
    // A diff should not name an account twice; one that does gets its last change, in a block
    // large enough for the account updates' index sort as in a small one.
    for (const size_t accounts : {size_t{10}, size_t{600}})
    {
        SCOPED_TRACE(std::to_string(accounts) + " accounts");
        StateDiff repeated;
        StateDiff once;
        for (size_t i = 0; i < accounts; ++i)
        {
            AccountChange ch;
            ch.identity = addr_of(i);
            ch.account = Account{};
            ch.account->balance = U256{i + 1};
            once.accounts.push_back(ch);
            if (i == accounts / 2)
            {
                AccountChange first = ch;
                first.account->balance = U256{999'999};
                repeated.accounts.push_back(std::move(first));
            }
            repeated.accounts.push_back(std::move(ch));
        }
        MemoryStore kv1;
        MemoryStore kv2;
        StateDb a{kv1};
        StateDb b{kv2};
        auto pa = a.prepare(repeated, txtypes::kEmptyRootHash);
        auto pb = b.prepare(once, txtypes::kEmptyRootHash);
        ASSERT_TRUE(pa && pb);
        EXPECT_EQ(to_hex(pa->state_root), to_hex(pb->state_root));
    }
}

TEST(StateDbCommit, OldSlotValuesSkipLeafReads)
{
    // Every written slot's old value (for the undo record) comes from the read cache, else
    // from the flat KV; either way it is the old-leaf hint that saves the trie a leaf read.
    struct Reads
    {
        Hash root;
        size_t nodes;
        size_t flat;
        size_t undo_size;
    };
    const auto run = [](bool warm) {
        CountingStore kv;
        StateDb db{kv};
        StateDiff first;
        for (uint64_t c = 0; c < 50; ++c)
        {
            AccountChange ch;
            ch.identity = addr_of(c);
            ch.account = Account{};
            for (uint64_t s = 0; s < 40; ++s)
                ch.storage.push_back({U256{s * 7919}, U256{s + 1}});
            first.accounts.push_back(std::move(ch));
        }
        auto p = db.prepare(first, txtypes::kEmptyRootHash);
        EXPECT_TRUE(p && db.commit(*p));
        StateDiff second = first;
        for (auto& ch : second.accounts)
            for (auto& s : ch.storage)
                s.value += 1000;
        if (!warm)
            db.drop_cache();
        kv.node_reads = 0;
        kv.state_reads = 0;
        auto q = db.prepare(second, p->state_root);
        EXPECT_TRUE(q);
        return Reads{q->state_root, kv.node_reads.load(), kv.state_reads.load(), q->undo.size()};
    };
    const Reads warm = run(true);
    const Reads cold = run(false);
    EXPECT_EQ(warm.root, cold.root);
    EXPECT_EQ(warm.undo_size, cold.undo_size);
    // 2,000 overwritten slots: warm, their old values are cached; cold, each is read from the
    // flat KV once (plus the 50 accounts).
    EXPECT_LT(warm.flat, 100u);
    EXPECT_GE(cold.flat, 2000u);
    // Neither reads the overwritten leaves (2,000 reads without hints).
    EXPECT_LT(warm.nodes, 500u);
    EXPECT_LT(cold.nodes, 500u);
}

}  // namespace
