#include "rollup_world.hpp"

#include <txtypes/keccak.hpp>

namespace l2::test {

namespace {

/// The batcher's poster: its txs go into the world's next L1 block.
class QueuePoster final : public sequencer::BatchPoster
{
public:
    explicit QueuePoster(RollupWorld& world) : m_world{world} {}
    Result<Hash, std::string> post(const Bytes& calldata) override
    {
        m_world.queue_calldata(calldata);
        return keccak256(calldata);
    }
    void reset() override { m_world.next_l1_txs.clear(); }

private:
    RollupWorld& m_world;
};

}  // namespace

execution::ChainSpec rollup_spec(std::span<const Address> funded)
{
    execution::ChainSpec spec;
    spec.chain_id = 901;
    spec.genesis_timestamp = 1000;
    for (const Address& a : funded)
        spec.alloc[a].balance = U256{1'000'000'000'000'000'000ULL};
    return spec;
}

RollupNode::RollupNode(const derivation::RollupConfig& rollup,
                       l1client::L1Source& l1,
                       const execution::ChainSpec& spec,
                       unsigned recovery_threads)
{
    chain = std::move(*execution::Chain::open(kv, spec));
    pipeline = std::make_unique<derivation::Pipeline>(*chain, rollup, l1, recovery_threads);
}

Result<void, std::string> RollupNode::sync_to_l1(int max_steps)
{
    for (int i = 0; i < max_steps; ++i)
    {
        auto r = pipeline->step(16);
        if (!r)
            return unexpected(r.error());
        if (r->caught_up)
            return {};
    }
    return unexpected(std::string{"derivation did not catch up"});
}

RollupWorld::RollupWorld(const execution::ChainSpec& chain_spec, sequencer::PoolConfig pool_config)
    : spec{chain_spec}
{
    l1client::L1Block g;
    g.number = 100;
    g.timestamp = 1000;
    g.base_fee = U256{7};
    const auto l1_genesis = l1.push_block(g);
    rollup.l1_chain_id = 900;
    rollup.l2_chain_id = spec.chain_id;
    rollup.block_time = 2;
    rollup.max_sequencer_drift = 30;
    rollup.seq_window_size = 12;
    rollup.channel_timeout = 4;
    rollup.batch_inbox = kRollupInbox;
    rollup.batcher = kRollupBatcher;
    rollup.deposit_portal = kRollupPortal;
    rollup.genesis_l1 = {l1_genesis.number, l1_genesis.hash};
    rollup.genesis_l2_time = 1000;
    seq_node = std::make_unique<RollupNode>(rollup, l1, spec);
    rollup.genesis_l2 = {0, seq_node->chain->genesis().hash};
    view = std::make_unique<sequencer::ChainPoolView>(*seq_node->chain);
    pool = std::make_unique<sequencer::Mempool>(pool_config, *view);
    seq = std::make_unique<sequencer::Sequencer>(*seq_node->chain, rollup, l1, *pool);
    // As the node does: txs of replaced unsafe blocks go back to the pool.
    seq_node->pipeline->set_rewind_hook(
        [this](std::vector<txtypes::Block> removed) { seq->requeue(removed); });
    poster = std::make_unique<QueuePoster>(*this);
    sequencer::BatcherConfig bc;
    bc.max_delay = 0;
    batcher = std::make_unique<sequencer::Batcher>(*seq_node->chain, rollup, *poster, bc);
}

RollupWorld::~RollupWorld() = default;

std::unique_ptr<RollupNode> RollupWorld::follower(unsigned recovery_threads)
{
    return std::make_unique<RollupNode>(rollup, l1, spec, recovery_threads);
}

void RollupWorld::queue_calldata(Bytes calldata, const Address& from)
{
    l1client::L1Tx tx;
    tx.hash = keccak256(calldata);
    tx.from = from;
    tx.to = kRollupInbox;
    tx.input = std::move(calldata);
    next_l1_txs.push_back(std::move(tx));
}

l1client::L1Block RollupWorld::mine_l1(std::vector<l1client::L1Log> logs)
{
    l1_time += 4;
    l1client::L1Block b;
    b.timestamp = l1_time;
    b.base_fee = U256{7};
    b.transactions = std::move(next_l1_txs);
    next_l1_txs.clear();
    return l1.push_block(b, std::move(logs));
}

Result<void, std::string> RollupWorld::sequence_due()
{
    for (;;)
    {
        auto r = seq->tick(l1_time);
        if (!r)
            return unexpected(r.error());
        if (!*r)
            return {};
    }
}

Result<void, std::string> RollupWorld::batch_blocks()
{
    if (auto r = seq_node->sync_to_l1(); !r)
        return r;
    auto r = batcher->tick(l1.head()->number, l1_time);
    if (!r)
        return unexpected(r.error());
    return {};
}

}  // namespace l2::test
