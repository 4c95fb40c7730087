// FlatCache, the read cache's table (state/state_cache.hpp): a bounded map whose two
// generations keep what was read since the last turn, and never answer with a stale value.
#include <gtest/gtest.h>

#include <cstdint>

#include <state/state_cache.hpp>

using namespace l2;
using namespace l2::state;

namespace {

using Cache = FlatCache<kEvmSlotKeySize, U256>;

/// A 53-byte slot key: engine byte, identity `id`, slot `slot`.
std::array<uint8_t, kEvmSlotKeySize> key_of(uint64_t id, uint64_t slot)
{
    std::array<uint8_t, kEvmSlotKeySize> k{};
    for (size_t b = 0; b < 8; ++b)
    {
        k[1 + b] = static_cast<uint8_t>(id >> (8 * b));
        k[13 + b] = static_cast<uint8_t>((id * 0x9e3779b97f4a7c15ULL) >> (8 * b));
        k[kEvmSlotKeySize - 1 - b] = static_cast<uint8_t>(slot >> (8 * b));
    }
    return k;
}

ByteView view(const std::array<uint8_t, kEvmSlotKeySize>& k)
{
    return {k.data(), k.size()};
}

}  // namespace

TEST(FlatCache, PutFindEraseClear)
{
    Cache cache{1u << 12};
    cache.put(view(key_of(1, 1)), U256{10});
    cache.put(view(key_of(1, 2)), U256{20});
    cache.put(view(key_of(1, 1)), U256{11});  // overwrite
    ASSERT_NE(cache.find(view(key_of(1, 1))), nullptr);
    EXPECT_EQ(*cache.find(view(key_of(1, 1))), U256{11});
    EXPECT_EQ(*cache.find(view(key_of(1, 2))), U256{20});
    EXPECT_EQ(cache.find(view(key_of(2, 1))), nullptr);
    cache.erase(view(key_of(1, 2)));
    EXPECT_EQ(cache.find(view(key_of(1, 2))), nullptr);
    EXPECT_EQ(cache.size(), 1u);
    cache.clear();
    EXPECT_EQ(cache.find(view(key_of(1, 1))), nullptr);
    EXPECT_EQ(cache.size(), 0u);
}

TEST(FlatCache, StaysWithinItsBound)
{
    constexpr size_t kBound = 1u << 12;
    Cache cache{kBound};
    for (uint64_t i = 0; i < 20 * kBound; ++i)
    {
        cache.put(view(key_of(i, i)), U256{i});
        ASSERT_LE(cache.size(), kBound) << i;
    }
    // The newest keys are there.
    for (uint64_t i = 20 * kBound - 100; i < 20 * kBound; ++i)
        ASSERT_NE(cache.find(view(key_of(i, i))), nullptr) << i;
}

TEST(FlatCache, KeysReadBetweenTurnsSurviveAStreamOfOthers)
{
    // A node's hot accounts are read every block while many other keys pass through once.
    // Dropping the whole cache when full would lose the hot set at every drop.
    constexpr size_t kBound = 1u << 12;
    constexpr uint64_t kHot = 300;
    Cache cache{kBound};
    for (uint64_t h = 0; h < kHot; ++h)
        cache.put(view(key_of(h, 0)), U256{h});
    size_t hot_misses = 0;
    for (uint64_t round = 0; round < 200; ++round)
    {
        for (uint64_t c = 0; c < 500; ++c)  // ~25 turns over the run
            cache.put(view(key_of(1'000'000 + round * 500 + c, 7)), U256{c});
        for (uint64_t h = 0; h < kHot; ++h)
        {
            const U256* v = cache.find(view(key_of(h, 0)));
            if (v == nullptr)
            {
                ++hot_misses;
                cache.put(view(key_of(h, 0)), U256{h});
            }
            else
                ASSERT_EQ(*v, U256{h});
        }
    }
    EXPECT_EQ(hot_misses, 0u);
    EXPECT_LE(cache.size(), kBound);
}

TEST(FlatCache, NeverAnswersWithAnOlderGenerationsValue)
{
    constexpr size_t kBound = 1u << 10;
    Cache cache{kBound};
    const auto k = key_of(42, 42);
    cache.put(view(k), U256{1});
    uint64_t next = 0;
    const auto fill = [&] {  // one generation's worth of other keys: a turn
        for (size_t i = 0; i < kBound; ++i, ++next)
            cache.put(view(key_of(10'000 + next, next)), U256{next});
    };
    fill();  // k = 1 is now in the old table, or gone
    cache.put(view(k), U256{2});
    for (int turn = 0; turn < 4; ++turn)
    {
        const U256* v = cache.find(view(k));
        if (v != nullptr)
        {
            EXPECT_EQ(*v, U256{2}) << "turn " << turn;
        }
        fill();
    }
    cache.put(view(k), U256{3});
    cache.erase(view(k));
    EXPECT_EQ(cache.find(view(k)), nullptr) << "erased from both generations";
}

TEST(FlatCache, AHitThatTurnsTheGenerationsReturnsALiveValue)
{
    // Moving an old entry back can fill the young table and turn the generations: the value
    // returned must be the moved copy, not a slot of the dropped table.
    constexpr size_t kBound = 1u << 10;
    Cache cache{kBound};
    for (uint64_t i = 0; i < 10 * kBound; ++i)
    {
        cache.put(view(key_of(i, 1)), U256{i});
        if (i >= 8)
        {
            const U256* v = cache.find(view(key_of(i - 8, 1)));
            if (v != nullptr)
            {
                ASSERT_EQ(*v, U256{i - 8});
            }
        }
    }
}
