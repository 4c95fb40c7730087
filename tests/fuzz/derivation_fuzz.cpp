// libFuzzer target: the derivation pipeline fed arbitrary batch-inbox transactions
// (derivation/pipeline.hpp). The input is cut into length-prefixed calldata pieces, posted over a
// few L1 blocks of an in-memory L1 (some from the batcher, some from a stranger), then derived
// with the window passing. Properties: no crash, no hang, and the chain only ever grows by
// blocks derivation accepted (safe head == unsafe head on a follower).
#include <cstdio>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include <derivation/pipeline.hpp>
#include <execution/chain.hpp>
#include <l1client/fake_l1_source.hpp>
#include <state/memory_store.hpp>
#include <txtypes/keccak.hpp>

namespace {

using namespace l2;

constexpr Address kInbox = address_literal("ff00000000000000000000000000000000000901");
constexpr Address kBatcher = address_literal("b000000000000000000000000000000000000001");
constexpr Address kStranger = address_literal("5000000000000000000000000000000000000005");
constexpr Address kPortal = address_literal("5fbdb2315678afecb367f032d93f642f64180aa3");

void require(bool ok, const char* what)
{
    if (ok)
        return;
    std::fprintf(stderr, "derivation_fuzz: property violated: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    spdlog::set_level(spdlog::level::off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    l1client::FakeL1Source l1;
    l1client::L1Block g;
    g.number = 10;
    g.timestamp = 1000;
    g.base_fee = U256{7};
    const auto genesis_l1 = l1.push_block(g);

    state::MemoryStore kv;
    execution::ChainSpec spec;
    spec.chain_id = 901;
    spec.genesis_timestamp = 1000;
    auto chain = execution::Chain::open(kv, spec);
    require(chain.has_value(), "genesis");

    derivation::RollupConfig cfg;
    cfg.l1_chain_id = 900;
    cfg.l2_chain_id = 901;
    cfg.block_time = 2;
    cfg.seq_window_size = 4;
    cfg.channel_timeout = 3;
    cfg.max_sequencer_drift = 30;
    cfg.batch_inbox = kInbox;
    cfg.batcher = kBatcher;
    cfg.deposit_portal = kPortal;
    cfg.genesis_l1 = {genesis_l1.number, genesis_l1.hash};
    cfg.genesis_l2 = {0, (*chain)->genesis().hash};
    cfg.genesis_l2_time = 1000;

    // Pieces: u16 length || bytes; piece i goes into L1 block i % 4, from the stranger when its
    // length is odd.
    std::vector<std::vector<l1client::L1Tx>> blocks(4);
    ByteView in{data, size};
    for (size_t i = 0; in.size() >= 2 && i < 32; ++i)
    {
        const size_t len = std::min<size_t>(size_t{in[0]} << 8 | in[1], in.size() - 2);
        l1client::L1Tx tx;
        tx.input = Bytes{in.substr(2, len)};
        tx.hash = keccak256(tx.input);
        tx.from = (len & 1) ? kStranger : kBatcher;
        tx.to = kInbox;
        blocks[i % 4].push_back(std::move(tx));
        in.remove_prefix(2 + len);
    }
    for (auto& txs : blocks)
    {
        l1client::L1Block b;
        b.transactions = std::move(txs);
        l1.push_block(b);
    }
    for (int i = 0; i < 8; ++i)
        l1.push_block();  // past the sequencing window

    derivation::Pipeline pipeline{**chain, cfg, l1};
    for (int i = 0; i < 100; ++i)
    {
        auto r = pipeline.step(4);
        require(r.has_value(), "derivation step failed on in-memory L1");
        if (r->caught_up)
            break;
    }
    const auto safe = (*chain)->head_ref(state::Head::kSafe);
    require(safe && safe->number == (*chain)->head().header.number, "follower safe == unsafe");
    return 0;
}
