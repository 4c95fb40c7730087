#pragma once
/// The node's configuration: a TOML file (docs/config.md) plus command-line overrides. Paths in
/// the file are relative to the file's directory.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <txtypes/result.hpp>

namespace l2::node {

struct NodeConfig
{
    std::filesystem::path datadir = "l2node-data";
    std::filesystem::path chain_file;   ///< chain.json (ChainSpec)
    std::filesystem::path rollup_file;  ///< rollup.json (RollupConfig)
    std::string l1_rpc = "http://127.0.0.1:8545";

    std::string rpc_host = "127.0.0.1";
    uint16_t rpc_port = 9545;
    size_t rpc_max_body_bytes = 16u << 20;
    size_t rpc_max_batch = 5000;
    uint64_t rpc_max_request_gas = 1'000'000'000;  ///< eth_call/estimateGas gas per request
    unsigned rpc_threads = 2;

    uint16_t admin_port = 9546;
    std::filesystem::path jwt_secret_file;  ///< created when missing

    /// `l2node sequencer` or `l2node follower` (set by the subcommand, not the file).
    enum class Role
    {
        kSequencer,
        kFollower,
    };
    Role role = Role::kSequencer;

    bool sequencer_enabled = true;  ///< sequencer: start producing blocks at startup

    /// Sequencer: the batcher posts the chain to L1 from this key (a file holding the 0x-hex
    /// private key of rollup.json's `batcher`). Empty = no batcher (the chain is not posted).
    std::filesystem::path batcher_key_file;
    uint64_t batcher_max_delay = 2;           ///< seconds: post at most this long after a block
    size_t batcher_max_frame_size = 120'000;  ///< wire bytes per batcher tx

    /// Follower: where eth_sendRawTransaction is forwarded (the sequencer's L2 RPC); empty =
    /// refused with a clear error.
    std::string sequencer_rpc;

    /// L1SLOAD (docs/spec/l1sload.md): the L1 endpoint its reads go to (empty = l1_rpc), the
    /// timeout of one read (a batch of eth_getStorageAt), and the in-memory cache bound.
    std::string l1sload_rpc;
    uint64_t l1sload_timeout_ms = 2000;
    size_t l1sload_cache_entries = size_t{1} << 20;

    std::string log_level = "info";

    /// `history.blocks`: bodies, receipts and tx index are kept for this many blocks below the
    /// head (and never pruned above the finalized head); 0 (= "all") keeps everything.
    uint64_t history_blocks = 0;

    /// `state.trie_buffer_blocks` / `state.trie_buffer_mb`: the blocks' trie nodes stay in
    /// memory and are written at a checkpoint every this many blocks, or sooner once they take
    /// this many MiB (docs/spec/state.md, "Trie node buffer and checkpoints"; the defaults are
    /// execution::Chain's). Memory: up to about twice the MiB. 1 block writes every block's.
    uint64_t trie_buffer_blocks = 64;
    uint64_t trie_buffer_mb = 64;
    /// `state.trie_cache_mb`: the budget of the cache of trie branch and extension nodes that
    /// every block's root update reads (StateDb's TrieNodeCache; the default is StateDb's). It
    /// fills only as far as the state needs.
    uint64_t trie_cache_mb = 1024;
    /// `state.trie_leaf_cache_mb`: the budget of the cache of storage-trie leaves (StateDb's
    /// leaf cache): a new slot that lands on a leaf written earlier splits it without reading
    /// it from disk. 0 turns it off.
    uint64_t trie_leaf_cache_mb = 256;

    /// `wasm.module_cache_mb`: the budget of the process's cache of loaded WASM modules
    /// (execution/wasm/module_cache.hpp; least recently used out first); 0 = no bound, the
    /// default. Results never depend on it.
    uint64_t wasm_module_cache_mb = 0;

    /// Loads `path`; missing keys keep their defaults. Errors name the key and the file.
    static Result<NodeConfig, std::string> load(const std::filesystem::path& path);
    std::string to_toml() const;
};

}  // namespace l2::node
