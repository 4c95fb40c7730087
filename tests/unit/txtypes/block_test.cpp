#include <gtest/gtest.h>

#include <txtypes/block.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/mpt.hpp>

using namespace l2;
using namespace l2::txtypes;

namespace {

TEST(Block, MainnetGenesisHash)
{
    BlockHeader h;
    h.state_root = hash_literal("d7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544");
    h.difficulty = U256{17179869184ULL};
    h.gas_limit = 5000;
    h.extra_data = from_hex("11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa").value();
    h.nonce = {0, 0, 0, 0, 0, 0, 0, 0x42};
    EXPECT_EQ(to_hex(header_hash(h)),
              "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3");
    const auto back = decode_header(encode_header(h));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, h);
}

TEST(Block, CancunHeaderRoundTrip)
{
    BlockHeader h;
    h.number = 12;
    h.gas_limit = 30'000'000;
    h.timestamp = 1'700'000'000;
    h.base_fee_per_gas = U256{1'000'000'000};
    h.withdrawals_root = kEmptyRootHash;
    h.blob_gas_used = 0;
    h.excess_blob_gas = 0;
    h.parent_beacon_block_root = Hash{};
    const Bytes enc = encode_header(h);
    const auto back = decode_header(enc);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, h);
    Bytes trailing = enc;
    trailing.push_back(0x80);
    EXPECT_FALSE(decode_header(trailing));
}

TEST(Block, BlockRoundTripWithTypedTxs)
{
    Block b;
    b.header.number = 1;
    b.header.base_fee_per_gas = U256{7};
    Transaction deposit;
    deposit.type = TxType::kDeposit;
    deposit.from = address_literal("deaddeaddeaddeaddeaddeaddeaddeaddead0001");
    deposit.to = address_literal("4200000000000000000000000000000000000015");
    deposit.gas_limit = 1'000'000;
    deposit.is_system_tx = false;
    Transaction transfer;
    transfer.type = TxType::kDynamicFee;
    transfer.chain_id = 901;
    transfer.gas_limit = 21000;
    transfer.to = address_literal("3535353535353535353535353535353535353535");
    ASSERT_TRUE(sign_transaction(
        transfer, hash_literal("4646464646464646464646464646464646464646464646464646464646464646")));
    b.transactions = {deposit, transfer};
    b.withdrawals = std::vector<Withdrawal>{};
    b.header.transactions_root = transactions_root(b.transactions);
    const auto back = decode_block(encode_block(b));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, b);
    EXPECT_NE(b.header.transactions_root, kEmptyRootHash);
}

TEST(Block, EmptyRoots)
{
    EXPECT_EQ(transactions_root({}), kEmptyRootHash);
    EXPECT_EQ(receipts_root({}), kEmptyRootHash);
    EXPECT_EQ(trie_root(std::map<Bytes, Bytes>{}), kEmptyRootHash);
    EXPECT_EQ(keccak256(Bytes{0xc0}), kEmptyListHash);
}

TEST(Mpt, SmallTriesFromTheYellowPaperShape)
{
    // trietest.json "puppy" case, independent of the conformance runner.
    std::map<Bytes, Bytes> kv;
    for (auto [k, v] : {std::pair{"do", "verb"}, {"horse", "stallion"}, {"doge", "coin"},
                        {"dog", "puppy"}})
        kv[Bytes{as_view(k)}] = Bytes{as_view(v)};
    EXPECT_EQ(to_hex(trie_root(kv)),
              "5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84");
    // Order of insertion does not matter, later duplicates win, empty values are absent.
    std::vector<std::pair<Bytes, Bytes>> entries(kv.rbegin(), kv.rend());
    entries.emplace_back(Bytes{as_view("ether")}, Bytes{as_view("x")});
    entries.emplace_back(Bytes{as_view("ether")}, Bytes{});
    entries.emplace_back(Bytes{as_view("dog")}, Bytes{as_view("cat")});
    entries.emplace_back(Bytes{as_view("dog")}, Bytes{as_view("puppy")});
    EXPECT_EQ(trie_root(entries), trie_root(kv));
}

}  // namespace
