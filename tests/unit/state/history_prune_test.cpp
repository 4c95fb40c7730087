// BlockStore::prune_history / oldest_available (issue 9): bodies, receipts and tx-index entries
// of a range go in one batch, headers and canonical marks stay, reorged-out siblings go too.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <state/block_store.hpp>
#include <state/memory_store.hpp>
#include <state/rocksdb_store.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::state;
using namespace l2::txtypes;

namespace {

constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");
constexpr Address kTo = address_literal("3535353535353535353535353535353535353535");

struct StoredBlock
{
    Block block;
    Hash hash;
    std::vector<Receipt> receipts;
};

/// Block `number` on `parent` with two signed txs and a deposit; `salt` tells siblings apart.
StoredBlock make_block(uint64_t number, const Hash& parent, uint64_t salt = 0)
{
    StoredBlock b;
    b.block.header.parent_hash = parent;
    b.block.header.number = number;
    b.block.header.timestamp = number;
    b.block.header.gas_limit = 30'000'000;
    b.block.header.extra_data = Bytes(1, static_cast<uint8_t>(salt));
    Transaction dep;
    dep.type = TxType::kDeposit;
    dep.source_hash = keccak256(as_view("dep" + std::to_string(number * 100 + salt)));
    dep.from = kTo;
    dep.to = kTo;
    dep.gas_limit = 100'000;
    b.block.transactions.push_back(dep);
    for (uint64_t k = 0; k < 2; ++k)
    {
        Transaction t;
        t.type = TxType::kDynamicFee;
        t.chain_id = 901;
        t.nonce = salt * 100'000 + number * 10 + k;
        t.gas_limit = 21'000;
        t.to = kTo;
        t.max_fee_per_gas = U256{1'000};
        EXPECT_TRUE(sign_transaction(t, kKey));
        b.block.transactions.push_back(t);
    }
    uint64_t gas = 0;
    for (const auto& t : b.block.transactions)
    {
        Receipt r;
        r.type = t.type;
        r.success = true;
        gas += 21'000;
        r.cumulative_gas_used = gas;
        if (t.type == TxType::kDeposit)
        {
            r.deposit_nonce = 0;
            r.deposit_receipt_version = 1;
        }
        b.receipts.push_back(r);
    }
    b.block.header.transactions_root = transactions_root(b.block.transactions);
    b.hash = header_hash(b.block.header);
    return b;
}

std::vector<StoredBlock> make_chain(uint64_t from, uint64_t to, Hash parent, uint64_t salt = 0)
{
    std::vector<StoredBlock> chain;
    for (uint64_t n = from; n <= to; ++n)
    {
        chain.push_back(make_block(n, parent, salt));
        parent = chain.back().hash;
    }
    return chain;
}

void put(KvStore& kv, const std::vector<StoredBlock>& chain, bool canonical)
{
    BlockStore store{kv};
    WriteBatch batch;
    for (const auto& b : chain)
    {
        store.put_block(batch, b.block, b.hash, b.receipts);
        if (canonical)
            store.set_canonical(batch, b.block.header.number, b.hash);
    }
    if (canonical)
        store.set_head(batch, Head::kUnsafe, {chain.back().block.header.number, chain.back().hash});
    ASSERT_TRUE(kv.write(batch));
}

void prune(KvStore& kv, uint64_t from, uint64_t to)
{
    BlockStore store{kv};
    WriteBatch batch;
    auto r = store.prune_history(batch, from, to);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(kv.write(batch));
}

/// Complete: body, receipts and every tx indexed at its place.
void expect_complete(const BlockStore& store, const StoredBlock& b)
{
    const uint64_t n = b.block.header.number;
    auto block = store.block(n, b.hash);
    ASSERT_TRUE(block && *block) << "block " << n;
    EXPECT_EQ((*block)->transactions.size(), b.block.transactions.size());
    auto receipts = store.receipts(n, b.hash);
    ASSERT_TRUE(receipts && *receipts) << "receipts " << n;
    EXPECT_EQ((*receipts)->size(), b.receipts.size());
    for (uint32_t i = 0; i < b.block.transactions.size(); ++i)
    {
        auto loc = store.tx_location(transaction_hash(b.block.transactions[i]));
        ASSERT_TRUE(loc && *loc) << "tx " << i << " of block " << n;
        EXPECT_EQ((*loc)->block_num, n);
        EXPECT_EQ((*loc)->index, i);
    }
}

/// Pruned: the header and canonical mark stay, nothing else.
void expect_pruned(const BlockStore& store, const StoredBlock& b, bool canonical = true)
{
    const uint64_t n = b.block.header.number;
    auto header = store.header(n, b.hash);
    ASSERT_TRUE(header && *header) << "header " << n;
    EXPECT_EQ(header_hash(**header), b.hash);
    auto num = store.block_number(b.hash);
    ASSERT_TRUE(num && *num);
    EXPECT_EQ(**num, n);
    if (canonical)
    {
        auto h = store.canonical_hash(n);
        ASSERT_TRUE(h && *h);
        EXPECT_EQ(**h, b.hash);
    }
    auto block = store.block(n, b.hash);
    ASSERT_TRUE(block);
    EXPECT_FALSE(*block) << "block " << n << " still has a body";
    auto receipts = store.receipts(n, b.hash);
    ASSERT_TRUE(receipts);
    EXPECT_FALSE(*receipts) << "block " << n << " still has receipts";
    for (const auto& t : b.block.transactions)
    {
        auto loc = store.tx_location(transaction_hash(t));
        ASSERT_TRUE(loc);
        EXPECT_FALSE(*loc) << "block " << n << " still has an index entry";
        auto txn = store.transaction(transaction_hash(t));
        ASSERT_TRUE(txn);
        EXPECT_FALSE(*txn);
    }
}

TEST(HistoryPrune, FreshStoreHasEverything)
{
    MemoryStore kv;
    BlockStore store{kv};
    auto oldest = store.oldest_available();
    ASSERT_TRUE(oldest);
    EXPECT_EQ(*oldest, 0u);
}

TEST(HistoryPrune, PrunesRangeKeepsHeadersAndWindow)
{
    MemoryStore kv;
    const auto chain = make_chain(0, 20, Hash{});
    put(kv, chain, true);
    prune(kv, 0, 9);
    BlockStore store{kv};
    EXPECT_EQ(store.oldest_available().value(), 10u);
    for (uint64_t n = 0; n <= 9; ++n)
        expect_pruned(store, chain[n]);
    for (uint64_t n = 10; n <= 20; ++n)
        expect_complete(store, chain[n]);
    auto head = store.head(Head::kUnsafe);
    ASSERT_TRUE(head && *head);
    EXPECT_EQ((*head)->number, 20u);

    // Batches continue where the last stopped; the mark only moves up with them.
    prune(kv, 10, 14);
    EXPECT_EQ(store.oldest_available().value(), 15u);
    for (uint64_t n = 10; n <= 14; ++n)
        expect_pruned(store, chain[n]);
    for (uint64_t n = 15; n <= 20; ++n)
        expect_complete(store, chain[n]);
}

TEST(HistoryPrune, DeletesReorgedOutSiblings)
{
    MemoryStore kv;
    const auto chain = make_chain(0, 10, Hash{});
    put(kv, chain, true);
    // Siblings of 4..6 that lost a reorg: stored by hash, not canonical, no index entries.
    const auto side = make_chain(4, 6, chain[3].hash, 7);
    put(kv, side, false);
    BlockStore store{kv};
    for (const auto& b : side)
        ASSERT_TRUE(store.block(b.block.header.number, b.hash).value());
    prune(kv, 0, 6);
    for (const auto& b : side)
        expect_pruned(store, b, false);
    for (uint64_t n = 0; n <= 6; ++n)
        expect_pruned(store, chain[n]);
    for (uint64_t n = 7; n <= 10; ++n)
        expect_complete(store, chain[n]);
}

TEST(HistoryPrune, KeepsIndexEntryOfTxReincludedHigher)
{
    MemoryStore kv;
    auto chain = make_chain(0, 5, Hash{});
    // Block 5 holds block 1's second tx again (as a reorg that re-included it would leave it):
    // its index entry points at block 5 and must survive pruning block 1.
    chain[5].block.transactions.push_back(chain[1].block.transactions[1]);
    chain[5].receipts.push_back(chain[5].receipts.back());
    chain[5].hash = header_hash(chain[5].block.header);
    put(kv, chain, true);
    prune(kv, 0, 2);
    BlockStore store{kv};
    auto loc = store.tx_location(transaction_hash(chain[1].block.transactions[1]));
    ASSERT_TRUE(loc && *loc);
    EXPECT_EQ((*loc)->block_num, 5u);
    EXPECT_EQ((*loc)->index, 3u);
}

TEST(HistoryPrune, EmptyRangeIsAnError)
{
    MemoryStore kv;
    BlockStore store{kv};
    WriteBatch batch;
    EXPECT_FALSE(store.prune_history(batch, 5, 4));
    EXPECT_TRUE(batch.empty());
}

TEST(HistoryPrune, OneAtomicBatchOnRocksDb)
{
    std::string tmpl = (std::filesystem::temp_directory_path() / "l2-prune-XXXXXX").string();
    const std::filesystem::path dir = ::mkdtemp(tmpl.data());
    const auto chain = make_chain(0, 30, Hash{});
    {
        auto db = RocksDbStore::open(dir.string());
        ASSERT_TRUE(db);
        put(**db, chain, true);
        BlockStore store{**db};
        WriteBatch batch;
        ASSERT_TRUE(store.prune_history(batch, 0, 19));
        // Not written: nothing changed.
        EXPECT_EQ(store.oldest_available().value(), 0u);
        expect_complete(store, chain[0]);
        ASSERT_TRUE((*db)->write(batch));
    }
    {
        auto db = RocksDbStore::open(dir.string());
        ASSERT_TRUE(db);
        BlockStore store{**db};
        EXPECT_EQ(store.oldest_available().value(), 20u);
        for (uint64_t n = 0; n <= 19; ++n)
            expect_pruned(store, chain[n]);
        for (uint64_t n = 20; n <= 30; ++n)
            expect_complete(store, chain[n]);
    }
    std::filesystem::remove_all(dir);
}

TEST(HistoryPrune, CorruptOldestMarkIsAnError)
{
    MemoryStore kv;
    WriteBatch batch;
    batch.put(Column::kMeta, as_view(std::string{"history/oldest"}), as_view(std::string{"x"}));
    ASSERT_TRUE(kv.write(batch));
    BlockStore store{kv};
    EXPECT_FALSE(store.oldest_available());
}

}  // namespace
