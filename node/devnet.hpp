#pragma once
/// `l2node devnet`: a whole local chain in one command (DESIGN.md "Interfaces people expect"):
/// anvil as L1 on a free loopback port, the L1 contracts deployed, chain.json / rollup.json /
/// the node configs written into the data dir, a sequencer (with its batcher) and a follower
/// started as child processes (restarted if they die), and DIR/devnet.json describing all of
/// it. Ctrl-C stops everything.

#include <atomic>
#include <filesystem>
#include <string>

namespace l2::node {

struct DevnetOptions
{
    std::filesystem::path datadir = "devnet-data";
    std::filesystem::path self;   ///< this l2node executable (to start the sequencer)
    std::filesystem::path anvil;  ///< empty = search (L2NODE_ANVIL, node_modules, PATH)
    uint16_t l1_port = 0;         ///< 0 = a free port
    uint16_t l2_port = 0;
    uint16_t admin_port = 0;
    uint64_t l1_block_time = 1;
    uint64_t l2_block_time = 1;
    uint64_t chain_id = 901;
    uint64_t proof_fee_per_gas = 0;
    uint64_t l2_gas_limit = 30'000'000;  ///< every L2 block's gas limit
    uint16_t follower_port = 0;          ///< the follower's L2 RPC (0 = a free port)
    bool follower = true;                ///< start a follower beside the sequencer
    uint64_t seq_window_size = 200;      ///< L1 blocks (rollup.json); small for downtime tests
    uint64_t history_blocks = 0;         ///< both nodes' `history.blocks` (0 = keep all)
    /// Both nodes' `l1sload.rpc` (empty = anvil itself): e.g. a proxy for L1-outage rehearsals.
    std::string l1sload_rpc;
};

/// Runs until `stop` becomes true; returns the process exit code.
int run_devnet(const DevnetOptions& opts, const std::atomic<bool>& stop);

/// anvil's well-known development keys (mnemonic "test test ... junk"), funded on L1 by anvil
/// and on L2 by the devnet genesis.
inline constexpr const char* kDevKeys[] = {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
};

}  // namespace l2::node
