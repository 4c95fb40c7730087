#include "devnet.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <contracts/artifacts.hpp>
#include <derivation/rollup_config.hpp>
#include <execution/chain.hpp>
#include <execution/predeploys.hpp>
#include <l1client/l1_client.hpp>
#include <l1client/rpc_client.hpp>
#include <l1client/tx_sender.hpp>
#include <state/memory_store.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/secp256k1.hpp>

#include "config.hpp"
#include "process.hpp"

namespace l2::node {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

Hash key_of(const char* hex)
{
    Hash h;
    Hash::from_view(*from_hex(hex), h);
    return h;
}

Address address_of(const char* key_hex)
{
    return *address_from_private_key(key_of(key_hex));
}

std::string addr_hex(const Address& a)
{
    return to_0x_hex(a.view());
}

fs::path find_anvil(const DevnetOptions& o)
{
    if (!o.anvil.empty())
        return o.anvil;
    if (const char* env = std::getenv("L2NODE_ANVIL"))
        return env;
    // build/bin/l2node -> <repo>/node_modules/.bin/anvil (make devnet, tests).
    for (fs::path dir = fs::absolute(o.self).parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path())
    {
        const fs::path p = dir / "node_modules" / ".bin" / "anvil";
        if (fs::exists(p))
            return p;
    }
    if (const char* path = std::getenv("PATH"))
    {
        std::string s{path};
        size_t start = 0;
        while (start <= s.size())
        {
            const size_t end = s.find(':', start);
            const fs::path p =
                fs::path{s.substr(start, end == std::string::npos ? end : end - start)} / "anvil";
            if (fs::exists(p))
                return p;
            if (end == std::string::npos)
                break;
            start = end + 1;
        }
    }
    return {};
}

bool wait_for_rpc(const std::string& url, std::chrono::seconds timeout,
                  const std::atomic<bool>& stop)
{
    l1client::RpcClientOptions o;
    o.max_retries = 0;
    o.request_timeout = 1000ms;
    o.log_failures = false;  // the server is still starting
    l1client::RpcClient rpc{url, o};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline && !stop)
    {
        if (rpc.call("eth_chainId", nlohmann::json::array()))
            return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

Bytes abi_address(const Address& a)
{
    Bytes w(12, 0);
    w.append(a.data(), 20);
    return w;
}

Result<Address, std::string> deploy(l1client::TxSender& sender, std::string_view name,
                                    const Bytes& args)
{
    const auto* art = contracts::find_artifact(name);
    if (!art)
        return unexpected("no artifact " + std::string{name});
    auto code = from_hex(art->creation_hex);
    if (!code)
        return unexpected("bad artifact bytecode " + std::string{name});
    l1client::TxRequest req;
    req.data = *code + args;
    auto receipt = sender.send_and_wait(req, 60s);
    if (!receipt)
        return unexpected("deploying " + std::string{name} + ": " + receipt.error().to_string());
    if (!receipt->status || !receipt->contract_address)
        return unexpected("deploying " + std::string{name} + ": reverted");
    return *receipt->contract_address;
}

bool write_file(const fs::path& p, const std::string& text)
{
    std::ofstream out{p, std::ios::binary | std::ios::trunc};
    out << text;
    return static_cast<bool>(out);
}

}  // namespace

int run_devnet(const DevnetOptions& opts, const std::atomic<bool>& stop)
{
    const fs::path dir = fs::absolute(opts.datadir);
    std::error_code ec;
    if (fs::exists(dir / "devnet.json"))
    {
        // anvil keeps L1 in memory: an old devnet's L2 cannot continue on a new L1.
        spdlog::info("devnet: removing the previous devnet in {}", dir.string());
        fs::remove_all(dir, ec);
    }
    fs::create_directories(dir, ec);
    if (ec)
    {
        spdlog::error("devnet: cannot create {}: {}", dir.string(), ec.message());
        return 1;
    }

    // ---- L1 -----------------------------------------------------------------------------------
    const fs::path anvil_path = find_anvil(opts);
    if (anvil_path.empty())
    {
        spdlog::error("devnet: anvil not found (run `make devnet`, or set L2NODE_ANVIL)");
        return 1;
    }
    auto l1_port = opts.l1_port ? Result<uint16_t, std::string>{opts.l1_port} : free_loopback_port();
    if (!l1_port)
    {
        spdlog::error("devnet: {}", l1_port.error());
        return 1;
    }
    const std::string l1_url = "http://127.0.0.1:" + std::to_string(*l1_port);
    auto anvil = ChildProcess::spawn({anvil_path.string(), "--host", "127.0.0.1", "--port",
                                      std::to_string(*l1_port), "--block-time",
                                      std::to_string(opts.l1_block_time), "--chain-id", "31337"},
                                     dir / "anvil.log");
    if (!anvil)
    {
        spdlog::error("devnet: starting anvil: {}", anvil.error());
        return 1;
    }
    if (!wait_for_rpc(l1_url, 30s, stop))
    {
        spdlog::error("devnet: anvil did not answer on {} (see {})", l1_url,
                      (dir / "anvil.log").string());
        return 1;
    }
    spdlog::info("devnet: L1 (anvil) on {}", l1_url);

    l1client::RpcClient l1_rpc{l1_url};
    l1client::L1Client l1{l1_rpc};
    auto l1_chain_id = l1.chain_id();
    if (!l1_chain_id)
    {
        spdlog::error("devnet: L1: {}", l1_chain_id.error().to_string());
        return 1;
    }
    const Address batcher = address_of(kDevKeys[1]);
    const Address proposer = address_of(kDevKeys[2]);
    auto deployer = l1client::TxSender::create(l1, key_of(kDevKeys[0]), *l1_chain_id);
    if (!deployer)
    {
        spdlog::error("devnet: {}", deployer.error().to_string());
        return 1;
    }
    auto portal = deploy(**deployer, "DepositPortal", {});
    if (!portal)
    {
        spdlog::error("devnet: {}", portal.error());
        return 1;
    }
    auto oracle = deploy(**deployer, "L2OutputOracle",
                         abi_address(proposer) + to_be_word(U256{120}) + to_be_word(U256{0}));
    if (!oracle)
    {
        spdlog::error("devnet: {}", oracle.error());
        return 1;
    }
    auto l1_genesis = l1.block_by_number(l1client::BlockTag::latest(), false);
    if (!l1_genesis || !*l1_genesis)
    {
        spdlog::error("devnet: reading the L1 head failed");
        return 1;
    }
    spdlog::info("devnet: DepositPortal {} L2OutputOracle {} (L1 block {})", addr_hex(*portal),
                 addr_hex(*oracle), (*l1_genesis)->number);

    // ---- L2 chain config and genesis ----------------------------------------------------------
    execution::ChainSpec spec;
    spec.chain_id = opts.chain_id;
    spec.genesis_timestamp = (*l1_genesis)->timestamp;
    spec.gas_limit = opts.l2_gas_limit;
    for (const char* k : kDevKeys)
        spec.alloc[address_of(k)].balance = U256{10'000} * U256{1'000'000'000'000'000'000ULL};
    const auto* l1block = contracts::find_artifact("L1Block");
    if (!l1block)
    {
        spdlog::error("devnet: the L1Block artifact is missing from this build");
        return 1;
    }
    spec.alloc[execution::predeploys::kL1Block].code = *from_hex(l1block->runtime_hex);
    // The GasPriceOracle is answered natively; this code only makes eth_getCode non-empty.
    spec.alloc[execution::predeploys::kGasPriceOracle].code = Bytes{0x5f, 0x5f, 0xfd};

    state::MemoryStore scratch;
    auto chain = execution::Chain::open(scratch, spec);
    if (!chain)
    {
        spdlog::error("devnet: genesis: {}", chain.error());
        return 1;
    }
    derivation::RollupConfig rollup;
    rollup.l1_chain_id = *l1_chain_id;
    rollup.l2_chain_id = opts.chain_id;
    rollup.block_time = opts.l2_block_time;
    rollup.max_sequencer_drift = 600;
    rollup.seq_window_size = opts.seq_window_size;  // small: downtime tests reach it quickly
    rollup.channel_timeout = 50;
    rollup.genesis_l1 = {(*l1_genesis)->number, (*l1_genesis)->hash};
    rollup.genesis_l2 = {0, (*chain)->genesis().hash};
    rollup.genesis_l2_time = spec.genesis_timestamp;
    rollup.batch_inbox = address_literal("ff00000000000000000000000000000000000901");
    rollup.batcher = batcher;
    rollup.proposer = proposer;
    rollup.deposit_portal = *portal;
    rollup.output_oracle = *oracle;
    rollup.proof_fee_per_gas = U256{opts.proof_fee_per_gas};

    auto l2_port = opts.l2_port ? Result<uint16_t, std::string>{opts.l2_port} : free_loopback_port();
    auto admin_port =
        opts.admin_port ? Result<uint16_t, std::string>{opts.admin_port} : free_loopback_port();
    auto follower_port = opts.follower_port ? Result<uint16_t, std::string>{opts.follower_port}
                                            : free_loopback_port();
    if (!l2_port || !admin_port || !follower_port)
    {
        spdlog::error("devnet: no free port");
        return 1;
    }
    NodeConfig node;
    node.datadir = dir / "sequencer";
    node.chain_file = dir / "chain.json";
    node.rollup_file = dir / "rollup.json";
    node.l1_rpc = l1_url;
    node.rpc_port = *l2_port;
    node.admin_port = *admin_port;
    node.jwt_secret_file = dir / "jwt.hex";
    node.batcher_key_file = dir / "batcher.key";
    node.history_blocks = opts.history_blocks;
    node.l1sload_rpc = opts.l1sload_rpc;
    fs::create_directories(node.datadir, ec);
    const fs::path node_config = dir / "sequencer.toml";
    const std::string l2_url = "http://127.0.0.1:" + std::to_string(*l2_port);
    const std::string admin_url = "http://127.0.0.1:" + std::to_string(*admin_port);
    const std::string follower_url = "http://127.0.0.1:" + std::to_string(*follower_port);

    NodeConfig fnode = node;
    fnode.datadir = dir / "follower";
    fnode.rpc_port = *follower_port;
    fnode.batcher_key_file.clear();
    fnode.jwt_secret_file.clear();
    fnode.sequencer_rpc = l2_url;
    const fs::path follower_config = dir / "follower.toml";
    if (!write_file(node.chain_file, spec.to_json()) ||
        !write_file(node.rollup_file, rollup.to_json()) ||
        !write_file(node.batcher_key_file, std::string{kDevKeys[1]} + "\n") ||
        !write_file(node_config, node.to_toml()) ||
        (opts.follower && !write_file(follower_config, fnode.to_toml())))
    {
        spdlog::error("devnet: cannot write the configs into {}", dir.string());
        return 1;
    }

    // ---- the sequencer and the follower -------------------------------------------------------
    struct Child
    {
        std::string name;
        std::vector<std::string> cmd;
        fs::path log;
        std::string url;
        std::optional<ChildProcess> proc;
    };
    std::vector<Child> children;
    children.push_back({"sequencer",
                        {fs::absolute(opts.self).string(), "sequencer", "--config",
                         node_config.string()},
                        dir / "sequencer.log", l2_url, std::nullopt});
    if (opts.follower)
        children.push_back({"follower",
                            {fs::absolute(opts.self).string(), "follower", "--config",
                             follower_config.string()},
                            dir / "follower.log", follower_url, std::nullopt});
    for (Child& c : children)
    {
        auto p = ChildProcess::spawn(c.cmd, c.log);
        if (!p)
        {
            spdlog::error("devnet: starting the {}: {}", c.name, p.error());
            return 1;
        }
        c.proc = std::move(*p);
    }
    for (Child& c : children)
    {
        if (!wait_for_rpc(c.url, 60s, stop))
        {
            spdlog::error("devnet: the {} did not answer on {} (see {})", c.name, c.url,
                          c.log.string());
            return 1;
        }
    }

    nlohmann::json keys = nlohmann::json::array();
    for (const char* k : kDevKeys)
        keys.push_back({{"address", addr_hex(address_of(k))}, {"private_key", k}});
    nlohmann::json info{
        {"l1_rpc", l1_url},
        {"l2_rpc", l2_url},
        {"follower_rpc", opts.follower ? nlohmann::json(follower_url) : nlohmann::json(nullptr)},
        {"admin_rpc", admin_url},
        {"jwt_secret_path", (dir / "jwt.hex").string()},
        {"chain_id", opts.chain_id},
        {"l1_chain_id", *l1_chain_id},
        {"contracts", {{"portal", addr_hex(*portal)}, {"output_oracle", addr_hex(*oracle)}}},
        {"batch_inbox", addr_hex(rollup.batch_inbox)},
        {"batcher", addr_hex(batcher)},
        {"proposer", addr_hex(proposer)},
        {"dev_keys", keys},
        {"l2_block_time", opts.l2_block_time},
        {"l1_block_time", opts.l1_block_time},
        {"seq_window_size", rollup.seq_window_size},
        {"pids", {{"anvil", anvil->pid()}}},
        {"logs", {{"anvil", (dir / "anvil.log").string()}}},
        {"datadir", dir.string()},
    };
    for (const Child& c : children)
    {
        info["pids"][c.name] = c.proc->pid();
        info["logs"][c.name] = c.log.string();
    }
    write_file(dir / "devnet.json.tmp", info.dump(2) + "\n");
    fs::rename(dir / "devnet.json.tmp", dir / "devnet.json", ec);

    std::printf("\nl2node devnet is up\n  L2 RPC     %s  (sequencer, chain id %llu)\n  follower   "
                "%s\n  L1 RPC     %s  (anvil, chain id %llu)\n  admin RPC  %s  (JWT secret "
                "%s)\n  portal     %s\n  devnet.json %s\n\nFunded dev keys (L1 and L2, 10000 "
                "ETH each; key 1 is the batcher's):\n",
                l2_url.c_str(), static_cast<unsigned long long>(opts.chain_id),
                opts.follower ? follower_url.c_str() : "(off)", l1_url.c_str(),
                static_cast<unsigned long long>(*l1_chain_id), admin_url.c_str(),
                (dir / "jwt.hex").c_str(), addr_hex(*portal).c_str(),
                (dir / "devnet.json").c_str());
    for (const char* k : kDevKeys)
        std::printf("  %s  %s\n", addr_hex(address_of(k)).c_str(), k);
    std::printf("\nCtrl-C stops everything.\n");
    std::fflush(stdout);

    // ---- supervise ----------------------------------------------------------------------------
    int rc = 0;
    while (!stop)
    {
        std::this_thread::sleep_for(200ms);
        if (!anvil->running())
        {
            spdlog::error("devnet: anvil exited (see {})", (dir / "anvil.log").string());
            rc = 1;
            break;
        }
        for (Child& c : children)
        {
            if (c.proc->running() || stop)
                continue;
            spdlog::warn("devnet: the {} exited; restarting it", c.name);
            auto again = ChildProcess::spawn(c.cmd, c.log);
            if (!again)
            {
                spdlog::error("devnet: restarting the {}: {}", c.name, again.error());
                rc = 1;
                break;
            }
            *c.proc = std::move(*again);
            info["pids"][c.name] = c.proc->pid();
            write_file(dir / "devnet.json.tmp", info.dump(2) + "\n");
            fs::rename(dir / "devnet.json.tmp", dir / "devnet.json", ec);
        }
        if (rc != 0)
            break;
    }
    spdlog::info("devnet: stopping");
    for (auto it = children.rbegin(); it != children.rend(); ++it)
        it->proc->stop();
    anvil->stop();
    return rc;
}

}  // namespace l2::node
