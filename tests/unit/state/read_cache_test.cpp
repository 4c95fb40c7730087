// StateDb::commit fills the read cache with the block's values while the block's batch is being
// written (on a helper thread for a large block). Readers must still never see a value before
// the write that stores it has landed, and a failed write must leave no learned value behind.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include <state/flat_writer.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>

#include "forwarding_store.hpp"
#include "test_identity.hpp"

using namespace l2;
using namespace l2::state;

namespace {

Address addr_of(uint64_t i)
{
    return test::tagged_identity(i, 0xcc);
}

/// The block's atomic write (StateDb::commit): its flat state, or (a large block's, whose flat
/// writes are deferred) the redo record that holds it.
bool is_block_write(const WriteBatch& batch)
{
    bool flat = false;
    for (const WriteBatch::Op& op : batch.ops())
        flat = flat || op.column == Column::kState ||
               (op.column == Column::kMeta && !op.is_delete && op.key == as_view(kFlatRedoKey));
    return flat;
}

/// A store whose block writes can be held until released, or failed.
class HeldWrites final : public test::ControlledWrites
{
public:
    HeldWrites() noexcept : ControlledWrites{is_block_write} {}
};

/// Account 0 with `balance` and slot 7 = `value`, plus `others` accounts (enough of them move
/// the cache update to commit's helper thread).
StateDiff block(uint64_t balance, uint64_t value, size_t others)
{
    StateDiff diff;
    AccountChange main;
    main.identity = addr_of(0);
    main.account = Account{};
    main.account->balance = U256{balance};
    main.storage.push_back({U256{7}, U256{value}});
    diff.accounts.push_back(std::move(main));
    for (size_t i = 1; i <= others; ++i)
    {
        AccountChange ch;
        ch.identity = addr_of(i);
        ch.account = Account{};
        ch.account->balance = U256{balance};
        diff.accounts.push_back(std::move(ch));
    }
    return diff;
}

uint64_t balance(const StateDb& db)
{
    const auto a = db.account(Engine::kEvm, addr_of(0));
    return a ? a->balance.w[0] : 0;
}

uint64_t slot(const StateDb& db)
{
    return db.storage(Engine::kEvm, addr_of(0), U256{7}).w[0];
}

/// Commits block 2 over block 1 with the write held; while it is held, readers must see
/// block 1. Then the write lands (or fails) and readers see block 2 (or still block 1).
void check_commit(size_t others, bool fail)
{
    HeldWrites store;
    StateDb db{store};
    auto first = db.prepare(block(1, 1, others), txtypes::kEmptyRootHash);
    ASSERT_TRUE(first);
    ASSERT_TRUE(db.commit(*first));
    ASSERT_TRUE(db.wait_for_nodes());
    EXPECT_EQ(balance(db), 1u);  // both now cached
    EXPECT_EQ(slot(db), 1u);

    auto second = db.prepare(block(2, 2, others), first->state_root);
    ASSERT_TRUE(second);
    store.hold();
    store.fail = fail;
    auto committed = std::async(std::launch::async, [&] { return db.commit(*second); });
    store.wait_entered();
    // The cache may hold block 2's values by now (at once for a small block; the helper thread
    // of a large one gets a moment): readers must not take them.
    std::this_thread::sleep_for(std::chrono::milliseconds(others > 0 ? 50 : 0));
    EXPECT_EQ(balance(db), 1u);
    EXPECT_EQ(slot(db), 1u);
    store.release();
    const auto result = committed.get();
    EXPECT_EQ(result.has_value(), !fail);
    EXPECT_EQ(balance(db), fail ? 1u : 2u);
    EXPECT_EQ(slot(db), fail ? 1u : 2u);
}

TEST(ReadCache, SmallBlockValuesHiddenUntilWritten)
{
    check_commit(0, false);
}

TEST(ReadCache, LargeBlockValuesHiddenUntilWritten)
{
    check_commit(StateDb::kParallelCacheUpdate, false);
}

TEST(ReadCache, FailedWriteLeavesNoLearnedValue)
{
    check_commit(0, true);
    check_commit(StateDb::kParallelCacheUpdate, true);
}

}  // namespace
