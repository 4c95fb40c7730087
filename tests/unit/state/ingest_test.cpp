// KvStore::ingest, the bulk load a trie checkpoint's nodes take (docs/spec/state.md,
// "Checkpoint ingestion"): on RocksDB a table file built beside the database and ingested,
// bypassing the log and the memtables; on the memory store a write. Both must read the same.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <state/memory_store.hpp>
#include <state/rocksdb_store.hpp>

#include "temp_dir.hpp"

using namespace l2;
using namespace l2::state;
using test::TempDir;

namespace {

Bytes key_of(uint32_t i)
{
    // Hash-like keys: spread over the key space, as trie node keys are.
    Bytes k(32, 0);
    for (size_t b = 0; b < k.size(); ++b)
        k[b] = static_cast<uint8_t>((i * 2654435761u) >> ((b % 4) * 8)) ^ static_cast<uint8_t>(b);
    k[28] = static_cast<uint8_t>(i >> 24);
    k[29] = static_cast<uint8_t>(i >> 16);
    k[30] = static_cast<uint8_t>(i >> 8);
    k[31] = static_cast<uint8_t>(i);
    return k;
}

Bytes value_of(uint32_t i, uint8_t version)
{
    return Bytes{version, static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8), 0x55};
}

Bytes get(const KvStore& kv, Column c, const Bytes& key)
{
    Bytes v;
    return kv.get(c, key, v) ? v : Bytes{};
}

}  // namespace

TEST(Ingest, ReadsAsAWriteOnBothStoresLastPutWinning)
{
    TempDir dir{"l2-ingest-reads"};
    MemoryStore memory;
    auto rocks = RocksDbStore::open(dir.path.string());
    ASSERT_TRUE(rocks) << rocks.error().message;
    for (KvStore* kv : {static_cast<KvStore*>(&memory), static_cast<KvStore*>(rocks->get())})
    {
        // What was there before: a put the ingest overwrites, a delete it undoes, a key it
        // leaves alone.
        WriteBatch before;
        before.put(Column::kTrieNodes, key_of(1), value_of(1, 1));
        before.put(Column::kTrieNodes, key_of(2), value_of(2, 1));
        before.put(Column::kTrieNodes, key_of(3), value_of(3, 1));
        ASSERT_TRUE(kv->write(before));
        WriteBatch del;
        del.del(Column::kTrieNodes, key_of(2));
        ASSERT_TRUE(kv->write(del));

        WriteBatch bulk;  // unsorted, a repeated key, two columns
        for (uint32_t i = 1000; i > 0; --i)
            if (i != 3)
                bulk.put(Column::kTrieNodes, key_of(i), value_of(i, 2));
        bulk.put(Column::kTrieNodes, key_of(7), value_of(7, 3));
        bulk.put(Column::kHeaders, Bytes{1, 2}, Bytes{9});
        ASSERT_TRUE(kv->ingest(bulk));

        EXPECT_EQ(get(*kv, Column::kTrieNodes, key_of(1)), value_of(1, 2));
        EXPECT_EQ(get(*kv, Column::kTrieNodes, key_of(2)), value_of(2, 2)) << "after a delete";
        EXPECT_EQ(get(*kv, Column::kTrieNodes, key_of(3)), value_of(3, 1)) << "untouched";
        EXPECT_EQ(get(*kv, Column::kTrieNodes, key_of(7)), value_of(7, 3)) << "last put wins";
        EXPECT_EQ(get(*kv, Column::kTrieNodes, key_of(500)), value_of(500, 2));
        EXPECT_EQ(get(*kv, Column::kHeaders, Bytes{1, 2}), Bytes{9});

        // Later writes go over the ingested values.
        WriteBatch after;
        after.put(Column::kTrieNodes, key_of(1), value_of(1, 4));
        after.del(Column::kTrieNodes, key_of(500));
        ASSERT_TRUE(kv->write(after));
        EXPECT_EQ(get(*kv, Column::kTrieNodes, key_of(1)), value_of(1, 4));
        Bytes v;
        EXPECT_FALSE(kv->get(Column::kTrieNodes, key_of(500), v));

        // In key order for a scan, as any write.
        size_t seen = 0;
        Bytes last;
        scan_prefix(*kv, Column::kTrieNodes, {}, [&](ByteView k, ByteView) {
            EXPECT_LT(last, Bytes{k});
            last = Bytes{k};
            ++seen;
            return true;
        });
        EXPECT_EQ(seen, 999u);
    }
}

TEST(Ingest, RefusesDeletesAndAddsWritingNothing)
{
    TempDir dir{"l2-ingest-refuses"};
    auto rocks = RocksDbStore::open(dir.path.string());
    ASSERT_TRUE(rocks) << rocks.error().message;
    WriteBatch bulk;
    bulk.put(Column::kTrieNodes, key_of(1), value_of(1, 1));
    bulk.del(Column::kTrieNodes, key_of(2));
    const auto r = (*rocks)->ingest(bulk);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("puts only"), std::string::npos) << r.error().message;
    Bytes v;
    EXPECT_FALSE((*rocks)->get(Column::kTrieNodes, key_of(1), v));
    // Nothing left behind in the build directory.
    EXPECT_TRUE(std::filesystem::is_empty(dir.path / "ingest"));
    EXPECT_TRUE((*rocks)->ingest(WriteBatch{})) << "an empty batch is a no-op";
}

TEST(Ingest, SurvivesAReopenAndLeftoversAreCleared)
{
    TempDir dir{"l2-ingest-reopen"};
    {
        auto rocks = RocksDbStore::open(dir.path.string());
        ASSERT_TRUE(rocks) << rocks.error().message;
        WriteBatch bulk;
        for (uint32_t i = 0; i < 5000; ++i)
            bulk.put(Column::kTrieNodes, key_of(i), value_of(i, 1));
        ASSERT_TRUE((*rocks)->ingest(bulk));
    }
    // A kill while building a file leaves it behind: never ingested, never acknowledged.
    std::ofstream{dir.path / "ingest" / "99.sst"} << "half a table file";
    auto rocks = RocksDbStore::open(dir.path.string());
    ASSERT_TRUE(rocks) << rocks.error().message;
    EXPECT_TRUE(std::filesystem::is_empty(dir.path / "ingest"));
    for (uint32_t i = 0; i < 5000; i += 97)
        EXPECT_EQ(get(**rocks, Column::kTrieNodes, key_of(i)), value_of(i, 1)) << i;
}
