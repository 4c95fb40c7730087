#pragma once
// Signed transactions of every batchable type and random span batches for the batch codec tests.
#include <random>

#include <derivation/batch.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/transaction.hpp>

namespace l2::derivation::testing {

inline Hash test_key(uint64_t i)
{
    Bytes seed{as_view("batch test key ")};
    seed.push_back(static_cast<uint8_t>(i));
    return keccak256(seed);
}

/// A signed tx of the given type (legacy: EIP-155 unless `pre155`).
inline Bytes signed_tx(std::mt19937_64& rng, txtypes::TxType type, bool pre155 = false)
{
    using namespace txtypes;
    Transaction t;
    t.type = type;
    t.chain_id = pre155 ? std::nullopt : std::optional<uint64_t>{901};
    t.nonce = rng() % 1000;
    t.max_priority_fee_per_gas = U256{rng() % 2'000'000'000};
    t.max_fee_per_gas = U256{2'000'000'000 + rng() % 1'000'000'000};
    if (type == TxType::kLegacy || type == TxType::kAccessList)
        t.max_priority_fee_per_gas = t.max_fee_per_gas;
    t.gas_limit = 21'000 + rng() % 100'000;
    Address to;
    for (auto& b : to.bytes)
        b = static_cast<uint8_t>(rng());
    if (rng() % 8 != 0)
        t.to = to;
    t.value = U256{rng()};
    t.data = Bytes(rng() % 100, static_cast<uint8_t>(rng()));
    if (type == TxType::kAccessList || type == TxType::kFeeSplit)
        t.access_list = {{to, {keccak256(to.view())}}};
    if (type == TxType::kFeeSplit)
    {
        t.max_data_fee = U256{rng()};
        t.max_proof_fee = U256{rng() % 100};
    }
    if (!sign_transaction(t, test_key(rng() % 16)))
        return {};
    return encode_transaction(t);
}

inline Bytes random_signed_tx(std::mt19937_64& rng)
{
    using txtypes::TxType;
    switch (rng() % 5)
    {
        case 0:
            return signed_tx(rng, TxType::kLegacy, true);
        case 1:
            return signed_tx(rng, TxType::kLegacy);
        case 2:
            return signed_tx(rng, TxType::kAccessList);
        case 3:
            return signed_tx(rng, TxType::kFeeSplit);
        default:
            return signed_tx(rng, TxType::kDynamicFee);
    }
}

/// `blocks` consecutive blocks (2 s apart, origin advancing now and then), 0..max_txs txs each.
inline SpanBatch random_batch(std::mt19937_64& rng, size_t blocks, size_t max_txs)
{
    SpanBatch b;
    b.parent_check = HashPrefix::of(keccak256(Bytes{static_cast<uint8_t>(rng())}));
    b.l1_origin_check = HashPrefix::of(keccak256(Bytes{static_cast<uint8_t>(rng()), 1}));
    uint64_t ts = 1'700'000'000 + rng() % 1000;
    uint64_t origin = 100 + rng() % 1000;
    for (size_t i = 0; i < blocks; ++i)
    {
        BatchBlock blk{ts, origin, {}};
        const size_t n = max_txs == 0 ? 0 : rng() % (max_txs + 1);
        for (size_t k = 0; k < n; ++k)
            blk.txs.push_back(random_signed_tx(rng));
        b.blocks.push_back(std::move(blk));
        ts += 2;
        origin += rng() % 6 == 0 ? 1u : 0u;
    }
    return b;
}

}  // namespace l2::derivation::testing
