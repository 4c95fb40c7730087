#pragma once
/// A rollup on an in-memory L1 for tests and benches: a sequencer's node (chain, mempool,
/// Sequencer, Batcher posting into the next L1 block, its own derivation pipeline) and
/// followers deriving from the same L1. Used by tests/unit/sequencer/follower_test.cpp and
/// bench/derivation_bench.cpp.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <derivation/pipeline.hpp>
#include <execution/chain.hpp>
#include <l1client/fake_l1_source.hpp>
#include <sequencer/batcher.hpp>
#include <sequencer/chain_pool_view.hpp>
#include <sequencer/mempool.hpp>
#include <sequencer/sequencer.hpp>
#include <state/memory_store.hpp>

namespace l2::test {

inline constexpr Address kRollupPortal = address_literal("5fbdb2315678afecb367f032d93f642f64180aa3");
inline constexpr Address kRollupInbox = address_literal("ff00000000000000000000000000000000000901");
inline constexpr Address kRollupBatcher = address_literal("b000000000000000000000000000000000000001");

/// Chain 901 from time 1000, each of `funded` holding 1 ETH.
execution::ChainSpec rollup_spec(std::span<const Address> funded);

/// A chain and its derivation pipeline on an in-memory store.
struct RollupNode
{
    state::MemoryStore kv;
    std::unique_ptr<execution::Chain> chain;
    std::unique_ptr<derivation::Pipeline> pipeline;

    RollupNode(const derivation::RollupConfig& rollup,
               l1client::L1Source& l1,
               const execution::ChainSpec& spec,
               unsigned recovery_threads = 0);

    /// Steps derivation until it has read all of L1: the first error, or one when it does not
    /// catch up within `max_steps` steps of 16 L1 blocks.
    Result<void, std::string> sync_to_l1(int max_steps = 1000);

    uint64_t head() const { return chain->head().header.number; }
    uint64_t safe() const { return chain->head_ref(state::Head::kSafe)->number; }
    Hash hash(uint64_t n) const { return chain->canonical_hash(n); }
    /// Block `n` of the canonical chain (it must exist).
    txtypes::Block block(uint64_t n) const { return **chain->blocks().block(n, hash(n)); }
};

/// L1 genesis is block 100 at time 1000; L2 blocks every 2 s, a sequencing window of 12 L1
/// blocks, channels time out after 4, max drift 30 s.
class RollupWorld
{
public:
    explicit RollupWorld(const execution::ChainSpec& spec, sequencer::PoolConfig pool = {});
    virtual ~RollupWorld();

    /// A new node deriving from this L1 (nothing derived yet).
    std::unique_ptr<RollupNode> follower(unsigned recovery_threads = 0);

    /// Queues calldata from `from` to the inbox for the next L1 block.
    void queue_calldata(Bytes calldata, const Address& from = kRollupBatcher);
    /// Mines an L1 block 4 s after the last one, holding the queued txs and `logs`.
    l1client::L1Block mine_l1(std::vector<l1client::L1Log> logs = {});
    /// The sequencer builds every block due by the L1 clock.
    Result<void, std::string> sequence_due();
    /// The sequencer's node derives (moving its safe head), then the batcher posts what is new
    /// into the next L1 block.
    Result<void, std::string> batch_blocks();

    l1client::FakeL1Source l1;
    derivation::RollupConfig rollup;
    execution::ChainSpec spec;
    std::unique_ptr<RollupNode> seq_node;  ///< the sequencer's chain (and its own pipeline)
    std::unique_ptr<sequencer::ChainPoolView> view;
    std::unique_ptr<sequencer::Mempool> pool;
    std::unique_ptr<sequencer::Sequencer> seq;
    std::unique_ptr<sequencer::BatchPoster> poster;
    std::unique_ptr<sequencer::Batcher> batcher;
    std::vector<l1client::L1Tx> next_l1_txs;  ///< go into the next L1 block
    uint64_t l1_time = 1000;
};

}  // namespace l2::test
