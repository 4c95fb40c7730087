#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include <sequencer/mempool.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::sequencer;
using txtypes::Transaction;
using txtypes::TxType;

namespace {

constexpr uint64_t kChainId = 901;
constexpr uint64_t kGwei = 1'000'000'000;
constexpr Address kTo = address_literal("3535353535353535353535353535353535353535");

/// The head as a pair of maps (evmone's test_state shape).
class MapView : public PoolView
{
public:
    uint64_t nonce(const Address& a) const override
    {
        std::lock_guard lock{m_mutex};
        const auto it = nonces.find(a);
        return it == nonces.end() ? 0 : it->second;
    }
    U256 balance(const Address& a) const override
    {
        std::lock_guard lock{m_mutex};
        const auto it = balances.find(a);
        return it == balances.end() ? U256{} : it->second;
    }
    uint64_t chain_id() const override { return kChainId; }
    U256 base_fee() const override { return base; }
    uint64_t block_gas_limit() const override { return 30'000'000; }
    U256 data_fee(const Transaction&, ByteView) const override { return l1_fee; }

    std::map<Address, uint64_t> nonces;
    std::map<Address, U256> balances;
    U256 base = kGwei;
    U256 l1_fee = 1000;

private:
    mutable std::mutex m_mutex;
};

struct Account
{
    Hash key;
    Address address;
};

Account account(unsigned i)
{
    Account a;
    a.key = keccak256(as_view("mempool test key " + std::to_string(i)));
    a.address = *address_from_private_key(a.key);
    return a;
}

const U256 kRich = U256{1'000'000'000'000'000'000ULL} * 1000;

Transaction transfer(uint64_t nonce, uint64_t tip_gwei, uint64_t fee_cap_gwei,
                     TxType type = TxType::kDynamicFee)
{
    Transaction t;
    t.type = type;
    t.chain_id = kChainId;
    t.nonce = nonce;
    t.max_priority_fee_per_gas = U256{tip_gwei * kGwei};
    t.max_fee_per_gas = U256{fee_cap_gwei * kGwei};
    if (type == TxType::kLegacy || type == TxType::kAccessList)
        t.max_priority_fee_per_gas = t.max_fee_per_gas;
    t.gas_limit = 21000;
    t.to = kTo;
    t.value = 1;
    return t;
}

Bytes sign(Transaction t, const Account& a)
{
    EXPECT_TRUE(txtypes::sign_transaction(t, a.key));
    return txtypes::encode_transaction(t);
}

/// A transfer of `a` with tip `tip` gwei and fee cap 100 gwei.
Bytes tx(const Account& a, uint64_t nonce, uint64_t tip_gwei = 2, uint64_t cap_gwei = 100)
{
    return sign(transfer(nonce, tip_gwei, cap_gwei), a);
}

class MempoolTest : public testing::Test
{
protected:
    MempoolTest()
    {
        for (unsigned i = 0; i < 8; ++i)
        {
            accounts.push_back(account(i));
            view.balances[accounts.back().address] = kRich;
        }
    }

    Mempool& pool(PoolConfig config = {})
    {
        m_pool = std::make_unique<Mempool>(config, view);
        return *m_pool;
    }

    void expect_error(Mempool& p, ByteView raw, PoolErrc code, std::string_view message)
    {
        const auto r = p.add(raw);
        ASSERT_FALSE(r.has_value()) << "accepted; want: " << message;
        EXPECT_EQ(r.error().code, code) << r.error().message;
        EXPECT_EQ(r.error().message.substr(0, message.size()), message);
    }

    /// Drains best() into the sequence of (account index, nonce).
    std::vector<std::pair<int, uint64_t>> order(Mempool::Best b)
    {
        std::vector<std::pair<int, uint64_t>> out;
        while (auto ptx = b.next())
            out.emplace_back(index_of(ptx->sender), ptx->txn.nonce);
        return out;
    }

    int index_of(const Address& a) const
    {
        for (size_t i = 0; i < accounts.size(); ++i)
            if (accounts[i].address == a)
                return static_cast<int>(i);
        return -1;
    }

    MapView view;
    std::vector<Account> accounts;

private:
    std::unique_ptr<Mempool> m_pool;
};

using Order = std::vector<std::pair<int, uint64_t>>;

TEST_F(MempoolTest, AcceptsTransfer)
{
    auto& p = pool();
    const Bytes raw = tx(accounts[0], 0);
    const auto h = p.add(raw);
    ASSERT_TRUE(h.has_value()) << h.error().message;
    EXPECT_EQ(*h, keccak256(raw));
    const auto ptx = p.get(*h);
    ASSERT_NE(ptx, nullptr);
    EXPECT_EQ(ptx->sender, accounts[0].address);
    EXPECT_EQ(ptx->raw, raw);
    EXPECT_EQ(ptx->data_fee_estimate, U256{1000});
    EXPECT_EQ(ptx->max_cost, U256{21000} * U256{100 * kGwei} + 1 + 1000);
    EXPECT_EQ(p.size(), 1u);
    EXPECT_EQ(p.pending_count(), 1u);
    EXPECT_EQ(p.pending_nonce(accounts[0].address), 1u);
    EXPECT_EQ(p.pending_nonce(accounts[1].address), std::nullopt);
    EXPECT_EQ(p.get(Hash{}), nullptr);
}

TEST_F(MempoolTest, AcceptsEveryUserType)
{
    auto& p = pool();
    const Account& a = accounts[0];
    EXPECT_TRUE(p.add(sign(transfer(0, 5, 5, TxType::kLegacy), a)).has_value());
    EXPECT_TRUE(p.add(sign(transfer(1, 5, 5, TxType::kAccessList), a)).has_value());
    EXPECT_TRUE(p.add(sign(transfer(2, 1, 5, TxType::kDynamicFee), a)).has_value());
    Transaction fs = transfer(3, 1, 5, TxType::kFeeSplit);
    fs.max_data_fee = 5000;
    fs.max_proof_fee = 7;
    const auto h = p.add(sign(fs, a));
    ASSERT_TRUE(h.has_value()) << h.error().message;
    // 0x7D costs its caps, not the estimate.
    EXPECT_EQ(p.get(*h)->max_cost, U256{21000} * U256{5 * kGwei} + 1 + 5000 + 7);
    EXPECT_EQ(p.pending_count(), 4u);
}

TEST_F(MempoolTest, RejectionsCarryClearMessages)
{
    auto& p = pool();
    const Account& a = accounts[0];

    expect_error(p, Bytes{}, PoolErrc::kDecode, "invalid transaction encoding: ");
    expect_error(p, Bytes{0x02, 0xc0}, PoolErrc::kDecode, "invalid transaction encoding: ");
    expect_error(p, Bytes{0x03, 0xc0}, PoolErrc::kDecode, "transaction type not supported");

    Transaction dep;
    dep.type = TxType::kDeposit;
    dep.from = a.address;
    dep.to = kTo;
    dep.gas_limit = 100000;
    expect_error(p, txtypes::encode_transaction(dep), PoolErrc::kDeposit,
                 "deposit transactions (type 0x7E) cannot be submitted over RPC");
    expect_error(p, Bytes{0x7E}, PoolErrc::kDeposit, kDepositMessage);

    Transaction big = transfer(0, 1, 100);
    big.data.assign(130 * 1024, 0);
    big.gas_limit = 21000 + 4 * big.data.size();
    expect_error(p, sign(big, a), PoolErrc::kTooLarge, "oversized data: ");

    Transaction other_chain = transfer(0, 1, 100);
    other_chain.chain_id = 1;
    expect_error(p, sign(other_chain, a), PoolErrc::kWrongChainId,
                 "invalid chain id for signer: have 1 want 901");
    Transaction pre155 = transfer(0, 1, 100, TxType::kLegacy);
    pre155.chain_id.reset();
    expect_error(p, sign(pre155, a), PoolErrc::kWrongChainId,
                 "only replay-protected (EIP-155) transactions allowed");

    Transaction high_s = transfer(0, 1, 100);
    ASSERT_TRUE(txtypes::sign_transaction(high_s, a.key));
    high_s.signature.s = kSecp256k1N - high_s.signature.s;
    high_s.signature.y_parity ^= 1;
    expect_error(p, txtypes::encode_transaction(high_s), PoolErrc::kBadSignature,
                 "invalid transaction v, r, s values");

    Transaction low_gas = transfer(0, 1, 100);
    low_gas.gas_limit = 20000;
    expect_error(p, sign(low_gas, a), PoolErrc::kStateless,
                 "intrinsic gas too low: gas 20000, minimum needed 21000");
    expect_error(p, sign(transfer(0, 101, 100), a), PoolErrc::kStateless,
                 "max priority fee per gas higher than max fee per gas");
    Transaction misc = transfer(0, 1, 100, TxType::kFeeSplit);
    misc.max_data_fee = 5000;
    misc.misc = {{Bytes{0x01}, Bytes{0x02}}};
    expect_error(p, sign(misc, a), PoolErrc::kStateless, "0x7D misc carries a key");

    Transaction huge_gas = transfer(0, 1, 100);
    huge_gas.gas_limit = 30'000'001;
    expect_error(p, sign(huge_gas, a), PoolErrc::kGasLimitAboveBlock,
                 "exceeds block gas limit: gas 30000001, limit 30000000");

    view.base = 3 * kGwei;
    expect_error(p, sign(transfer(0, 1, 2), a), PoolErrc::kFeeCapBelowBaseFee,
                 "max fee per gas less than block base fee: maxFeePerGas 2000000000, "
                 "baseFee 3000000000");
    view.base = kGwei;

    Transaction low_cap = transfer(0, 1, 100, TxType::kFeeSplit);
    low_cap.max_data_fee = 999;
    expect_error(p, sign(low_cap, a), PoolErrc::kDataFeeCapTooLow,
                 "max data fee less than current L1 data fee: maxDataFee 999, dataFee 1000");

    view.nonces[a.address] = 5;
    expect_error(p, tx(a, 4), PoolErrc::kNonceTooLow, "nonce too low: next nonce 5, tx nonce 4");
    expect_error(p, tx(a, 5 + 65), PoolErrc::kNonceGap,
                 "nonce too high: next nonce 5, tx nonce 70, max gap 64");
    EXPECT_TRUE(p.add(tx(a, 5 + 64)).has_value());  // the widest gap allowed: queued

    const Account& poor = accounts[1];
    view.balances[poor.address] = U256{21000} * U256{100 * kGwei} + 1 + 1000 - 1;
    expect_error(p, tx(poor, 0), PoolErrc::kInsufficientFunds,
                 "insufficient funds for gas * price + value: balance ");

    const Bytes ok = tx(accounts[2], 0);
    EXPECT_TRUE(p.add(ok).has_value());
    expect_error(p, ok, PoolErrc::kAlreadyKnown, "already known");
    expect_error(p, tx(accounts[2], 0, 2, 101), PoolErrc::kReplacementUnderpriced,
                 "replacement transaction underpriced");

    EXPECT_EQ(p.size(), 2u);
}

TEST_F(MempoolTest, FundsCoverTheWholeQueueAndDataFee)
{
    auto& p = pool();
    const Account& a = accounts[0];
    const U256 one = U256{21000} * U256{100 * kGwei} + 1 + 1000;  // gas * cap + value + L1 fee
    view.balances[a.address] = one * 2;
    EXPECT_TRUE(p.add(tx(a, 0)).has_value());
    EXPECT_TRUE(p.add(tx(a, 1)).has_value());
    expect_error(p, tx(a, 2), PoolErrc::kInsufficientFunds,
                 "insufficient funds for gas * price + value: balance ");
    // Also for a gapped nonce: the balance backs every queued tx.
    expect_error(p, tx(a, 5), PoolErrc::kInsufficientFunds, kFundsMessage);
    // The exact balance is enough.
    view.balances[a.address] = one * 3;
    EXPECT_TRUE(p.add(tx(a, 2)).has_value());
}

TEST_F(MempoolTest, FeeSplitCapsCountAgainstBalance)
{
    auto& p = pool();
    const Account& a = accounts[0];
    const U256 base_cost = U256{21000} * U256{100 * kGwei} + 1;
    view.balances[a.address] = base_cost + 1'000'000;
    Transaction t = transfer(0, 1, 100, TxType::kFeeSplit);
    t.max_data_fee = 600'000;
    t.max_proof_fee = 400'001;  // caps one wei over what the balance leaves
    expect_error(p, sign(t, a), PoolErrc::kInsufficientFunds, kFundsMessage);
    t.max_proof_fee = 400'000;
    EXPECT_TRUE(p.add(sign(t, a)).has_value());
    // Overflowing caps are refused, not wrapped.
    Transaction o = transfer(1, 1, 100, TxType::kFeeSplit);
    o.max_data_fee = ~U256{0};
    expect_error(p, sign(o, accounts[1]), PoolErrc::kInsufficientFunds, kFundsMessage);
}

TEST_F(MempoolTest, ReplacementNeedsTenPercentOnBothFees)
{
    auto& p = pool();
    const Account& a = accounts[0];
    const auto old = p.add(tx(a, 0, 100, 200));
    ASSERT_TRUE(old.has_value());

    expect_error(p, tx(a, 0, 109, 218), PoolErrc::kReplacementUnderpriced,
                 "replacement transaction underpriced");  // +9%
    expect_error(p, tx(a, 0, 110, 219), PoolErrc::kReplacementUnderpriced,
                 "replacement transaction underpriced");  // cap +9.5% only
    expect_error(p, tx(a, 0, 109, 220), PoolErrc::kReplacementUnderpriced,
                 "replacement transaction underpriced");  // tip +9% only
    const auto repl = p.add(tx(a, 0, 110, 220));           // +10% on both
    ASSERT_TRUE(repl.has_value()) << repl.error().message;
    EXPECT_EQ(p.size(), 1u);
    EXPECT_EQ(p.pending_count(), 1u);
    EXPECT_EQ(p.get(*old), nullptr);
    EXPECT_NE(p.get(*repl), nullptr);

    // A replacement must still be affordable on top of the rest of the queue.
    const U256 cost = U256{21000} * U256{300 * kGwei} + 1 + 1000;
    view.balances[a.address] = cost;
    EXPECT_TRUE(p.add(tx(a, 0, 200, 300)).has_value());
    expect_error(p, tx(a, 0, 220, 330), PoolErrc::kInsufficientFunds, kFundsMessage);
}

TEST_F(MempoolTest, GappedNoncesWaitAndArePromoted)
{
    auto& p = pool();
    const Account& a = accounts[0];
    ASSERT_TRUE(p.add(tx(a, 0)).has_value());
    ASSERT_TRUE(p.add(tx(a, 2)).has_value());
    ASSERT_TRUE(p.add(tx(a, 3)).has_value());
    EXPECT_EQ(p.size(), 3u);
    EXPECT_EQ(p.pending_count(), 1u);
    EXPECT_EQ(p.pending_nonce(a.address), 1u);
    EXPECT_EQ(order(p.best(kGwei)), (Order{{0, 0}}));

    // The gap closes from the pool.
    ASSERT_TRUE(p.add(tx(a, 1)).has_value());
    EXPECT_EQ(p.pending_count(), 4u);
    EXPECT_EQ(p.pending_nonce(a.address), 4u);

    // Another sender whose gap closes on chain (its nonce 0 mined elsewhere).
    const Account& b = accounts[1];
    ASSERT_TRUE(p.add(tx(b, 1)).has_value());
    ASSERT_TRUE(p.add(tx(b, 2)).has_value());
    EXPECT_EQ(p.pending_count(), 4u);
    EXPECT_EQ(p.pending_nonce(b.address), std::nullopt);
    view.nonces[b.address] = 1;
    // And the first sender's 0 and 1 are mined.
    view.nonces[a.address] = 2;
    p.on_new_head();
    EXPECT_EQ(p.size(), 4u);
    EXPECT_EQ(p.pending_count(), 4u);
    EXPECT_EQ(p.pending_nonce(a.address), 4u);
    EXPECT_EQ(p.pending_nonce(b.address), 3u);

    // Everything mined: the pool empties.
    view.nonces[a.address] = 4;
    view.nonces[b.address] = 3;
    p.on_new_head();
    EXPECT_EQ(p.size(), 0u);
    EXPECT_EQ(p.pending_count(), 0u);
    EXPECT_TRUE(p.content().empty());
}

TEST_F(MempoolTest, NewHeadDropsWhatTheBalanceNoLongerCovers)
{
    auto& p = pool();
    const Account& a = accounts[0];
    const U256 one = U256{21000} * U256{100 * kGwei} + 1 + 1000;
    std::vector<Hash> h;
    for (uint64_t n = 0; n < 4; ++n)
        h.push_back(*p.add(tx(a, n)));
    EXPECT_EQ(p.pending_count(), 4u);

    view.balances[a.address] = one * 2 + one / 2;  // pays for two and a half
    p.on_new_head();
    EXPECT_EQ(p.size(), 2u);
    EXPECT_EQ(p.pending_count(), 2u);
    EXPECT_NE(p.get(h[1]), nullptr);
    EXPECT_EQ(p.get(h[2]), nullptr);
    EXPECT_EQ(p.get(h[3]), nullptr);
}

TEST_F(MempoolTest, RemoveOpensAGap)
{
    auto& p = pool();
    const Account& a = accounts[0];
    std::vector<Hash> h;
    for (uint64_t n = 0; n < 3; ++n)
        h.push_back(*p.add(tx(a, n)));
    const Hash unknown{};
    const std::vector<Hash> gone{h[1], unknown};
    p.remove(gone);
    EXPECT_EQ(p.size(), 2u);
    EXPECT_EQ(p.pending_count(), 1u);
    EXPECT_EQ(order(p.best(kGwei)), (Order{{0, 0}}));
    // Resubmitting fills it.
    EXPECT_TRUE(p.add(tx(a, 1)).has_value());
    EXPECT_EQ(p.pending_count(), 3u);
    const std::vector<Hash> all{h[0], h[2]};
    p.remove(all);
    EXPECT_EQ(p.size(), 1u);
    EXPECT_EQ(p.pending_count(), 0u);
}

TEST_F(MempoolTest, BestOrdersByTipAcrossSendersAndByNonceWithin)
{
    auto& p = pool();
    // Sender 0: tips 5, 1. Sender 1: tip 3. Sender 2: tips 4 then 10 (its 10 must wait).
    ASSERT_TRUE(p.add(tx(accounts[0], 0, 5)).has_value());
    ASSERT_TRUE(p.add(tx(accounts[0], 1, 1)).has_value());
    ASSERT_TRUE(p.add(tx(accounts[1], 0, 3)).has_value());
    ASSERT_TRUE(p.add(tx(accounts[2], 1, 10)).has_value());  // arrives before its nonce 0
    ASSERT_TRUE(p.add(tx(accounts[2], 0, 4)).has_value());
    // Sender 3: tip 3 like sender 1 but later: after it.
    ASSERT_TRUE(p.add(tx(accounts[3], 0, 3)).has_value());
    EXPECT_EQ(order(p.best(kGwei)),
              (Order{{0, 0}, {2, 0}, {2, 1}, {1, 0}, {3, 0}, {0, 1}}));

    // Effective tip: at base fee 98 gwei a 100-gwei cap leaves at most 2 gwei of tip.
    ASSERT_TRUE(p.add(tx(accounts[4], 0, 50, 100)).has_value());
    ASSERT_TRUE(p.add(tx(accounts[5], 0, 3, 200)).has_value());
    const auto at98 = order(p.best(98 * kGwei));
    ASSERT_EQ(at98.size(), 8u);
    EXPECT_EQ(at98[0], (std::pair<int, uint64_t>{5, 0}));  // 3 gwei beats the others' capped 2
    // At 101 gwei only sender 5 (cap 200) is includable.
    EXPECT_EQ(order(p.best(101 * kGwei)), (Order{{5, 0}}));
}

TEST_F(MempoolTest, BestStopsASenderAtAFeeCapBelowBaseFee)
{
    auto& p = pool();
    ASSERT_TRUE(p.add(tx(accounts[0], 0, 1, 100)).has_value());
    ASSERT_TRUE(p.add(tx(accounts[0], 1, 1, 10)).has_value());
    ASSERT_TRUE(p.add(tx(accounts[0], 2, 1, 100)).has_value());
    EXPECT_EQ(order(p.best(50 * kGwei)), (Order{{0, 0}}));
}

TEST_F(MempoolTest, MarkInvalidSkipsTheRestOfTheSender)
{
    auto& p = pool();
    for (uint64_t n = 0; n < 3; ++n)
        ASSERT_TRUE(p.add(tx(accounts[0], n, 9)).has_value());
    for (uint64_t n = 0; n < 2; ++n)
        ASSERT_TRUE(p.add(tx(accounts[1], n, 5)).has_value());
    ASSERT_TRUE(p.add(tx(accounts[2], 0, 1)).has_value());

    auto b = p.best(kGwei);
    auto first = b.next();
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(first->sender, accounts[0].address);
    b.mark_invalid(accounts[0].address);  // the sender just returned
    b.mark_invalid(accounts[2].address);  // one not returned yet
    Order rest;
    while (auto ptx = b.next())
        rest.emplace_back(index_of(ptx->sender), ptx->txn.nonce);
    EXPECT_EQ(rest, (Order{{1, 0}, {1, 1}}));
    EXPECT_EQ(b.next(), nullptr);
}

TEST_F(MempoolTest, BestIsASnapshot)
{
    auto& p = pool();
    const auto h = p.add(tx(accounts[0], 0));
    auto b = p.best(kGwei);
    ASSERT_TRUE(p.add(tx(accounts[1], 0)).has_value());
    p.remove(std::vector<Hash>{*h});
    EXPECT_EQ(order(std::move(b)), (Order{{0, 0}}));
}

TEST_F(MempoolTest, EvictsTheCheapestTailWithoutOpeningGaps)
{
    auto& p = pool(PoolConfig{.max_txs = 3});
    // Sender 0: nonce 0 tip 1 (cheapest of all), nonce 1 tip 9. Sender 1: tip 5.
    ASSERT_TRUE(p.add(tx(accounts[0], 0, 1)).has_value());
    const auto s0n1 = p.add(tx(accounts[0], 1, 9));
    const auto s1 = p.add(tx(accounts[1], 0, 5));
    ASSERT_TRUE(s1.has_value());

    // Not better than the cheapest tail (tip 5): refused.
    expect_error(p, tx(accounts[2], 0, 5), PoolErrc::kPoolFull, "txpool is full");
    // Tip 6 beats sender 1's tail, which goes; sender 0's nonce 0 (tip 1) stays: evicting it
    // would strand nonce 1.
    const auto s2 = p.add(tx(accounts[2], 0, 6));
    ASSERT_TRUE(s2.has_value()) << s2.error().message;
    EXPECT_EQ(p.size(), 3u);
    EXPECT_EQ(p.get(*s1), nullptr);
    EXPECT_NE(p.get(*s0n1), nullptr);
    EXPECT_EQ(p.pending_count(), 3u);

    // A sender's own tail is not evicted for its next nonce.
    auto& q = pool(PoolConfig{.max_txs = 2});
    ASSERT_TRUE(q.add(tx(accounts[0], 0, 1)).has_value());
    ASSERT_TRUE(q.add(tx(accounts[1], 0, 2)).has_value());
    const auto next = q.add(tx(accounts[0], 1, 9));
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(q.size(), 2u);
    EXPECT_EQ(q.pending_count(), 2u);
    EXPECT_EQ(q.pending_nonce(accounts[1].address), std::nullopt);
}

TEST_F(MempoolTest, PerSenderLimit)
{
    auto& p = pool(PoolConfig{.max_per_sender = 2});
    ASSERT_TRUE(p.add(tx(accounts[0], 0)).has_value());
    ASSERT_TRUE(p.add(tx(accounts[0], 1)).has_value());
    expect_error(p, tx(accounts[0], 2), PoolErrc::kSenderFull, "account limit exceeded");
    EXPECT_TRUE(p.add(tx(accounts[0], 1, 5, 200)).has_value());  // replacing is fine
    EXPECT_TRUE(p.add(tx(accounts[1], 0)).has_value());
}

TEST_F(MempoolTest, BatchEqualsSequentialAdds)
{
    std::vector<Bytes> raws;
    for (unsigned s = 0; s < 6; ++s)
        for (uint64_t n = 0; n < 5; ++n)
            raws.push_back(tx(accounts[s], n, 1 + (s * 7 + n * 3) % 11));
    raws.push_back(raws[3]);                             // already known
    raws.push_back(tx(accounts[0], 2, 1));               // underpriced replacement
    raws.push_back(tx(accounts[1], 3, 50, 150));         // replacement
    raws.push_back(tx(accounts[6], 3));                  // gapped
    raws.push_back(tx(accounts[7], 0, 1, 1) + Bytes{0});  // trailing byte
    raws.push_back(Bytes{0x7E, 0xc0});                   // deposit
    raws.push_back(tx(accounts[2], 9));                  // gapped behind its 0..4
    raws.push_back(tx(accounts[6], 0));                  // closes part of the gap? no: 1, 2 missing
    view.balances[accounts[7].address] = 0;
    raws.push_back(tx(accounts[7], 0));  // no funds

    PoolConfig config{.max_txs = 30, .recovery_threads = 4};
    Mempool seq{config, view};
    Mempool par{config, view};
    std::vector<Result<Hash, PoolError>> want;
    for (const Bytes& r : raws)
        want.push_back(seq.add(r));
    const auto got = par.add_batch(raws);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i)
    {
        SCOPED_TRACE(i);
        ASSERT_EQ(got[i].has_value(), want[i].has_value());
        if (want[i])
            EXPECT_EQ(*got[i], *want[i]);
        else
        {
            EXPECT_EQ(got[i].error().code, want[i].error().code);
            EXPECT_EQ(got[i].error().message, want[i].error().message);
        }
    }
    EXPECT_FALSE(got[30].has_value());
    EXPECT_EQ(seq.size(), par.size());
    EXPECT_EQ(seq.pending_count(), par.pending_count());
    const auto a = seq.content(), b = par.content();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_EQ(a[i]->hash, b[i]->hash);
    EXPECT_EQ(order(seq.best(kGwei)), order(par.best(kGwei)));
}

TEST_F(MempoolTest, ConcurrentAddsAndBest)
{
    auto& p = pool(PoolConfig{.recovery_threads = 2});
    std::vector<std::vector<Bytes>> batches(4);
    for (unsigned s = 0; s < 8; ++s)
        for (uint64_t n = 0; n < 8; ++n)
            batches[s % 4].push_back(tx(accounts[s], n, 1 + n));
    std::vector<std::jthread> threads;
    for (const auto& b : batches)
        threads.emplace_back([&p, &b] {
            for (const auto& r : p.add_batch(b))
                EXPECT_TRUE(r.has_value()) << r.error().message;
        });
    threads.emplace_back([&p] {
        for (int i = 0; i < 50; ++i)
        {
            auto b = p.best(kGwei);
            while (b.next())
            {
            }
        }
    });
    threads.clear();
    EXPECT_EQ(p.size(), 64u);
    EXPECT_EQ(p.pending_count(), 64u);
    EXPECT_EQ(order(p.best(kGwei)).size(), 64u);
}

}  // namespace
