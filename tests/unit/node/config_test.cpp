// node.toml: keys load, bad values are refused naming the key, and to_toml round-trips (the
// devnet writes its nodes' configs with it).

#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <execution/chain.hpp>
#include <execution/wasm/module_cache.hpp>
#include <node/config.hpp>
#include <state/state_db.hpp>

namespace {

using namespace l2;
using namespace l2::node;

class ConfigFile : public ::testing::Test
{
protected:
    void SetUp() override
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "l2-cfg-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        m_dir = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    Result<NodeConfig, std::string> load(const std::string& text) const
    {
        std::ofstream{m_dir / "n.toml"} << text;
        return NodeConfig::load(m_dir / "n.toml");
    }
    NodeConfig round_trip(const NodeConfig& c) const { return load(c.to_toml()).value(); }

private:
    std::filesystem::path m_dir;
};

TEST_F(ConfigFile, HistoryBlocks)
{
    EXPECT_EQ(load("").value().history_blocks, 0u);
    EXPECT_EQ(load("[history]\nblocks = 1000\n").value().history_blocks, 1000u);
    EXPECT_EQ(load("[history]\nblocks = \"all\"\n").value().history_blocks, 0u);
    EXPECT_FALSE(load("[history]\nblocks = -1\n"));
    EXPECT_FALSE(load("[history]\nblocks = \"some\"\n"));
    NodeConfig c;
    c.history_blocks = 64;
    EXPECT_EQ(round_trip(c).history_blocks, 64u);
}

TEST_F(ConfigFile, RpcMaxRequestGas)
{
    EXPECT_EQ(load("").value().rpc_max_request_gas, 1'000'000'000u);
    EXPECT_EQ(load("[rpc]\nmax_request_gas = 5000000\n").value().rpc_max_request_gas, 5'000'000u);
    EXPECT_FALSE(load("[rpc]\nmax_request_gas = -1\n"));
    NodeConfig c;
    c.rpc_max_request_gas = 123'456;
    EXPECT_EQ(round_trip(c).rpc_max_request_gas, 123'456u);
}

TEST_F(ConfigFile, TrieBuffer)
{
    // The defaults are the Chain's (what the library's other users get).
    const auto d = load("").value();
    EXPECT_EQ(d.trie_buffer_blocks, execution::Chain::kNodeBufferBlocks);
    EXPECT_EQ(d.trie_buffer_mb << 20, execution::Chain::kNodeBufferBytes);

    const auto c = load("[state]\ntrie_buffer_blocks = 1\ntrie_buffer_mb = 256\n").value();
    EXPECT_EQ(c.trie_buffer_blocks, 1u);
    EXPECT_EQ(c.trie_buffer_mb, 256u);

    for (const char* bad :
         {"[state]\ntrie_buffer_blocks = 0\n", "[state]\ntrie_buffer_mb = 0\n",
          "[state]\ntrie_buffer_blocks = -3\n", "[state]\ntrie_buffer_mb = \"big\"\n"})
    {
        const auto r = load(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().find("state.trie_buffer_"), std::string::npos) << r.error();
    }

    NodeConfig rt;
    rt.trie_buffer_blocks = 8;
    rt.trie_buffer_mb = 32;
    const auto back = round_trip(rt);
    EXPECT_EQ(back.trie_buffer_blocks, 8u);
    EXPECT_EQ(back.trie_buffer_mb, 32u);
}

TEST_F(ConfigFile, TrieCache)
{
    // The default is StateDb's (what the library's other users get).
    EXPECT_EQ(load("").value().trie_cache_mb << 20, state::StateDb::kDefaultTrieCacheBytes);
    EXPECT_EQ(load("[state]\ntrie_cache_mb = 2048\n").value().trie_cache_mb, 2048u);
    for (const char* bad : {"[state]\ntrie_cache_mb = 0\n", "[state]\ntrie_cache_mb = -1\n",
                            "[state]\ntrie_cache_mb = \"1G\"\n"})
    {
        const auto r = load(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().find("state.trie_cache_mb"), std::string::npos) << r.error();
    }
    NodeConfig rt;
    rt.trie_cache_mb = 1024;
    EXPECT_EQ(round_trip(rt).trie_cache_mb, 1024u);
}

TEST_F(ConfigFile, TrieLeafCache)
{
    EXPECT_EQ(load("").value().trie_leaf_cache_mb << 20,
              state::StateDb::kDefaultTrieLeafCacheBytes);
    EXPECT_EQ(load("[state]\ntrie_leaf_cache_mb = 0\n").value().trie_leaf_cache_mb, 0u);  // off
    EXPECT_EQ(load("[state]\ntrie_leaf_cache_mb = 512\n").value().trie_leaf_cache_mb, 512u);
    for (const char* bad :
         {"[state]\ntrie_leaf_cache_mb = -1\n", "[state]\ntrie_leaf_cache_mb = \"1G\"\n"})
    {
        const auto r = load(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().find("state.trie_leaf_cache_mb"), std::string::npos) << r.error();
    }
    NodeConfig rt;
    rt.trie_leaf_cache_mb = 64;
    EXPECT_EQ(round_trip(rt).trie_leaf_cache_mb, 64u);
}

TEST_F(ConfigFile, WasmModuleCache)
{
    // No bound (0) by default, as the module cache's own default.
    EXPECT_EQ(load("").value().wasm_module_cache_mb, 0u);
    EXPECT_EQ(load("[wasm]\nmodule_cache_mb = 512\n").value().wasm_module_cache_mb, 512u);
    for (const char* bad : {"[wasm]\nmodule_cache_mb = -1\n", "[wasm]\nmodule_cache_mb = \"1G\"\n"})
    {
        const auto r = load(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().find("wasm.module_cache_mb"), std::string::npos) << r.error();
    }
    NodeConfig rt;
    rt.wasm_module_cache_mb = 64;
    EXPECT_EQ(round_trip(rt).wasm_module_cache_mb, 64u);
}

}  // namespace
