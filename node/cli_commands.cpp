#include "cli_commands.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include <derivation/deposits.hpp>
#include <l1client/l1_client.hpp>
#include <l1client/rpc_client.hpp>
#include <l1client/tx_sender.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/secp256k1.hpp>

#include "jwt.hpp"

namespace l2::node {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::optional<json> read_devnet(const std::filesystem::path& dir)
{
    if (dir.empty())
        return std::nullopt;
    std::ifstream in{dir / "devnet.json"};
    if (!in)
    {
        std::fprintf(stderr, "error: no devnet.json in %s (is `l2node devnet` running?)\n",
                     dir.c_str());
        return json{};
    }
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded())
    {
        std::fprintf(stderr, "error: %s/devnet.json is not valid JSON\n", dir.c_str());
        return json{};
    }
    return j;
}

void fill(std::string& field, const std::optional<json>& devnet, const json::json_pointer& p)
{
    if (field.empty() && devnet && devnet->contains(p) && (*devnet)[p].is_string())
        field = (*devnet)[p].get<std::string>();
}

Result<U256, std::string> parse_amount(std::string s)
{
    bool eth = false;
    if (s.size() > 3 && s.substr(s.size() - 3) == "eth")
    {
        eth = true;
        s.resize(s.size() - 3);
    }
    if (eth && s.find('.') != std::string::npos)
    {
        // "0.5eth": up to 18 decimals.
        const size_t dot = s.find('.');
        std::string frac = s.substr(dot + 1);
        if (frac.size() > 18)
            return unexpected(std::string{"more than 18 decimals"});
        frac.append(18 - frac.size(), '0');
        auto whole = u256_from_string(dot == 0 ? "0" : s.substr(0, dot));
        auto f = u256_from_string(frac);
        if (!whole || !f)
            return unexpected(std::string{"not a number"});
        return *whole * U256{1'000'000'000'000'000'000ULL} + *f;
    }
    auto v = u256_from_string(s);
    if (!v)
        return unexpected(v.error());
    return eth ? *v * U256{1'000'000'000'000'000'000ULL} : *v;
}

}  // namespace

int run_deposit(const DepositArgs& in)
{
    DepositArgs a = in;
    const auto devnet = read_devnet(a.devnet);
    if (devnet && devnet->empty())
        return 1;
    fill(a.l1_rpc, devnet, "/l1_rpc"_json_pointer);
    fill(a.l2_rpc, devnet, "/l2_rpc"_json_pointer);
    fill(a.portal, devnet, "/contracts/portal"_json_pointer);
    fill(a.private_key, devnet, "/dev_keys/0/private_key"_json_pointer);
    if (a.l1_rpc.empty() || a.portal.empty() || a.private_key.empty())
    {
        std::fprintf(stderr, "error: need --l1-rpc, --portal and --private-key (or --devnet DIR)\n");
        return 2;
    }
    auto key_bytes = from_hex(a.private_key);
    Hash key;
    if (!key_bytes || !Hash::from_view(*key_bytes, key))
    {
        std::fprintf(stderr, "error: --private-key must be 32 bytes of hex\n");
        return 2;
    }
    const Address from = *address_from_private_key(key);
    Address to;
    if (a.create)
        to = Address{};
    else
    {
        auto t = from_hex(a.to.empty() ? to_0x_hex(from.view()) : a.to);
        if (!t || !Address::from_view(*t, to))
        {
            std::fprintf(stderr, "error: --to must be a 20-byte hex address\n");
            return 2;
        }
    }
    Address portal;
    if (auto p = from_hex(a.portal); !p || !Address::from_view(*p, portal))
    {
        std::fprintf(stderr, "error: --portal must be a 20-byte hex address\n");
        return 2;
    }
    auto value = parse_amount(a.value);
    auto mint = parse_amount(a.mint.empty() ? a.value : a.mint);
    auto data = from_hex(a.data);
    if (!value || !mint || !data)
    {
        std::fprintf(stderr, "error: bad --value, --mint or --data\n");
        return 2;
    }

    // depositTransaction(address,uint256,uint64,bool,bytes), paying `mint` as msg.value.
    constexpr std::string_view sig = "depositTransaction(address,uint256,uint64,bool,bytes)";
    const Hash sel = keccak256(ByteView{reinterpret_cast<const uint8_t*>(sig.data()), sig.size()});
    Bytes call{sel[0], sel[1], sel[2], sel[3]};
    Bytes to_word(12, 0);
    to_word.append(to.data(), 20);
    call += to_word + to_be_word(*value) + to_be_word(U256{a.gas_limit}) + to_be_word(U256{a.create ? 1u : 0u}) +
            to_be_word(U256{160}) + to_be_word(U256{data->size()});
    Bytes padded = *data;
    padded.resize((padded.size() + 31) / 32 * 32, 0);
    call += padded;

    l1client::RpcClient rpc{a.l1_rpc};
    l1client::L1Client l1{rpc};
    auto chain_id = l1.chain_id();
    if (!chain_id)
    {
        std::fprintf(stderr, "error: L1: %s\n", chain_id.error().to_string().c_str());
        return 1;
    }
    auto sender = l1client::TxSender::create(l1, key, *chain_id);
    if (!sender)
    {
        std::fprintf(stderr, "error: %s\n", sender.error().to_string().c_str());
        return 1;
    }
    l1client::TxRequest req;
    req.to = portal;
    req.value = *mint;
    req.data = call;
    auto receipt = (*sender)->send_and_wait(req, 120s);
    if (!receipt)
    {
        std::fprintf(stderr, "error: deposit on L1: %s\n", receipt.error().to_string().c_str());
        return 1;
    }
    if (!receipt->status)
    {
        std::fprintf(stderr, "error: the portal reverted the deposit (L1 tx %s)\n",
                     to_0x_hex(receipt->tx_hash.view()).c_str());
        return 1;
    }
    auto deposits = derivation::deposits_from_logs(receipt->logs, portal);
    if (!deposits || deposits->empty())
    {
        std::fprintf(stderr, "error: no TransactionDeposited log in the L1 receipt\n");
        return 1;
    }
    const Hash l2_hash = txtypes::transaction_hash(deposits->front());
    std::printf("L1 tx     %s (block %llu)\nL2 tx     %s (0x7E deposit, in the first L2 block of "
                "epoch %llu)\n",
                to_0x_hex(receipt->tx_hash.view()).c_str(),
                static_cast<unsigned long long>(receipt->block_number),
                to_0x_hex(l2_hash.view()).c_str(),
                static_cast<unsigned long long>(receipt->block_number));
    std::fflush(stdout);
    if (!a.wait || a.l2_rpc.empty())
        return 0;
    l1client::RpcClient l2{a.l2_rpc};
    for (int i = 0; i < 600; ++i)
    {
        auto r = l2.call("eth_getTransactionReceipt", json::array({to_0x_hex(l2_hash.view())}));
        if (r && !r->is_null())
        {
            std::printf("L2 block  %s status %s\n", (*r)["blockNumber"].get<std::string>().c_str(),
                        (*r)["status"].get<std::string>().c_str());
            return (*r)["status"] == "0x1" ? 0 : 1;
        }
        std::this_thread::sleep_for(200ms);
    }
    std::fprintf(stderr, "error: the deposit did not appear on L2 within 120 s\n");
    return 1;
}

int run_status(const std::string& rpc_url, const std::filesystem::path& devnet_dir)
{
    std::string url = rpc_url;
    const auto devnet = read_devnet(devnet_dir);
    if (devnet && devnet->empty())
        return 1;
    fill(url, devnet, "/l2_rpc"_json_pointer);
    if (url.empty())
        url = "http://127.0.0.1:9545";
    l1client::RpcClient rpc{url};
    auto s = rpc.call("rollup_syncStatus", json::array());
    if (!s)
    {
        std::fprintf(stderr, "error: %s\n", s.error().to_string().c_str());
        return 1;
    }
    std::printf("%s\n", s->dump(2).c_str());
    return 0;
}

int run_l1_advance(uint64_t blocks, const std::string& l1_rpc,
                   const std::filesystem::path& devnet_dir)
{
    std::string url = l1_rpc;
    const auto devnet = read_devnet(devnet_dir);
    if (devnet && devnet->empty())
        return 1;
    fill(url, devnet, "/l1_rpc"_json_pointer);
    if (url.empty())
    {
        std::fprintf(stderr, "error: need --l1-rpc or --devnet DIR\n");
        return 2;
    }
    l1client::RpcClient rpc{url};
    // anvil_mine(count, interval): N blocks at once, timestamps one second apart (without the
    // interval anvil gives all N blocks the same timestamp: L1 time would not move).
    auto r = rpc.call("anvil_mine", json::array({to_hex(U256{blocks}), to_hex(U256{1})}));
    if (!r)
    {
        std::fprintf(stderr, "error: %s\n", r.error().to_string().c_str());
        return 1;
    }
    auto n = l1client::L1Client{rpc}.block_number();
    std::printf("mined %llu L1 blocks; L1 head %llu\n", static_cast<unsigned long long>(blocks),
                n ? static_cast<unsigned long long>(*n) : 0ULL);
    return 0;
}

}  // namespace l2::node

namespace l2::node {

int run_admin(const std::string& action, const std::string& admin_rpc, const std::string& jwt_path,
              const std::filesystem::path& devnet_dir)
{
    std::string url = admin_rpc;
    std::string jwt = jwt_path;
    const auto devnet = read_devnet(devnet_dir);
    if (devnet && devnet->empty())
        return 1;
    fill(url, devnet, "/admin_rpc"_json_pointer);
    fill(jwt, devnet, "/jwt_secret_path"_json_pointer);
    if (url.empty() || jwt.empty())
    {
        std::fprintf(stderr, "error: need --admin-rpc and --jwt-secret (or --devnet DIR)\n");
        return 2;
    }
    const char* method = action == "stop-sequencer"    ? "admin_stopSequencer"
                         : action == "start-sequencer" ? "admin_startSequencer"
                         : action == "sequencer-active" ? "admin_sequencerActive"
                                                        : nullptr;
    if (method == nullptr)
    {
        std::fprintf(stderr,
                     "error: unknown action %s (stop-sequencer, start-sequencer, "
                     "sequencer-active)\n",
                     action.c_str());
        return 2;
    }
    auto secret = read_or_create_jwt_secret(jwt);
    if (!secret)
    {
        std::fprintf(stderr, "error: %s\n", secret.error().c_str());
        return 1;
    }
    l1client::RpcClientOptions o;
    o.max_retries = 1;
    o.extra_headers.push_back(
        "Authorization: Bearer " +
        make_jwt(*secret, std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count()));
    l1client::RpcClient rpc{url, o};
    auto r = rpc.call(method, json::array());
    if (!r)
    {
        std::fprintf(stderr, "error: %s\n", r.error().to_string().c_str());
        return 1;
    }
    std::printf("%s\n", r->dump().c_str());
    return 0;
}

}  // namespace l2::node
