#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <state/block_store.hpp>
#include <state/memory_store.hpp>
#include <state/rocksdb_store.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/rlp.hpp>

#include "stored_blocks.hpp"

using namespace l2;
using namespace l2::state;
using namespace l2::txtypes;

namespace {

using test::make_chain;
using test::make_receipt;
using test::StoredBlock;
using test::make_block;

// ---- stores --------------------------------------------------------------------------------

struct MemoryFactory
{
    std::unique_ptr<MemoryStore> store = std::make_unique<MemoryStore>();
    KvStore& kv() { return *store; }
    void reopen() {}
};

/// A RocksDB store in a fresh directory under /tmp, removed at the end of the test.
struct RocksFactory
{
    std::filesystem::path dir;
    std::unique_ptr<RocksDbStore> store;

    RocksFactory()
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "l2-bs-XXXXXX").string();
        dir = ::mkdtemp(tmpl.data());
        reopen();
    }
    ~RocksFactory()
    {
        store.reset();
        std::filesystem::remove_all(dir);
    }
    KvStore& kv() { return *store; }
    void reopen()
    {
        store.reset();
        auto s = RocksDbStore::open(dir.string());
        if (!s)
            throw std::runtime_error(s.error().message);
        store = std::move(*s);
    }
};

// ---- blocks --------------------------------------------------------------------------------

Bytes block_key(uint64_t number, const Hash& hash)
{
    Bytes k(8, 0);
    for (size_t i = 0; i < 8; ++i)
        k[i] = static_cast<uint8_t>(number >> (56 - 8 * i));
    return k + Bytes{hash.view()};
}

// ---- tests ---------------------------------------------------------------------------------

template <typename Factory>
class BlockStoreTest : public testing::Test
{
protected:
    Factory m_factory;
    KvStore& kv() { return m_factory.kv(); }
};

using Factories = testing::Types<MemoryFactory, RocksFactory>;
class FactoryNames
{
public:
    template <typename T>
    static std::string GetName(int)
    {
        return std::is_same_v<T, MemoryFactory> ? "Memory" : "RocksDb";
    }
};
TYPED_TEST_SUITE(BlockStoreTest, Factories, FactoryNames);

TYPED_TEST(BlockStoreTest, AbsentIsEmptyNotError)
{
    const BlockStore store{this->kv()};
    const Hash h = keccak256(as_view("nothing"));
    ASSERT_TRUE(store.head(Head::kUnsafe));
    EXPECT_FALSE(*store.head(Head::kUnsafe));
    EXPECT_FALSE(*store.canonical_hash(0));
    EXPECT_FALSE(*store.header(0, h));
    EXPECT_FALSE(*store.header_by_number(0));
    EXPECT_FALSE(*store.header_by_hash(h));
    EXPECT_FALSE(*store.block(0, h));
    EXPECT_FALSE(*store.receipts(0, h));
    EXPECT_FALSE(*store.tx_location(h));
    EXPECT_FALSE(*store.transaction(h));
    EXPECT_FALSE(*store.check_schema());
}

TYPED_TEST(BlockStoreTest, RoundTripsEveryTxTypeAndReceipts)
{
    const auto chain = make_chain(0, 2, Hash{});
    ASSERT_TRUE(test::put_chain(this->kv(), chain));
    this->m_factory.reopen();  // RocksDB: read back from disk (WAL / memtable replay).
    const BlockStore store{this->kv()};
    for (const auto& b : chain)
    {
        const uint64_t n = b.block.header.number;
        SCOPED_TRACE(n);
        const auto header = store.header(n, b.hash);
        ASSERT_TRUE(header);
        ASSERT_TRUE(*header);
        EXPECT_EQ(**header, b.block.header);
        EXPECT_EQ(header_hash(**header), b.hash);

        const auto block = store.block(n, b.hash);
        ASSERT_TRUE(block && *block);
        EXPECT_EQ(**block, b.block);

        const auto receipts = store.receipts(n, b.hash);
        ASSERT_TRUE(receipts && *receipts);
        EXPECT_EQ(**receipts, b.receipts);
        EXPECT_EQ(receipts_root(**receipts), b.block.header.receipts_root);

        EXPECT_EQ(**store.header_by_number(n), b.block.header);
        EXPECT_EQ(**store.header_by_hash(b.hash), b.block.header);
        EXPECT_EQ(**store.block_number(b.hash), n);

        for (uint32_t i = 0; i < b.block.transactions.size(); ++i)
        {
            const Hash tx_hash = transaction_hash(b.block.transactions[i]);
            const TxLocation expected{n, b.hash, i};
            const auto loc = store.tx_location(tx_hash);
            ASSERT_TRUE(loc && *loc) << i;
            EXPECT_EQ(**loc, expected);
            const auto txn = store.transaction(tx_hash);
            ASSERT_TRUE(txn && *txn) << i;
            EXPECT_EQ((*txn)->txn, b.block.transactions[i]);
            EXPECT_EQ((*txn)->location, expected);
        }
    }
}

TYPED_TEST(BlockStoreTest, EmptyBlockWithoutWithdrawals)
{
    StoredBlock b;
    b.block.header.number = 9;
    b.hash = header_hash(b.block.header);
    ASSERT_TRUE(test::put_chain(this->kv(), {b}));
    const BlockStore store{this->kv()};
    const auto block = store.block(9, b.hash);
    ASSERT_TRUE(block && *block);
    EXPECT_EQ(**block, b.block);
    EXPECT_FALSE((*block)->withdrawals);
    EXPECT_TRUE((*store.receipts(9, b.hash))->empty());
}

TYPED_TEST(BlockStoreTest, StoredBytesFollowTheSpec)
{
    // docs/spec/block-store.md: pins the layout so a change has to bump the schema version.
    StoredBlock b = make_block(0x0102, Hash{});
    Withdrawal w;
    w.index = 3;
    b.block.withdrawals = std::vector<Withdrawal>{w};
    b.block.ommers = {BlockHeader{}};
    b.hash = header_hash(b.block.header);
    ASSERT_TRUE(test::put_chain(this->kv(), {b}));
    const KvStore& kv = this->kv();
    const Bytes key = block_key(0x0102, b.hash);
    Bytes v;

    ASSERT_TRUE(kv.get(Column::kHeaders, key, v));
    EXPECT_EQ(v, encode_header(b.block.header));

    // Body = the block RLP without its header: [transactions, ommers, withdrawals].
    ASSERT_TRUE(kv.get(Column::kBodies, key, v));
    const Bytes full = encode_block(b.block);
    ByteView full_view{full};
    ByteView fields = *rlp::decode_list(full_view);
    fields.remove_prefix(encode_header(b.block.header).size());  // the header is the first item
    EXPECT_EQ(v, rlp::wrap_list(fields));

    // Receipts: a list of strings, each the canonical (EIP-2718) receipt encoding.
    ASSERT_TRUE(kv.get(Column::kReceipts, key, v));
    Bytes items;
    for (const auto& r : b.receipts)
        rlp::encode(items, encode_receipt(r));
    EXPECT_EQ(v, rlp::wrap_list(items));

    ASSERT_TRUE(kv.get(Column::kCanonical, key.substr(0, 8), v));
    EXPECT_EQ(v, Bytes{b.hash.view()});

    ASSERT_TRUE(kv.get(Column::kTxIndex, transaction_hash(b.block.transactions[2]).view(), v));
    EXPECT_EQ(to_hex(v),
              "0000000000000102"
              "00000002");

    ASSERT_TRUE(kv.get(Column::kMeta, Bytes{as_view("block_num/")} + Bytes{b.hash.view()}, v));
    EXPECT_EQ(to_hex(v), "0000000000000102");

    ASSERT_TRUE(kv.get(Column::kMeta, as_view("head/unsafe"), v));
    EXPECT_EQ(v, key);

    BlockStore store{this->kv()};
    WriteBatch batch;
    store.init_schema(batch);
    ASSERT_TRUE(this->kv().write(batch));
    ASSERT_TRUE(kv.get(Column::kMeta, as_view("schema_version"), v));
    EXPECT_EQ(to_hex(v), "0000000000000001");
}

TYPED_TEST(BlockStoreTest, CanonicalChainAndHeads)
{
    const auto chain = make_chain(0, 5, Hash{});
    ASSERT_TRUE(test::put_chain(this->kv(), chain));
    BlockStore store{this->kv()};
    for (uint64_t n = 0; n <= 5; ++n)
    {
        EXPECT_EQ(**store.canonical_hash(n), chain[n].hash);
        const auto h = store.header_by_number(n);
        ASSERT_TRUE(h && *h);
        if (n > 0)
        {
            EXPECT_EQ((*h)->parent_hash, chain[n - 1].hash);
        }
    }
    EXPECT_FALSE(*store.canonical_hash(6));
    EXPECT_EQ(**store.head(Head::kUnsafe), (BlockRef{5, chain[5].hash}));
    EXPECT_FALSE(*store.head(Head::kSafe));
    EXPECT_FALSE(*store.head(Head::kFinalized));

    WriteBatch batch;
    store.set_head(batch, Head::kSafe, {3, chain[3].hash});
    store.set_head(batch, Head::kFinalized, {1, chain[1].hash});
    ASSERT_TRUE(this->kv().write(batch));
    this->m_factory.reopen();
    BlockStore reopened{this->kv()};
    EXPECT_EQ(**reopened.head(Head::kUnsafe), (BlockRef{5, chain[5].hash}));
    EXPECT_EQ(**reopened.head(Head::kSafe), (BlockRef{3, chain[3].hash}));
    EXPECT_EQ(**reopened.head(Head::kFinalized), (BlockRef{1, chain[1].hash}));
}

TYPED_TEST(BlockStoreTest, SchemaVersion)
{
    BlockStore store{this->kv()};
    EXPECT_FALSE(*store.check_schema());
    WriteBatch batch;
    store.init_schema(batch);
    ASSERT_TRUE(this->kv().write(batch));
    this->m_factory.reopen();
    BlockStore reopened{this->kv()};
    ASSERT_TRUE(reopened.check_schema());
    EXPECT_TRUE(*reopened.check_schema());

    batch.clear();
    batch.put(Column::kMeta, as_view("schema_version"), from_hex("0000000000000002").value());
    ASSERT_TRUE(this->kv().write(batch));
    const auto newer = reopened.check_schema();
    ASSERT_FALSE(newer);
    EXPECT_NE(newer.error().message.find("schema version 2"), std::string::npos)
        << newer.error().message;
}

TYPED_TEST(BlockStoreTest, ReorgReplacesTheTailWithASibling)
{
    // Old chain 0..5; blocks 3.. are replaced by a sibling chain 3'..6' that also re-includes
    // one of old block 4's transactions (at another block and index).
    const auto old_chain = make_chain(0, 5, Hash{});
    ASSERT_TRUE(test::put_chain(this->kv(), old_chain));
    auto new_tail = make_chain(3, 6, old_chain[2].hash, /*salt=*/1);
    const Transaction moved = old_chain[4].block.transactions[2];
    {
        auto& b5 = new_tail[2];  // block 5'
        b5.block.transactions.push_back(moved);
        b5.receipts.push_back(make_receipt(moved, 100'000));
        b5.block.header.transactions_root = transactions_root(b5.block.transactions);
        b5.hash = header_hash(b5.block.header);
        new_tail[3].block.header.parent_hash = b5.hash;
        new_tail[3].hash = header_hash(new_tail[3].block.header);
    }

    BlockStore store{this->kv()};
    WriteBatch batch;
    ASSERT_TRUE(store.unset_canonical(batch, 3, 5));  // before the new blocks' index entries
    for (const auto& b : new_tail)
    {
        store.put_block(batch, b.block, b.hash, b.receipts);
        store.set_canonical(batch, b.block.header.number, b.hash);
    }
    store.set_head(batch, Head::kUnsafe, {6, new_tail.back().hash});
    ASSERT_TRUE(this->kv().write(batch));
    this->m_factory.reopen();
    BlockStore after{this->kv()};

    for (uint64_t n = 0; n <= 6; ++n)
    {
        const Hash expected = n < 3 ? old_chain[n].hash : new_tail[n - 3].hash;
        EXPECT_EQ(**after.canonical_hash(n), expected) << n;
        if (n > 0)
        {
            EXPECT_EQ((*after.header_by_number(n))->parent_hash, **after.canonical_hash(n - 1));
        }
    }
    EXPECT_EQ(**after.head(Head::kUnsafe), (BlockRef{6, new_tail.back().hash}));

    // Blocks below the fork keep their index; unwound blocks' transactions are gone, except the
    // one the new chain re-included; the new chain's are indexed.
    for (uint64_t n = 0; n <= 5; ++n)
    {
        const auto& b = old_chain[n];
        for (uint32_t i = 0; i < b.block.transactions.size(); ++i)
        {
            const Hash tx_hash = transaction_hash(b.block.transactions[i]);
            const auto loc = after.tx_location(tx_hash);
            ASSERT_TRUE(loc);
            const bool moved_here = b.block.transactions[i] == moved;
            if (n < 3)
            {
                EXPECT_EQ(**loc, (TxLocation{n, b.hash, i}));
            }
            else if (moved_here)
            {
                EXPECT_EQ(**loc, (TxLocation{5, new_tail[2].hash, 4}));
            }
            else
            {
                EXPECT_FALSE(*loc) << n << " " << i;
            }
            EXPECT_EQ(after.transaction(tx_hash)->has_value(), n < 3 || moved_here);
        }
        // The unwound blocks are still readable by hash.
        EXPECT_EQ(**after.header_by_hash(b.hash), b.block.header);
        EXPECT_EQ(**after.block(n, b.hash), b.block);
        EXPECT_EQ(**after.receipts(n, b.hash), b.receipts);
    }
    for (const auto& b : new_tail)
    {
        for (uint32_t i = 0; i < b.block.transactions.size(); ++i)
        {
            const auto txn = after.transaction(transaction_hash(b.block.transactions[i]));
            ASSERT_TRUE(txn && *txn);
            EXPECT_EQ((*txn)->location, (TxLocation{b.block.header.number, b.hash, i}));
        }
    }
}

TYPED_TEST(BlockStoreTest, ReorgToAShorterChain)
{
    const auto old_chain = make_chain(0, 5, Hash{});
    ASSERT_TRUE(test::put_chain(this->kv(), old_chain));
    const auto new_tail = make_chain(3, 3, old_chain[2].hash, /*salt=*/2);
    BlockStore store{this->kv()};
    WriteBatch batch;
    // An open-ended range stops at the first number without a canonical block.
    ASSERT_TRUE(store.unset_canonical(batch, 3, UINT64_MAX));
    store.put_block(batch, new_tail[0].block, new_tail[0].hash, new_tail[0].receipts);
    store.set_canonical(batch, 3, new_tail[0].hash);
    store.set_head(batch, Head::kUnsafe, {3, new_tail[0].hash});
    ASSERT_TRUE(this->kv().write(batch));
    EXPECT_EQ(**store.canonical_hash(3), new_tail[0].hash);
    EXPECT_FALSE(*store.canonical_hash(4));
    EXPECT_FALSE(*store.canonical_hash(5));
    EXPECT_FALSE(*store.header_by_number(4));
    EXPECT_FALSE(*store.tx_location(transaction_hash(old_chain[5].block.transactions[0])));
    EXPECT_TRUE(*store.header_by_hash(old_chain[5].hash));
}

TYPED_TEST(BlockStoreTest, CorruptStoredBytesAreErrorsNamingTheKey)
{
    const auto chain = make_chain(0, 1, Hash{});
    ASSERT_TRUE(test::put_chain(this->kv(), chain));
    const auto& b = chain[1];
    const Bytes key = block_key(1, b.hash);
    const Hash tx_hash = transaction_hash(b.block.transactions[1]);
    const Bytes garbage = from_hex("f9ffff01").value();  // a list claiming 64 KiB

    WriteBatch batch;
    batch.put(Column::kHeaders, key, garbage);
    batch.put(Column::kBodies, key, garbage);
    batch.put(Column::kReceipts, key, rlp::wrap_list(Bytes{0x83, 0x01, 0x02, 0x03}));
    batch.put(Column::kCanonical, key.substr(0, 8), Bytes(31, 0));
    batch.put(Column::kTxIndex, tx_hash.view(), Bytes(11, 0));
    batch.put(Column::kMeta, as_view("head/safe"), Bytes(39, 0));
    batch.put(Column::kMeta, as_view("schema_version"), Bytes(7, 0));
    batch.put(Column::kMeta, Bytes{as_view("block_num/")} + Bytes{b.hash.view()}, Bytes(9, 0));
    ASSERT_TRUE(this->kv().write(batch));

    BlockStore store{this->kv()};
    const std::string hex_key = to_hex(key);
    auto expect_error = [](const auto& r, const std::string& needle) {
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
    };
    expect_error(store.header(1, b.hash), "headers/" + hex_key);
    expect_error(store.block(1, b.hash), "bodies/" + hex_key);
    expect_error(store.receipts(1, b.hash), "receipts/" + hex_key);
    expect_error(store.canonical_hash(1), "canonical/0000000000000001");
    expect_error(store.header_by_number(1), "canonical/");
    expect_error(store.tx_location(tx_hash), "tx_index/" + to_hex(tx_hash));
    expect_error(store.transaction(tx_hash), "tx_index/");
    expect_error(store.head(Head::kSafe), "meta/" + to_hex(as_view("head/safe")));
    expect_error(store.check_schema(), "meta/");
    expect_error(store.header_by_hash(b.hash), "meta/");
    WriteBatch unwind;
    expect_error(store.unset_canonical(unwind, 0, 1), "canonical/");

    // A body whose list is well-formed but whose transaction is not.
    batch.clear();
    batch.put(Column::kCanonical, key.substr(0, 8), b.hash.view());
    Bytes bad_txs;
    rlp::encode(bad_txs, as_view("\x02garbage"));
    Bytes body_fields;
    rlp::encode_header(body_fields, {true, bad_txs.size()});
    body_fields += bad_txs;
    body_fields += Bytes{0xc0};
    batch.put(Column::kBodies, key, rlp::wrap_list(body_fields));
    batch.put(Column::kHeaders, key, encode_header(b.block.header));
    batch.put(Column::kTxIndex, keccak256(as_view("\x02garbage")).view(),
              from_hex("000000000000000100000000").value());
    ASSERT_TRUE(this->kv().write(batch));
    expect_error(store.block(1, b.hash), "bodies/" + hex_key);
    expect_error(store.transaction(keccak256(as_view("\x02garbage"))), "bodies/" + hex_key);
    // The raw item hashes still let a reorg drop the index entry of the undecodable tx.
    EXPECT_TRUE(store.unset_canonical(unwind, 1, 1));
}

}  // namespace
