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

#include "stored_blocks.hpp"

using namespace l2;
using namespace l2::state;
using namespace l2::txtypes;

namespace {

using test::make_chain;
using test::StoredBlock;

/// Puts `chain` (test::put_chain).
void put(KvStore& kv, const std::vector<StoredBlock>& chain, bool canonical)
{
    ASSERT_TRUE(test::put_chain(kv, chain, canonical));
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
    const auto moved_index = static_cast<uint32_t>(chain[5].block.transactions.size());
    chain[5].block.transactions.push_back(chain[1].block.transactions[1]);
    chain[5].receipts.push_back(chain[5].receipts.back());
    chain[5].hash = header_hash(chain[5].block.header);
    put(kv, chain, true);
    prune(kv, 0, 2);
    BlockStore store{kv};
    auto loc = store.tx_location(transaction_hash(chain[1].block.transactions[1]));
    ASSERT_TRUE(loc && *loc);
    EXPECT_EQ((*loc)->block_num, 5u);
    EXPECT_EQ((*loc)->index, moved_index);
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
