// node.toml keys of the state: the trie node buffer's bounds.

#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <execution/chain.hpp>
#include <node/config.hpp>

namespace {

using namespace l2;
using namespace l2::node;

TEST(TrieBufferConfig, TomlKeys)
{
    std::string tmpl = (std::filesystem::temp_directory_path() / "l2-tbcfg-XXXXXX").string();
    const std::filesystem::path dir = ::mkdtemp(tmpl.data());
    auto load = [&](const std::string& text) {
        std::ofstream{dir / "n.toml"} << text;
        return NodeConfig::load(dir / "n.toml");
    };
    // The defaults are the Chain's (what the library's other users get).
    const auto d = load("").value();
    EXPECT_EQ(d.trie_buffer_blocks, execution::Chain::kNodeBufferBlocks);
    EXPECT_EQ(d.trie_buffer_mb << 20, execution::Chain::kNodeBufferBytes);

    const auto c = load("[state]\ntrie_buffer_blocks = 1\ntrie_buffer_mb = 256\n").value();
    EXPECT_EQ(c.trie_buffer_blocks, 1u);
    EXPECT_EQ(c.trie_buffer_mb, 256u);

    for (const char* bad : {"[state]\ntrie_buffer_blocks = 0\n", "[state]\ntrie_buffer_mb = 0\n",
                            "[state]\ntrie_buffer_blocks = -3\n",
                            "[state]\ntrie_buffer_mb = \"big\"\n"})
    {
        const auto r = load(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().find("state.trie_buffer_"), std::string::npos) << r.error();
    }

    // Round trip through to_toml (the devnet writes its nodes' configs with it).
    NodeConfig rt;
    rt.trie_buffer_blocks = 8;
    rt.trie_buffer_mb = 32;
    std::ofstream{dir / "rt.toml"} << rt.to_toml();
    const auto back = NodeConfig::load(dir / "rt.toml").value();
    EXPECT_EQ(back.trie_buffer_blocks, 8u);
    EXPECT_EQ(back.trie_buffer_mb, 32u);
    std::filesystem::remove_all(dir);
}

}  // namespace
