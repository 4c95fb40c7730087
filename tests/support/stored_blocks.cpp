#include "stored_blocks.hpp"

#include <string>

#include <gtest/gtest.h>

#include <state/block_store.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

namespace l2::test {

using namespace l2::txtypes;

Transaction make_txn(TxType type, uint64_t nonce)
{
    Transaction t;
    t.type = type;
    t.nonce = nonce;
    t.gas_limit = 21'000 + nonce;
    t.to = kStoredBlockTo;
    t.value = U256{nonce + 1};
    if (type == TxType::kDeposit)
    {
        t.source_hash = keccak256(as_view("deposit" + std::to_string(nonce)));
        t.from = address_literal("deaddeaddeaddeaddeaddeaddeaddeaddead0001");
        t.mint = U256{1'000};
        t.nonce = 0;  // Not part of the deposit format: the source hash makes it unique.
        return t;
    }
    t.chain_id = 901;
    t.max_fee_per_gas = U256{1'000'000'000};
    // Legacy txs have one gasPrice, held in both fee fields.
    t.max_priority_fee_per_gas = type == TxType::kLegacy ? t.max_fee_per_gas : U256{2};
    if (type == TxType::kFeeSplit)
    {
        t.max_data_fee = U256{5'000'000'000'000ULL};
        t.max_proof_fee = U256{7};
        t.data = from_hex("a9059cbb").value();
    }
    EXPECT_TRUE(sign_transaction(t, kStoredBlockKey));
    return t;
}

Receipt make_receipt(const Transaction& t, uint64_t cumulative)
{
    Receipt r;
    r.type = t.type;
    r.success = t.nonce % 3 != 2;
    r.cumulative_gas_used = cumulative;
    Log log;
    log.address = kStoredBlockTo;
    log.topics = {keccak256(as_view("Transfer(address,address,uint256)")), Hash{}};
    log.data = Bytes(32, static_cast<uint8_t>(t.nonce));
    r.logs = {log};
    r.bloom = logs_bloom(r.logs);
    if (t.type == TxType::kDeposit)
    {
        r.deposit_nonce = cumulative;
        r.deposit_receipt_version = 1;
    }
    return r;
}


/// Block `number` on `parent` with one tx of each type; `salt` tells siblings apart (and their
/// transactions: the nonces start at salt * 1000 + number * 10).
StoredBlock make_block(uint64_t number, const Hash& parent, uint64_t salt)
{
    StoredBlock b;
    b.block.header.parent_hash = parent;
    b.block.header.number = number;
    b.block.header.timestamp = number;
    b.block.header.gas_limit = 30'000'000;
    b.block.header.base_fee_per_gas = U256{7};
    b.block.header.extra_data = Bytes(1, static_cast<uint8_t>(salt));
    const uint64_t nonce = salt * 1000 + number * 10;
    uint64_t gas = 0;
    for (TxType type : {TxType::kDeposit, TxType::kLegacy, TxType::kDynamicFee, TxType::kFeeSplit})
    {
        b.block.transactions.push_back(make_txn(type, nonce + b.block.transactions.size()));
        gas += 21'000;
        b.receipts.push_back(make_receipt(b.block.transactions.back(), gas));
    }
    b.block.withdrawals = std::vector<Withdrawal>{{number, 7, kStoredBlockTo, 1'000'000}};
    b.block.header.transactions_root = transactions_root(b.block.transactions);
    b.block.header.receipts_root = receipts_root(b.receipts);
    b.block.header.withdrawals_root = withdrawals_root(*b.block.withdrawals);
    b.hash = header_hash(b.block.header);
    return b;
}

std::vector<StoredBlock> make_chain(uint64_t from, uint64_t to, Hash parent, uint64_t salt)
{
    std::vector<StoredBlock> chain;
    for (uint64_t n = from; n <= to; ++n)
    {
        chain.push_back(make_block(n, parent, salt));
        parent = chain.back().hash;
    }
    return chain;
}

bool put_chain(state::KvStore& kv, const std::vector<StoredBlock>& chain, bool canonical)
{
    state::BlockStore store{kv};
    state::WriteBatch batch;
    for (const auto& b : chain)
    {
        store.put_block(batch, b.block, b.hash, b.receipts);
        if (canonical)
            store.set_canonical(batch, b.block.header.number, b.hash);
    }
    if (canonical && !chain.empty())
        store.set_head(batch, state::Head::kUnsafe,
                       {chain.back().block.header.number, chain.back().hash});
    return kv.write(batch).has_value();
}

}  // namespace l2::test
