// Block execution throughput (DESIGN.md target: >= 50,000 transfers/s): a block of signed ETH
// transfers from many senders through execution::BlockBuilder (the sequencer's and the
// follower's one path), with the L2 fees, then sealed (state root, tx and receipt roots) and
// committed. Senders are known (the mempool recovers them in parallel before the builder).
#include <benchmark/benchmark.h>

#include <execution/block_builder.hpp>
#include <execution/l1_info.hpp>
#include <execution/predeploys.hpp>
#include <state/memory_store.hpp>
#include <state/rocksdb_store.hpp>
#include <txtypes/keccak.hpp>

#include <unistd.h>

#include <filesystem>

using namespace l2;
using namespace l2::execution;

namespace {

struct Funded
{
    Hash key;
    Address address;
};

std::vector<Funded> make_accounts(size_t n)
{
    std::vector<Funded> out;
    for (size_t i = 0; i < n; ++i)
    {
        Funded f;
        f.key = keccak256(Bytes{static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8), 7});
        f.address = *address_from_private_key(f.key);
        out.push_back(f);
    }
    return out;
}

struct SignedTx
{
    txtypes::Transaction txn;
    Address sender;
    Bytes raw;
};

std::vector<SignedTx> make_transfers(const std::vector<Funded>& from, size_t per_sender,
                                     uint64_t chain_id)
{
    std::vector<SignedTx> out;
    for (size_t n = 0; n < per_sender; ++n)
        for (size_t i = 0; i < from.size(); ++i)
        {
            txtypes::Transaction t;
            t.type = txtypes::TxType::kDynamicFee;
            t.chain_id = chain_id;
            t.nonce = n;
            t.max_fee_per_gas = U256{10'000'000'000ULL};
            t.max_priority_fee_per_gas = U256{1'000'000};
            t.gas_limit = 21'000;
            Address to;
            to[0] = 0xee;
            to[18] = static_cast<uint8_t>(i >> 8);
            to[19] = static_cast<uint8_t>(i);  // a fresh recipient per sender
            t.to = to;
            t.value = U256{1};
            txtypes::sign_transaction(t, from[i].key);
            out.push_back({t, from[i].address, txtypes::encode_transaction(t)});
        }
    return out;
}

L1Info l1_info()
{
    L1Info info;
    info.number = 1;
    info.base_fee = U256{10'000'000'000ULL};
    info.blob_base_fee = U256{1};
    info.base_fee_scalar = 1368;
    info.blob_base_fee_scalar = 810949;
    return info;
}

/// One block of `state.range(0)` transfers on a fresh chain, per iteration: execute + seal +
/// commit. Arg 1: 0 = memory store, 1 = RocksDB.
void BM_BlockOfTransfers(benchmark::State& state)
{
    const auto n_txs = static_cast<size_t>(state.range(0));
    const bool rocks = state.range(1) != 0;
    const size_t senders = 2000;
    const auto accounts = make_accounts(senders);
    const auto txs = make_transfers(accounts, n_txs / senders, 901);

    ChainSpec spec;
    spec.chain_id = 901;
    spec.gas_limit = 1'000'000'000;
    for (const auto& a : accounts)
        spec.alloc[a.address].balance = U256{1'000'000'000'000'000'000ULL};

    uint64_t run = 0;
    for (auto _ : state)
    {
        state.PauseTiming();
        const auto dir = std::filesystem::temp_directory_path() /
                         ("l2bench-block-" + std::to_string(::getpid()) + "-" +
                          std::to_string(run++));
        std::unique_ptr<state::KvStore> kv;
        if (rocks)
            kv = std::move(*state::RocksDbStore::open(dir.string()));
        else
            kv = std::make_unique<state::MemoryStore>();
        state::StateDb db{*kv};
        state::PreparedState p;
        const auto genesis = *build_genesis(spec, db, p);
        (void)db.commit(p);
        PayloadAttributes attrs;
        attrs.timestamp = 1;
        attrs.fee_recipient = predeploys::kSequencerFeeVault;
        attrs.deposits.push_back(make_l1_info_transaction(l1_info()));
        state.ResumeTiming();

        BlockBuilder b{db, spec, genesis, txtypes::header_hash(genesis), attrs,
                       [](uint64_t) { return Hash{}; }};
        (void)b.apply_deposits();
        for (const auto& t : txs)
            if (!b.add(t.txn, t.sender, t.raw))
                state.SkipWithError("transfer rejected");
        auto built = b.seal();
        (void)db.commit(built->state);
        (void)db.wait_for_nodes();  // the node write counts: no next block to overlap it

        state.PauseTiming();
        kv.reset();
        std::filesystem::remove_all(dir);
        state.ResumeTiming();
    }
    state.counters["tx/s"] = benchmark::Counter(static_cast<double>(txs.size()),
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_BlockOfTransfers)
    ->Args({10'000, 0})
    ->Args({10'000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
