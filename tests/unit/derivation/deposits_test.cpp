// TransactionDeposited logs -> 0x7E transactions, rollup.json, and attributes (forced inclusion:
// deposits only in the first block of an epoch).
#include <gtest/gtest.h>

#include <cstring>

#include <derivation/attributes.hpp>
#include <derivation/deposits.hpp>
#include <derivation/rollup_config.hpp>
#include <execution/predeploys.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::derivation;

namespace {

constexpr Address kPortal = address_literal("5fbdb2315678afecb367f032d93f642f64180aa3");
constexpr Address kFrom = address_literal("f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
constexpr Address kTo = address_literal("70997970c51812dc3a010c7d01b50e0d17dc79c8");

Hash topic_of(const Address& a)
{
    Hash h;
    std::memcpy(h.data() + 12, a.data(), 20);
    return h;
}

/// The log the portal emits for depositTransaction(to, value, gas, isCreation, data) paying mint.
l1client::L1Log deposit_log(const U256& mint, const U256& value, uint64_t gas, bool creation,
                            const Bytes& data, uint64_t log_index)
{
    Bytes opaque = to_be_word(mint) + to_be_word(value);
    for (int i = 7; i >= 0; --i)
        opaque.push_back(static_cast<uint8_t>(gas >> (8 * i)));
    opaque.push_back(creation ? 1 : 0);
    opaque += data;
    Bytes abi = to_be_word(U256{32}) + to_be_word(U256{opaque.size()}) + opaque;
    abi.resize(64 + (opaque.size() + 31) / 32 * 32, 0);

    l1client::L1Log log;
    log.address = kPortal;
    log.topics = {transaction_deposited_topic(), topic_of(kFrom),
                  topic_of(creation ? Address{} : kTo), Hash{}};
    log.data = abi;
    log.block_number = 7;
    log.block_hash = keccak256(Bytes{7});
    log.log_index = log_index;
    return log;
}

}  // namespace

TEST(Deposits, TopicIsTheOpStackEvent)
{
    EXPECT_EQ(transaction_deposited_topic(),
              hash_literal("b3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32"));
}

TEST(Deposits, DecodesTheOpaqueDataPacking)
{
    const Bytes calldata{0xde, 0xad, 0xbe, 0xef};
    const auto log = deposit_log(U256{5}, U256{3}, 100'000, false, calldata, 4);
    auto t = decode_deposit_log(log, kPortal);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->type, txtypes::TxType::kDeposit);
    EXPECT_EQ(t->from, kFrom);
    EXPECT_EQ(t->to, kTo);
    EXPECT_EQ(t->mint, U256{5});
    EXPECT_EQ(t->value, U256{3});
    EXPECT_EQ(t->gas_limit, 100'000u);
    EXPECT_EQ(t->data, calldata);
    EXPECT_FALSE(t->is_system_tx);
    EXPECT_EQ(t->source_hash, user_deposit_source_hash(log.block_hash, 4));

    const auto creation = decode_deposit_log(deposit_log(U256{}, U256{}, 60'000, true, {}, 0),
                                             kPortal);
    ASSERT_TRUE(creation);
    EXPECT_TRUE(creation->is_creation());
}

TEST(Deposits, RejectsMalformedLogs)
{
    auto log = deposit_log(U256{1}, U256{1}, 21'000, false, {}, 0);
    EXPECT_EQ(decode_deposit_log(log, kTo).error().code, DepositErrc::kNotADeposit);
    auto bad = log;
    bad.topics.pop_back();
    EXPECT_EQ(decode_deposit_log(bad, kPortal).error().code, DepositErrc::kBadTopics);
    bad = log;
    bad.topics[3][31] = 1;
    EXPECT_EQ(decode_deposit_log(bad, kPortal).error().code, DepositErrc::kUnknownVersion);
    bad = log;
    bad.data.resize(40);
    EXPECT_EQ(decode_deposit_log(bad, kPortal).error().code, DepositErrc::kBadData);
    bad = log;
    bad.data[63] = 0xff;  // length beyond the data
    EXPECT_EQ(decode_deposit_log(bad, kPortal).error().code, DepositErrc::kBadData);
    bad = log;
    bad.data[64 + 72] = 2;  // isCreation not a bool
    EXPECT_EQ(decode_deposit_log(bad, kPortal).error().code, DepositErrc::kBadData);
}

TEST(Deposits, SortedByLogIndexAndOthersSkipped)
{
    std::vector<l1client::L1Log> logs{deposit_log(U256{2}, U256{}, 21'000, false, {}, 9),
                                      deposit_log(U256{1}, U256{}, 21'000, false, {}, 3)};
    l1client::L1Log other = logs[0];
    other.topics[0] = Hash{};
    logs.push_back(other);
    auto d = deposits_from_logs(logs, kPortal);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->size(), 2u);
    EXPECT_EQ((*d)[0].mint, U256{1});
    EXPECT_EQ((*d)[1].mint, U256{2});
}

TEST(Attributes, DepositsOnlyInTheFirstBlockOfTheEpoch)
{
    RollupConfig cfg;
    cfg.batcher = kFrom;
    cfg.proof_fee_per_gas = U256{3};
    l1client::L1Block origin;
    origin.number = 7;
    origin.hash = keccak256(Bytes{7});
    origin.timestamp = 1000;
    origin.base_fee = U256{9};
    origin.mix_hash = keccak256(Bytes{8});
    const auto deposits = *deposits_from_logs(
        {deposit_log(U256{1}, U256{}, 21'000, false, {}, 0)}, kPortal);

    const auto first = make_attributes(cfg, origin, 0, 1002, deposits);
    ASSERT_EQ(first.deposits.size(), 2u);
    EXPECT_EQ(first.deposits[0].to, execution::predeploys::kL1Block);
    EXPECT_EQ(first.prev_randao, origin.mix_hash);
    const auto info = execution::decode_l1_info_calldata(first.deposits[0].data);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->number, 7u);
    EXPECT_EQ(info->base_fee, U256{9});
    EXPECT_EQ(info->blob_base_fee, U256{1});
    EXPECT_EQ(info->proof_fee_per_gas, U256{3});
    Address batcher;
    std::memcpy(batcher.data(), info->batcher_hash.data() + 12, 20);
    EXPECT_EQ(batcher, kFrom);

    const auto second = make_attributes(cfg, origin, 1, 1004, deposits);
    ASSERT_EQ(second.deposits.size(), 1u);
    EXPECT_NE(second.deposits[0].source_hash, first.deposits[0].source_hash);
}

TEST(RollupConfig, RoundTripAndErrors)
{
    RollupConfig c;
    c.l1_chain_id = 31337;
    c.l2_chain_id = 901;
    c.genesis_l1 = {5, keccak256(Bytes{5})};
    c.genesis_l2 = {0, keccak256(Bytes{0})};
    c.genesis_l2_time = 1234;
    c.batch_inbox = kTo;
    c.batcher = kFrom;
    c.deposit_portal = kPortal;
    c.proof_fee_per_gas = U256{11};
    auto back = RollupConfig::from_json(c.to_json());
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->genesis_l1, c.genesis_l1);
    EXPECT_EQ(back->deposit_portal, kPortal);
    EXPECT_EQ(back->proof_fee_per_gas, U256{11});
    EXPECT_EQ(back->genesis_l2_time, 1234u);

    auto missing = RollupConfig::from_json(R"({"l1_chain_id": 1})");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("l2_chain_id"), std::string::npos);
    EXPECT_FALSE(RollupConfig::from_json("not json"));
}
