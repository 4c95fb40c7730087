#include <gtest/gtest.h>

#include <state/journaled_state.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::state;

namespace {

constexpr Address kA = address_literal("000000000000000000000000000000000000000a");
constexpr Address kB = address_literal("000000000000000000000000000000000000000b");

/// A StateReader over plain maps.
class MapReader final : public StateReader
{
public:
    std::map<Address, Account> accounts;
    std::map<std::pair<Address, U256>, U256> slots;

    std::optional<Account> account(Engine engine, const Address& id) const override
    {
        const auto it = accounts.find(id);
        if (it == accounts.end() || it->second.engine != engine)
            return std::nullopt;
        return it->second;
    }
    U256 storage(Engine, const Address& id, const U256& slot) const override
    {
        const auto it = slots.find({id, slot});
        return it == slots.end() ? U256{0} : it->second;
    }
    Bytes code(const Hash&) const override { return {}; }
};

class JournaledStateTest : public testing::Test
{
protected:
    void SetUp() override
    {
        Account a;
        a.balance = 100;
        a.nonce = 5;
        base.accounts[kA] = a;
        base.slots[{kA, U256{1}}] = 11;
    }
    MapReader base;
};

TEST_F(JournaledStateTest, ReadsThrough)
{
    JournaledState s{base};
    EXPECT_EQ(s.balance(kA), 100);
    EXPECT_EQ(s.nonce(kA), 5u);
    EXPECT_EQ(s.storage(kA, 1), 11);
    EXPECT_EQ(s.storage(kA, 2), 0);
    EXPECT_FALSE(s.exists(kB));
    EXPECT_TRUE(s.is_empty(kB));
    EXPECT_TRUE(s.diff().accounts.empty());
}

TEST_F(JournaledStateTest, RollbackRestoresEverything)
{
    JournaledState s{base};
    const size_t cp = s.checkpoint();
    s.add_balance(kA, 50);
    s.set_nonce(kA, 6);
    s.set_storage(kA, 1, 99);
    s.set_storage(kA, 7, 1);
    s.set_transient_storage(kA, 3, 4);
    s.add_balance(kB, 10);
    s.set_code(kB, Bytes{0x60, 0x00});
    EXPECT_FALSE(s.access_account(kB));
    EXPECT_FALSE(s.access_storage(kA, 9));
    EXPECT_EQ(s.balance(kA), 150);
    EXPECT_TRUE(s.exists(kB));

    s.rollback(cp);
    EXPECT_EQ(s.balance(kA), 100);
    EXPECT_EQ(s.nonce(kA), 5u);
    EXPECT_EQ(s.storage(kA, 1), 11);
    EXPECT_EQ(s.storage(kA, 7), 0);
    EXPECT_EQ(s.transient_storage(kA, 3), 0);
    EXPECT_FALSE(s.exists(kB));
    EXPECT_FALSE(s.is_warm(kB));
    EXPECT_FALSE(s.access_storage(kA, 9));  // cold again after the rollback
    EXPECT_TRUE(s.diff().accounts.empty());
}

TEST_F(JournaledStateTest, NestedCheckpoints)
{
    JournaledState s{base};
    s.set_storage(kA, 1, 20);
    const size_t outer = s.checkpoint();
    s.set_storage(kA, 1, 30);
    const size_t inner = s.checkpoint();
    s.set_storage(kA, 1, 40);
    s.rollback(inner);
    EXPECT_EQ(s.storage(kA, 1), 30);
    s.rollback(outer);
    EXPECT_EQ(s.storage(kA, 1), 20);
}

TEST_F(JournaledStateTest, OriginalValueIsPerTransaction)
{
    JournaledState s{base};
    EXPECT_EQ(s.original_storage(kA, 1), 11);
    s.set_storage(kA, 1, 12);
    s.set_storage(kA, 1, 13);
    EXPECT_EQ(s.original_storage(kA, 1), 11);  // EIP-2200: value at tx start
    s.finish_transaction();
    EXPECT_EQ(s.original_storage(kA, 1), 13);  // the next tx starts from 13
    s.set_storage(kA, 1, 14);
    EXPECT_EQ(s.original_storage(kA, 1), 13);
}

TEST_F(JournaledStateTest, TransientAndWarmEndWithTheTransaction)
{
    JournaledState s{base};
    s.set_transient_storage(kA, 1, 5);
    EXPECT_FALSE(s.access_account(kA));
    EXPECT_TRUE(s.access_account(kA));
    s.finish_transaction();
    EXPECT_EQ(s.transient_storage(kA, 1), 0);
    EXPECT_FALSE(s.is_warm(kA));
    // Persistent changes survive the tx boundary.
    s.set_storage(kA, 1, 1);
    s.finish_transaction();
    EXPECT_EQ(s.storage(kA, 1), 1);
}

TEST_F(JournaledStateTest, DestroyAndRollback)
{
    JournaledState s{base};
    const size_t cp = s.checkpoint();
    s.destroy(kA);
    EXPECT_FALSE(s.exists(kA));
    EXPECT_EQ(s.storage(kA, 1), 0);  // storage went with the account
    s.rollback(cp);
    EXPECT_EQ(s.balance(kA), 100);
    EXPECT_EQ(s.storage(kA, 1), 11);
}

TEST_F(JournaledStateTest, CreateContractVoidsOldStorageKeepsBalance)
{
    JournaledState s{base};
    s.create_contract(kA, Engine::kEvm);
    EXPECT_EQ(s.balance(kA), 100);
    EXPECT_EQ(s.nonce(kA), 0u);
    EXPECT_EQ(s.storage(kA, 1), 0);
    s.set_storage(kA, 2, 22);
    const StateDiff d = s.diff();
    ASSERT_EQ(d.accounts.size(), 1u);
    EXPECT_TRUE(d.accounts[0].storage_cleared);
    ASSERT_EQ(d.accounts[0].storage.size(), 1u);
    EXPECT_EQ(d.accounts[0].storage[0].slot, 2);
}

TEST_F(JournaledStateTest, DiffIsSortedAndMinimal)
{
    JournaledState s{base};
    s.add_balance(kB, 1);
    s.add_balance(kA, 1);
    s.set_storage(kA, 3, 3);
    s.set_storage(kA, 2, 2);
    s.set_storage(kA, 1, 11);  // written back to its original: not in the diff
    s.add_balance(address_literal("00000000000000000000000000000000000000cc"), 0);
    s.destroy(address_literal("00000000000000000000000000000000000000cc"));  // never existed
    const StateDiff d = s.diff();
    ASSERT_EQ(d.accounts.size(), 2u);
    EXPECT_EQ(d.accounts[0].identity, kA);
    EXPECT_EQ(d.accounts[1].identity, kB);
    ASSERT_EQ(d.accounts[0].storage.size(), 2u);
    EXPECT_EQ(d.accounts[0].storage[0].slot, 2);
    EXPECT_EQ(d.accounts[0].storage[1].slot, 3);
}

TEST_F(JournaledStateTest, CodeIsCarriedInTheDiff)
{
    JournaledState s{base};
    const Bytes code{0x60, 0x01, 0x00};
    s.set_code(kB, code);
    EXPECT_EQ(Bytes{s.code(kB)}, code);
    EXPECT_EQ(s.code_hash(kB), keccak256(code));
    const StateDiff d = s.diff();
    ASSERT_EQ(d.code.size(), 1u);
    EXPECT_EQ(d.code[0].second, code);
}

}  // namespace
