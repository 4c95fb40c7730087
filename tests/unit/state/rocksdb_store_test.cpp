// RocksDbStore::write_bulk: the bulk skips the write-ahead log, yet survives a kill once the
// call returns, and the mark never lands without it.

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <state/rocksdb_store.hpp>
#include <txtypes/keccak.hpp>

namespace {

using namespace l2;
using namespace l2::state;

constexpr size_t kNodes = 30'000;  // ~4 MB: far more than the log would hold otherwise
const Bytes kMarkKey = {'m', 'a', 'r', 'k'};

Hash node_key(size_t i)
{
    const uint64_t n = i;
    return keccak256(ByteView{reinterpret_cast<const uint8_t*>(&n), sizeof n});
}

Bytes node_value(size_t i)
{
    return Bytes(100 + i % 50, static_cast<uint8_t>(i));
}

WriteBatch bulk_nodes()
{
    WriteBatch b;
    for (size_t i = 0; i < kNodes; ++i)
        b.put(Column::kTrieNodes, node_key(i), node_value(i));
    return b;
}

WriteBatch mark()
{
    WriteBatch m;
    m.put(Column::kMeta, kMarkKey, Bytes{1});
    return m;
}

/// Bytes in the write-ahead log files.
uint64_t log_bytes(const std::filesystem::path& dir)
{
    uint64_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".log")
            n += e.file_size();
    return n;
}

/// A fresh directory per test. The death test's child re-runs the test body in a new
/// process: it finds the parent's directory through the environment.
struct ScratchDir
{
    std::filesystem::path path;
    ScratchDir()
    {
        const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        const std::string var = "L2_TEST_DIR_" + name;
        if (const char* inherited = std::getenv(var.c_str()))
        {
            path = inherited;
            return;
        }
        path = std::filesystem::temp_directory_path() /
               ("l2node-bulk-" + std::to_string(getpid()) + "-" + name);
        std::filesystem::remove_all(path);
        ::setenv(var.c_str(), path.c_str(), 1);
    }
    ~ScratchDir() { std::filesystem::remove_all(path); }
};

TEST(RocksDbStoreBulk, SkipsTheLog)
{
    ScratchDir dir;
    auto kv = RocksDbStore::open(dir.path.string());
    ASSERT_TRUE(kv) << kv.error().message;
    ASSERT_TRUE((*kv)->write_bulk(bulk_nodes(), mark()));
    // The log holds the mark, not the ~4 MB of nodes (a logged write of them would).
    EXPECT_LT(log_bytes(dir.path), 256u << 10);
    ASSERT_TRUE((*kv)->write(bulk_nodes()));
    EXPECT_GT(log_bytes(dir.path), 3u << 20);
}

TEST(RocksDbStoreBulk, SurvivesAKillOnceItReturns)
{
    ScratchDir dir;
    // The child writes and dies without closing the database (as a kill -9 would: no
    // memtable flush at close): unlogged writes survive only if write_bulk made them durable.
    // A put of the same key earlier in the bulk loses to the later one.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            auto kv = RocksDbStore::open(dir.path.string());
            WriteBatch bulk;
            bulk.put(Column::kTrieNodes, node_key(0), Bytes{0xee});
            bulk.append(bulk_nodes());
            if (!kv || !(*kv)->write_bulk(std::move(bulk), mark()))
                _exit(1);
            (void)kv->release();  // never closed
            _exit(0);
        },
        ::testing::ExitedWithCode(0), "");

    auto kv = RocksDbStore::open(dir.path.string());
    ASSERT_TRUE(kv) << kv.error().message;
    Bytes out;
    ASSERT_TRUE((*kv)->get(Column::kMeta, kMarkKey, out));
    for (size_t i = 0; i < kNodes; ++i)
    {
        ASSERT_TRUE((*kv)->get(Column::kTrieNodes, node_key(i), out)) << "node " << i;
        ASSERT_EQ(out, node_value(i)) << "node " << i;
    }
}

}  // namespace
