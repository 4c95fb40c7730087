// The eth_ API over a real Chain (in-memory store): three blocks built with BlockBuilder (the
// L1-info deposit through the real L1Block predeploy, a user deposit, transfers, a contract
// deployment that logs, logging calls, a revert, a legacy tx), then every registered handler
// called directly with JSON params: shapes, values, filters, limits, errors.
#include <gtest/gtest.h>

#include "rpc_test_methods.hpp"

#include <contracts/artifacts.hpp>
#include <execution/block_builder.hpp>
#include <execution/chain.hpp>
#include <execution/evm/evm.hpp>
#include <execution/l1_fee.hpp>
#include <execution/l1_info.hpp>
#include <execution/predeploys.hpp>
#include <node/eth_api.hpp>
#include <node/rpc_json.hpp>
#include <state/account.hpp>
#include <state/memory_store.hpp>
#include <state/trie.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::node;
using nlohmann::json;

namespace {

constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");
constexpr Address kRecipient = address_literal("00000000000000000000000000000000000000aa");
constexpr Address kDepositor = address_literal("00000000000000000000000000000000000000d1");
constexpr Hash kTopicCtor =
    hash_literal("00000000000000000000000000000000000000000000000000000000000000c7");
constexpr Hash kTopicCall =
    hash_literal("1111111111111111111111111111111111111111111111111111111111111111");
constexpr uint64_t kChainId = 901;
const U256 kEther{1'000'000'000'000'000'000ULL};

/// Runtime: with calldata, stores calldata[0:32] in slot 0 and logs LOG2(kTopicCall, caller)
/// with the calldata; without, reverts with 0xdeadbeef.
Bytes emitter_runtime()
{
    Bytes c = {0x36, 0x15, 0x60, 0x00 /*revert pc*/,
               0x57,  // CALLDATASIZE ISZERO PUSH1 JUMPI
               0x60, 0x00, 0x35, 0x60,
               0x00, 0x55,  // SSTORE(0, CALLDATALOAD(0))
               0x36, 0x60, 0x00, 0x60,
               0x00, 0x37,   // CALLDATACOPY(0, 0, size)
               0x33, 0x7f};  // CALLER PUSH32 topic
    c.append(kTopicCall.data(), 32);
    c += Bytes{0x36, 0x60, 0x00, 0xa2, 0x00};  // LOG2(0, size, topic, caller) STOP
    c[3] = static_cast<uint8_t>(c.size());
    c += Bytes{0x5b, 0x63, 0xde, 0xad, 0xbe, 0xef, 0x60, 0xe0, 0x1b,  // JUMPDEST, 0xdeadbeef<<224
               0x60, 0x00, 0x52, 0x60, 0x04, 0x60, 0x00, 0xfd};       // MSTORE REVERT(0, 4)
    return c;
}

/// Initcode: LOG1(kTopicCtor), then returns the runtime.
Bytes emitter_initcode()
{
    const Bytes runtime = emitter_runtime();
    Bytes c = {0x7f};
    c.append(kTopicCtor.data(), 32);
    c += Bytes{0x60, 0x00, 0x60, 0x00, 0xa1};
    const auto len = static_cast<uint8_t>(runtime.size());
    const auto off = static_cast<uint8_t>(c.size() + 12);
    c += Bytes{0x60, len, 0x60, off, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3};
    return c + runtime;
}

execution::L1Info l1_info(uint64_t seq)
{
    execution::L1Info info;
    info.number = 10;
    info.timestamp = 1000;
    info.base_fee = U256{30'000'000'000ULL};
    info.hash = keccak256(Bytes{9});
    info.sequence_number = seq;
    info.blob_base_fee = U256{1'000'000};
    info.base_fee_scalar = 1368;
    info.blob_base_fee_scalar = 810949;
    info.proof_fee_per_gas = U256{7};
    return info;
}

/// A chain with three blocks and the API registered over it.
class EthApi : public testing::Test
{
protected:
    void SetUp() override
    {
        sender = *address_from_private_key(kKey);
        execution::ChainSpec spec;
        spec.chain_id = kChainId;
        spec.alloc[sender].balance = kEther * U256{1000};
        const auto* l1block = contracts::find_artifact("L1Block");
        ASSERT_NE(l1block, nullptr);
        spec.alloc[execution::predeploys::kL1Block].code =
            *from_hex(l1block->runtime_hex.substr(2));
        auto c = execution::Chain::open(kv, spec);
        ASSERT_TRUE(c) << c.error();
        chain = std::move(*c);
        emitter = execution::evm::create_address(sender, 1);

        // Block 1: a transfer, the deployment (constructor log).
        txs.push_back(sign(dynamic_tx(0, kRecipient, 1000, {})));
        txs.push_back(sign(dynamic_tx(1, std::nullopt, 0, emitter_initcode())));
        append_block({}, {txs[0], txs[1]});
        balance_after_block1 = chain->state().account(state::Engine::kEvm, sender)->balance;
        // Block 2: a user deposit, two logging calls, a revert, a legacy transfer.
        txtypes::Transaction dep;
        dep.type = txtypes::TxType::kDeposit;
        dep.source_hash = keccak256(Bytes{1});
        dep.from = kDepositor;
        dep.to = kRecipient;
        dep.mint = kEther;
        dep.value = U256{1};
        dep.gas_limit = 100'000;
        deposit = dep;
        txs.push_back(sign(dynamic_tx(2, emitter, 0, Bytes(32, 0x01))));
        txs.push_back(sign(dynamic_tx(3, emitter, 0, Bytes(32, 0x02))));
        txs.push_back(sign(dynamic_tx(4, emitter, 0, {})));
        txtypes::Transaction legacy;
        legacy.type = txtypes::TxType::kLegacy;
        legacy.chain_id = kChainId;
        legacy.nonce = 5;
        legacy.max_fee_per_gas = legacy.max_priority_fee_per_gas = U256{3'000'000'000ULL};
        legacy.gas_limit = 21'000;
        legacy.to = kRecipient;
        legacy.value = U256{7};
        txs.push_back(sign(legacy));
        append_block({dep}, {txs[2], txs[3], txs[4], txs[5]});
        // Block 3: one more logging call.
        txs.push_back(sign(dynamic_tx(6, emitter, 0, Bytes(32, 0x03))));
        append_block({}, {txs[6]});

        ctx = std::make_unique<EthApiContext>(EthApiContext{*chain});
        ctx->l1_chain_id = 31337;
        register_eth_api(methods, *ctx);
    }

    static txtypes::Transaction dynamic_tx(uint64_t nonce,
                                           std::optional<Address> to,
                                           uint64_t value,
                                           Bytes data)
    {
        txtypes::Transaction t;
        t.type = txtypes::TxType::kDynamicFee;
        t.chain_id = kChainId;
        t.nonce = nonce;
        t.max_fee_per_gas = U256{10'000'000'000ULL};
        t.max_priority_fee_per_gas = U256{1'000'000'000ULL};
        t.gas_limit = 200'000;
        t.to = to;
        t.value = U256{value};
        t.data = std::move(data);
        return t;
    }

    static txtypes::Transaction sign(txtypes::Transaction t)
    {
        EXPECT_TRUE(txtypes::sign_transaction(t, kKey));
        return t;
    }

    /// A builder on the head with its L1-info deposit (and `deposits`) applied.
    std::unique_ptr<execution::BlockBuilder> builder(std::vector<txtypes::Transaction> deposits)
    {
        const auto head = chain->head();
        execution::PayloadAttributes attrs;
        attrs.timestamp = head.header.timestamp + 2;
        attrs.fee_recipient = execution::predeploys::kSequencerFeeVault;
        attrs.deposits.push_back(execution::make_l1_info_transaction(l1_info(head.header.number)));
        for (auto& d : deposits)
            attrs.deposits.push_back(std::move(d));
        auto b = std::make_unique<execution::BlockBuilder>(
            chain->state(), chain->spec(), head.header, head.hash, attrs, chain->block_hash_fn());
        EXPECT_TRUE(b->apply_deposits());
        return b;
    }

    void append_block(std::vector<txtypes::Transaction> deposits,
                      const std::vector<txtypes::Transaction>& user_txs)
    {
        auto b = builder(std::move(deposits));
        for (const auto& t : user_txs)
        {
            auto r = b->add(t, sender, txtypes::encode_transaction(t));
            ASSERT_TRUE(r) << execution::to_string(r.error());
        }
        auto built = b->seal();
        ASSERT_TRUE(built);
        ASSERT_TRUE(chain->append(*built));
        hashes.push_back(built->hash);
    }

    RpcResult call(const std::string& method, const json& params)
    {
        return rpc_test::call_handler(methods, method, params);
    }

    json ok(const std::string& method, const json& params)
    {
        return rpc_test::call_ok(methods, method, params);
    }

    RpcError err(const std::string& method, const json& params)
    {
        return rpc_test::call_err(methods, method, params);
    }

    static std::string hx(const Address& a) { return to_0x_hex(a); }
    static std::string hx(const Hash& h) { return to_0x_hex(h); }
    std::string tx_hash(size_t i) const { return hx(txtypes::transaction_hash(txs[i])); }

    state::MemoryStore kv;
    std::unique_ptr<execution::Chain> chain;
    std::unique_ptr<EthApiContext> ctx;
    RpcMethods methods;
    Address sender;
    Address emitter;
    txtypes::Transaction deposit;
    std::vector<txtypes::Transaction> txs;
    std::vector<Hash> hashes;  ///< blocks 1, 2, 3
    U256 balance_after_block1;
};

}  // namespace

TEST_F(EthApi, ChainLevelMethods)
{
    EXPECT_EQ(ok("web3_clientVersion", json::array()).get<std::string>().rfind("l2node/", 0), 0u);
    EXPECT_EQ(ok("net_version", json::array()), "901");
    EXPECT_EQ(ok("eth_chainId", json::array()), "0x385");
    EXPECT_EQ(ok("eth_blockNumber", json::array()), "0x3");
    EXPECT_EQ(ok("eth_syncing", json::array()), false);
    EXPECT_EQ(ok("eth_accounts", json::array()), json::array());
    EXPECT_EQ(ok("eth_maxPriorityFeePerGas", json::array()), "0xf4240");
    const U256 next = execution::next_base_fee(chain->spec(), chain->head().header);
    EXPECT_EQ(ok("eth_gasPrice", json::array()), to_hex(next + U256{kSuggestedTip}));
    EXPECT_EQ(err("rollup_syncStatus", json::array()).code, -32000);
    ctx->sync_status = [] { return json{{"unsafe_l2", 3}}; };
    EXPECT_EQ(ok("rollup_syncStatus", json::array())["unsafe_l2"], 3);
}

TEST_F(EthApi, StateQueries)
{
    const auto acc = chain->state().account(state::Engine::kEvm, sender);
    ASSERT_TRUE(acc);
    EXPECT_EQ(ok("eth_getBalance", {hx(sender), "latest"}), to_hex(acc->balance));
    EXPECT_EQ(ok("eth_getBalance", {hx(sender)}), to_hex(acc->balance));
    EXPECT_EQ(ok("eth_getBalance", {hx(sender), "0x3"}), to_hex(acc->balance));
    EXPECT_EQ(ok("eth_getBalance", {hx(sender), json{{"blockHash", hx(hashes[2])}}}),
              to_hex(acc->balance));
    EXPECT_EQ(ok("eth_getBalance", {hx(kRecipient), "pending"}), "0x3f0");  // 1000 + 1 + 7
    EXPECT_EQ(ok("eth_getTransactionCount", {hx(sender), "latest"}), "0x7");
    EXPECT_EQ(ok("eth_getTransactionCount", {hx(sender), "pending"}), "0x7");
    ctx->pending_nonce = [&](const Address& a) -> std::optional<uint64_t> {
        return a == sender ? std::optional<uint64_t>{42} : std::nullopt;
    };
    EXPECT_EQ(ok("eth_getTransactionCount", {hx(sender), "pending"}), "0x2a");
    EXPECT_EQ(ok("eth_getTransactionCount", {hx(sender), "latest"}), "0x7");
    EXPECT_EQ(ok("eth_getTransactionCount", {hx(kDepositor), "pending"}), "0x1");
    EXPECT_EQ(ok("eth_getCode", {hx(emitter), "latest"}), to_0x_hex(emitter_runtime()));
    EXPECT_EQ(ok("eth_getCode", {hx(kRecipient), "latest"}), "0x");
    EXPECT_EQ(ok("eth_getStorageAt", {hx(emitter), "0x0", "latest"}),
              "0x0303030303030303030303030303030303030303030303030303030303030303");
    EXPECT_EQ(ok("eth_getStorageAt",
                 {hx(emitter), "0x0000000000000000000000000000000000000000000000000000000000000000",
                  "latest"}),
              "0x0303030303030303030303030303030303030303030303030303030303030303");

    // Older blocks are read from their trie while its nodes are kept.
    EXPECT_EQ(ok("eth_getBalance", {hx(sender), "0x1"}), to_hex(balance_after_block1));
    EXPECT_EQ(ok("eth_getTransactionCount", {hx(sender), "0x1"}), "0x2");
    EXPECT_EQ(ok("eth_getStorageAt", {hx(emitter), "0x0", "0x2"}),
              "0x0202020202020202020202020202020202020202020202020202020202020202");
    EXPECT_EQ(ok("eth_getCode", {hx(emitter), "0x0"}), "0x");
    EXPECT_EQ(ok("eth_getBalance", {hx(sender), "earliest"}), to_hex(kEther * U256{1000}));
    // A block that does not exist.
    EXPECT_EQ(err("eth_getBalance", {hx(sender), "0x9"}).message, "header not found");
}

TEST_F(EthApi, HistoricalStateMissingIsPrunedHistory)
{
    // Drop every trie node (as trie GC behind the history window does for old state): the head
    // still answers from the flat state, older blocks answer 4444. The last block's nodes are
    // written first (they would land after the wipe).
    ASSERT_TRUE(chain->state().wait_for_nodes());
    state::WriteBatch wipe;
    std::vector<Bytes> keys;
    state::scan_prefix(kv, state::Column::kTrieNodes, {}, [&](ByteView k, ByteView) {
        keys.emplace_back(k);
        return true;
    });
    ASSERT_FALSE(keys.empty());
    for (const auto& k : keys)
        wipe.del(state::Column::kTrieNodes, k);
    ASSERT_TRUE(kv.write(wipe));
    EXPECT_TRUE(call("eth_getBalance", {hx(sender), "latest"}));
    const auto e = err("eth_getBalance", {hx(sender), "0x1"});
    EXPECT_EQ(e.code, 4444);
    EXPECT_NE(e.message.find("pruned history unavailable"), std::string::npos) << e.message;
    EXPECT_EQ(err("eth_getProof", {hx(sender), json::array(), "0x1"}).code, 4444);
}

TEST_F(EthApi, BlockObjects)
{
    const json b = ok("eth_getBlockByNumber", {"0x2", false});
    for (const char* k : {"hash",         "parentHash",    "sha3Uncles",
                          "miner",        "stateRoot",     "transactionsRoot",
                          "receiptsRoot", "logsBloom",     "difficulty",
                          "number",       "gasLimit",      "gasUsed",
                          "timestamp",    "extraData",     "mixHash",
                          "nonce",        "baseFeePerGas", "withdrawalsRoot",
                          "blobGasUsed",  "excessBlobGas", "parentBeaconBlockRoot",
                          "size",         "uncles",        "transactions",
                          "withdrawals"})
        EXPECT_TRUE(b.contains(k)) << k;
    EXPECT_EQ(b["hash"], hx(hashes[1]));
    EXPECT_EQ(b["parentHash"], hx(hashes[0]));
    EXPECT_EQ(b["number"], "0x2");
    EXPECT_EQ(b["difficulty"], "0x0");
    EXPECT_EQ(b["nonce"], "0x0000000000000000");
    EXPECT_EQ(b["logsBloom"].get<std::string>().size(), 2u + 512u);
    ASSERT_EQ(b["transactions"].size(), 6u);  // L1 info, deposit, 4 txs
    EXPECT_EQ(b["transactions"][2], tx_hash(2));
    EXPECT_EQ(b["transactions"][1], hx(txtypes::transaction_hash(deposit)));
    auto block = chain->blocks().block(2, hashes[1]);
    ASSERT_TRUE(block && *block);
    EXPECT_EQ(b["size"], to_hex(U256{txtypes::encode_block(**block).size()}));

    EXPECT_EQ(ok("eth_getBlockByHash", {hx(hashes[1]), false}), b);
    EXPECT_EQ(ok("eth_getBlockByNumber", {"latest", false})["hash"], hx(hashes[2]));
    EXPECT_EQ(ok("eth_getBlockByNumber", {"pending", false})["hash"], hx(hashes[2]));
    EXPECT_EQ(ok("eth_getBlockByNumber", {"earliest", false})["hash"], hx(chain->genesis().hash));
    EXPECT_EQ(ok("eth_getBlockByNumber", {"safe", false})["number"], "0x0");
    ASSERT_TRUE(chain->set_heads(state::BlockRef{2, hashes[1]}, state::BlockRef{1, hashes[0]}));
    EXPECT_EQ(ok("eth_getBlockByNumber", {"safe", false})["number"], "0x2");
    EXPECT_EQ(ok("eth_getBlockByNumber", {"finalized", false})["number"], "0x1");
    EXPECT_TRUE(ok("eth_getBlockByNumber", {"0x9", false}).is_null());
    EXPECT_TRUE(ok("eth_getBlockByHash", {hx(Hash{}), true}).is_null());
    EXPECT_EQ(ok("eth_getBlockTransactionCountByNumber", {"0x2"}), "0x6");
    EXPECT_EQ(ok("eth_getBlockTransactionCountByHash", {hx(hashes[0])}), "0x3");
    EXPECT_TRUE(ok("eth_getBlockTransactionCountByNumber", {"0x9"}).is_null());

    // Full transactions.
    const json full = ok("eth_getBlockByNumber", {"0x2", true});
    ASSERT_EQ(full["transactions"].size(), 6u);
    const json& info = full["transactions"][0];
    EXPECT_EQ(info["type"], "0x7e");
    EXPECT_EQ(info["from"], hx(execution::predeploys::kDepositorAccount));
    EXPECT_EQ(info["to"], hx(execution::predeploys::kL1Block));
    EXPECT_EQ(info["nonce"], "0x1");  // the depositor's second L1-info tx
    EXPECT_EQ(info["isSystemTx"], false);
    EXPECT_EQ(info["mint"], "0x0");
    EXPECT_EQ(info["v"], "0x0");
    EXPECT_EQ(info["r"], "0x0");
    EXPECT_EQ(info["gasPrice"], "0x0");
    EXPECT_EQ(info["depositReceiptVersion"], "0x1");
    EXPECT_TRUE(info.contains("sourceHash"));
    const json& dep = full["transactions"][1];
    EXPECT_EQ(dep["mint"], to_hex(kEther));
    EXPECT_EQ(dep["sourceHash"], hx(deposit.source_hash));
    EXPECT_EQ(dep["nonce"], "0x0");
    const json& t = full["transactions"][2];
    EXPECT_EQ(t["type"], "0x2");
    EXPECT_EQ(t["hash"], tx_hash(2));
    EXPECT_EQ(t["from"], hx(sender));
    EXPECT_EQ(t["to"], hx(emitter));
    EXPECT_EQ(t["chainId"], "0x385");
    EXPECT_EQ(t["nonce"], "0x2");
    EXPECT_EQ(t["gas"], "0x30d40");
    EXPECT_EQ(t["maxFeePerGas"], "0x2540be400");
    EXPECT_EQ(t["maxPriorityFeePerGas"], "0x3b9aca00");
    const U256 base = *(*block)->header.base_fee_per_gas;
    EXPECT_EQ(t["gasPrice"], to_hex(base + U256{1'000'000'000ULL}));
    EXPECT_EQ(t["input"], to_0x_hex(Bytes(32, 0x01)));
    EXPECT_EQ(t["blockHash"], hx(hashes[1]));
    EXPECT_EQ(t["blockNumber"], "0x2");
    EXPECT_EQ(t["transactionIndex"], "0x2");
    EXPECT_EQ(t["accessList"], json::array());
    EXPECT_EQ(t["v"], t["yParity"]);
    EXPECT_EQ(t["r"], to_hex(txs[2].signature.r));
    const json& leg = full["transactions"][5];
    EXPECT_EQ(leg["type"], "0x0");
    EXPECT_EQ(leg["gasPrice"], "0xb2d05e00");
    EXPECT_EQ(leg["v"], to_hex(U256{kChainId * 2 + 35 + txs[5].signature.y_parity}));
    EXPECT_FALSE(leg.contains("yParity"));
}

TEST_F(EthApi, TransactionLookups)
{
    const json t = ok("eth_getTransactionByHash", {tx_hash(0)});
    EXPECT_EQ(t["blockNumber"], "0x1");
    EXPECT_EQ(t["transactionIndex"], "0x1");
    EXPECT_EQ(t["value"], "0x3e8");
    EXPECT_EQ(ok("eth_getTransactionByBlockNumberAndIndex", {"0x1", "0x1"}), t);
    EXPECT_EQ(ok("eth_getTransactionByBlockHashAndIndex", {hx(hashes[0]), "0x1"}), t);
    EXPECT_TRUE(ok("eth_getTransactionByBlockNumberAndIndex", {"0x1", "0x9"}).is_null());
    EXPECT_EQ(ok("eth_getTransactionByHash", {tx_hash(1)})["to"], nullptr);
    EXPECT_EQ(ok("eth_getTransactionByHash", {hx(txtypes::transaction_hash(deposit))})["type"],
              "0x7e");

    // Unknown, then pending in the pool.
    auto pending = sign(dynamic_tx(7, kRecipient, 5, {}));
    const Hash ph = txtypes::transaction_hash(pending);
    EXPECT_TRUE(ok("eth_getTransactionByHash", {hx(ph)}).is_null());
    ctx->pending_tx = [&](const Hash& h) -> std::optional<txtypes::Transaction> {
        return h == ph ? std::optional{pending} : std::nullopt;
    };
    const json p = ok("eth_getTransactionByHash", {hx(ph)});
    EXPECT_EQ(p["blockHash"], nullptr);
    EXPECT_EQ(p["blockNumber"], nullptr);
    EXPECT_EQ(p["from"], hx(sender));
    EXPECT_EQ(p["gasPrice"], p["maxFeePerGas"]);
    EXPECT_TRUE(ok("eth_getTransactionReceipt", {hx(ph)}).is_null());
}

TEST_F(EthApi, ReceiptsCarryL2FeesAndBlockWideLogIndexes)
{
    const auto info = l1_info(0);
    const json r = ok("eth_getTransactionReceipt", {tx_hash(0)});
    EXPECT_EQ(r["status"], "0x1");
    EXPECT_EQ(r["type"], "0x2");
    EXPECT_EQ(r["gasUsed"], "0x5208");
    EXPECT_EQ(r["from"], hx(sender));
    EXPECT_EQ(r["to"], hx(kRecipient));
    EXPECT_EQ(r["contractAddress"], nullptr);
    EXPECT_EQ(r["transactionHash"], tx_hash(0));
    EXPECT_EQ(r["blockHash"], hx(hashes[0]));
    const Bytes raw = txtypes::encode_transaction(txs[0]);
    EXPECT_EQ(r["l1Fee"], to_hex(execution::l1_data_fee(info.fee_params(), raw)));
    EXPECT_EQ(r["l1GasUsed"], to_hex(U256{execution::l1_gas_used(raw)}));
    EXPECT_EQ(r["l1GasPrice"], to_hex(info.base_fee));
    EXPECT_EQ(r["l1BaseFeeScalar"], "0x558");
    EXPECT_EQ(r["l1BlobBaseFee"], to_hex(info.blob_base_fee));
    EXPECT_EQ(r["l1BlobBaseFeeScalar"], to_hex(U256{810949}));
    EXPECT_EQ(r["proofFee"], to_hex(U256{21'000 * 7}));
    auto h1 = chain->blocks().header(1, hashes[0]);
    EXPECT_EQ(r["effectiveGasPrice"], to_hex(*(*h1)->base_fee_per_gas + U256{1'000'000'000ULL}));

    const json deploy = ok("eth_getTransactionReceipt", {tx_hash(1)});
    EXPECT_EQ(deploy["contractAddress"], hx(emitter));
    EXPECT_EQ(deploy["to"], nullptr);
    ASSERT_EQ(deploy["logs"].size(), 1u);
    EXPECT_EQ(deploy["logs"][0]["topics"][0], hx(kTopicCtor));
    EXPECT_EQ(deploy["logs"][0]["logIndex"], "0x0");
    EXPECT_EQ(deploy["logs"][0]["removed"], false);

    // Block 2: the second logging call's log is the block's second.
    const json second = ok("eth_getTransactionReceipt", {tx_hash(3)});
    ASSERT_EQ(second["logs"].size(), 1u);
    EXPECT_EQ(second["logs"][0]["logIndex"], "0x1");
    EXPECT_EQ(second["logs"][0]["transactionIndex"], "0x3");
    EXPECT_EQ(second["logs"][0]["transactionHash"], tx_hash(3));
    EXPECT_EQ(second["logs"][0]["address"], hx(emitter));
    EXPECT_EQ(second["logs"][0]["data"], to_0x_hex(Bytes(32, 0x02)));
    const json reverted = ok("eth_getTransactionReceipt", {tx_hash(4)});
    EXPECT_EQ(reverted["status"], "0x0");
    EXPECT_EQ(reverted["logs"], json::array());

    // gasUsed is the cumulative difference; deposits show their nonce and no L1 fee.
    const json all = ok("eth_getBlockReceipts", {"0x2"});
    ASSERT_EQ(all.size(), 6u);
    uint64_t sum = 0;
    for (const auto& x : all)
    {
        sum += std::stoull(x["gasUsed"].get<std::string>(), nullptr, 16);
        EXPECT_EQ(x["cumulativeGasUsed"], to_hex(U256{sum}));
    }
    EXPECT_EQ(all[1]["depositNonce"], "0x0");
    EXPECT_EQ(all[1]["depositReceiptVersion"], "0x1");
    EXPECT_EQ(all[1]["effectiveGasPrice"], "0x0");
    EXPECT_FALSE(all[1].contains("l1Fee"));
    EXPECT_EQ(all[3], second);
    EXPECT_EQ(ok("eth_getBlockReceipts", {hx(hashes[1])}), all);
    EXPECT_TRUE(ok("eth_getBlockReceipts", {"0x9"}).is_null());
    EXPECT_TRUE(ok("eth_getTransactionReceipt", {hx(Hash{})}).is_null());
}

TEST_F(EthApi, GetLogsFilters)
{
    const auto count = [&](const json& filter) {
        return ok("eth_getLogs", json::array({filter})).size();
    };
    const std::string all_blocks = "0x0";
    EXPECT_EQ(count({{"fromBlock", all_blocks}}), 4u);
    EXPECT_EQ(count({{"fromBlock", all_blocks}, {"address", hx(emitter)}}), 4u);
    EXPECT_EQ(count({{"fromBlock", all_blocks}, {"address", {hx(kRecipient), hx(emitter)}}}), 4u);
    EXPECT_EQ(count({{"fromBlock", all_blocks}, {"address", hx(kRecipient)}}), 0u);
    EXPECT_EQ(count({{"fromBlock", all_blocks}, {"topics", {hx(kTopicCall)}}}), 3u);
    EXPECT_EQ(count({{"fromBlock", all_blocks}, {"topics", {hx(kTopicCtor)}}}), 1u);
    EXPECT_EQ(count({{"fromBlock", all_blocks},
                     {"topics", json::array({json::array({hx(kTopicCtor), hx(kTopicCall)})})}}),
              4u);
    const std::string sender_topic = hx(Hash{Hash::left_padded(sender.view())});
    EXPECT_EQ(count({{"fromBlock", all_blocks}, {"topics", {nullptr, sender_topic}}}), 3u);
    EXPECT_EQ(count({{"fromBlock", all_blocks}, {"topics", {nullptr, hx(Hash{})}}}), 0u);
    EXPECT_EQ(count({{"fromBlock", "0x2"}, {"toBlock", "0x2"}}), 2u);
    EXPECT_EQ(count({{"fromBlock", "0x3"}, {"toBlock", "latest"}}), 1u);
    EXPECT_EQ(count({{"fromBlock", "0x3"}, {"toBlock", "0x100"}}), 1u);  // clamped to the head
    EXPECT_EQ(count({{"fromBlock", "0x9"}, {"toBlock", "0x10"}}), 0u);
    EXPECT_EQ(count({{"blockHash", hx(hashes[1])}}), 2u);
    EXPECT_EQ(count(json::object()), 1u);  // latest only

    const json logs = ok("eth_getLogs", {{{"blockHash", hx(hashes[1])}}});
    EXPECT_EQ(logs[1]["logIndex"], "0x1");
    EXPECT_EQ(logs[1]["transactionHash"], tx_hash(3));
    EXPECT_EQ(logs[1]["blockNumber"], "0x2");
    EXPECT_EQ(logs[1]["topics"][1], sender_topic);

    EXPECT_EQ(err("eth_getLogs", {{{"fromBlock", "0x3"}, {"toBlock", "0x1"}}}).code, -32602);
    EXPECT_EQ(err("eth_getLogs", {{{"blockHash", hx(Hash{})}}}).code, -32000);
    EXPECT_EQ(err("eth_getLogs", {{{"blockHash", hx(hashes[1])}, {"fromBlock", "0x1"}}}).code,
              -32602);
    EXPECT_EQ(
        err("eth_getLogs", {{{"topics", {nullptr, nullptr, nullptr, nullptr, nullptr}}}}).code,
        -32602);
    ctx->limits.max_logs_block_range = 2;
    const auto range = err("eth_getLogs", {{{"fromBlock", "0x0"}}});
    EXPECT_EQ(range.code, -32005);
    EXPECT_NE(range.message.find("limit of 2"), std::string::npos) << range.message;
    ctx->limits.max_logs_block_range = 10'000;
    ctx->limits.max_logs = 3;
    EXPECT_EQ(err("eth_getLogs", {{{"fromBlock", "0x0"}}}).code, -32005);
    EXPECT_EQ(count({{"fromBlock", "0x0"}, {"topics", {hx(kTopicCall)}}}), 3u);
}

TEST_F(EthApi, CallReturnsOutputAndRevertData)
{
    // GasPriceOracle.l1BaseFee() (native): the L1 base fee of the L1-info deposit.
    const json out = ok(
        "eth_call",
        {{{"to", hx(execution::predeploys::kGasPriceOracle)}, {"data", "0x519b4bd3"}}, "latest"});
    Hash word;
    to_be_bytes(l1_info(0).base_fee, word.data());
    EXPECT_EQ(out, hx(word));
    EXPECT_EQ(ok("eth_call", {{{"to", hx(emitter)}, {"input", "0x01"}}}), "0x");

    const auto rev = err("eth_call", {{{"from", hx(sender)}, {"to", hx(emitter)}}, "latest"});
    EXPECT_EQ(rev.code, 3);
    EXPECT_EQ(rev.message, "execution reverted");
    ASSERT_TRUE(rev.data);
    EXPECT_EQ(*rev.data, "0xdeadbeef");

    // Value needs the balance; fees are charged only when named.
    EXPECT_EQ(err("eth_call", {{{"to", hx(kRecipient)}, {"value", "0x1"}}}).code, -32000);
    EXPECT_EQ(ok("eth_call", {{{"from", hx(sender)}, {"to", hx(kRecipient)}, {"value", "0x1"}}}),
              "0x");
    const auto poor = err(
        "eth_call", {{{"from", hx(kRecipient)}, {"to", hx(sender)}, {"gasPrice", "0x3b9aca00"}}});
    EXPECT_NE(poor.message.find("insufficient funds"), std::string::npos) << poor.message;
    EXPECT_NE(err("eth_call", {{{"to", hx(emitter)}, {"gas", "0x5000"}}})
                  .message.find("intrinsic gas too low"),
              std::string::npos);
    EXPECT_EQ(
        err("eth_call", {{{"to", hx(emitter)}, {"data", "0x01"}}, "latest", json::object()}).code,
        -32602);
    // Out of gas is not a revert.
    EXPECT_EQ(err("eth_call", {{{"to", hx(emitter)}, {"data", "0x01"}, {"gas", "0x5300"}}}).code,
              -32000);
    // At an older block: the emitter does not exist yet.
    EXPECT_EQ(ok("eth_call", {{{"to", hx(emitter)}}, "0x0"}), "0x");
}

TEST_F(EthApi, EstimateGasIsJustEnough)
{
    const auto check = [&](const std::optional<Address>& to, const Bytes& data) {
        json req = {{"from", hx(sender)}, {"data", to_0x_hex(data)}};
        if (to)
            req["to"] = hx(*to);
        const json est = ok("eth_estimateGas", {req, "latest"});
        const uint64_t gas = std::stoull(est.get<std::string>(), nullptr, 16);
        const uint64_t nonce = chain->state().account(state::Engine::kEvm, sender)->nonce;
        for (const uint64_t g : {gas, gas - 1})
        {
            auto t = dynamic_tx(nonce, to, 0, data);
            t.gas_limit = g;
            t = sign(t);
            auto b = builder({});
            auto r = b->add(t, sender, txtypes::encode_transaction(t));
            ASSERT_TRUE(r) << execution::to_string(r.error());
            EXPECT_EQ((*r)->success, g == gas) << "gas " << g << " of estimate " << gas;
        }
    };
    check(emitter, Bytes(32, 0x05));          // SSTORE (stipend check) + LOG2
    check(emitter, Bytes(32, 0x00));          // SSTORE to zero: a refund
    check(std::nullopt, emitter_initcode());  // a deployment
    EXPECT_EQ(ok("eth_estimateGas", {{{"from", hx(sender)}, {"to", hx(kRecipient)}}}), "0x5208");

    const auto rev = err("eth_estimateGas", {{{"from", hx(sender)}, {"to", hx(emitter)}}});
    EXPECT_EQ(rev.code, 3);
    ASSERT_TRUE(rev.data);
    EXPECT_EQ(*rev.data, "0xdeadbeef");
    // INVALID (0xfe) as initcode fails at any gas.
    const auto bad = err("eth_estimateGas", {{{"from", hx(sender)}, {"data", "0xfe"}}});
    EXPECT_EQ(bad.code, -32000);
    // A named fee cap bounds the gas by the balance.
    const auto poor = err("eth_estimateGas", {{{"from", hx(kRecipient)},
                                               {"to", hx(emitter)},
                                               {"data", "0x01"},
                                               {"maxFeePerGas", "0x3b9aca00"}}});
    EXPECT_EQ(poor.code, -32000);
}

TEST_F(EthApi, RequestGasBudgetBoundsABatchOfCalls)
{
    // Each eth_call takes its gas limit from the request's budget and gives back what it did
    // not run: a plain transfer runs 21,000.
    const std::string call = R"({"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"from":")" +
                             hx(sender) + R"(","to":")" + hx(kRecipient) +
                             R"(","gas":"0x7530"}]})";  // 30,000 gas
    const std::string batch = "[" + call + "," + call + "," + call + "]";
    // 70,000: the first two take 30,000 each and keep 21,000; the third finds 28,000 left.
    auto answers = json::parse(handle_rpc_body(methods, batch, 10, 70'000));
    ASSERT_EQ(answers.size(), 3u);
    EXPECT_EQ(answers[0].at("result"), "0x");
    EXPECT_EQ(answers[1].at("result"), "0x");
    EXPECT_EQ(answers[2].at("error").at("code"), -32005);
    EXPECT_NE(answers[2].at("error").at("message").get<std::string>().find("rpc.max_request_gas"),
              std::string::npos);
    // 72,000: room for the third (72,000 - 2 x 21,000 = 30,000).
    answers = json::parse(handle_rpc_body(methods, batch, 10, 72'000));
    EXPECT_EQ(answers[2].at("result"), "0x");
    // Each request has its own budget; outside a request nothing is limited.
    answers = json::parse(handle_rpc_body(methods, call, 10, 30'000));
    EXPECT_EQ(answers.at("result"), "0x");
    EXPECT_EQ(ok("eth_call", {{{"from", hx(sender)}, {"to", hx(kRecipient)}}}), "0x");

    // eth_estimateGas reserves its upper bound, then is charged every simulation of its search.
    const std::string est = R"({"jsonrpc":"2.0","id":2,"method":"eth_estimateGas","params":[{"from":")" +
                            hx(sender) + R"(","to":")" + hx(kRecipient) + R"(","gas":"0x7530"}]})";
    EXPECT_EQ(json::parse(handle_rpc_body(methods, est, 10, 30'000)).at("result"), "0x5208");
    EXPECT_EQ(json::parse(handle_rpc_body(methods, est, 10, 29'999)).at("error").at("code"),
              -32005);
    // Its search (one run at 30,000 using 21,000, then the optimistic bound) leaves too little
    // for a second estimate in a 45,000 budget.
    answers = json::parse(handle_rpc_body(methods, "[" + est + "," + est + "]", 10, 45'000));
    EXPECT_EQ(answers[0].at("result"), "0x5208");
    EXPECT_EQ(answers[1].at("error").at("code"), -32005);
}

TEST_F(EthApi, GetProofVerifiesAgainstTheStateRoot)
{
    const json p = ok("eth_getProof", {hx(emitter), {"0x0", "0x1"}, "latest"});
    const Hash root = chain->head().header.state_root;
    const auto nodes = [](const json& arr) {
        std::vector<Bytes> out;
        for (const auto& n : arr)
            out.push_back(*from_hex(n.get<std::string>().substr(2)));
        return out;
    };
    Bytes leaf;
    ASSERT_TRUE(state::verify_proof(root, keccak256(emitter), nodes(p["accountProof"]), leaf));
    const auto acc = chain->state().account(state::Engine::kEvm, emitter);
    ASSERT_TRUE(acc);
    EXPECT_EQ(leaf, state::encode_account(*acc));
    EXPECT_EQ(p["nonce"], "0x1");
    EXPECT_EQ(p["codeHash"], hx(keccak256(emitter_runtime())));
    EXPECT_EQ(p["storageHash"], hx(acc->storage_root));
    const Hash storage_root = acc->storage_root;
    ASSERT_EQ(p["storageProof"].size(), 2u);
    EXPECT_EQ(p["storageProof"][0]["key"], "0x0");
    EXPECT_EQ(p["storageProof"][0]["value"], to_hex(from_be_bytes(Bytes(32, 0x03))));
    Bytes v;
    ASSERT_TRUE(state::verify_proof(storage_root, keccak256(state::trie_slot(U256{0})),
                                    nodes(p["storageProof"][0]["proof"]), v));
    Bytes expected;
    rlp::encode(expected, Bytes(32, 0x03));
    EXPECT_EQ(v, expected);
    EXPECT_EQ(p["storageProof"][1]["value"], "0x0");
    ASSERT_TRUE(state::verify_proof(storage_root, keccak256(state::trie_slot(U256{1})),
                                    nodes(p["storageProof"][1]["proof"]), v));
    EXPECT_TRUE(v.empty());

    // An absent account: a proof of absence and empty fields.
    const Address nobody = address_literal("000000000000000000000000000000000000beef");
    const json none = ok("eth_getProof", {hx(nobody), json::array(), "latest"});
    ASSERT_TRUE(state::verify_proof(root, keccak256(nobody), nodes(none["accountProof"]), v));
    EXPECT_TRUE(v.empty());
    EXPECT_EQ(none["balance"], "0x0");
    EXPECT_EQ(none["storageHash"], hx(txtypes::kEmptyRootHash));
    EXPECT_EQ(none["codeHash"], hx(state::kEmptyCodeHash));

    // At an older block: against that block's root.
    const json old = ok("eth_getProof", {hx(emitter), {"0x0"}, "0x2"});
    auto h2 = chain->blocks().header(2, hashes[1]);
    ASSERT_TRUE(state::verify_proof((*h2)->state_root, keccak256(emitter),
                                    nodes(old["accountProof"]), leaf));
    EXPECT_EQ(old["storageProof"][0]["value"], to_hex(from_be_bytes(Bytes(32, 0x02))));
}

TEST_F(EthApi, FeeHistory)
{
    const json h = ok("eth_feeHistory", {"0x2", "latest", {25, 75}});
    EXPECT_EQ(h["oldestBlock"], "0x2");
    ASSERT_EQ(h["baseFeePerGas"].size(), 3u);
    EXPECT_EQ(h["baseFeePerGas"][2],
              to_hex(execution::next_base_fee(chain->spec(), chain->head().header)));
    auto h2 = chain->blocks().header(2, hashes[1]);
    EXPECT_EQ(h["baseFeePerGas"][0], to_hex(*(*h2)->base_fee_per_gas));
    ASSERT_EQ(h["gasUsedRatio"].size(), 2u);
    EXPECT_TRUE(h["gasUsedRatio"][0].is_number_float());
    EXPECT_DOUBLE_EQ(h["gasUsedRatio"][0].get<double>(),
                     static_cast<double>((*h2)->gas_used) / 30'000'000.0);
    ASSERT_EQ(h["reward"].size(), 2u);
    // Block 2: tips of 1 gwei (three 1559 txs) and 3 gwei - base (the legacy tx).
    EXPECT_EQ(h["reward"][0][0], "0x3b9aca00");
    EXPECT_EQ(h["reward"][1], json::array({"0x3b9aca00", "0x3b9aca00"}));
    EXPECT_FALSE(ok("eth_feeHistory", {4, "0x1"}).contains("reward"));
    EXPECT_EQ(ok("eth_feeHistory", {4, "0x1"})["oldestBlock"], "0x0");
    EXPECT_EQ(ok("eth_feeHistory", {4, "0x1"})["baseFeePerGas"].size(), 3u);
    EXPECT_EQ(err("eth_feeHistory", {"0x2", "latest", {75, 25}}).code, -32602);
    EXPECT_EQ(err("eth_feeHistory", {"0x2", "0x9"}).code, -32000);
}

TEST_F(EthApi, SendRawTransactionGoesToTheSubmitHook)
{
    const Bytes raw = txtypes::encode_transaction(sign(dynamic_tx(7, kRecipient, 1, {})));
    EXPECT_EQ(err("eth_sendRawTransaction", {to_0x_hex(raw)}).code, -32000);
    Bytes seen;
    ctx->submit = [&](ByteView r) -> Result<Hash, std::string> {
        seen = Bytes{r};
        if (r.size() < 10)
            return unexpected(std::string{"transaction type not supported"});
        return keccak256(r);
    };
    EXPECT_EQ(ok("eth_sendRawTransaction", {to_0x_hex(raw)}), hx(keccak256(raw)));
    EXPECT_EQ(seen, raw);
    const auto e = err("eth_sendRawTransaction", {"0x7e01"});
    EXPECT_EQ(e.code, -32000);
    EXPECT_EQ(e.message, "transaction type not supported");
    EXPECT_EQ(err("eth_sendRawTransaction", {"0x"}).code, -32602);
}

TEST_F(EthApi, OutputAtBlock)
{
    const json o = ok("rollup_outputAtBlock", {"0x2"});
    auto h2 = chain->blocks().header(2, hashes[1]);
    Bytes pre(32, 0);
    pre.append((*h2)->state_root.data(), 32);
    pre.append(txtypes::kEmptyRootHash.data(), 32);  // no message passer in this chain
    pre.append(hashes[1].data(), 32);
    EXPECT_EQ(o["outputRoot"], hx(keccak256(pre)));
    EXPECT_EQ(o["version"], hx(Hash{}));
    EXPECT_EQ(o["stateRoot"], hx((*h2)->state_root));
    EXPECT_EQ(o["withdrawalStorageRoot"], hx(txtypes::kEmptyRootHash));
    EXPECT_EQ(o["blockRef"]["number"], 2);
    EXPECT_EQ(o["blockRef"]["hash"], hx(hashes[1]));
    EXPECT_EQ(o["blockRef"]["l1origin"]["number"], 10);
    EXPECT_EQ(o["blockRef"]["sequenceNumber"], 1);
    EXPECT_EQ(output_root_v0((*h2)->state_root, txtypes::kEmptyRootHash, hashes[1]),
              keccak256(pre));
}

TEST_F(EthApi, StrictParameters)
{
    const auto bad = [&](const std::string& m, const json& params, const std::string& mention) {
        const auto e = err(m, params);
        EXPECT_EQ(e.code, kInvalidParams) << m << " " << params.dump();
        EXPECT_NE(e.message.find(mention), std::string::npos)
            << m << " " << params.dump() << ": " << e.message;
    };
    bad("eth_getBalance", json::array(), "missing value");
    bad("eth_getBalance", {"0x12"}, "address");
    bad("eth_getBalance", {"12" + hx(sender).substr(2)}, "0x");
    bad("eth_getBalance", {hx(sender), "latest", "0x1"}, "too many");
    bad("eth_getBalance", {hx(sender), "newest"}, "block");
    bad("eth_getBalance", json::object({{"address", hx(sender)}}), "array");
    bad("eth_getBlockByNumber", {"0xzz", false}, "block number");
    bad("eth_getBlockByNumber", {"0x1", "yes"}, "full transactions");
    bad("eth_getBlockByHash", {"0x1234", false}, "block hash");
    bad("eth_getTransactionByHash", {42}, "transaction hash");
    bad("eth_getStorageAt", {hx(emitter), "0x" + std::string(66, '0'), "latest"}, "storage slot");
    bad("eth_call", {{{"to", hx(emitter)}, {"data", "0x123"}}}, "transaction.data");
    bad("eth_call", {{{"to", hx(emitter)}, {"data", "0x12"}, {"input", "0x13"}}}, "not equal");
    bad("eth_call", {{{"to", hx(emitter)}, {"gas", "0x1ffffffffffffffff"}}}, "transaction.gas");
    bad("eth_call", {"0x12"}, "transaction");
    bad("eth_getLogs", {{{"address", "0x12"}}}, "filter.address");
    bad("eth_getProof", {hx(emitter), "0x0"}, "storage keys");
    bad("eth_feeHistory", {"0x2", "latest", {101}}, "percentiles");
    bad("eth_getTransactionByBlockNumberAndIndex", {"0x1", "1"}, "transaction index");
    bad("eth_chainId", {1}, "too many");
}
