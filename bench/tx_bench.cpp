// Transaction hot paths: ecrecover per second, decode per second, hashing, signing.
#include <benchmark/benchmark.h>

#include <txtypes/keccak.hpp>
#include <txtypes/secp256k1.hpp>
#include <txtypes/transaction.hpp>

namespace {

using namespace l2;
using namespace l2::txtypes;

const Hash kKey = hash_literal("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");

Transaction transfer(TxType type)
{
    Transaction t;
    t.type = type;
    t.chain_id = 901;
    t.nonce = 7;
    t.max_priority_fee_per_gas = 1'000'000'000;
    t.max_fee_per_gas = 30'000'000'000ULL;
    t.gas_limit = 21000;
    t.to = address_literal("3535353535353535353535353535353535353535");
    t.value = U256{1'000'000'000'000'000'000ULL};
    sign_transaction(t, kKey);
    return t;
}

void BM_ecrecover(benchmark::State& state)
{
    const Transaction t = transfer(TxType::kDynamicFee);
    const Hash h = signing_hash(t);
    for (auto _ : state)
        benchmark::DoNotOptimize(recover_address(h, t.signature));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ecrecover);

void BM_sign(benchmark::State& state)
{
    const Hash h = keccak256(as_view("l2node"));
    for (auto _ : state)
        benchmark::DoNotOptimize(sign(h, kKey));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_sign);

void BM_tx_decode(benchmark::State& state)
{
    const Bytes raw = encode_transaction(transfer(static_cast<TxType>(state.range(0))));
    for (auto _ : state)
        benchmark::DoNotOptimize(decode_transaction(raw));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(raw.size()));
}
BENCHMARK(BM_tx_decode)->Arg(0x00)->Arg(0x02)->Arg(0x7D);

void BM_tx_encode_hash(benchmark::State& state)
{
    const Transaction t = transfer(TxType::kDynamicFee);
    for (auto _ : state)
        benchmark::DoNotOptimize(transaction_hash(t));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_tx_encode_hash);

/// Decode + sender recovery: what the mempool pays per submitted transfer.
void BM_tx_decode_recover(benchmark::State& state)
{
    const Bytes raw = encode_transaction(transfer(TxType::kDynamicFee));
    for (auto _ : state)
    {
        auto t = decode_transaction(raw);
        benchmark::DoNotOptimize(recover_sender(*t));
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_tx_decode_recover);

}  // namespace
