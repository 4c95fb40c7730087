/// L1StorageReader against a real L1 (anvil from node_modules): storage read by EIP-1898 block
/// hash at two blocks, batches, unknown blocks, and the persistent cache.

#include <gtest/gtest.h>

#include <l1client/l1_client.hpp>
#include <l1client/l1_storage.hpp>
#include <nlohmann/json.hpp>
#include <state/memory_store.hpp>
#include <txtypes/hex.hpp>

#include "anvil_process.hpp"

using namespace l2;
using namespace l2::l1client;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

constexpr auto kAccount = address_literal("5a1d000000000000000000000000000000000001");

Hash word(uint64_t v)
{
    Hash h;
    for (size_t i = 0; i < 8; ++i)
        h[31 - i] = static_cast<uint8_t>(v >> (8 * i));
    return h;
}

}  // namespace

TEST(L1StorageE2E, ReadsByBlockHashAtTwoBlocks)
{
    l1client::test::AnvilProcess anvil{L2_ANVIL};
    ASSERT_TRUE(anvil.ready()) << "anvil did not start from " L2_ANVIL
                                  " (run scripts/bootstrap for node_modules)";
    RpcClient admin{anvil.url()};
    L1Client l1{admin};
    const auto set = [&](const Hash& key, const Hash& value) {
        ASSERT_TRUE(
            admin.call("anvil_setStorageAt",
                       json::array({to_0x_hex(kAccount), to_0x_hex(key), to_0x_hex(value)})));
    };
    const auto mine = [&] {
        EXPECT_TRUE(admin.call("evm_mine", nullptr));
        const auto b = l1.block_by_number(BlockTag::latest(), false);
        EXPECT_TRUE(b && *b);
        return b && *b ? **b : L1Block{};
    };

    // anvil_setStorageAt writes the state of the newest block, so one more block is mined
    // before the second write to leave the first block's state as it was.
    set(word(1), word(0xaa));
    set(word(2), word(0x1234));
    const auto first = mine();
    mine();
    set(word(1), word(0xbb));
    const auto second = mine();
    ASSERT_NE(first.hash, second.hash);

    RpcClientOptions o;
    o.request_timeout = 2000ms;
    o.max_retries = 0;
    state::MemoryStore store;
    L1StorageReader reader{std::make_shared<RpcClient>(anvil.url(), o), &store};
    const std::vector<Hash> keys = {word(1), word(2), word(3)};

    auto r = reader.read(kAccount, keys, first.number, first.hash);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, (std::vector<Hash>{word(0xaa), word(0x1234), Hash{}}));
    r = reader.read(kAccount, keys, second.number, second.hash);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, (std::vector<Hash>{word(0xbb), word(0x1234), Hash{}}));
    EXPECT_EQ(reader.stats().requests, 2u);
    EXPECT_EQ(store.count(state::Column::kL1Sload), 6u);

    // A block hash anvil does not know: a JSON-RPC error, nothing cached.
    const auto unknown =
        hash_literal("1111111111111111111111111111111111111111111111111111111111111111");
    r = reader.read(kAccount, keys, second.number, unknown);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, RpcErrc::kRpc) << r.error().to_string();

    // The persistent cache answers a fresh reader without L1.
    L1StorageReader again{std::make_shared<RpcClient>(anvil.url(), o), &store};
    r = again.read(kAccount, keys, first.number, first.hash);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ((*r)[0], word(0xaa));
    EXPECT_EQ(again.stats().disk_hits, 3u);
    EXPECT_EQ(again.stats().requests, 0u);
}
