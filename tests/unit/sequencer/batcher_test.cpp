// The batcher over a real chain (blocks made by the Sequencer from a Mempool on an in-memory L1)
// and a fake poster that keeps the calldata: what it posts derives back (frames -> ChannelBank ->
// decode_channel) to exactly each block's timestamp, L1 origin and user txs, with the parent and
// origin checks; max_delay; frames and channels of large loads; posted_up_to moves only on
// success; reposting when the safe head does not follow; the chain rewound under it. Plus the
// bytes-per-tx measurement for docs/spec/batches.md.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <type_traits>

#include <derivation/channel.hpp>
#include <derivation/deposits.hpp>
#include <execution/chain.hpp>
#include <execution/l1_info.hpp>
#include <l1client/fake_l1_source.hpp>
#include <l1client/rpc_client.hpp>
#include <l1client/tx_sender.hpp>
#include <nlohmann/json.hpp>
#include <sequencer/batch_poster.hpp>
#include <sequencer/batcher.hpp>
#include <sequencer/chain_pool_view.hpp>
#include <sequencer/sequencer.hpp>
#include <state/memory_store.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

#include "portal_logs.hpp"

#include "../l1client/fake_http_server.hpp"

using namespace l2;
using namespace l2::sequencer;
using derivation::SpanBatch;

namespace {

constexpr Address kPortal = address_literal("5fbdb2315678afecb367f032d93f642f64180aa3");
constexpr Address kDepositor = address_literal("00000000000000000000000000000000000000d1");
constexpr Address kInbox = address_literal("ff00000000000000000000000000000000000901");

l1client::L1Log deposit_log(const U256& mint)
{
    return test::deposit_log(kPortal, kDepositor, mint);
}

/// Keeps every calldata; fails the posts it is told to.
class FakePoster final : public BatchPoster
{
public:
    Result<Hash, std::string> post(const Bytes& calldata) override
    {
        if (fail_next > 0)
        {
            --fail_next;
            return unexpected(std::string{"L1 down"});
        }
        if (fail_after && posted.size() >= *fail_after)
            return unexpected(std::string{"L1 down"});
        posted.push_back(calldata);
        return keccak256(calldata);
    }
    void poll() override { ++polls; }
    void reset() override { ++resets; }

    std::vector<Bytes> posted;
    unsigned fail_next = 0;
    std::optional<size_t> fail_after;  ///< refuse once this many were posted
    unsigned polls = 0;
    unsigned resets = 0;
};

Hash key_of(size_t i)
{
    return keccak256(Bytes{static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8), 42});
}

struct Fixture
{
    state::MemoryStore kv;
    l1client::FakeL1Source l1;
    std::unique_ptr<execution::Chain> chain;
    derivation::RollupConfig rollup;
    std::unique_ptr<ChainPoolView> view;
    std::unique_ptr<Mempool> pool;
    std::unique_ptr<Sequencer> seq;
    std::vector<Hash> keys;
    std::vector<uint64_t> nonces;
    FakePoster poster;

    explicit Fixture(size_t senders = 4)
    {
        l1client::L1Block g;
        g.number = 100;
        g.timestamp = 1000;
        g.base_fee = U256{7};
        const auto l1_genesis = l1.push_block(g);

        execution::ChainSpec spec;
        spec.chain_id = 901;
        spec.genesis_timestamp = 1000;
        for (size_t i = 0; i < senders; ++i)
        {
            keys.push_back(key_of(i));
            spec.alloc[*address_from_private_key(keys.back())].balance =
                U256{1'000'000'000'000'000'000ULL} * U256{1'000'000};
        }
        nonces.assign(senders, 0);
        chain = std::move(*execution::Chain::open(kv, spec));

        rollup.l2_chain_id = 901;
        rollup.block_time = 2;
        rollup.max_sequencer_drift = 600;
        rollup.genesis_l1 = {l1_genesis.number, l1_genesis.hash};
        rollup.genesis_l2 = {0, chain->genesis().hash};
        rollup.deposit_portal = kPortal;
        rollup.batch_inbox = kInbox;
        view = std::make_unique<ChainPoolView>(*chain);
        PoolConfig pc;
        pc.recovery_threads = 1;
        pool = std::make_unique<Mempool>(pc, *view);
        seq = std::make_unique<Sequencer>(*chain, rollup, l1, *pool);
    }

    /// Submits a signed EIP-1559 tx from sender `s`.
    void submit(size_t s, const Address& to, const U256& value, Bytes data = {},
                uint64_t gas = 21'000, uint64_t tip = 1)
    {
        txtypes::Transaction t;
        t.type = txtypes::TxType::kDynamicFee;
        t.chain_id = 901;
        t.nonce = nonces[s]++;
        t.max_priority_fee_per_gas = U256{tip};
        t.max_fee_per_gas = U256{3'000'000'000ULL} + U256{tip};
        t.gas_limit = gas;
        t.to = to;
        t.value = value;
        t.data = std::move(data);
        ASSERT_TRUE(txtypes::sign_transaction(t, keys[s]));
        auto r = pool->add(txtypes::encode_transaction(t));
        ASSERT_TRUE(r) << r.error().message;
    }

    /// Builds the next block (2 s after the head); returns its number.
    uint64_t build()
    {
        const uint64_t t = chain->head().header.timestamp + rollup.block_time;
        auto r = seq->tick(t);
        EXPECT_TRUE(r && *r) << (r ? "not built" : r.error());
        return chain->head().header.number;
    }

    /// `n` blocks with `txs` transfers each (round-robin over the senders).
    void build_with_transfers(size_t n, size_t txs)
    {
        for (size_t b = 0; b < n; ++b)
        {
            for (size_t i = 0; i < txs; ++i)
                submit(i % keys.size(), kDepositor, U256{1 + i});
            build();
        }
    }

    uint64_t head() const { return chain->head().header.number; }
    uint64_t head_time() const { return chain->head().header.timestamp; }
    state::BlockRef ref(uint64_t n) const { return {n, chain->canonical_hash(n)}; }

    /// What a batch must carry for canonical block `n`, and its L1 origin hash.
    std::pair<derivation::BatchBlock, Hash> expected(uint64_t n) const
    {
        const auto block = **chain->blocks().block(n, chain->canonical_hash(n));
        const auto info = *execution::decode_l1_info_calldata(block.transactions[0].data);
        derivation::BatchBlock b{block.header.timestamp, info.number, {}};
        for (const auto& txn : block.transactions)
            if (txn.type != txtypes::TxType::kDeposit)
                b.txs.push_back(txtypes::encode_transaction(txn));
        return {b, info.hash};
    }
};

/// The follower's side: every posted calldata through the channel bank, in order.
std::vector<SpanBatch> derive(const std::vector<Bytes>& calldata, size_t* channels = nullptr)
{
    derivation::ChannelBank bank{300};
    std::vector<SpanBatch> out;
    for (const auto& cd : calldata)
    {
        auto frames = derivation::parse_calldata(cd);
        EXPECT_TRUE(frames) << derivation::to_string(frames.error());
        if (!frames)
            continue;
        EXPECT_EQ(frames->size(), 1u);  // one frame per L1 tx
        for (auto& f : *frames)
            EXPECT_EQ(bank.add_frame(std::move(f), 1), derivation::FrameOutcome::kAdded);
        while (auto ready = bank.next_ready(1))
        {
            auto batches = derivation::decode_channel(ready->data);
            EXPECT_TRUE(batches) << batches.error().message();
            if (!batches)
                continue;
            if (channels)
                ++*channels;
            for (auto& b : *batches)
                out.push_back(std::move(b));
        }
    }
    return out;
}

/// Checks `batch` against the canonical blocks it starts after its parent check; returns the
/// number of its last block (0 when it matches nothing).
uint64_t check_batch(const Fixture& f, const SpanBatch& batch)
{
    uint64_t first = 0;
    for (uint64_t n = 0; n < f.head(); ++n)
        if (derivation::HashPrefix::of(f.chain->canonical_hash(n)) == batch.parent_check)
            first = n + 1;
    EXPECT_NE(first, 0u) << "parent check matches no canonical block";
    if (first == 0)
        return 0;
    Hash origin;
    for (size_t i = 0; i < batch.blocks.size(); ++i)
    {
        SCOPED_TRACE("block " + std::to_string(first + i));
        EXPECT_LE(first + i, f.head());
        auto [want, origin_hash] = f.expected(first + i);
        EXPECT_EQ(batch.blocks[i].timestamp, want.timestamp);
        EXPECT_EQ(batch.blocks[i].l1_origin, want.l1_origin);
        EXPECT_EQ(batch.blocks[i].txs, want.txs);
        origin = origin_hash;
    }
    EXPECT_EQ(batch.l1_origin_check, derivation::HashPrefix::of(origin));
    return first + batch.blocks.size() - 1;
}

/// The batches cover blocks 1..head of the canonical chain, contiguously.
void expect_covers_chain(const Fixture& f, const std::vector<SpanBatch>& batches)
{
    uint64_t next = 1;
    for (const auto& b : batches)
    {
        EXPECT_EQ(b.parent_check, derivation::HashPrefix::of(f.chain->canonical_hash(next - 1)));
        next = check_batch(f, b) + 1;
    }
    EXPECT_EQ(next, f.head() + 1);
}

BatcherConfig test_config()
{
    BatcherConfig c;
    c.max_delay = 2;
    return c;
}

}  // namespace

TEST(BatcherGas, CoversIntrinsicGasAndTheCalldataFloor)
{
    // 21000 + max(16 nz + 4 z, 40 nz + 10 z) + margin: the EIP-7623 floor always wins.
    EXPECT_EQ(batcher_gas_limit({}), 21'000 + kBatcherGasMargin);
    const Bytes data = Bytes{0, 1, 2, 0} + Bytes(100, 0xff);
    EXPECT_EQ(batcher_gas_limit(data), 21'000 + 40 * 102 + 10 * 2 + kBatcherGasMargin);
}

namespace {

/// Enough of an L1 node for TxSenderPoster: mined and pending nonces, a pool, fees.
class FakeL1Node
{
public:
    FakeL1Node() : m_server{[this](const std::string& body) { return handle(body); }} {}

    std::string url() const { return m_server.url(); }
    /// The node forgets its pool (an L1 reorg or eviction dropped the txs).
    void drop_pool()
    {
        std::lock_guard lock{m_mutex};
        m_pool.clear();
    }
    std::vector<txtypes::Transaction> sent()
    {
        std::lock_guard lock{m_mutex};
        return m_sent;
    }

private:
    l1client::test::FakeHttpServer::Reply handle(const std::string& body)
    {
        using nlohmann::json;
        const auto req = json::parse(body);
        const std::string method = req["method"];
        const auto& p = req["params"];
        std::lock_guard lock{m_mutex};
        json resp = {{"jsonrpc", "2.0"}, {"id", req["id"]}};
        if (method == "eth_getTransactionCount")
        {
            uint64_t n = 0;  // nothing is ever mined here
            if (p[1] == "pending")
                while (m_pool.count(n) != 0)
                    ++n;
            resp["result"] = to_hex(U256{n});
        }
        else if (method == "eth_blockNumber")
            resp["result"] = "0x1";
        else if (method == "eth_feeHistory")
            resp["result"] = {
                {"oldestBlock", "0x1"}, {"baseFeePerGas", {"0x7", "0x7"}}, {"reward", {{"0x1"}}}};
        else if (method == "eth_getTransactionReceipt")
            resp["result"] = nullptr;
        else if (method == "eth_sendRawTransaction")
        {
            const auto raw = *from_hex(p[0].get<std::string>());
            const auto txn = *txtypes::decode_transaction(raw);
            if (m_pool.count(txn.nonce) != 0)
                resp["error"] = {{"code", -32000},
                                 {"message", "replacement transaction underpriced"}};
            else
            {
                m_pool[txn.nonce] = txn;
                m_sent.push_back(txn);
                resp["result"] = to_0x_hex(txtypes::transaction_hash(txn));
            }
        }
        else
            resp["error"] = {{"code", -32601}, {"message", "method not found"}};
        return {.body = resp.dump()};
    }

    std::mutex m_mutex;
    std::map<uint64_t, txtypes::Transaction> m_pool;
    std::vector<txtypes::Transaction> m_sent;
    l1client::test::FakeHttpServer m_server;  // Last: stops before the state goes.
};

}  // namespace

TEST(TxSenderPoster, SendsToTheInboxAndResyncsOnReset)
{
    FakeL1Node node;
    l1client::RpcClientOptions o;
    o.max_retries = 0;
    l1client::RpcClient rpc{node.url(), o};
    l1client::L1Client client{rpc};
    auto sender = l1client::TxSender::create(client, key_of(7), 900);
    ASSERT_TRUE(sender);
    TxSenderPoster poster{**sender, kInbox};

    const Bytes a = Bytes{0x00} + Bytes(300, 0xab);
    const Bytes b = Bytes{0x00} + Bytes(10, 0x00) + Bytes(5, 0x01);
    ASSERT_TRUE(poster.post(a));
    auto h = poster.post(b);
    ASSERT_TRUE(h) << h.error();
    auto sent = node.sent();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].to, kInbox);
    EXPECT_EQ(sent[0].data, a);
    EXPECT_EQ(sent[0].gas_limit, batcher_gas_limit(a));
    EXPECT_EQ(sent[1].nonce, 1u);
    EXPECT_EQ(sent[1].data, b);
    EXPECT_EQ(txtypes::transaction_hash(sent[1]), *h);
    poster.poll();
    EXPECT_EQ((*sender)->pending_count(), 2u);

    // L1 lost both txs. Without a reset the sender would go on at nonce 2 (a gap nobody fills);
    // after it, the next post takes the node's mined count again.
    node.drop_pool();
    poster.reset();
    EXPECT_EQ((*sender)->pending_count(), 0u);
    ASSERT_TRUE(poster.post(b));
    sent = node.sent();
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(sent[2].nonce, 0u);
    EXPECT_EQ((*sender)->next_nonce(), 1u);
}

TEST(Batcher, PostedDataDerivesBackToTheChain)
{
    Fixture f;
    Batcher batcher{*f.chain, f.rollup, f.poster, test_config()};
    // Epoch 100: blocks 1-2 with transfers; L1 block 101 (t=1003) with a deposit: block 2
    // (t=1004) starts epoch 101 with the deposit after the L1-info tx; then empty and full blocks.
    f.build_with_transfers(1, 3);
    f.l1.push_block(l1client::L1Block{.timestamp = 1003}, {deposit_log(U256{5})});
    f.build_with_transfers(1, 2);
    f.build();  // no user txs
    f.build_with_transfers(3, 5);
    ASSERT_EQ(f.head(), 6u);
    {
        const auto b2 = **f.chain->blocks().block(2, f.chain->canonical_hash(2));
        ASSERT_EQ(b2.transactions.size(), 4u);  // L1-info, deposit, 2 transfers
        EXPECT_EQ(b2.transactions[1].type, txtypes::TxType::kDeposit);
    }

    auto r = batcher.tick(101, f.head_time() + 10);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(*r, 1u);  // one small channel, one frame
    ASSERT_EQ(f.poster.posted.size(), 1u);
    EXPECT_EQ(f.poster.polls, 1u);

    size_t channels = 0;
    const auto batches = derive(f.poster.posted, &channels);
    EXPECT_EQ(channels, 1u);
    ASSERT_EQ(batches.size(), 1u);
    EXPECT_EQ(batches[0].blocks.size(), 6u);
    EXPECT_EQ(batches[0].blocks[1].l1_origin, 101u);
    EXPECT_EQ(batches[0].blocks[1].txs.size(), 2u);  // the deposit is not in the batch
    expect_covers_chain(f, batches);

    const auto s = batcher.status();
    EXPECT_EQ(s.posted_up_to, f.ref(6));
    EXPECT_EQ(s.safe_head, f.ref(0));
    EXPECT_EQ(s.blocks_posted, 6u);
    EXPECT_EQ(s.txs_posted, 3u + 2u + 15u);
    EXPECT_EQ(s.frames_posted, 1u);
    EXPECT_EQ(s.channels_posted, 1u);
    EXPECT_EQ(s.bytes_posted, f.poster.posted[0].size());
    EXPECT_EQ(s.l1_head_at_last_post, 101u);
    EXPECT_TRUE(s.last_error.empty());

    // Nothing new: nothing posted.
    r = batcher.tick(102, f.head_time() + 100);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 0u);
    EXPECT_EQ(f.poster.posted.size(), 1u);

    // The next blocks extend the first channel's range.
    f.build_with_transfers(2, 1);
    r = batcher.tick(102, f.head_time() + 100);
    ASSERT_TRUE(r && *r == 1u);
    expect_covers_chain(f, derive(f.poster.posted));
}

TEST(Batcher, WaitsForMaxDelay)
{
    Fixture f;
    BatcherConfig cfg = test_config();
    cfg.max_delay = 6;
    Batcher batcher{*f.chain, f.rollup, f.poster, cfg};
    f.build_with_transfers(3, 1);  // t = 1002, 1004, 1006
    ASSERT_TRUE(batcher.tick(100, 1007));
    EXPECT_TRUE(f.poster.posted.empty());
    ASSERT_TRUE(batcher.tick(100, 1007));
    EXPECT_TRUE(f.poster.posted.empty());
    // The oldest unposted block (t=1002) is max_delay old at 1008.
    auto r = batcher.tick(100, 1008);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, 1u);
    EXPECT_EQ(batcher.status().posted_up_to.number, 3u);

    // The clock restarts from the next unposted block (t=1008 and 1010).
    f.build_with_transfers(2, 1);
    ASSERT_TRUE(batcher.tick(100, 1013));
    EXPECT_EQ(f.poster.posted.size(), 1u);
    ASSERT_TRUE(batcher.tick(100, 1014));
    EXPECT_EQ(f.poster.posted.size(), 2u);
    EXPECT_EQ(batcher.status().posted_up_to.number, 5u);
    expect_covers_chain(f, derive(f.poster.posted));
}

TEST(Batcher, LargeLoadsSplitIntoFramesAndChannels)
{
    Fixture f{20};
    BatcherConfig cfg = test_config();
    cfg.max_delay = 1'000'000;      // only "enough to fill a frame" triggers a post
    cfg.max_frame_size = 1'000;     // ~ 10 transfers per frame
    cfg.max_channel_bytes = 6'000;  // ~ 50 transfers per channel
    Batcher batcher{*f.chain, f.rollup, f.poster, cfg};

    // Less than a frame's worth waits.
    f.build_with_transfers(1, 3);
    ASSERT_TRUE(batcher.tick(100, f.head_time()));
    EXPECT_TRUE(f.poster.posted.empty());

    f.build_with_transfers(10, 20);  // ~ 200 transfers, ~ 24 kB raw
    auto r = batcher.tick(100, f.head_time());
    ASSERT_TRUE(r) << r.error();
    const auto s = batcher.status();
    EXPECT_GE(s.channels_posted, 3u);
    EXPECT_GT(s.frames_posted, s.channels_posted);
    EXPECT_EQ(*r, f.poster.posted.size());
    for (const auto& cd : f.poster.posted)
        EXPECT_LE(cd.size(), 1 + cfg.max_frame_size);
    // Whatever is left is less than a frame's worth and younger than max_delay.
    EXPECT_GT(s.posted_up_to.number, 5u);

    // Past max_delay the rest goes too; everything derives back, channel by channel.
    r = batcher.tick(100, f.head_time() + 2'000'000);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(batcher.status().posted_up_to, f.ref(f.head()));
    size_t channels = 0;
    const auto batches = derive(f.poster.posted, &channels);
    EXPECT_EQ(channels, batcher.status().channels_posted);
    EXPECT_EQ(batches.size(), channels);
    expect_covers_chain(f, batches);
}

TEST(Batcher, PostedUpToMovesOnlyWhenTheWholeChannelIsPosted)
{
    Fixture f{20};
    BatcherConfig cfg = test_config();
    cfg.max_frame_size = 1'000;
    Batcher batcher{*f.chain, f.rollup, f.poster, cfg};
    f.build_with_transfers(3, 20);

    // The channel needs several frames; the third post fails.
    f.poster.fail_after = 2;
    auto r = batcher.tick(100, f.head_time() + 10);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("L1 down"), std::string::npos) << r.error();
    EXPECT_EQ(f.poster.posted.size(), 2u);
    auto s = batcher.status();
    EXPECT_EQ(s.posted_up_to, f.ref(0));
    EXPECT_EQ(s.channels_posted, 0u);
    EXPECT_EQ(s.frames_posted, 2u);
    EXPECT_FALSE(s.last_error.empty());

    // Still down: still nothing.
    f.poster.fail_after.reset();
    f.poster.fail_next = 1;
    ASSERT_FALSE(batcher.tick(100, f.head_time() + 10));
    EXPECT_EQ(batcher.status().posted_up_to, f.ref(0));

    // Back: a new channel carries everything; the half channel never completes.
    r = batcher.tick(100, f.head_time() + 10);
    ASSERT_TRUE(r) << r.error();
    s = batcher.status();
    EXPECT_EQ(s.posted_up_to, f.ref(3));
    EXPECT_EQ(s.channels_posted, 1u);
    EXPECT_TRUE(s.last_error.empty());
    size_t channels = 0;
    const auto batches = derive(f.poster.posted, &channels);
    EXPECT_EQ(channels, 1u);
    expect_covers_chain(f, batches);
}

TEST(Batcher, RepostsWhenTheSafeHeadDoesNotFollow)
{
    Fixture f;
    BatcherConfig cfg = test_config();
    cfg.resubmit_after_l1_blocks = 10;
    Batcher batcher{*f.chain, f.rollup, f.poster, cfg};
    f.build_with_transfers(4, 2);
    ASSERT_TRUE(batcher.tick(100, f.head_time() + 10));
    ASSERT_EQ(f.poster.posted.size(), 1u);

    // 10 L1 blocks later the safe head is still at genesis: wait.
    ASSERT_TRUE(batcher.tick(110, f.head_time() + 30));
    EXPECT_EQ(f.poster.posted.size(), 1u);
    EXPECT_EQ(f.poster.resets, 0u);

    // The safe head moving part of the way (blocks 1-2 derived some other way) does not save
    // the rest: 11 L1 blocks after the channel was posted its data is taken as lost, the poster
    // is reset and blocks 3-4 go again.
    ASSERT_TRUE(f.chain->set_heads(f.ref(2), std::nullopt));
    auto r = batcher.tick(111, f.head_time() + 30);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(*r, 1u);
    EXPECT_EQ(f.poster.resets, 1u);
    ASSERT_EQ(f.poster.posted.size(), 2u);
    EXPECT_EQ(batcher.status().safe_head, f.ref(2));
    auto s = batcher.status();
    EXPECT_EQ(s.resubmits, 1u);
    EXPECT_EQ(s.posted_up_to, f.ref(4));
    EXPECT_EQ(s.l1_head_at_last_post, 111u);
    const auto again = derive({f.poster.posted[1]});
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].parent_check, derivation::HashPrefix::of(f.ref(2).hash));
    EXPECT_EQ(check_batch(f, again[0]), 4u);

    // Once the safe head reaches what was posted, nothing is reposted however long L1 runs.
    ASSERT_TRUE(f.chain->set_heads(f.ref(4), std::nullopt));
    ASSERT_TRUE(batcher.tick(200, f.head_time() + 30));
    ASSERT_TRUE(batcher.tick(300, f.head_time() + 30));
    EXPECT_EQ(f.poster.posted.size(), 2u);
    EXPECT_EQ(batcher.status().resubmits, 1u);

    // A safe head beyond posted_up_to (posted by an earlier run) is taken as posted.
    f.build_with_transfers(2, 1);
    ASSERT_TRUE(f.chain->set_heads(f.ref(5), std::nullopt));
    ASSERT_TRUE(batcher.tick(300, f.head_time() + 30));
    const auto last = derive({f.poster.posted.back()});
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0].blocks.size(), 1u);  // block 6 only
    EXPECT_EQ(check_batch(f, last[0]), 6u);
}

TEST(Batcher, StartsFromTheSafeHead)
{
    Fixture f;
    f.build_with_transfers(4, 1);
    ASSERT_TRUE(f.chain->set_heads(f.ref(3), std::nullopt));
    Batcher batcher{*f.chain, f.rollup, f.poster, test_config()};
    ASSERT_TRUE(batcher.tick(100, f.head_time() + 10));
    const auto batches = derive(f.poster.posted);
    ASSERT_EQ(batches.size(), 1u);
    ASSERT_EQ(batches[0].blocks.size(), 1u);
    EXPECT_EQ(check_batch(f, batches[0]), 4u);
}

namespace {

/// execution::Chain::rewind_to(n) when this build has it (added by a parallel change).
template <typename C>
bool rewind([[maybe_unused]] C& chain, [[maybe_unused]] uint64_t n)
{
    if constexpr (requires { chain.rewind_to(n); })
    {
        if constexpr (std::is_void_v<decltype(chain.rewind_to(n))>)
        {
            chain.rewind_to(n);
            return true;
        }
        else
            return static_cast<bool>(chain.rewind_to(n));
    }
    return false;
}
template <typename C>
constexpr bool kHasRewind = requires(C& c) { c.rewind_to(uint64_t{}); };

}  // namespace

TEST(Batcher, PostsTheNewChainAfterARewind)
{
    if constexpr (!kHasRewind<execution::Chain>)
        GTEST_SKIP() << "execution::Chain::rewind_to is not in this build yet";
    Fixture f;
    Batcher batcher{*f.chain, f.rollup, f.poster, test_config()};
    f.build_with_transfers(6, 1);
    ASSERT_TRUE(f.chain->set_heads(f.ref(2), std::nullopt));
    ASSERT_TRUE(batcher.tick(100, f.head_time() + 10));
    EXPECT_EQ(batcher.status().posted_up_to, f.ref(6));
    const Hash old5 = f.ref(5).hash;

    // The unsafe chain is rewound to block 4: block 6 is not canonical any more.
    ASSERT_TRUE(rewind(*f.chain, 4));
    ASSERT_EQ(f.head(), 4u);
    auto r = batcher.tick(101, f.head_time() + 10);
    ASSERT_TRUE(r) << r.error();
    // Back to the safe head (2): blocks 3-4 are posted again.
    EXPECT_EQ(batcher.status().posted_up_to, f.ref(4));
    ASSERT_EQ(f.poster.posted.size(), 2u);
    auto b = derive({f.poster.posted[1]});
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].parent_check, derivation::HashPrefix::of(f.ref(2).hash));
    EXPECT_EQ(check_batch(f, b[0]), 4u);

    // New blocks 5'-7' (other txs than before) follow block 4.
    f.seq = std::make_unique<Sequencer>(*f.chain, f.rollup, f.l1, *f.pool);
    f.nonces[0] = 4;
    f.build_with_transfers(3, 3);
    ASSERT_NE(f.ref(5).hash, old5);
    r = batcher.tick(101, f.head_time() + 10);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(batcher.status().posted_up_to, f.ref(7));
    b = derive({f.poster.posted.back()});
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].parent_check, derivation::HashPrefix::of(f.ref(4).hash));
    EXPECT_EQ(check_batch(f, b[0]), 7u);
}

namespace {

/// d * 10^k with 1-4 significant digits (what people type into wallets; as bench/batch_bench).
U256 round_amount(std::mt19937_64& rng, unsigned k_min, unsigned k_max)
{
    static constexpr uint64_t kDigits[] = {10, 100, 1000, 10000};
    U256 v{1 + rng() % kDigits[rng() % 4]};
    const unsigned k = k_min + static_cast<unsigned>(rng() % (k_max - k_min + 1));
    for (unsigned i = 0; i < k; ++i)
        v = v * U256{10};
    return v;
}

Address random_address(std::mt19937_64& rng)
{
    Address a;
    for (auto& b : a.bytes)
        b = static_cast<uint8_t>(rng());
    return a;
}

struct Posted
{
    size_t txs = 0;
    size_t raw = 0;       ///< canonical bytes of the user txs
    size_t calldata = 0;  ///< batcher calldata bytes
    size_t frames = 0;
};

}  // namespace

// The measurement for docs/spec/batches.md: 1,000 ETH transfers and 1,000 ERC-20 transfer calls
// (bench/batch_bench.cpp's workload: 1,000 senders, tips from a small set, round values, half the
// recipients from 100 hot addresses) sequenced into 10 blocks each, then posted by the batcher
// with its defaults (brotli 10) and with zstd 19. Prints calldata bytes per tx against raw bytes.
TEST(BatcherSize, BytesPerTxOfTransfers)
{
    constexpr size_t kSenders = 1000;
    constexpr size_t kBlocks = 10;
    constexpr size_t kPerBlock = 100;
    Fixture f{kSenders};
    std::mt19937_64 rng{2024};
    std::vector<Address> hot(100), tokens(5);
    for (auto& a : hot)
        a = random_address(rng);
    for (auto& a : tokens)
        a = random_address(rng);
    const auto recipient = [&] {
        return rng() % 2 ? hot[std::min(rng() % 100, rng() % 100)] : random_address(rng);
    };
    static constexpr uint64_t kTips[] = {1'000'000, 1'000'000, 100'000'000, 1'000'000'000,
                                         1'500'000'000};

    BatcherConfig brotli_cfg;
    BatcherConfig zstd_cfg;
    zstd_cfg.compression = derivation::kZstdOptions;
    FakePoster zstd_poster;
    Batcher brotli{*f.chain, f.rollup, f.poster, brotli_cfg};
    Batcher zstd{*f.chain, f.rollup, zstd_poster, zstd_cfg};

    for (const bool erc20 : {false, true})
    {
        const uint64_t first = f.head() + 1;
        for (size_t b = 0; b < kBlocks; ++b)
        {
            for (size_t i = 0; i < kPerBlock; ++i)
            {
                const size_t s = rng() % kSenders;
                const uint64_t tip = kTips[rng() % 5];
                if (erc20)
                {
                    Bytes data = Bytes{0xa9, 0x05, 0x9c, 0xbb} + Bytes(12, 0);
                    data += recipient().view();
                    data += to_be_word(round_amount(rng, 6, 18));
                    const uint64_t gas = rng() % 2 ? 65'000 : 34'000 + rng() % 26'000;
                    f.submit(s, tokens[std::min(rng() % 5, rng() % 5)], U256{}, data, gas, tip);
                }
                else
                    f.submit(s, recipient(), round_amount(rng, 13, 17), {}, 21'000, tip);
            }
            f.build();
        }
        Posted want;
        for (uint64_t n = first; n <= f.head(); ++n)
            for (const auto& tx : f.expected(n).first.txs)
            {
                ++want.txs;
                want.raw += tx.size();
            }
        ASSERT_EQ(want.txs, kBlocks * kPerBlock) << "the sequencer left txs out";

        for (auto* p : {&f.poster, &zstd_poster})
        {
            Batcher& batcher = p == &f.poster ? brotli : zstd;
            const size_t before = p->posted.size();
            auto r = batcher.tick(100, f.head_time() + 10);
            ASSERT_TRUE(r) << r.error();
            Posted got = want;
            got.calldata = 0;
            for (size_t i = before; i < p->posted.size(); ++i)
                got.calldata += p->posted[i].size();
            got.frames = p->posted.size() - before;
            const double per_tx = static_cast<double>(got.calldata) / static_cast<double>(got.txs);
            const double raw_per_tx = static_cast<double>(got.raw) / static_cast<double>(got.txs);
            std::printf("[batcher size] %-16s %-9s %zu txs in %zu blocks: raw %.1f B/tx, "
                        "calldata %.1f B/tx (%.3fx raw), %zu frame(s)\n",
                        erc20 ? "ERC-20 transfers" : "ETH transfers",
                        p == &f.poster ? "brotli-10" : "zstd-19", got.txs, kBlocks, raw_per_tx,
                        per_tx, per_tx / raw_per_tx, got.frames);
            EXPECT_LT(per_tx, raw_per_tx);
        }
        // And it all derives back.
        const auto batches = derive({f.poster.posted.back()});
        ASSERT_EQ(batches.size(), 1u);
        EXPECT_EQ(check_batch(f, batches[0]), f.head());
    }
}
