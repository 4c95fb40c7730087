// The WASM module cache: bounded in bytes, least recently used out first.

#include <string>

#include <gtest/gtest.h>

#include <execution/wasm/module_cache.hpp>

#include "wasm_test_helpers.hpp"

namespace {

using namespace l2;
using namespace l2::execution::wasm;

/// A distinct module per `n` (its data segment), `pad` bytes of data.
Module module_n(int n, size_t pad = 16)
{
    const std::string wat = "(module (memory (export \"memory\") 1 1) (data (i32.const 0) \"" +
                            std::to_string(n) + std::string(pad, 'x') +
                            "\") (func (export \"call\")))";
    auto m = test::load_wat(wat);
    EXPECT_TRUE(m) << m.error().message;
    return std::move(*m);
}

TEST(WasmModuleCache, FootprintCountsTheParsedModule)
{
    const Module small = module_n(1);
    const Module large = module_n(1, 4096);
    // The code, the metered code and the parsed form's data segment: at least 3 copies.
    EXPECT_GT(small.footprint(), small.code().size() + small.metered().size());
    EXPECT_GE(large.footprint() - small.footprint(), 3u * (4096 - 16));
}

TEST(WasmModuleCache, HitsReturnTheCachedModule)
{
    ModuleCache cache;
    const Hash h = module_n(1).code_hash();
    EXPECT_EQ(cache.find(h), nullptr);
    const auto added = cache.insert(module_n(1));
    EXPECT_EQ(cache.find(h), added);
    // A second load of the same code keeps the first entry.
    EXPECT_EQ(cache.insert(module_n(1)), added);
    EXPECT_EQ(cache.entries(), 1u);
    EXPECT_EQ(cache.bytes(), added->footprint());
}

TEST(WasmModuleCache, EvictsTheLeastRecentlyUsedBeyondTheBudget)
{
    const size_t each = module_n(1).footprint();
    ASSERT_EQ(module_n(2).footprint(), each);
    ModuleCache cache{2 * each + each / 2};  // room for two
    const auto one = cache.insert(module_n(1));
    const auto two = cache.insert(module_n(2));
    EXPECT_EQ(cache.find(one->code_hash()), one);  // one is now the more recent
    const auto three = cache.insert(module_n(3));
    EXPECT_EQ(cache.entries(), 2u);
    EXPECT_LE(cache.bytes(), 2 * each + each / 2);
    EXPECT_EQ(cache.find(two->code_hash()), nullptr) << "the least recently used goes";
    EXPECT_NE(cache.find(one->code_hash()), nullptr);
    EXPECT_NE(cache.find(three->code_hash()), nullptr);
    // A module in use outlives its eviction.
    EXPECT_EQ(two->code().size(), module_n(2).code().size());
}

TEST(WasmModuleCache, StaysWithinItsBudgetUnderManyModules)
{
    const size_t each = module_n(1000).footprint();  // the others are no larger
    ModuleCache cache{12 * each};
    for (int n = 0; n < 200; ++n)
    {
        cache.insert(module_n(n % 10 == 0 ? 0 : 1000 + n));
        ASSERT_LE(cache.bytes(), 12 * each);
    }
    EXPECT_GE(cache.entries(), 11u);
    // Module 0, used every tenth insert, was never the least recently used.
    EXPECT_NE(cache.find(module_n(0).code_hash()), nullptr);
}

TEST(WasmModuleCache, TooLargeIsReturnedNotKeptAndBudgetCanShrink)
{
    const Module probe = module_n(1);
    ModuleCache cache{probe.footprint() - 1};
    const auto m = cache.insert(module_n(1));
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(cache.entries(), 0u);
    EXPECT_EQ(cache.bytes(), 0u);

    cache.set_budget(ModuleCache::kUnbounded);
    cache.insert(module_n(1));
    cache.insert(module_n(2));
    EXPECT_EQ(cache.entries(), 2u);
    cache.set_budget(0);
    EXPECT_EQ(cache.entries(), 0u);
    EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
