// WriteBatch keeps its keys and values in chunks it owns: views stay valid across growth,
// moves and append; copies are deep; a moved-from or cleared batch is empty and reusable.
#include <gtest/gtest.h>

#include <map>

#include <state/kv_store.hpp>
#include <state/memory_store.hpp>

using namespace l2;
using namespace l2::state;

namespace {

Bytes bytes_of(size_t n, uint8_t seed)
{
    Bytes b(n, 0);
    for (size_t i = 0; i < n; ++i)
        b[i] = static_cast<uint8_t>(seed + i * 31);
    return b;
}

/// The batch's ops as (column, key) -> value ("" for deletes), in order of appearance.
std::vector<std::tuple<Column, Bytes, Bytes, bool>> dump(const WriteBatch& b)
{
    std::vector<std::tuple<Column, Bytes, Bytes, bool>> out;
    for (const auto& op : b.ops())
        out.emplace_back(op.column, Bytes{op.key}, Bytes{op.value}, op.is_delete);
    return out;
}

TEST(WriteBatchTest, ViewsSurviveGrowthMovesAndAppend)
{
    WriteBatch a;
    std::vector<std::tuple<Column, Bytes, Bytes, bool>> want;
    // Many small writes and a few larger than a chunk, so several chunks are in play.
    for (size_t i = 0; i < 5000; ++i)
    {
        const Bytes k = bytes_of(32, static_cast<uint8_t>(i));
        const Bytes v = bytes_of(i % 997 == 0 ? (2u << 20) : i % 600, static_cast<uint8_t>(i + 1));
        if (i % 7 == 0)
        {
            a.del(Column::kState, k);
            want.emplace_back(Column::kState, k, Bytes{}, true);
        }
        else
        {
            a.put(Column::kTrieNodes, k, v);
            want.emplace_back(Column::kTrieNodes, k, v, false);
        }
    }
    EXPECT_EQ(dump(a), want);

    WriteBatch b = std::move(a);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is specified empty
    EXPECT_EQ(a.approximate_bytes(), 0u);
    EXPECT_EQ(dump(b), want);

    // The moved-from batch is reusable and does not write into b's storage.
    a.put(Column::kMeta, bytes_of(40, 9), bytes_of(3000, 10));
    EXPECT_EQ(dump(b), want);

    WriteBatch c;
    c.put(Column::kCode, bytes_of(32, 77), bytes_of(100, 78));
    want.insert(want.begin(), {Column::kCode, bytes_of(32, 77), bytes_of(100, 78), false});
    c.append(std::move(b));
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
    // c keeps filling its own chunk after the append.
    c.put(Column::kCode, bytes_of(33, 5), bytes_of(50, 6));
    want.emplace_back(Column::kCode, bytes_of(33, 5), bytes_of(50, 6), false);
    EXPECT_EQ(dump(c), want);

    const WriteBatch copy = c;
    c.clear();
    EXPECT_TRUE(c.empty());
    EXPECT_EQ(dump(copy), want);

    // Appending to an empty batch takes the other's storage whole.
    WriteBatch d;
    WriteBatch e = copy;
    d.append(std::move(e));
    EXPECT_EQ(dump(d), want);
}

TEST(WriteBatchTest, AppliesToAStoreInOrder)
{
    MemoryStore kv;
    WriteBatch b;
    const Bytes k = bytes_of(32, 1);
    b.put(Column::kState, k, bytes_of(10, 2));
    b.del(Column::kState, k);
    b.put(Column::kState, k, bytes_of(12, 3));   // the last write of a key wins
    b.put(Column::kState, bytes_of(21, 4), {});  // an empty value is a value
    ASSERT_TRUE(kv.write(b));
    Bytes out;
    ASSERT_TRUE(kv.get(Column::kState, k, out));
    EXPECT_EQ(out, bytes_of(12, 3));
    ASSERT_TRUE(kv.get(Column::kState, bytes_of(21, 4), out));
    EXPECT_TRUE(out.empty());
}

}  // namespace
