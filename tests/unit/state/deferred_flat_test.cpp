// StateDb::commit writes a large block's flat state behind the block (docs/spec/state.md,
// "Deferred flat write"): the block's atomic write holds it as one redo record, readers and the
// next prepare find the block's values in memory until they land, a failed flat write stops the
// next commit, and a kill before it lands is repaired from the redo record at the next open.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <thread>

#include <state/flat_writer.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <state/undo.hpp>
#include <txtypes/hex.hpp>

#include "forwarding_store.hpp"
#include "random_block.hpp"
#include "scratch_state.hpp"
#include "test_identity.hpp"

using namespace l2;
using namespace l2::state;
using test::random_block;

namespace {

constexpr uint64_t kIdentities = test::kRandomBlockIdentities;
constexpr uint64_t kSlots = test::kRandomBlockSlots;

/// The deferred flat write: flat-state writes and the redo record's delete.
bool is_flat_write(const WriteBatch& batch)
{
    bool flat = false;
    bool redo_delete = false;
    for (const WriteBatch::Op& op : batch.ops())
    {
        flat = flat || op.column == Column::kState;
        redo_delete = redo_delete || (op.column == Column::kMeta && op.is_delete &&
                                      ByteView{op.key} == as_view(kFlatRedoKey));
    }
    return flat && redo_delete;
}

/// A store whose deferred flat writes can be held until released, lost (a kill before they
/// land) or failed.
class FlatWriteControl final : public test::ControlledWrites
{
public:
    FlatWriteControl() noexcept : ControlledWrites{is_flat_write} {}
};

/// Commits a prepared block `n` as the chain does (with its undo record); its root.
Hash commit_prepared(StateDb& db, PreparedState& p, uint64_t n)
{
    put_undo_record(p.batch, n, p.undo);
    p.block = n;
    const Hash root = p.state_root;
    const auto c = db.commit(p);
    EXPECT_TRUE(c) << c.error().message;
    return root;
}

Hash commit_block(StateDb& db, const StateDiff& diff, const Hash& parent, uint64_t n)
{
    auto p = db.prepare(diff, parent);
    EXPECT_TRUE(p) << p.error().message;
    if (!p)
        return {};
    return commit_prepared(db, *p, n);
}

std::map<Bytes, Bytes> flat_state(const KvStore& kv)
{
    std::map<Bytes, Bytes> out;
    scan_prefix(kv, Column::kState, {}, [&](ByteView k, ByteView v) {
        out.emplace(k, v);
        return true;
    });
    return out;
}

bool has_redo(const KvStore& kv)
{
    Bytes v;
    return kv.get(Column::kMeta, as_view(kFlatRedoKey), v);
}

/// Every account and slot of the key space reads the same through both (caches dropped first).
void expect_same_reads(StateDb& a, StateDb& b)
{
    a.drop_cache();
    b.drop_cache();
    for (uint64_t i = 0; i < kIdentities; ++i)
    {
        for (const auto& [engine, tag] :
             {std::pair{Engine::kEvm, uint8_t{0x11}}, std::pair{Engine::kWasm, uint8_t{0x77}}})
        {
            const Address id = test::tagged_identity(i, tag);
            const auto x = a.account(engine, id);
            const auto y = b.account(engine, id);
            ASSERT_EQ(x.has_value(), y.has_value()) << "account " << i;
            if (x)
            {
                ASSERT_TRUE(encode_account(*x) == encode_account(*y)) << "account " << i;
            }
            for (uint64_t s = 0; s < kSlots; ++s)
                ASSERT_TRUE(a.storage(engine, id, U256{s}) == b.storage(engine, id, U256{s}))
                    << "account " << i << " slot " << s;
        }
    }
}

/// Prepares and commits `diff`, which must fail: the error of whichever step did.
std::string next_block_error(StateDb& db, const StateDiff& diff, const Hash& parent)
{
    auto p = db.prepare(diff, parent);
    if (!p)
        return p.error().message;
    const auto c = db.commit(*p);
    return c ? std::string{"no error"} : c.error().message;
}

TEST(DeferredFlat, RedoRecordRoundTrips)
{
    WriteBatch flat;
    flat.put(Column::kState, Bytes(21, 0x01), Bytes(70, 0xaa));
    flat.del(Column::kState, Bytes(53, 0x02));
    flat.put(Column::kState, Bytes(53, 0x03), Bytes{0x07});
    flat.put(Column::kCode, Bytes(32, 0x04), Bytes(5, 0x05));  // not flat state: left out
    const Bytes record = encode_flat_redo(flat);
    WriteBatch back;
    ASSERT_TRUE(decode_flat_redo(record, back));
    ASSERT_EQ(back.size(), 3u);
    for (size_t i = 0; i < 3; ++i)
    {
        EXPECT_EQ(back.ops()[i].column, Column::kState);
        EXPECT_EQ(back.ops()[i].is_delete, flat.ops()[i].is_delete);
        EXPECT_TRUE(ByteView{back.ops()[i].key} == ByteView{flat.ops()[i].key});
        if (!flat.ops()[i].is_delete)
        {
            EXPECT_TRUE(ByteView{back.ops()[i].value} == ByteView{flat.ops()[i].value});
        }
    }
}

TEST(DeferredFlat, RedoRecordRefusesAKeyItCannotHold)
{
    WriteBatch flat;
    flat.put(Column::kState, Bytes(256, 0x01), Bytes{0x02});
    EXPECT_THROW((void)encode_flat_redo(flat), std::length_error);
}

TEST(DeferredFlat, DamagedRedoRecordIsAnError)
{
    WriteBatch flat;
    flat.put(Column::kState, Bytes(21, 0x01), Bytes(70, 0xaa));
    const Bytes record = encode_flat_redo(flat);
    const auto error_of = [](ByteView r) {
        WriteBatch out;
        const auto d = decode_flat_redo(r, out);
        return d ? std::string{} : d.error().message;
    };
    EXPECT_NE(error_of({}), "");
    EXPECT_NE(error_of(as_view(std::string_view{"\x02"})), "");  // another version
    Bytes bad_kind = record;
    bad_kind[1] = 9;
    EXPECT_NE(error_of(bad_kind).find("bad write kind"), std::string::npos);
    // Every cut inside the one write is reported, never read as a shorter record.
    for (size_t cut = 2; cut < record.size(); ++cut)
        EXPECT_NE(error_of(ByteView{record}.substr(0, cut)), "") << "cut at " << cut;
}

TEST(DeferredFlat, ReadsAndTheNextBlockSeeAWriteInFlight)
{
    // Two chains of the same blocks: one writes every block's flat state at once, the other
    // defers it, and every deferred write is held while the block's state is read back and
    // the next block is prepared on top of it.
    MemoryStore ref_kv;
    StateDb ref{ref_kv};
    ref.set_deferred_flat_write(std::numeric_limits<size_t>::max());
    FlatWriteControl kv;
    StateDb db{kv};
    db.set_deferred_flat_write(0);
    std::mt19937_64 rng{41};
    constexpr uint64_t kBlocks = 40;
    std::vector<StateDiff> diffs(kBlocks + 2);
    for (uint64_t n = 1; n < diffs.size(); ++n)
        diffs[n] = random_block(rng, n);
    Hash parent = txtypes::kEmptyRootHash;
    std::optional<PreparedState> next;  // prepared while the previous write was held
    for (uint64_t n = 1; n <= kBlocks; ++n)
    {
        SCOPED_TRACE("block " + std::to_string(n));
        const Hash want = commit_block(ref, diffs[n], parent, n);
        if (!next)
        {
            auto p = db.prepare(diffs[n], parent);
            ASSERT_TRUE(p) << p.error().message;
            next = std::move(*p);
        }
        kv.hold();
        ASSERT_EQ(to_hex(commit_prepared(db, *next, n)), to_hex(want));
        next.reset();
        parent = want;
        // The block's write landed, its flat state did not (the first block's is written at
        // once, with the store's first checkpoint).
        if (n > 1)
        {
            EXPECT_TRUE(has_redo(kv.inner()));
        }
        expect_same_reads(db, ref);
        if (HasFatalFailure())
        {
            kv.release();
            return;
        }
        // The next block prepared on this state: it reads old values from the write in
        // flight; one that destroys or clears an account waits for it to land.
        auto prepared =
            std::async(std::launch::async, [&] { return db.prepare(diffs[n + 1], parent); });
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        // This block's write is the one held (a late one would be caught by the next hold()
        // and block the next commit, which waits for it).
        if (n > 1)
            kv.wait_entered();
        kv.release();
        auto p = prepared.get();
        ASSERT_TRUE(p) << p.error().message;
        next = std::move(*p);
    }
    ASSERT_TRUE(db.wait_for_nodes());
    ASSERT_TRUE(ref.wait_for_nodes());
    EXPECT_EQ(kv.matched.load(), kBlocks - 1);
    EXPECT_FALSE(has_redo(kv.inner()));
    EXPECT_TRUE(flat_state(kv.inner()) == flat_state(ref_kv));
    EXPECT_EQ(to_hex(test::scratch_state_root(kv.inner()).root), to_hex(parent));
}

TEST(DeferredFlat, KillBeforeTheFlatWriteIsRepairedAtOpen)
{
    // Every other block's flat write is lost, as a kill after the block's write would lose it;
    // the next open applies the redo record, and the store is then the one that never lost it.
    MemoryStore ref_kv;
    StateDb ref{ref_kv};
    ref.set_deferred_flat_write(std::numeric_limits<size_t>::max());
    FlatWriteControl kv;
    std::mt19937_64 rng{7};
    Hash parent = txtypes::kEmptyRootHash;
    for (uint64_t n = 1; n <= 20; ++n)
    {
        SCOPED_TRACE("block " + std::to_string(n));
        const StateDiff diff = random_block(rng, n);
        const Hash want = commit_block(ref, diff, parent, n);
        ASSERT_TRUE(ref.wait_for_nodes());
        kv.lose = n % 2 == 0;
        {
            StateDb db{kv};
            db.set_deferred_flat_write(0);
            ASSERT_EQ(to_hex(commit_block(db, diff, parent, n)), to_hex(want));
            ASSERT_TRUE(db.wait_for_nodes());
        }
        kv.lose = false;
        // Block 1 is the store's first: written whole, never deferred.
        EXPECT_EQ(has_redo(kv.inner()), n % 2 == 0 && n > 1);
        StateDb restarted{kv};
        const auto applied = restarted.flat_redo_applied();
        ASSERT_TRUE(applied) << applied.error().message;
        EXPECT_EQ(*applied, n % 2 == 0 && n > 1);
        EXPECT_FALSE(has_redo(kv.inner()));
        ASSERT_TRUE(flat_state(kv.inner()) == flat_state(ref_kv));
        ASSERT_EQ(to_hex(test::scratch_state_root(kv.inner()).root), to_hex(want));
        parent = want;
    }
}

TEST(DeferredFlat, FailedFlatWriteStopsTheNextCommit)
{
    FlatWriteControl kv;
    std::mt19937_64 rng{3};
    const StateDiff d1 = random_block(rng, 1);
    const StateDiff d2 = random_block(rng, 2);
    const StateDiff d3 = random_block(rng, 3);
    StateDb db{kv};
    db.set_deferred_flat_write(0);
    const Hash one = commit_block(db, d1, txtypes::kEmptyRootHash, 1);
    kv.fail = true;
    const Hash two = commit_block(db, d2, one, 2);  // the block's own write lands
    // The failed write's values stay readable.
    MemoryStore ref_kv;
    StateDb ref{ref_kv};
    (void)commit_block(ref, d1, txtypes::kEmptyRootHash, 1);
    (void)commit_block(ref, d2, one, 2);
    expect_same_reads(db, ref);
    // The next block fails: in prepare (a block that destroys or clears an account waits for
    // the write) or in commit.
    const std::string error = next_block_error(db, d3, two);
    EXPECT_NE(error.find("flat state write failed"), std::string::npos) << error;
    EXPECT_FALSE(db.wait_for_nodes());
    kv.fail = false;
    // The next open applies the block's redo record.
    StateDb restarted{kv};
    EXPECT_FALSE(has_redo(kv.inner()));
    EXPECT_EQ(to_hex(test::scratch_state_root(kv.inner()).root), to_hex(two));
}

TEST(DeferredFlat, DamagedRedoRecordStopsCommits)
{
    MemoryStore kv;
    WriteBatch bad;
    bad.put(Column::kMeta, as_view(kFlatRedoKey), Bytes{1, 0, 30});  // a key past the end
    ASSERT_TRUE(kv.write(bad, false));
    StateDb db{kv};
    const auto applied = db.flat_redo_applied();
    ASSERT_FALSE(applied);
    EXPECT_NE(applied.error().message.find("key runs past the end"), std::string::npos)
        << applied.error().message;
    std::mt19937_64 rng{1};
    const std::string error = next_block_error(db, random_block(rng, 1), txtypes::kEmptyRootHash);
    EXPECT_NE(error.find("applying the flat redo record"), std::string::npos) << error;
    EXPECT_TRUE(has_redo(kv));  // kept for a build that can read it
}

}  // namespace
