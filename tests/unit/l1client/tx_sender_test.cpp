/// TxSender against a scripted JSON-RPC node (nonces, pool with replacement rules, mining on
/// demand), and the fee policy functions.

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include <l1client/l1_decode.hpp>
#include <l1client/tx_sender.hpp>
#include <nlohmann/json.hpp>
#include <txtypes/hex.hpp>

#include "fake_http_server.hpp"

using namespace l2;
using namespace l2::l1client;
using namespace std::chrono_literals;
using json = nlohmann::json;
using Server = l2::l1client::test::FakeHttpServer;

namespace {

constexpr auto kKey =
    hash_literal("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
constexpr auto kTo = address_literal("70997970c51812dc3a010c7d01b50e0d17dc79c8");
constexpr uint64_t kChainId = 31337;

/// Enough of an Ethereum node for the sender: one account's nonce, a pool with geth's 10%
/// replacement rule, mining on demand, receipts.
class FakeNode
{
public:
    FakeNode() : m_server{[this](const std::string& body) { return handle(body); }} {}

    std::string url() const { return m_server.url(); }

    /// Mines every pool tx that is next in nonce order into one block.
    void mine()
    {
        std::lock_guard lock{m_mutex};
        ++m_block;
        while (true)
        {
            const auto it = m_pool.find(m_nonce);
            if (it == m_pool.end())
                break;
            const auto hash = txtypes::transaction_hash(it->second);
            m_receipts[hash] = {{"transactionHash", to_0x_hex(hash)},
                                {"blockNumber", to_hex(U256{m_block})},
                                {"blockHash", to_0x_hex(Hash{})},
                                {"status", "0x1"},
                                {"gasUsed", "0x5208"},
                                {"effectiveGasPrice", "0x1"},
                                {"contractAddress", nullptr},
                                {"logs", json::array()}};
            m_pool.erase(it);
            ++m_nonce;
        }
    }
    /// Another sender with the same key used the next `n` nonces.
    void used_elsewhere(uint64_t n)
    {
        std::lock_guard lock{m_mutex};
        for (uint64_t i = 0; i < n; ++i)
            m_pool.erase(m_nonce++);
        ++m_block;
    }
    void set_nonce(uint64_t n)
    {
        std::lock_guard lock{m_mutex};
        m_nonce = n;
    }
    void drop_pool()
    {
        std::lock_guard lock{m_mutex};
        m_pool.clear();
    }
    void set_base_fee(uint64_t wei)
    {
        std::lock_guard lock{m_mutex};
        m_base_fee = wei;
    }
    /// The next `n` eth_sendRawTransaction calls get HTTP 503.
    void fail_sends(int n)
    {
        std::lock_guard lock{m_mutex};
        m_fail_sends = n;
    }
    /// The next eth_sendRawTransaction gets this JSON-RPC error.
    void reject_next_send(std::string message)
    {
        std::lock_guard lock{m_mutex};
        m_reject = std::move(message);
    }
    std::map<uint64_t, txtypes::Transaction> pool()
    {
        std::lock_guard lock{m_mutex};
        return m_pool;
    }
    int sends()
    {
        std::lock_guard lock{m_mutex};
        return m_sends;
    }

private:
    Server::Reply handle(const std::string& body)
    {
        const auto req = json::parse(body);
        const std::string method = req["method"];
        const auto& p = req["params"];
        std::lock_guard lock{m_mutex};
        json resp = {{"jsonrpc", "2.0"}, {"id", req["id"]}};
        const auto error = [&](const std::string& msg) {
            resp["error"] = {{"code", -32000}, {"message", msg}};
            return Server::Reply{.body = resp.dump()};
        };
        if (method == "eth_getTransactionCount")
        {
            uint64_t n = m_nonce;
            if (p[1] == "pending")
                while (m_pool.count(n) != 0)
                    ++n;
            resp["result"] = to_hex(U256{n});
        }
        else if (method == "eth_blockNumber")
            resp["result"] = to_hex(U256{m_block});
        else if (method == "eth_estimateGas")
            resp["result"] = "0x5208";
        else if (method == "eth_feeHistory")
        {
            const auto base = to_hex(U256{m_base_fee});
            resp["result"] = {
                {"oldestBlock", "0x1"}, {"baseFeePerGas", {base, base}}, {"reward", {{"0x1"}}}};
        }
        else if (method == "eth_getTransactionReceipt")
        {
            const auto h = *parse_hash(p[0].get<std::string>());
            const auto it = m_receipts.find(h);
            resp["result"] = it == m_receipts.end() ? json(nullptr) : it->second;
        }
        else if (method == "eth_sendRawTransaction")
        {
            ++m_sends;
            if (m_fail_sends > 0)
            {
                --m_fail_sends;
                return Server::Reply{.status = 503, .body = "down"};
            }
            if (!m_reject.empty())
                return error(std::exchange(m_reject, ""));
            const auto raw = *parse_data(p[0].get<std::string>());
            auto txn = txtypes::decode_transaction(raw);
            if (!txn || txn->type != txtypes::TxType::kDynamicFee || txn->chain_id != kChainId)
                return error("invalid transaction");
            if (txn->nonce < m_nonce)
                return error("nonce too low");
            const auto hash = txtypes::transaction_hash(*txn);
            if (const auto it = m_pool.find(txn->nonce); it != m_pool.end())
            {
                const auto& old = it->second;
                if (txtypes::transaction_hash(old) == hash)
                    return error("already known");
                if (txn->max_fee_per_gas * 10 < old.max_fee_per_gas * 11 ||
                    txn->max_priority_fee_per_gas * 10 < old.max_priority_fee_per_gas * 11)
                    return error("replacement transaction underpriced");
            }
            m_pool[txn->nonce] = *txn;
            resp["result"] = to_0x_hex(hash);
        }
        else
            resp["error"] = {{"code", -32601}, {"message", "method not found"}};
        return Server::Reply{.body = resp.dump()};
    }

    std::mutex m_mutex;
    uint64_t m_nonce = 0;
    uint64_t m_block = 1;
    uint64_t m_base_fee = 10 * kGwei;
    int m_fail_sends = 0;
    int m_sends = 0;
    std::string m_reject;
    std::map<uint64_t, txtypes::Transaction> m_pool;
    std::map<Hash, json> m_receipts;
    Server m_server;  // Last: stops before the state goes.
};

struct TxSenderTest : testing::Test
{
    FakeNode node;
    RpcClient rpc{node.url(), [] {
                      RpcClientOptions o;
                      o.max_retries = 0;
                      return o;
                  }()};
    L1Client l1{rpc};

    std::unique_ptr<TxSender> make_sender(TxSenderOptions o = {})
    {
        o.poll_interval = 10ms;
        auto s = TxSender::create(l1, kKey, kChainId, o);
        EXPECT_TRUE(s);
        return std::move(*s);
    }
};

}  // namespace

TEST(TxSenderFees, SuggestFromHistory)
{
    FeeHistory h{.base_fee_per_gas = {U256{7}, U256{100}},
                 .reward = {{U256{5 * kGwei}}, {U256{2 * kGwei}}, {U256{3 * kGwei}}}};
    const auto f = suggest_fees(h, U256{kGwei});
    EXPECT_EQ(f.max_priority_fee_per_gas, U256{3 * kGwei});  // Median.
    EXPECT_EQ(f.max_fee_per_gas, U256{200 + 3 * kGwei});

    h.reward = {{U256{1}}, {}};
    EXPECT_EQ(suggest_fees(h, U256{kGwei}).max_priority_fee_per_gas, U256{kGwei});  // Floor.
    EXPECT_EQ(suggest_fees(FeeHistory{}, U256{kGwei}).max_fee_per_gas, U256{kGwei});
}

TEST(TxSenderFees, BumpIsAtLeastTheRatioAndTheCurrentFees)
{
    const Fees old{.max_fee_per_gas = U256{1000}, .max_priority_fee_per_gas = U256{9}};
    const auto b = bump_fees(old, Fees{}, 125);
    EXPECT_EQ(b.max_fee_per_gas, U256{1125});
    EXPECT_EQ(b.max_priority_fee_per_gas, U256{11});  // 10.125 rounded up.
    const auto c = bump_fees(old, Fees{U256{5000}, U256{50}}, 125);
    EXPECT_EQ(c.max_fee_per_gas, U256{5000});
    EXPECT_EQ(c.max_priority_fee_per_gas, U256{50});
    EXPECT_EQ(bump_fees(Fees{kU256Max, kU256Max}, Fees{}, 125).max_fee_per_gas, kU256Max);
}

TEST_F(TxSenderTest, RejectsABadKey)
{
    const auto s = TxSender::create(l1, Hash{}, kChainId);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, SendErrc::kBadKey);
}

TEST_F(TxSenderTest, SendsEip1559TxsWithLocalNonces)
{
    node.set_nonce(5);
    auto sender = make_sender();
    EXPECT_EQ(to_0x_hex(sender->address()), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    const auto h1 = sender->send({.to = kTo, .value = U256{1}});
    const auto h2 = sender->send({.to = kTo, .data = {0x01}, .gas_limit = 30000});
    ASSERT_TRUE(h1 && h2);
    EXPECT_EQ(sender->next_nonce(), 7u);
    EXPECT_EQ(sender->pending_count(), 2u);

    const auto pool = node.pool();
    ASSERT_EQ(pool.size(), 2u);
    const auto& t = pool.at(5);
    EXPECT_EQ(txtypes::transaction_hash(t), *h1);
    EXPECT_EQ(t.gas_limit, 25200u);  // 21000 x 1.2
    EXPECT_EQ(t.max_priority_fee_per_gas, U256{kGwei});  // Reward 1 wei: the floor.
    EXPECT_EQ(t.max_fee_per_gas, U256{21 * kGwei});  // 2 x 10 gwei + tip.
    EXPECT_EQ(*txtypes::recover_sender(t), sender->address());
    EXPECT_EQ(pool.at(6).gas_limit, 30000u);

    node.mine();
    const auto r2 = sender->wait(*h2, 2s);
    ASSERT_TRUE(r2) << r2.error().to_string();
    EXPECT_EQ(r2->tx_hash, *h2);
    const auto r1 = sender->wait(*h1, 2s);
    ASSERT_TRUE(r1);
    EXPECT_TRUE(r1->status);
    EXPECT_EQ(sender->pending_count(), 0u);
}

TEST_F(TxSenderTest, ResyncsWhenTheNonceIsTooLow)
{
    auto sender = make_sender();
    const auto h0 = sender->send({.to = kTo});
    ASSERT_TRUE(h0);
    node.mine();
    ASSERT_TRUE(sender->wait(*h0, 2s));
    ASSERT_EQ(sender->next_nonce(), 1u);
    node.used_elsewhere(3);  // Nonces 1, 2, 3 are gone.
    const auto h = sender->send({.to = kTo});
    ASSERT_TRUE(h) << h.error().to_string();
    EXPECT_EQ(node.pool().begin()->first, 4u);
    EXPECT_EQ(sender->next_nonce(), 5u);
}

TEST_F(TxSenderTest, StuckTxIsReplacedWithBumpedFees)
{
    TxSenderOptions o;
    o.resubmit_after = 0ms;
    auto sender = make_sender(o);
    const auto first = sender->send({.to = kTo});
    ASSERT_TRUE(first);
    const auto fee0 = node.pool().at(0).max_fee_per_gas;

    sender->poll();  // Not mined: resubmitted.
    sender->poll();  // And again.
    const auto replaced = node.pool().at(0);
    EXPECT_GE(replaced.max_fee_per_gas * 1000, fee0 * 1265);  // Two bumps of >= 12.5%.
    EXPECT_NE(txtypes::transaction_hash(replaced), *first);

    node.mine();
    const auto r = sender->wait(*first, 2s);  // Waiting on the first hash finds the replacement.
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->tx_hash, txtypes::transaction_hash(replaced));
}

TEST_F(TxSenderTest, ReplacementFollowsARisingBaseFee)
{
    TxSenderOptions o;
    o.resubmit_after = 0ms;
    auto sender = make_sender(o);
    ASSERT_TRUE(sender->send({.to = kTo}));
    node.set_base_fee(100 * kGwei);
    sender->poll();
    EXPECT_EQ(node.pool().at(0).max_fee_per_gas, U256{201 * kGwei});
}

TEST_F(TxSenderTest, FeeCapStopsBumping)
{
    TxSenderOptions o;
    o.resubmit_after = 0ms;
    o.max_fee_cap = U256{21 * kGwei};
    auto sender = make_sender(o);
    const auto h = sender->send({.to = kTo});
    ASSERT_TRUE(h);
    sender->poll();
    EXPECT_EQ(txtypes::transaction_hash(node.pool().at(0)), *h);  // Not replaced.
}

TEST_F(TxSenderTest, RejectedTxKeepsItsNonce)
{
    auto sender = make_sender();
    node.reject_next_send("insufficient funds for gas * price + value");
    const auto bad = sender->send({.to = kTo, .value = U256{1}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, SendErrc::kRejected);
    ASSERT_TRUE(bad.error().rpc);
    EXPECT_EQ(bad.error().rpc->method, "eth_sendRawTransaction");
    ASSERT_TRUE(sender->send({.to = kTo}));
    EXPECT_EQ(node.pool().begin()->first, 0u);
}

TEST_F(TxSenderTest, TxLostInTransitIsRebroadcast)
{
    auto sender = make_sender();
    node.fail_sends(1);
    const auto h = sender->send({.to = kTo});
    ASSERT_TRUE(h);  // The node may have it: the sender owns the nonce now.
    EXPECT_TRUE(node.pool().empty());
    sender->poll();
    ASSERT_EQ(node.pool().size(), 1u);
    EXPECT_EQ(txtypes::transaction_hash(node.pool().at(0)), *h);
}

TEST_F(TxSenderTest, DroppedTxIsResubmitted)
{
    TxSenderOptions o;
    o.resubmit_after = 0ms;
    auto sender = make_sender(o);
    ASSERT_TRUE(sender->send({.to = kTo}));
    node.drop_pool();
    sender->poll();
    EXPECT_EQ(node.pool().size(), 1u);
}

TEST_F(TxSenderTest, NonceUsedByAnotherTxIsReported)
{
    auto sender = make_sender();
    const auto h = sender->send({.to = kTo});
    ASSERT_TRUE(h);
    node.used_elsewhere(1);
    const auto r = sender->wait(*h, 2s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, SendErrc::kNonceTaken);
    EXPECT_EQ(sender->pending_count(), 0u);
}

TEST_F(TxSenderTest, WaitsForConfirmations)
{
    TxSenderOptions o;
    o.confirmations = 3;
    auto sender = make_sender(o);
    const auto h = sender->send({.to = kTo});
    ASSERT_TRUE(h);
    node.mine();
    const auto early = sender->wait(*h, 50ms);
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, SendErrc::kTimeout);
    node.mine();
    node.mine();
    const auto r = sender->wait(*h, 2s);
    ASSERT_TRUE(r) << r.error().to_string();
}
