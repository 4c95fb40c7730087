/// l1client against a real L1: anvil from node_modules on a free loopback port, one per test.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <l1client/l1_client.hpp>
#include <l1client/l1_decode.hpp>
#include <l1client/tx_sender.hpp>
#include <nlohmann/json.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

#include "anvil_process.hpp"

using namespace l2;
using namespace l2::l1client;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

/// anvil's first two dev accounts (funded with 10000 ETH).
constexpr auto kDevKey =
    hash_literal("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
constexpr auto kDev = address_literal("f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
constexpr auto kDev1 = address_literal("70997970c51812dc3a010c7d01b50e0d17dc79c8");
constexpr uint64_t kAnvilChainId = 31337;
constexpr uint64_t kEther = 1'000'000'000'000'000'000;

/// One anvil (tests/e2e/l1client/anvil_process.hpp, shared with the L1 storage tests).
class Anvil : public l1client::test::AnvilProcess
{
public:
    explicit Anvil(std::vector<std::string> extra = {}) : AnvilProcess{L2_ANVIL, std::move(extra)} {}
};

/// An anvil, a client over it, and a TxSender for the first dev key.
class L1Test : public testing::Test
{
protected:
    void start(std::vector<std::string> anvil_args = {}, TxSenderOptions options = {})
    {
        m_anvil = std::make_unique<Anvil>(std::move(anvil_args));
        ASSERT_TRUE(m_anvil->ready()) << "anvil did not start from " L2_ANVIL
                                         " (run scripts/bootstrap for node_modules)";
        m_rpc = std::make_unique<RpcClient>(m_anvil->url());
        m_l1 = std::make_unique<L1Client>(*m_rpc);
        options.poll_interval = 50ms;
        auto s = TxSender::create(*m_l1, kDevKey, kAnvilChainId, options);
        ASSERT_TRUE(s);
        m_sender = std::move(*s);
    }

    RpcClient& rpc() { return *m_rpc; }
    L1Client& l1() { return *m_l1; }
    TxSender& sender() { return *m_sender; }

    /// eth_getTransactionByHash as raw JSON.
    json tx_by_hash(const Hash& h)
    {
        auto r = rpc().call("eth_getTransactionByHash", json::array({to_0x_hex(h)}));
        EXPECT_TRUE(r);
        return r ? *r : json{};
    }

private:
    // Declaration order = reverse destruction order: the sender and client go before anvil.
    std::unique_ptr<Anvil> m_anvil;
    std::unique_ptr<RpcClient> m_rpc;
    std::unique_ptr<L1Client> m_l1;
    std::unique_ptr<TxSender> m_sender;
};

/// keccak256("Ping(bytes)"): the emitter's event topic.
Hash ping_topic()
{
    return keccak256(as_view("Ping(bytes)"));
}

/// Creation code of a contract whose runtime, on any call, emits LOG1(Ping, calldata) and stores
/// the first calldata word in slot 0:
///   CALLDATASIZE 0 0 CALLDATACOPY  PUSH32 topic CALLDATASIZE 0 LOG1  0 CALLDATALOAD 0 SSTORE STOP
Bytes emitter_initcode()
{
    Bytes runtime = {0x36, 0x60, 0x00, 0x60, 0x00, 0x37, 0x7f};
    const auto topic = ping_topic();
    runtime.append(topic.data(), 32);
    runtime += Bytes{0x36, 0x60, 0x00, 0xa1, 0x60, 0x00, 0x35, 0x60, 0x00, 0x55, 0x00};
    EXPECT_EQ(runtime.size(), 0x32u);
    // PUSH1 len PUSH1 12 PUSH1 0 CODECOPY PUSH1 len PUSH1 0 RETURN, then the runtime.
    Bytes init = {0x60, 0x32, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x32, 0x60, 0x00, 0xf3};
    return init + runtime;
}

Bytes word(uint8_t v)
{
    Bytes w(32, 0);
    w[31] = v;
    return w;
}

}  // namespace

TEST_F(L1Test, TypedCalls)
{
    start();
    EXPECT_EQ(*l1().chain_id(), kAnvilChainId);
    EXPECT_EQ(*l1().block_number(), 0u);

    const auto latest = l1().block_by_number(BlockTag::latest(), true);
    ASSERT_TRUE(latest && *latest) << (latest ? "null" : latest.error().to_string());
    const auto& b = **latest;
    EXPECT_EQ(b.number, 0u);
    EXPECT_TRUE(b.base_fee);
    EXPECT_TRUE(b.excess_blob_gas);
    EXPECT_GT(b.timestamp, 1'600'000'000u);
    EXPECT_EQ(**l1().block_by_hash(b.hash, true), b);
    EXPECT_EQ((*l1().block_by_number(BlockTag::finalized(), false))->number, 0u);
    EXPECT_EQ((*l1().block_by_number(BlockTag::safe(), false))->number, 0u);
    EXPECT_FALSE(*l1().block_by_number(1000, false));  // Not yet.

    EXPECT_EQ(*l1().transaction_count(kDev, BlockTag::pending()), 0u);
    EXPECT_EQ(*l1().balance(kDev, BlockTag::latest()), U256{kEther} * 10000);
    EXPECT_EQ(*l1().storage_at(kDev, U256{0}, BlockTag::latest()), Hash{});
    EXPECT_FALSE(*l1().transaction_receipt(Hash{}));

    const auto fh = l1().fee_history(1, BlockTag::latest(), {25.0, 75.0});
    ASSERT_TRUE(fh) << fh.error().to_string();
    EXPECT_EQ(fh->base_fee_per_gas.size(), 2u);
    ASSERT_EQ(fh->reward.size(), 1u);
    EXPECT_EQ(fh->reward[0].size(), 2u);
    const auto blob = l1().blob_base_fee();
    ASSERT_TRUE(blob);
    EXPECT_TRUE(*blob);
    EXPECT_EQ(*l1().estimate_gas({.from = kDev, .to = kDev1, .value = U256{1}}), 21000u);
}

TEST_F(L1Test, BatchOfCalls)
{
    start();
    const auto r = rpc().batch({{"eth_chainId", nullptr},
                                {"eth_noSuchMethod", nullptr},
                                {"eth_getBalance", json::array({to_0x_hex(kDev1), "latest"})}});
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ(*(*r)[0], "0x7a69");
    ASSERT_FALSE((*r)[1]);
    EXPECT_EQ((*r)[1].error().code, RpcErrc::kRpc);
    EXPECT_EQ((*r)[1].error().method, "eth_noSuchMethod");
    EXPECT_EQ(*decode_u256(*(*r)[2]), U256{kEther} * 10000);
}

TEST_F(L1Test, SenderSendsValueAndWaitsForReceipts)
{
    start();
    const auto before = *l1().balance(kDev1, BlockTag::latest());
    const auto r = sender().send_and_wait({.to = kDev1, .value = U256{kEther}}, 30s);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->status);
    EXPECT_EQ(r->gas_used, 21000u);
    EXPECT_EQ(*l1().balance(kDev1, BlockTag::latest()), before + U256{kEther});

    // Several in a row: consecutive nonces, all mined.
    std::vector<Hash> hashes;
    for (int i = 0; i < 5; ++i)
    {
        const auto h = sender().send({.to = kDev1, .value = U256{static_cast<uint64_t>(i + 1)}});
        ASSERT_TRUE(h) << h.error().to_string();
        hashes.push_back(*h);
    }
    for (size_t i = 0; i < hashes.size(); ++i)
    {
        const auto rc = sender().wait(hashes[i], 30s);
        ASSERT_TRUE(rc) << rc.error().to_string();
        const auto block = l1().block_by_number(rc->block_number, true);
        ASSERT_TRUE(block && *block);
        const auto& txs = (*block)->transactions;
        const auto tx = std::find_if(txs.begin(), txs.end(),
                                     [&](const L1Tx& t) { return t.hash == hashes[i]; });
        ASSERT_NE(tx, txs.end());
        EXPECT_EQ(tx->from, kDev);
        EXPECT_EQ(tx->nonce, i + 1);
        EXPECT_EQ(tx->type, 2);
        EXPECT_EQ(tx->value, U256{i + 1});
    }
    EXPECT_EQ(sender().pending_count(), 0u);
    EXPECT_EQ(*l1().transaction_count(kDev, BlockTag::latest()), 6u);
}

TEST_F(L1Test, LogsAndStorageOfADeployedEmitter)
{
    start();
    const auto deploy = sender().send_and_wait({.data = emitter_initcode()}, 30s);
    ASSERT_TRUE(deploy) << deploy.error().to_string();
    ASSERT_TRUE(deploy->status);
    ASSERT_TRUE(deploy->contract_address);
    const Address emitter = *deploy->contract_address;

    std::vector<L1Receipt> calls;
    for (uint8_t i = 1; i <= 3; ++i)
    {
        const auto r = sender().send_and_wait({.to = emitter, .data = word(i)}, 30s);
        ASSERT_TRUE(r) << r.error().to_string();
        ASSERT_TRUE(r->status);
        ASSERT_EQ(r->logs.size(), 1u);
        EXPECT_EQ(r->logs[0].topics, std::vector<Hash>{ping_topic()});
        EXPECT_EQ(r->logs[0].data, word(i));
        calls.push_back(*r);
    }

    const auto head = *l1().block_number();
    const auto logs = l1().logs(
        {.from_block = 0, .to_block = head, .addresses = {emitter}, .topics = {{ping_topic()}}});
    ASSERT_TRUE(logs) << logs.error().to_string();
    ASSERT_EQ(logs->size(), 3u);
    for (size_t i = 0; i < 3; ++i)
    {
        EXPECT_EQ((*logs)[i].address, emitter);
        EXPECT_EQ((*logs)[i].data, word(static_cast<uint8_t>(i + 1)));
        EXPECT_EQ((*logs)[i].tx_hash, calls[i].tx_hash);
        EXPECT_EQ((*logs)[i].block_number, calls[i].block_number);
        EXPECT_FALSE((*logs)[i].removed);
    }
    EXPECT_TRUE(l1().logs({.from_block = 0, .to_block = head, .addresses = {emitter},
                           .topics = {{Hash{}}}})
                    ->empty());
    const auto one = l1().logs({.block_hash = calls[1].block_hash});
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ((*one)[0].data, word(2));

    // Slot 0 holds the last call's word; at an older block (by number or hash) an older one.
    EXPECT_EQ(*l1().storage_at(emitter, U256{0}, BlockTag::latest()),
              Hash{Hash::left_padded(word(3))});
    EXPECT_EQ(*l1().storage_at(emitter, U256{0}, calls[0].block_number),
              Hash{Hash::left_padded(word(1))});
    EXPECT_EQ(*l1().storage_at(emitter, U256{0}, calls[1].block_hash),
              Hash{Hash::left_padded(word(2))});

    const auto ret = l1().call({.to = emitter, .data = word(9)}, BlockTag::latest());
    ASSERT_TRUE(ret) << ret.error().to_string();
    EXPECT_TRUE(ret->empty());
}

TEST_F(L1Test, NonceTooLowResyncs)
{
    start();
    ASSERT_TRUE(sender().send_and_wait({.to = kDev1, .value = U256{1}}, 30s));
    // The same (unlocked) account sends behind the sender's back: nonce 1 is used.
    const auto other = rpc().call("eth_sendTransaction",
                                  json::array({{{"from", to_0x_hex(kDev)},
                                                {"to", to_0x_hex(kDev1)},
                                                {"value", "0x1"}}}));
    ASSERT_TRUE(other) << other.error().to_string();
    const auto r = sender().send_and_wait({.to = kDev1, .value = U256{2}}, 30s);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(tx_by_hash(r->tx_hash)["nonce"], "0x2");
    EXPECT_EQ(sender().next_nonce(), 3u);
}

TEST_F(L1Test, StuckTxIsReplacedWithBumpedFees)
{
    TxSenderOptions o;
    o.resubmit_after = 300ms;
    start({"--no-mining"}, o);

    const auto first = sender().send({.to = kDev1, .value = U256{kEther}});
    ASSERT_TRUE(first) << first.error().to_string();
    const auto sent = tx_by_hash(*first);
    ASSERT_TRUE(sent.is_object());  // In anvil's pool.
    const auto fee0 = *decode_u256(sent["maxFeePerGas"]);
    const auto tip0 = *decode_u256(sent["maxPriorityFeePerGas"]);

    // Not mined within resubmit_after: wait() polls, and the sender resubmits with higher fees.
    const auto early = sender().wait(*first, 1000ms);
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, SendErrc::kTimeout);
    EXPECT_TRUE(tx_by_hash(*first).is_null());  // Replaced in the pool.
    EXPECT_EQ(sender().pending_count(), 1u);

    ASSERT_TRUE(rpc().call("evm_mine", nullptr));
    const auto r = sender().wait(*first, 30s);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->status);
    EXPECT_NE(r->tx_hash, *first);  // A replacement was mined, found through the first hash.
    const auto mined = tx_by_hash(r->tx_hash);
    EXPECT_EQ(mined["nonce"], "0x0");
    EXPECT_GE(*decode_u256(mined["maxFeePerGas"]) * 1000, fee0 * 1125);
    EXPECT_GE(*decode_u256(mined["maxPriorityFeePerGas"]) * 1000, tip0 * 1125);
    EXPECT_EQ(*l1().transaction_count(kDev, BlockTag::latest()), 1u);
    const auto block = **l1().block_by_number(r->block_number, false);
    ASSERT_EQ(block.transactions.size(), 1u);  // Only one version of nonce 0.
    EXPECT_EQ(sender().pending_count(), 0u);
}
