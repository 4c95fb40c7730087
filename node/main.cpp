// l2node: one binary for the sequencer, the follower and the devnet (DESIGN.md).
#include <CLI/CLI.hpp>

#include <dlfcn.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include <node/cli_commands.hpp>
#include <node/config.hpp>
#include <node/devnet.hpp>
#include <node/history_pruner.hpp>
#include <node/rollup_node.hpp>

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int)
{
    g_stop = true;
}

void install_signal_handlers()
{
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

void set_log_level(const std::string& level)
{
    spdlog::set_level(spdlog::level::from_str(level));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
}

struct NodeFlags
{
    std::string config_path, datadir, l1_rpc, sequencer_rpc, history_blocks;
    int rpc_port = -1, admin_port = -1;
};

int run_node(l2::node::NodeConfig::Role role, const NodeFlags& flags)
{
    const std::string& config_path = flags.config_path;
    l2::node::NodeConfig cfg;
    if (!config_path.empty())
    {
        auto loaded = l2::node::NodeConfig::load(config_path);
        if (!loaded)
        {
            std::fprintf(stderr, "error: %s\n", loaded.error().c_str());
            return 2;
        }
        cfg = *loaded;
    }
    cfg.role = role;
    if (!flags.datadir.empty())
        cfg.datadir = flags.datadir;
    if (!flags.l1_rpc.empty())
        cfg.l1_rpc = flags.l1_rpc;
    if (!flags.sequencer_rpc.empty())
        cfg.sequencer_rpc = flags.sequencer_rpc;
    if (flags.rpc_port >= 0)
        cfg.rpc_port = static_cast<uint16_t>(flags.rpc_port);
    if (flags.admin_port >= 0)
        cfg.admin_port = static_cast<uint16_t>(flags.admin_port);
    if (!flags.history_blocks.empty())
    {
        auto n = l2::node::parse_history_blocks(flags.history_blocks);
        if (!n)
        {
            std::fprintf(stderr, "error: --%s\n", n.error().c_str());
            return 2;
        }
        cfg.history_blocks = *n;
    }
    if (cfg.chain_file.empty() || cfg.rollup_file.empty())
    {
        std::fprintf(stderr, "error: the config must name `chain` and `rollup` files\n");
        return 2;
    }
    set_log_level(cfg.log_level);
    auto node = l2::node::RollupNode::create(cfg);
    if (!node)
    {
        std::fprintf(stderr, "error: %s\n", node.error().c_str());
        return 1;
    }
    if (auto r = (*node)->start(); !r)
    {
        std::fprintf(stderr, "error: %s\n", r.error().c_str());
        return 1;
    }
    while (!g_stop)
        std::this_thread::sleep_for(std::chrono::milliseconds{100});
    spdlog::info("stopping");
    (*node)->stop();
    return 0;
}

/// The allocator serving this process: tcmalloc when linked in (L2_MALLOC, the default) or
/// preloaded, else the system's. tcmalloc exports its entry points under its own names too.
const char* malloc_in_use()
{
    return dlsym(RTLD_DEFAULT, "tc_malloc") != nullptr ? "tcmalloc" : "system";
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"l2node: an L2 rollup node (sequencer, follower, devnet)"};
    app.set_version_flag("--version", std::string{"l2node "} + L2NODE_VERSION +
                                          " (malloc: " + malloc_in_use() + ")");
    app.require_subcommand(1);
    install_signal_handlers();
    int rc = 0;

    // ---- devnet ----
    l2::node::DevnetOptions dev;
    std::string dev_dir = "devnet-data";
    std::string log_level = "info";
    auto* devnet = app.add_subcommand(
        "devnet", "run a local L1 (anvil), the L1 contracts, a sequencer and a follower; writes DIR/devnet.json");
    devnet->add_option("--datadir", dev_dir, "data directory (replaced if it holds a devnet)")
        ->capture_default_str();
    devnet->add_option("--l1-port", dev.l1_port, "anvil's port (default: a free one)");
    devnet->add_option("--l2-port", dev.l2_port, "the L2 RPC port (default: a free one)");
    devnet->add_option("--admin-port", dev.admin_port, "the admin RPC port (default: a free one)");
    devnet->add_option("--l1-block-time", dev.l1_block_time, "seconds")->capture_default_str();
    devnet->add_option("--l2-block-time", dev.l2_block_time, "seconds")->capture_default_str();
    devnet->add_option("--chain-id", dev.chain_id, "L2 chain id")->capture_default_str();
    devnet->add_option("--l2-gas-limit", dev.l2_gas_limit, "gas per L2 block")
        ->capture_default_str();
    devnet->add_option("--proof-fee-per-gas", dev.proof_fee_per_gas, "wei per gas")
        ->capture_default_str();
    devnet->add_option("--follower-port", dev.follower_port, "the follower's L2 RPC port");
    devnet->add_option("--seq-window", dev.seq_window_size,
                       "sequencing window in L1 blocks (rollup.json seq_window_size)")
        ->capture_default_str();
    devnet->add_flag("!--no-follower", dev.follower, "do not start a follower");
    std::string dev_history = "all";
    devnet->add_option("--history.blocks", dev_history,
                       "`history.blocks` of the sequencer and the follower (N or all)")
        ->capture_default_str();
    devnet->add_option("--l1sload-rpc", dev.l1sload_rpc,
                       "L1 endpoint for L1SLOAD reads of both nodes (default: anvil)");
    devnet->add_option("--anvil", dev.anvil, "anvil binary (default: node_modules, PATH)");
    devnet->add_option("--log-level", log_level)->capture_default_str();
    devnet->callback([&] {
        set_log_level(log_level);
        dev.datadir = dev_dir;
        dev.self = argv[0];
        auto hb = l2::node::parse_history_blocks(dev_history);
        if (!hb)
        {
            std::fprintf(stderr, "error: --%s\n", hb.error().c_str());
            rc = 2;
            return;
        }
        dev.history_blocks = *hb;
        rc = l2::node::run_devnet(dev, g_stop);
    });

    // ---- sequencer / follower ----
    NodeFlags flags;
    auto* seq = app.add_subcommand(
        "sequencer", "order, execute and post the chain to L1 (config: docs/config.md)");
    auto* follower = app.add_subcommand(
        "follower", "derive the chain from L1 alone and serve it (docs/follower-guide.md)");
    for (auto* cmd : {seq, follower})
    {
        cmd->add_option("--config", flags.config_path, "node config (TOML)")->required();
        cmd->add_option("--datadir", flags.datadir, "overrides `datadir`");
        cmd->add_option("--l1-rpc", flags.l1_rpc, "overrides `l1_rpc`");
        cmd->add_option("--rpc-port", flags.rpc_port, "overrides `rpc.port`");
        cmd->add_option("--history.blocks", flags.history_blocks,
                        "overrides `history.blocks`: keep bodies, receipts and tx index of the "
                        "newest N blocks, or `all` (docs/config.md)");
    }
    seq->add_option("--admin-port", flags.admin_port, "overrides `admin.port`");
    follower->add_option("--sequencer-rpc", flags.sequencer_rpc,
                         "overrides `follower.sequencer_rpc` (where transactions are forwarded)");
    seq->callback([&] { rc = run_node(l2::node::NodeConfig::Role::kSequencer, flags); });
    follower->callback([&] { rc = run_node(l2::node::NodeConfig::Role::kFollower, flags); });

    // ---- deposit ----
    l2::node::DepositArgs dep;
    std::string dep_devnet;
    auto* deposit = app.add_subcommand(
        "deposit", "send a deposit (forced transaction) through the L1 portal");
    deposit->add_option("--devnet", dep_devnet, "devnet data dir: defaults from its devnet.json");
    deposit->add_option("--l1-rpc", dep.l1_rpc);
    deposit->add_option("--l2-rpc", dep.l2_rpc, "to --wait for the L2 receipt");
    deposit->add_option("--portal", dep.portal, "DepositPortal address");
    deposit->add_option("--private-key", dep.private_key, "L1 sender (default: dev key 0)");
    deposit->add_option("--to", dep.to, "L2 recipient (default: the sender)");
    deposit->add_option("--value", dep.value, "L2 value: wei, or e.g. 1.5eth")
        ->capture_default_str();
    deposit->add_option("--mint", dep.mint, "ETH locked on L1 and minted on L2 (default: value)");
    deposit->add_option("--gas-limit", dep.gas_limit, "L2 gas")->capture_default_str();
    deposit->add_option("--data", dep.data, "L2 calldata (hex)")->capture_default_str();
    deposit->add_flag("--create", dep.create, "a contract creation (data = initcode)");
    deposit->add_flag("--wait", dep.wait, "wait until the deposit is in an L2 block");
    deposit->callback([&] {
        dep.devnet = dep_devnet;
        rc = l2::node::run_deposit(dep);
    });

    // ---- status ----
    std::string status_rpc, status_devnet;
    auto* status = app.add_subcommand("status", "show a node's heads and L1 origin");
    status->add_option("--rpc", status_rpc, "L2 RPC URL");
    status->add_option("--devnet", status_devnet, "devnet data dir");
    status->callback([&] { rc = l2::node::run_status(status_rpc, status_devnet); });

    // ---- l1-advance ----
    uint64_t blocks = 1;
    std::string adv_rpc, adv_devnet;
    auto* adv = app.add_subcommand("l1-advance", "mine N blocks on the devnet's L1 (anvil)");
    adv->add_option("blocks", blocks, "how many")->capture_default_str();
    adv->add_option("--l1-rpc", adv_rpc);
    adv->add_option("--devnet", adv_devnet, "devnet data dir");
    adv->callback([&] { rc = l2::node::run_l1_advance(blocks, adv_rpc, adv_devnet); });

    // ---- admin ----
    std::string admin_action, admin_rpc, admin_jwt, admin_devnet;
    auto* admin = app.add_subcommand("admin", "the admin API: stop-sequencer, start-sequencer");
    admin->add_option("action", admin_action, "stop-sequencer | start-sequencer | sequencer-active")
        ->required();
    admin->add_option("--admin-rpc", admin_rpc);
    admin->add_option("--jwt-secret", admin_jwt, "the admin JWT secret file");
    admin->add_option("--devnet", admin_devnet, "devnet data dir");
    admin->callback(
        [&] { rc = l2::node::run_admin(admin_action, admin_rpc, admin_jwt, admin_devnet); });

    CLI11_PARSE(app, argc, argv);
    return rc;
}
