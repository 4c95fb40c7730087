// StateDb::commit writes a block's trie nodes after the block, on a background thread: the next
// block reads them from memory meanwhile, a failed node write stops the next commit, and nodes
// lost to a crash in between are rebuilt exactly by repair_head_nodes (from the parent root, the
// block's undo record and the flat state).
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>

#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <state/undo.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

#include "forwarding_store.hpp"
#include "random_block.hpp"
#include "scratch_state.hpp"
#include "test_identity.hpp"

using namespace l2;
using namespace l2::state;
using test::random_block;

namespace {

/// A checkpoint's writes: its trie nodes (a bulk load), then its record.
bool only_nodes(const WriteBatch& batch)
{
    for (const WriteBatch::Op& op : batch.ops())
        if (op.column != Column::kTrieNodes &&
            (op.column != Column::kMeta ||
             ByteView{op.key} != as_view(StateDb::kTrieCheckpointKey)))
            return false;
    return !batch.empty();
}

/// A store whose node writes (checkpoints: StateDb::commit's second write) can be lost (a
/// kill before they land), failed, or held until released.
class NodeWriteControl final : public test::ControlledWrites
{
public:
    NodeWriteControl() noexcept : ControlledWrites{only_nodes} {}
};

std::set<Bytes> stored_nodes(const KvStore& kv)
{
    std::set<Bytes> out;
    scan_prefix(kv, Column::kTrieNodes, {}, [&](ByteView k, ByteView) {
        out.emplace(k);
        return true;
    });
    return out;
}

/// Prepares and commits `diff` as block `n` (with its undo record, as the chain stores it).
Hash commit_block(StateDb& db, const StateDiff& diff, const Hash& parent, uint64_t n)
{
    auto p = db.prepare(diff, parent);
    EXPECT_TRUE(p) << p.error().message;
    if (!p)
        return {};
    put_undo_record(p->batch, n, p->undo);
    p->block = n;
    const Hash root = p->state_root;
    const auto c = db.commit(*p);
    EXPECT_TRUE(c) << c.error().message;
    return root;
}

TEST(DeferredNodes, LostHeadNodesAreRebuiltExactly)
{
    // Two chains of the same blocks: one whose every block's node write is lost and repaired
    // on a "restart" (a new StateDb), one that never crashed. After each repair both stores
    // hold the same nodes, and the repaired state root is the block's.
    MemoryStore ref_kv;
    StateDb ref{ref_kv};
    NodeWriteControl kv;
    std::mt19937_64 rng{23};
    Hash parent = txtypes::kEmptyRootHash;
    uint64_t repairs = 0;
    for (uint64_t n = 1; n <= 30; ++n)
    {
        SCOPED_TRACE("block " + std::to_string(n));
        const StateDiff diff = random_block(rng, n);
        const Hash want = commit_block(ref, diff, parent, n);
        ASSERT_TRUE(ref.wait_for_nodes());

        kv.lose = n % 3 != 0;  // every third block's nodes land: repairs start from either
        {
            StateDb db{kv};
            ASSERT_EQ(to_hex(commit_block(db, diff, parent, n)), to_hex(want));
            ASSERT_TRUE(db.wait_for_nodes());
        }
        kv.lose = false;
        if (n % 3 != 0)
        {
            Bytes node;
            ASSERT_FALSE(kv.get(Column::kTrieNodes, want, node)) << "the loss was not simulated";
        }
        StateDb restarted{kv};
        const auto repaired = restarted.repair_head_nodes(n, parent, want);
        ASSERT_TRUE(repaired) << repaired.error().message;
        EXPECT_EQ(*repaired, n % 3 != 0);
        repairs += *repaired ? 1u : 0u;
        ASSERT_TRUE(stored_nodes(kv.inner()) == stored_nodes(ref_kv))
            << "the repaired store's nodes differ from the store that never lost any";
        // Once whole, a repair does nothing.
        const auto again = restarted.repair_head_nodes(n, parent, want);
        ASSERT_TRUE(again && !*again);
        ASSERT_EQ(to_hex(test::scratch_state_root(kv).root), to_hex(want));
        parent = want;
    }
    EXPECT_EQ(repairs, 20u);
    const auto stats = ref.node_write_stats();
    EXPECT_EQ(stats.blocks, 30u);
    EXPECT_GT(stats.nodes, 30u);
}

TEST(DeferredNodes, RepairWithoutTheUndoRecordIsAnError)
{
    NodeWriteControl kv;
    std::mt19937_64 rng{5};
    StateDb db{kv};
    const Hash one = commit_block(db, random_block(rng, 1), txtypes::kEmptyRootHash, 1);
    ASSERT_TRUE(db.wait_for_nodes());
    kv.lose = true;
    auto p = db.prepare(random_block(rng, 2), one);
    ASSERT_TRUE(p);
    const Hash two = p->state_root;
    ASSERT_TRUE(db.commit(*p));  // no undo record stored
    ASSERT_TRUE(db.wait_for_nodes());
    const auto r = db.repair_head_nodes(2, one, two);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("no undo record"), std::string::npos) << r.error().message;
    // A wrong root (say a header that does not belong to this state) is caught, not written.
    const auto wrong = db.repair_head_nodes(1, txtypes::kEmptyRootHash, two);
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message.find("root rebuilt as"), std::string::npos)
        << wrong.error().message;
}

TEST(DeferredNodes, NextBlockReadsNodesStillBeingWritten)
{
    // Block 1's node write is held: block 2 (which reads block 1's nodes, leaves included)
    // and a proof read still work, from memory, and match a store that wrote everything.
    MemoryStore ref_kv;
    StateDb ref{ref_kv};
    NodeWriteControl kv;
    StateDb db{kv};
    std::mt19937_64 rng{9};
    const StateDiff d0 = random_block(rng, 1);
    const StateDiff d1 = random_block(rng, 2);
    StateDiff d2 = d1;  // block 2 rewrites block 1's keys: their leaves must be read
    for (auto& ch : d2.accounts)
    {
        if (ch.account)
            ch.account->balance += 1;
        for (auto& s : ch.storage)
            s.value += 1;
    }
    const Hash r0 = commit_block(ref, d0, txtypes::kEmptyRootHash, 1);
    const Hash r1 = commit_block(ref, d1, r0, 2);
    const Hash r2 = commit_block(ref, d2, r1, 3);
    ASSERT_TRUE(ref.wait_for_nodes());

    ASSERT_EQ(commit_block(db, d0, txtypes::kEmptyRootHash, 1), r0);
    ASSERT_TRUE(db.wait_for_nodes());
    kv.hold();
    ASSERT_EQ(commit_block(db, d1, r0, 2), r1);
    Bytes node;
    ASSERT_FALSE(kv.get(Column::kTrieNodes, r1, node)) << "block 2's nodes are held";
    db.drop_cache();  // old values from the flat state: no hint saves a leaf read
    auto p = db.prepare(d2, r1);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(to_hex(p->state_root), to_hex(r2));
    const Hash key = keccak256(d1.accounts.front().identity);
    const auto proof = db.trie().prove(r1, key);
    ASSERT_TRUE(proof) << proof.error().message;
    EXPECT_FALSE(proof->empty());
    kv.release();
    put_undo_record(p->batch, 3, p->undo);
    ASSERT_TRUE(db.commit(*p));  // waits for block 2's nodes first
    ASSERT_TRUE(db.wait_for_nodes());
    EXPECT_TRUE(stored_nodes(kv.inner()) == stored_nodes(ref_kv));
}

TEST(DeferredNodes, FailedNodeWriteStopsTheNextCommit)
{
    NodeWriteControl kv;
    StateDb db{kv};
    std::mt19937_64 rng{3};
    const Hash r0 = commit_block(db, random_block(rng, 1), txtypes::kEmptyRootHash, 1);
    ASSERT_TRUE(db.wait_for_nodes());
    kv.fail = true;
    auto p = db.prepare(random_block(rng, 2), r0);
    ASSERT_TRUE(p);
    put_undo_record(p->batch, 2, p->undo);
    ASSERT_TRUE(db.commit(*p));  // the block itself is written
    const auto waited = db.wait_for_nodes();
    ASSERT_FALSE(waited);
    EXPECT_NE(waited.error().message.find("trie node write failed: disk full"), std::string::npos)
        << waited.error().message;
    kv.fail = false;
    // The nodes stay readable in this process, but no block goes on top of a hole.
    auto q = db.prepare(random_block(rng, 3), p->state_root);
    ASSERT_TRUE(q) << q.error().message;
    const auto next = db.commit(*q);
    ASSERT_FALSE(next);
    EXPECT_NE(next.error().message.find("disk full"), std::string::npos);
    // A restart repairs block 2 from its record.
    StateDb restarted{kv};
    const auto repaired = restarted.repair_head_nodes(2, r0, p->state_root);
    ASSERT_TRUE(repaired) << repaired.error().message;
    EXPECT_TRUE(*repaired);
}

/// The checkpoint record alone (a checkpoint's second write, after its nodes).
bool only_record(const WriteBatch& batch)
{
    return batch.size() == 1 && batch.ops().front().column == Column::kMeta &&
           ByteView{batch.ops().front().key} == as_view(StateDb::kTrieCheckpointKey);
}

TEST(DeferredNodes, KillBetweenCheckpointNodesAndRecordLeavesTheHeadACheckpoint)
{
    // A checkpoint is two writes: its nodes, then its record. A kill between them leaves the
    // head's trie whole on disk under the previous record; the restart's repair has nothing to
    // rebuild and records the head, so later repairs start there.
    test::ControlledWrites kv{only_record};
    std::mt19937_64 rng{11};
    Hash r1, r2;
    {
        StateDb db{kv};
        r1 = commit_block(db, random_block(rng, 1), txtypes::kEmptyRootHash, 1);
        ASSERT_TRUE(db.wait_for_nodes());
        kv.lose = true;
        r2 = commit_block(db, random_block(rng, 2), r1, 2);
        ASSERT_TRUE(db.wait_for_nodes());
    }
    kv.lose = false;
    Bytes node;
    ASSERT_TRUE(kv.get(Column::kTrieNodes, r2, node)) << "block 2's nodes landed";
    StateDb restarted{kv};
    EXPECT_EQ(restarted.durable_checkpoint(), 1u) << "block 2's record was lost";
    const auto repaired = restarted.repair_head_nodes(2, r1, r2);
    ASSERT_TRUE(repaired) << repaired.error().message;
    EXPECT_FALSE(*repaired) << "nothing to rebuild";
    EXPECT_EQ(restarted.durable_checkpoint(), 2u);
    StateDb reopened{kv};
    EXPECT_EQ(reopened.durable_checkpoint(), 2u) << "the head's record is on disk";
}

TEST(DeferredNodes, RebuildsAcrossSeveralBlocksBothWays)
{
    // Blocks 1..4 are whole; the nodes of blocks 5..12 are all lost. Forward: the nodes of
    // block 12's state are rebuilt from block 4's root and the eight records. Backward (a
    // rewind's target): block 6's state from block 12's root, before the flat state moves.
    // Each rebuild matches what a store that never lost a node holds for that root.
    MemoryStore ref_kv;
    StateDb ref{ref_kv};
    MemoryStore kv;
    std::mt19937_64 rng{41};
    std::vector<Hash> roots{txtypes::kEmptyRootHash};
    {
        StateDb db{kv};
        std::set<Bytes> kept;
        for (uint64_t n = 1; n <= 12; ++n)
        {
            const StateDiff diff = random_block(rng, n);
            const Hash want = commit_block(ref, diff, roots.back(), n);
            ASSERT_EQ(to_hex(commit_block(db, diff, roots.back(), n)), to_hex(want));
            ASSERT_TRUE(db.wait_for_nodes());
            roots.push_back(want);
            if (n == 4)
                kept = stored_nodes(kv);
        }
        // The crash: no node write after block 4's landed.
        WriteBatch lost;
        for (const Bytes& k : stored_nodes(kv))
            if (!kept.contains(k))
                lost.del(Column::kTrieNodes, k);
        ASSERT_TRUE(kv.write(lost, false));
    }
    ASSERT_TRUE(ref.wait_for_nodes());
    Bytes node;
    ASSERT_FALSE(kv.get(Column::kTrieNodes, roots[12], node));
    ASSERT_FALSE(kv.get(Column::kTrieNodes, roots[6], node));
    // The nodes a rebuild gives: the node's RLP must be what the reference store holds.
    const auto matches_reference = [&](const WriteBatch& nodes) {
        for (const WriteBatch::Op& op : nodes.ops())
        {
            Bytes want;
            if (!ref_kv.get(Column::kTrieNodes, op.key, want) || want != op.value)
                return false;
        }
        return !nodes.empty();
    };

    StateDb db{kv};
    WriteBatch forward;
    auto f = db.rebuild_nodes(4, roots[4], 12, roots[12], forward);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_TRUE(matches_reference(forward));
    // A rewind target needs its nodes; they come from the head's, written first.
    ASSERT_TRUE(kv.write(forward, false));
    WriteBatch backward;
    auto b = db.rebuild_nodes(12, roots[12], 6, roots[6], backward);
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_TRUE(matches_reference(backward));
    ASSERT_TRUE(kv.write(backward, false));
    // Both roots now prove every account the reference proves.
    for (uint64_t n : {6u, 12u})
    {
        const Hash key = keccak256(test::tagged_identity(3, 0x11));
        const auto want = ref.trie().prove(roots[n], key);
        const auto got = db.trie().prove(roots[n], key);
        ASSERT_TRUE(want && got) << "block " << n;
        EXPECT_EQ(*want, *got) << "block " << n;
    }
    // A wrong target root is caught; a missing record is named.
    WriteBatch wrong;
    const auto w = db.rebuild_nodes(12, roots[12], 6, roots[7], wrong);
    ASSERT_FALSE(w);
    EXPECT_NE(w.error().message.find("root rebuilt as"), std::string::npos) << w.error().message;
    WriteBatch drop;
    const auto nine = undo_key(9);
    drop.del(Column::kUndo, ByteView{nine.data(), nine.size()});
    ASSERT_TRUE(kv.write(drop, false));
    WriteBatch missing;
    const auto m = db.rebuild_nodes(4, roots[4], 12, roots[12], missing);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("no undo record of block 9"), std::string::npos)
        << m.error().message;
}

/// Every flat key of `kv` is in the trie of `root` as the store holds it (no buffer, no
/// cache): the whole trie is on disk.
void expect_whole(const KvStore& kv, const Hash& root)
{
    const Trie trie{kv};
    std::optional<Account> account;
    scan_prefix(kv, Column::kState, {}, [&](ByteView k, ByteView v) {
        if (k.size() == kAccountKeySize)
        {
            Address identity;
            std::memcpy(identity.bytes.data(), k.data() + 1, identity.bytes.size());
            const auto got = trie.get(root, keccak256(identity));
            EXPECT_TRUE(got && got->has_value() && **got == Bytes{v})
                << "account " << to_hex(k) << (got ? "" : ": " + got.error().message);
            account = decode_account(v) ? std::optional<Account>{*decode_account(v)} : std::nullopt;
            return true;
        }
        if (!account)
            return true;
        const auto got = trie.get(account->storage_root,
                                  keccak256(trie_slot(from_be_bytes(k.substr(kAccountKeySize)))));
        EXPECT_TRUE(got && got->has_value())
            << "slot " << to_hex(k) << (got ? "" : ": " + got.error().message);
        return true;
    });
}

class NodeBufferSeeds : public ::testing::TestWithParam<uint64_t>
{};

TEST_P(NodeBufferSeeds, CrashesAndRewindsKeepEveryHeadWhole)
{
    // Blocks through a node buffer of 4 blocks, with rewinds (some below the checkpoint),
    // finality dropping undo records (never above the checkpoint), and crashes that lose every
    // node write since the last checkpoint. After each restart's repair the head's trie is
    // whole on disk, and the chain goes on from it.
    NodeWriteControl kv;
    std::mt19937_64 rng{GetParam()};
    std::vector<Hash> roots{txtypes::kEmptyRootHash};  // by height, the canonical chain
    uint64_t finalized = 0;
    uint64_t crashes = 0, rebuilt = 0, rewinds = 0, gc_blocks = 0;
    const auto open = [&] {
        auto db = std::make_unique<StateDb>(kv);
        db->set_node_buffer(4, 64u << 20);
        return db;
    };
    auto db = open();
    for (int step = 0; step < 400; ++step)
    {
        const uint64_t head = roots.size() - 1;
        SCOPED_TRACE("step " + std::to_string(step) + ", head " + std::to_string(head));
        const uint64_t r = rng() % 12;
        if (r == 0 && head > finalized)
        {
            const uint64_t target = head - (1 + rng() % std::min<uint64_t>(6, head - finalized));
            WriteBatch batch;
            for (uint64_t n = head; n > target; --n)
                ASSERT_TRUE(db->unwind_block(batch, n));
            const auto nodes = db->unwind_nodes(batch, head, roots[head], target, roots[target]);
            ASSERT_TRUE(nodes) << nodes.error().message;
            ASSERT_TRUE(db->write_unwind(batch));
            roots.resize(target + 1);
            ++rewinds;
            continue;
        }
        if (r == 1 && head > 0)
        {
            kv.lose = true;  // the kill: the buffer's write at shutdown never lands
            db.reset();
            kv.lose = false;
            db = open();
            const auto repaired = db->repair_head_nodes(head, roots[head - 1], roots[head]);
            ASSERT_TRUE(repaired) << repaired.error().message;
            rebuilt += *repaired ? 1u : 0u;
            ++crashes;
            expect_whole(kv.inner(), roots[head]);
            ASSERT_EQ(db->durable_checkpoint(), head);
            continue;
        }
        if (r == 2)
        {
            // Trie GC as the pruner runs it, up to the finalized head (StateDb keeps it at or
            // below the checkpoint).
            const auto gc = db->collect_garbage(finalized, 16);
            ASSERT_TRUE(gc) << gc.error().message;
            EXPECT_EQ(gc->anomalies, 0u);
            gc_blocks += gc->blocks;
            continue;
        }
        const uint64_t n = head + 1;
        auto p = db->prepare(random_block(rng, n), roots.back());
        ASSERT_TRUE(p) << p.error().message;
        put_undo_record(p->batch, n, p->undo);
        p->block = n;
        if (n % 10 == 0 && n > 6 + finalized)
        {
            finalized = n - 6;
            const auto oldest = first_undo_record(kv);
            const uint64_t to = std::min(finalized, db->durable_checkpoint());
            if (oldest && *oldest <= to)
                delete_undo_records(p->batch, *oldest, to);
        }
        ASSERT_TRUE(db->commit(*p));
        roots.push_back(p->state_root);
    }
    ASSERT_TRUE(db->wait_for_nodes());
    expect_whole(kv.inner(), roots.back());
    EXPECT_GT(crashes, 10u);
    EXPECT_GT(rebuilt, 5u);
    EXPECT_GT(rewinds, 10u);
    EXPECT_GT(gc_blocks, 10u);
}
// Seed 77 found the case unwind_nodes covers (a rewind below the checkpoint needs the
// buffer's nodes beside the rebuilt paths); 16 and 19 a kill while the store's first
// checkpoint was in flight (commit now writes that one before its block).
INSTANTIATE_TEST_SUITE_P(NodeBuffer, NodeBufferSeeds, ::testing::Values(77u, 5u, 16u, 19u));

TEST(NodeBuffer, RecentStatesStayReadable)
{
    // A 4-block buffer: after 13 blocks, the states of the blocks since the previous
    // checkpoint (at least the last four) answer every lookup from memory, though the nodes
    // they replaced were never written; without the retained buffer, lookups at those older
    // roots would find nodes missing.
    MemoryStore kv;
    StateDb db{kv};
    db.set_node_buffer(4, 64u << 20);
    std::mt19937_64 rng{31};
    std::vector<Hash> roots{txtypes::kEmptyRootHash};
    std::vector<Hash> keys;
    for (uint64_t n = 1; n <= 13; ++n)
    {
        const StateDiff diff = random_block(rng, n);
        for (const auto& ch : diff.accounts)
            keys.push_back(keccak256(ch.identity));
        roots.push_back(commit_block(db, diff, roots.back(), n));
    }
    const Trie on_disk{kv};
    size_t missing_on_disk = 0;
    for (uint64_t n = 9; n <= 13; ++n)
    {
        for (const Hash& k : keys)
        {
            const auto v = db.trie().get(roots[n], k);
            ASSERT_TRUE(v) << "block " << n << ": " << v.error().message;
            missing_on_disk += on_disk.get(roots[n], k) ? 0u : 1u;
        }
    }
    EXPECT_GT(missing_on_disk, 0u) << "the buffer wrote every node: nothing was tested";
}

TEST(NodeBuffer, LargeBlockTrieReadableWhenCommitReturns)
{
    // A large block's nodes are indexed on a helper thread that outlives commit(): a trie
    // read at the block's root right after commit() returns, and the next block's prepare,
    // must still find every node (they wait for the index), as in a store that wrote them.
    MemoryStore ref_kv;
    StateDb ref{ref_kv};
    MemoryStore kv;
    StateDb db{kv};
    db.set_node_buffer(64, size_t{1} << 30);
    Hash root = txtypes::kEmptyRootHash;
    Hash ref_root = root;
    for (uint64_t n = 1; n <= 4; ++n)
    {
        StateDiff diff;  // enough accounts for the helper; half of them the last block's
        for (uint64_t i = 0; i < StateDb::kParallelCacheUpdate + 100; ++i)
        {
            AccountChange ch;
            ch.identity = test::tagged_identity(i + n * (StateDb::kParallelCacheUpdate / 2), 0x5a);
            ch.account = Account{};
            ch.account->balance = U256{n};
            diff.accounts.push_back(std::move(ch));
        }
        ref_root = commit_block(ref, diff, ref_root, n);
        root = commit_block(db, diff, root, n);
        ASSERT_EQ(to_hex(root), to_hex(ref_root)) << "block " << n;
        const Trie trie = db.trie();
        for (size_t i = 0; i < diff.accounts.size(); i += 37)
        {
            const auto v = trie.get(root, keccak256(diff.accounts[i].identity));
            ASSERT_TRUE(v) << "block " << n << ": " << v.error().message;
            EXPECT_TRUE(v->has_value()) << "block " << n << ", account " << i;
        }
    }
}

TEST(DeferredNodes, SyncedCommitWritesNodesFirst)
{
    // A synced commit (genesis) has its nodes in the store when it returns.
    NodeWriteControl kv;
    StateDb db{kv};
    std::mt19937_64 rng{1};
    auto p = db.prepare(random_block(rng, 1), txtypes::kEmptyRootHash);
    ASSERT_TRUE(p);
    ASSERT_TRUE(db.commit(*p, /*sync=*/true));
    Bytes node;
    EXPECT_TRUE(kv.inner().get(Column::kTrieNodes, p->state_root, node));
}

}  // namespace
