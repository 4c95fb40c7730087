#include "config.hpp"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace l2::node {

Result<NodeConfig, std::string> NodeConfig::load(const std::filesystem::path& path)
{
    // Debian's toml++ is built with exceptions: a parse error throws (node startup only).
    toml::table t;
    try
    {
        t = toml::parse_file(path.string());
    }
    catch (const toml::parse_error& e)
    {
        std::ostringstream os;
        os << path.string() << ": " << e.description() << " (line " << e.source().begin.line
           << ")";
        return unexpected(os.str());
    }
    const std::filesystem::path base = path.parent_path();
    auto rel = [&](const std::string& p) {
        const std::filesystem::path v{p};
        return v.is_absolute() ? v : base / v;
    };
    NodeConfig c;
    std::string err;
    auto str = [&](toml::node_view<toml::node> n, const char* key, std::string& out) {
        if (!n)
            return;
        if (auto v = n.value<std::string>())
            out = *v;
        else if (err.empty())
            err = std::string{key} + ": expected a string";
    };
    auto num = [&](toml::node_view<toml::node> n, const char* key, uint64_t max,
                   auto& out) {
        if (!n)
            return;
        auto v = n.value<int64_t>();
        if (!v || *v < 0 || static_cast<uint64_t>(*v) > max)
        {
            if (err.empty())
                err = std::string{key} + ": expected an integer in [0, " + std::to_string(max) +
                      "]";
            return;
        }
        out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
    };

    std::string s;
    if (t["datadir"])
    {
        str(t["datadir"], "datadir", s);
        c.datadir = rel(s);
    }
    if (t["chain"])
    {
        str(t["chain"], "chain", s);
        c.chain_file = rel(s);
    }
    if (t["rollup"])
    {
        str(t["rollup"], "rollup", s);
        c.rollup_file = rel(s);
    }
    str(t["l1_rpc"], "l1_rpc", c.l1_rpc);
    str(t["rpc"]["host"], "rpc.host", c.rpc_host);
    num(t["rpc"]["port"], "rpc.port", 65535, c.rpc_port);
    num(t["rpc"]["max_body_bytes"], "rpc.max_body_bytes", uint64_t{1} << 31, c.rpc_max_body_bytes);
    num(t["rpc"]["max_batch"], "rpc.max_batch", 1'000'000, c.rpc_max_batch);
    num(t["rpc"]["max_request_gas"], "rpc.max_request_gas", uint64_t{1} << 62,
        c.rpc_max_request_gas);
    num(t["rpc"]["threads"], "rpc.threads", 256, c.rpc_threads);
    num(t["admin"]["port"], "admin.port", 65535, c.admin_port);
    if (t["admin"]["jwt_secret"])
    {
        str(t["admin"]["jwt_secret"], "admin.jwt_secret", s);
        c.jwt_secret_file = rel(s);
    }
    if (auto n = t["sequencer"]["enabled"])
    {
        if (auto v = n.value<bool>())
            c.sequencer_enabled = *v;
        else if (err.empty())
            err = "sequencer.enabled: expected true or false";
    }
    if (t["batcher"]["private_key_file"])
    {
        str(t["batcher"]["private_key_file"], "batcher.private_key_file", s);
        c.batcher_key_file = s.empty() ? std::filesystem::path{} : rel(s);
    }
    num(t["batcher"]["max_delay"], "batcher.max_delay", 86'400, c.batcher_max_delay);
    num(t["batcher"]["max_frame_size"], "batcher.max_frame_size", 1'000'000,
        c.batcher_max_frame_size);
    str(t["follower"]["sequencer_rpc"], "follower.sequencer_rpc", c.sequencer_rpc);
    str(t["l1sload"]["rpc"], "l1sload.rpc", c.l1sload_rpc);
    num(t["l1sload"]["timeout_ms"], "l1sload.timeout_ms", 600'000, c.l1sload_timeout_ms);
    num(t["l1sload"]["cache_entries"], "l1sload.cache_entries", uint64_t{1} << 32,
        c.l1sload_cache_entries);
    str(t["log"]["level"], "log.level", c.log_level);
    if (auto n = t["history"]["blocks"])
    {
        // A block count, or "all" (keep everything).
        if (auto v = n.value<int64_t>(); v && *v >= 0)
            c.history_blocks = static_cast<uint64_t>(*v);
        else if (auto a = n.value<std::string>(); a && *a == "all")
            c.history_blocks = 0;
        else if (err.empty())
            err = "history.blocks: expected a block count or \"all\"";
    }
    num(t["state"]["trie_buffer_blocks"], "state.trie_buffer_blocks", 1'000'000,
        c.trie_buffer_blocks);
    num(t["state"]["trie_buffer_mb"], "state.trie_buffer_mb", 1u << 20, c.trie_buffer_mb);
    num(t["state"]["trie_cache_mb"], "state.trie_cache_mb", 1u << 20, c.trie_cache_mb);
    num(t["state"]["trie_leaf_cache_mb"], "state.trie_leaf_cache_mb", 1u << 20,
        c.trie_leaf_cache_mb);
    num(t["wasm"]["module_cache_mb"], "wasm.module_cache_mb", 1u << 20, c.wasm_module_cache_mb);
    if (err.empty() && (c.trie_buffer_blocks == 0 || c.trie_buffer_mb == 0))
        err = c.trie_buffer_blocks == 0 ? "state.trie_buffer_blocks: expected at least 1"
                                        : "state.trie_buffer_mb: expected at least 1";
    if (err.empty() && c.trie_cache_mb == 0)
        err = "state.trie_cache_mb: expected at least 1";
    if (!err.empty())
        return unexpected(path.string() + ": " + err);
    return c;
}

std::string NodeConfig::to_toml() const
{
    toml::table t{
        {"datadir", datadir.string()},
        {"chain", chain_file.string()},
        {"rollup", rollup_file.string()},
        {"l1_rpc", l1_rpc},
        {"rpc", toml::table{{"host", rpc_host},
                            {"port", int64_t{rpc_port}},
                            {"max_body_bytes", static_cast<int64_t>(rpc_max_body_bytes)},
                            {"max_batch", static_cast<int64_t>(rpc_max_batch)},
                            {"max_request_gas", static_cast<int64_t>(rpc_max_request_gas)},
                            {"threads", int64_t{rpc_threads}}}},
        {"admin",
         toml::table{{"port", int64_t{admin_port}}, {"jwt_secret", jwt_secret_file.string()}}},
        {"sequencer", toml::table{{"enabled", sequencer_enabled}}},
        {"batcher", toml::table{{"private_key_file", batcher_key_file.string()},
                                {"max_delay", static_cast<int64_t>(batcher_max_delay)},
                                {"max_frame_size", static_cast<int64_t>(batcher_max_frame_size)}}},
        {"follower", toml::table{{"sequencer_rpc", sequencer_rpc}}},
        {"l1sload", toml::table{{"rpc", l1sload_rpc},
                                {"timeout_ms", static_cast<int64_t>(l1sload_timeout_ms)},
                                {"cache_entries", static_cast<int64_t>(l1sload_cache_entries)}}},
        {"log", toml::table{{"level", log_level}}},
        {"history", toml::table{{"blocks", static_cast<int64_t>(history_blocks)}}},
        {"state", toml::table{{"trie_buffer_blocks", static_cast<int64_t>(trie_buffer_blocks)},
                              {"trie_buffer_mb", static_cast<int64_t>(trie_buffer_mb)},
                              {"trie_cache_mb", static_cast<int64_t>(trie_cache_mb)},
                              {"trie_leaf_cache_mb", static_cast<int64_t>(trie_leaf_cache_mb)}}},
        {"wasm", toml::table{{"module_cache_mb", static_cast<int64_t>(wasm_module_cache_mb)}}},
    };
    std::ostringstream os;
    os << t << "\n";
    return os.str();
}

}  // namespace l2::node
