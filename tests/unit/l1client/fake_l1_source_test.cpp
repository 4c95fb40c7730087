/// FakeL1Source: the in-memory L1 behaves as the L1Source contract says.

#include <gtest/gtest.h>

#include <l1client/fake_l1_source.hpp>

using namespace l2;
using namespace l2::l1client;

namespace {

constexpr auto kPortal = address_literal("00000000000000000000000000000000000000aa");
constexpr auto kOther = address_literal("00000000000000000000000000000000000000bb");
constexpr auto kTopic =
    hash_literal("1111111111111111111111111111111111111111111111111111111111111111");

L1Log log_of(const Address& a, const Hash& topic)
{
    return L1Log{.address = a, .topics = {topic}};
}

}  // namespace

TEST(FakeL1Source, ChainOfBlocks)
{
    FakeL1Source l1{900};
    EXPECT_EQ(*l1.chain_id(), 900u);
    EXPECT_FALSE(l1.block_number());  // No blocks yet.
    const auto b0 = l1.push_block({.number = 100, .timestamp = 1000});
    const auto b1 = l1.push_block();
    const auto b2 = l1.push_block();
    EXPECT_EQ(*l1.block_number(), 102u);
    EXPECT_EQ(b1.parent_hash, b0.hash);
    EXPECT_EQ(b2.parent_hash, b1.hash);
    EXPECT_EQ(b2.timestamp, 1024u);
    EXPECT_NE(b1.hash, b2.hash);

    EXPECT_EQ(**l1.block_by_number(101, false), b1);
    EXPECT_EQ(**l1.block_by_number(BlockTag::latest(), false), b2);
    EXPECT_EQ(**l1.block_by_number(BlockTag::earliest(), false), b0);
    EXPECT_FALSE(*l1.block_by_number(103, false));
    EXPECT_FALSE(*l1.block_by_number(99, false));
    EXPECT_EQ(**l1.block_by_hash(b1.hash, false), b1);
    EXPECT_FALSE(*l1.block_by_hash(Hash{}, false));
}

TEST(FakeL1Source, SafeAndFinalized)
{
    FakeL1Source l1;
    for (int i = 0; i < 5; ++i)
        l1.push_block();
    EXPECT_FALSE(*l1.block_by_number(BlockTag::safe(), false));
    l1.set_safe(3);
    l1.set_finalized(1);
    EXPECT_EQ((*l1.block_by_number(BlockTag::safe(), false))->number, 3u);
    EXPECT_EQ((*l1.block_by_number(BlockTag::finalized(), false))->number, 1u);
}

TEST(FakeL1Source, ReorgReplacesBlocks)
{
    FakeL1Source l1;
    for (int i = 0; i < 5; ++i)
        l1.push_block();
    l1.set_safe(4);
    const auto old3 = **l1.block_by_number(3, false);
    l1.rewind(2);
    EXPECT_EQ(*l1.block_number(), 2u);
    EXPECT_EQ((*l1.block_by_number(BlockTag::safe(), false))->number, 2u);
    const auto new3 = l1.push_block();
    EXPECT_EQ(new3.number, 3u);
    EXPECT_NE(new3.hash, old3.hash);
    EXPECT_EQ(**l1.block_by_number(3, false), new3);
    EXPECT_EQ(**l1.block_by_hash(old3.hash, false), old3);  // Still known by hash.
}

TEST(FakeL1Source, LogsByRangeAddressAndTopic)
{
    FakeL1Source l1;
    l1.push_block({}, {log_of(kPortal, kTopic), log_of(kOther, kTopic)});
    const auto b1 = l1.push_block({}, {log_of(kPortal, Hash{})});
    l1.push_block({}, {log_of(kPortal, kTopic)});

    auto all = *l1.logs({.from_block = 0, .to_block = 10});
    EXPECT_EQ(all.size(), 4u);
    EXPECT_EQ(all[1].log_index, 1u);
    EXPECT_EQ(all[2].block_hash, b1.hash);

    auto portal = *l1.logs(
        {.from_block = 0, .to_block = 2, .addresses = {kPortal}, .topics = {{kTopic}}});
    ASSERT_EQ(portal.size(), 2u);
    EXPECT_EQ(portal[0].block_number, 0u);
    EXPECT_EQ(portal[1].block_number, 2u);

    EXPECT_EQ(l1.logs({.from_block = 1, .to_block = 1})->size(), 1u);
    EXPECT_EQ(l1.logs({.block_hash = b1.hash})->size(), 1u);
    EXPECT_FALSE(l1.logs({.block_hash = kTopic}));
}

TEST(FakeL1Source, StorageByBlock)
{
    FakeL1Source l1;
    for (int i = 0; i < 4; ++i)
        l1.push_block();
    const Hash v1{Hash::left_padded(Bytes{1})};
    const Hash v2{Hash::left_padded(Bytes{2})};
    l1.set_storage(kPortal, U256{7}, 1, v1);
    l1.set_storage(kPortal, U256{7}, 3, v2);
    EXPECT_EQ(*l1.storage_at(kPortal, U256{7}, 0), Hash{});
    EXPECT_EQ(*l1.storage_at(kPortal, U256{7}, 2), v1);
    EXPECT_EQ(*l1.storage_at(kPortal, U256{7}, BlockTag::latest()), v2);
    const auto b2 = **l1.block_by_number(2, false);
    EXPECT_EQ(*l1.storage_at(kPortal, U256{7}, b2.hash), v1);
    EXPECT_EQ(*l1.storage_at(kPortal, U256{8}, 3), Hash{});
    EXPECT_FALSE(l1.storage_at(kPortal, U256{7}, 9));  // No such block.
}

TEST(FakeL1Source, InjectedFailures)
{
    FakeL1Source l1;
    l1.push_block();
    l1.fail_next(2, RpcError{.code = RpcErrc::kTimeout, .message = "slow"});
    const auto a = l1.block_number();
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, RpcErrc::kTimeout);
    EXPECT_EQ(a.error().method, "eth_blockNumber");
    EXPECT_FALSE(l1.logs({}));
    EXPECT_TRUE(l1.block_number());
    EXPECT_EQ(l1.call_count(), 3u);
}

TEST(FakeL1Source, Receipts)
{
    FakeL1Source l1;
    EXPECT_FALSE(*l1.transaction_receipt(kTopic));
    l1.add_receipt({.tx_hash = kTopic, .block_number = 4, .status = true});
    EXPECT_EQ((*l1.transaction_receipt(kTopic))->block_number, 4u);
}
