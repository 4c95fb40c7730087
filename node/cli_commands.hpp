#pragma once
/// The client-side commands of `l2node`: deposit (a forced tx through the L1 portal), status,
/// admin stop/start, l1-advance. Each reads DIR/devnet.json when given `--devnet DIR`.

#include <filesystem>
#include <optional>
#include <string>

namespace l2::node {

struct DepositArgs
{
    std::filesystem::path devnet;  ///< devnet data dir (devnet.json) for defaults
    std::string l1_rpc;
    std::string l2_rpc;            ///< to wait for the deposit on L2 (--wait)
    std::string portal;
    std::string private_key;
    std::string to;
    std::string value = "0";       ///< wei, or with an "eth" suffix
    std::string mint;              ///< defaults to value
    uint64_t gas_limit = 100'000;
    std::string data = "0x";
    bool create = false;
    bool wait = false;
};
int run_deposit(const DepositArgs& a);

int run_status(const std::string& rpc, const std::filesystem::path& devnet);
int run_l1_advance(uint64_t blocks, const std::string& l1_rpc, const std::filesystem::path& devnet);

}  // namespace l2::node

namespace l2::node {

/// `l2node admin stop-sequencer|start-sequencer|sequencer-active`: the JWT-authenticated admin
/// API (admin_stopSequencer, ...).
int run_admin(const std::string& action, const std::string& admin_rpc, const std::string& jwt_path,
              const std::filesystem::path& devnet);

}  // namespace l2::node
