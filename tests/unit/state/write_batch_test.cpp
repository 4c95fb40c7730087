// WriteBatch keeps its keys and values in chunks it owns: views stay valid across growth,
// moves and append; copies are deep; a moved-from or cleared batch is empty and reusable.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>
#include <random>

#include <state/kv_store.hpp>
#include <state/memory_store.hpp>
#include <state/write_order.hpp>

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

TEST(WriteBatchTest, ValuesBuiltInPlaceSurviveMovesAndAppend)
{
    // A producer takes room first, fills it later (the trie Applier fills its hash holes after
    // encoding), and puts it in place; the room must stay put across growth, moves and append.
    WriteBatch a;
    std::vector<uint8_t*> rooms;
    std::vector<Bytes> values;
    for (size_t i = 0; i < 3000; ++i)
    {
        const size_t n = i % 500 == 0 ? (1u << 20) + 5 : 1 + i % 300;
        rooms.push_back(a.value_space(n));
        values.push_back(bytes_of(n, static_cast<uint8_t>(i)));
    }
    // No ops yet, but the batch owns storage: appending into it must not drop that storage.
    WriteBatch first;
    first.put(Column::kMeta, bytes_of(8, 1), bytes_of(8, 2));
    a.append(std::move(first));
    for (size_t i = 0; i < rooms.size(); ++i)
        std::memcpy(rooms[i], values[i].data(), values[i].size());
    std::vector<std::tuple<Column, Bytes, Bytes, bool>> want;
    want.emplace_back(Column::kMeta, bytes_of(8, 1), bytes_of(8, 2), false);
    for (size_t i = 0; i < rooms.size(); ++i)
    {
        Bytes k = bytes_of(32, 3);
        k[0] = static_cast<uint8_t>(i >> 8);  // distinct keys
        k[1] = static_cast<uint8_t>(i);
        a.put_in_place(Column::kTrieNodes, k, ByteView{rooms[i], values[i].size()});
        want.emplace_back(Column::kTrieNodes, k, values[i], false);
    }
    EXPECT_EQ(dump(a), want);
    WriteBatch b = std::move(a);
    WriteBatch c;
    c.put(Column::kCode, bytes_of(32, 77), bytes_of(100, 78));
    want.insert(want.begin(), {Column::kCode, bytes_of(32, 77), bytes_of(100, 78), false});
    c.append(std::move(b));
    EXPECT_EQ(dump(c), want);
    MemoryStore kv;
    ASSERT_TRUE(kv.write(c));
    Bytes out;
    for (const size_t i : {0u, 1u, 500u, 2999u})
    {
        ASSERT_TRUE(kv.get(Column::kTrieNodes, std::get<1>(want[i + 2]), out));
        EXPECT_EQ(out, values[i]);
    }
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

TEST(WriteOrder, MatchesAStableSortByColumnAndKey)
{
    // Keys as a block writes them and worse: random hashes, keys sharing long prefixes (slots
    // of one account), short and empty keys, keys that differ only past byte 23 or only in
    // length (zero padding must not tie them), repeated keys, several columns.
    std::mt19937_64 rng{7};
    for (const size_t n : {0u, 1u, 2u, 17u, 300u, 5000u, 40000u})
    {
        SCOPED_TRACE("n " + std::to_string(n));
        WriteBatch b;
        std::vector<Bytes> prefixes;
        for (int i = 0; i < 20; ++i)
            prefixes.push_back(bytes_of(static_cast<size_t>(rng() % 30), static_cast<uint8_t>(rng())));
        for (size_t i = 0; i < n; ++i)
        {
            const auto c = static_cast<Column>(rng() % 4);
            Bytes k;
            switch (rng() % 5)
            {
                case 0:  // a hash
                    k = bytes_of(32, static_cast<uint8_t>(rng()));
                    for (auto& x : k)
                        x = static_cast<uint8_t>(rng());
                    break;
                case 1:  // a shared prefix and a short tail
                    k = prefixes[rng() % prefixes.size()];
                    for (size_t t = rng() % 3; t > 0; --t)
                        k.push_back(static_cast<uint8_t>(rng() % 3));
                    break;
                case 2:  // a zero run: only the length or a late byte differs
                    k = Bytes(rng() % 40, 0);
                    if (!k.empty() && rng() % 2 == 0)
                        k.back() = 1;
                    break;
                case 3:  // a repeat
                    if (!b.empty())
                    {
                        const auto& op = b.ops()[rng() % b.size()];
                        b.put(op.column, op.key, Bytes{static_cast<uint8_t>(i)});
                        continue;
                    }
                    k = Bytes{1};
                    break;
                default:
                    k = Bytes(1 + rng() % 60, 0);
                    for (auto& x : k)
                        x = static_cast<uint8_t>(rng() % 2);
                    break;
            }
            if (rng() % 7 == 0)
                b.del(c, k);
            else
                b.put(c, k, Bytes{static_cast<uint8_t>(i)});
        }
        std::vector<uint32_t> want(b.size());
        std::iota(want.begin(), want.end(), 0u);
        const auto& ops = b.ops();
        std::stable_sort(want.begin(), want.end(), [&](uint32_t x, uint32_t y) {
            if (ops[x].column != ops[y].column)
                return ops[x].column < ops[y].column;
            return ByteView{ops[x].key} < ByteView{ops[y].key};
        });
        ASSERT_EQ(write_order(b), want);
    }
}

}  // namespace
