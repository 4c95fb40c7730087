#include "statetest_runner.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

#include <execution/executor.hpp>
#include <execution/gas_schedule.hpp>
#include <state/journaled_state.hpp>
#include <state/memory_store.hpp>
#include <state/state_db.hpp>
#include <txtypes/block.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/secp256k1.hpp>
#include <txtypes/validation.hpp>

namespace l2::test {

namespace {

using nlohmann::json;
using namespace l2::execution;
using namespace l2::state;

U256 num(const json& v)
{
    return u256_from_string(v.get<std::string>()).value_or(U256{0});
}

uint64_t num64(const json& v)
{
    return low_u64(num(v));
}

Bytes bytes(const json& v)
{
    std::string s = v.get<std::string>();
    // Some fillers use ":raw 0x..." markers in data; fixtures hold plain hex.
    return from_hex(s).value_or(Bytes{});
}

Hash hash32(const json& v)
{
    return Hash{FixedBytes<32>::left_padded(bytes(v))};
}

/// geth's state-test BLOCKHASH: keccak256 of the decimal block number.
Hash test_block_hash(uint64_t n)
{
    return keccak256(as_view(std::to_string(n)));
}

/// keccak256(rlp(logs)): the fixtures' "logs" hash.
Hash logs_hash(const std::vector<txtypes::Log>& logs)
{
    Bytes payload;
    for (const auto& log : logs)
        txtypes::encode_log(payload, log);
    return keccak256(rlp::wrap_list(payload));
}

struct Built
{
    bool overflow = false;  ///< a field does not fit its type (the tx cannot be encoded)
    txtypes::Transaction txn;
    std::optional<BlobFields> blob;
    Address sender;
};

Built build_tx(const json& t, const json& indexes, Revision rev)
{
    Built b;
    auto& txn = b.txn;
    const size_t di = indexes.at("data").get<size_t>();
    const size_t gi = indexes.at("gas").get<size_t>();
    const size_t vi = indexes.at("value").get<size_t>();
    txn.chain_id = 1;
    txn.nonce = num64(t.at("nonce"));
    txn.gas_limit = num64(t.at("gasLimit").at(gi));
    const auto value = u256_from_string(t.at("value").at(vi).get<std::string>());
    b.overflow = !value;
    txn.value = value.value_or(U256{0});
    txn.data = bytes(t.at("data").at(di));
    const auto to = t.at("to").get<std::string>();
    if (!to.empty())
        txn.to = *address_from_hex(to);
    if (t.contains("maxFeePerGas"))
    {
        txn.type = txtypes::TxType::kDynamicFee;
        txn.max_fee_per_gas = num(t.at("maxFeePerGas"));
        txn.max_priority_fee_per_gas = num(t.at("maxPriorityFeePerGas"));
    }
    else
    {
        txn.max_fee_per_gas = txn.max_priority_fee_per_gas = num(t.at("gasPrice"));
        txn.type = txtypes::TxType::kLegacy;
    }
    if (t.contains("accessLists") && !t.at("accessLists").at(di).is_null())
    {
        if (txn.type == txtypes::TxType::kLegacy)
            txn.type = txtypes::TxType::kAccessList;
        for (const auto& e : t.at("accessLists").at(di))
        {
            txtypes::AccessListEntry entry;
            entry.address = *address_from_hex(e.at("address").get<std::string>());
            for (const auto& k : e.at("storageKeys"))
                entry.storage_keys.push_back(hash32(k));
            txn.access_list.push_back(std::move(entry));
        }
    }
    if (t.contains("blobVersionedHashes"))
    {
        BlobFields blob;
        for (const auto& h : t.at("blobVersionedHashes"))
            blob.versioned_hashes.push_back(hash32(h));
        blob.max_fee_per_blob_gas = num(t.at("maxFeePerBlobGas"));
        b.blob = std::move(blob);
    }
    // Before Spurious Dragon a legacy tx carries no chain id (EIP-155).
    if (txn.type == txtypes::TxType::kLegacy && rev < Revision::kSpuriousDragon)
        txn.chain_id.reset();
    const Hash key = hash32(t.at("secretKey"));
    b.sender = address_from_private_key(key).value_or(Address{});
    (void)txtypes::sign_transaction(txn, key);
    return b;
}

}  // namespace

std::optional<Hash> load_pre_state(const json& pre_json, StateDb& db)
{
    StateDiff pre;
    for (const auto& [addr, acc] : pre_json.items())
    {
        AccountChange ch;
        ch.identity = *address_from_hex(addr);
        Account a;
        a.nonce = num64(acc.at("nonce"));
        a.balance = num(acc.at("balance"));
        const Bytes code = bytes(acc.at("code"));
        if (!code.empty())
        {
            a.code_hash = keccak256(code);
            pre.code.emplace_back(a.code_hash, code);
        }
        ch.account = a;
        for (const auto& [slot, value] : acc.at("storage").items())
            ch.storage.push_back({*u256_from_string(slot), num(value)});
        pre.accounts.push_back(std::move(ch));
    }
    auto prepared = db.prepare(pre, txtypes::kEmptyRootHash);
    if (!prepared || !db.commit(*prepared))
        return std::nullopt;
    return prepared->state_root;
}

StateTestSummary run_state_test_file(const std::filesystem::path& file,
                                     const StateTestOptions& options)
{
    StateTestSummary sum;
    std::ifstream in{file};
    json fixture;
    try
    {
        fixture = json::parse(in);
    }
    catch (const std::exception& e)
    {
        StateTestCase c{file.string(), "(file)", false, std::string{"bad JSON: "} + e.what()};
        ++sum.failed;
        if (options.on_case)
            options.on_case(c);
        return sum;
    }

    for (const auto& [test_name, test] : fixture.items())
    {
        // Pre-state, once per test.
        MemoryStore kv;
        StateDb db{kv};
        const auto loaded = load_pre_state(test.at("pre"), db);
        if (!loaded)
        {
            ++sum.failed;
            continue;
        }
        const Hash pre_root = *loaded;

        const json& env = test.at("env");
        evm::BlockContext block;
        block.number = num64(env.at("currentNumber"));
        block.timestamp = num64(env.at("currentTimestamp"));
        block.gas_limit = num64(env.at("currentGasLimit"));
        block.coinbase = *address_from_hex(env.at("currentCoinbase").get<std::string>());
        if (env.contains("currentRandom"))
            block.prev_randao = hash32(env.at("currentRandom"));
        if (env.contains("currentBaseFee"))
            block.base_fee = num(env.at("currentBaseFee"));
        if (env.contains("currentExcessBlobGas"))
            block.blob_base_fee = blob_base_fee(num64(env.at("currentExcessBlobGas")));
        block.chain_id = 1;
        block.block_hash = test_block_hash;

        for (const auto& [fork, posts] : test.at("post").items())
        {
            const bool wanted = options.forks.empty() ||
                                std::find(options.forks.begin(), options.forks.end(), fork) !=
                                    options.forks.end();
            if (!wanted)
                continue;
            const auto rev = revision_from_name(fork);
            if (!rev)
            {
                sum.skipped += posts.size();
                continue;
            }
            const GasSchedule gas = schedule_for(*rev);
            for (const auto& post : posts)
            {
                const json& idx = post.at("indexes");
                StateTestCase c;
                c.file = file.string();
                c.name = test_name + "/" + fork + "/d" + std::to_string(idx.at("data").get<int>()) +
                         "g" + std::to_string(idx.at("gas").get<int>()) + "v" +
                         std::to_string(idx.at("value").get<int>());
                const bool expect_invalid = post.contains("expectException");

                const Built b = build_tx(test.at("transaction"), idx, *rev);
                JournaledState st{db};
                std::string rejected;
                std::vector<txtypes::Log> logs;
                if (b.overflow)
                    rejected = "a field overflows its type";
                else if (auto ok = txtypes::validate_stateless(b.txn, {*rev, 1, false}); !ok)
                    rejected = txtypes::to_string(ok.error());
                else if (b.blob && *rev < Revision::kCancun)
                    rejected = "blob tx before Cancun";
                else
                {
                    TxEnv tx_env{*rev, false, &gas, b.blob};
                    auto out = execute_transaction(st, block, b.txn, b.sender, tx_env,
                                                   block.gas_limit);
                    if (!out)
                        rejected = execution::to_string(out.error());
                    else
                        logs = std::move(out->logs);
                }

                Hash root = pre_root;
                if (rejected.empty())
                {
                    auto p = db.prepare(st.diff(), pre_root);
                    if (p)
                        root = p->state_root;
                }
                const auto want_root = post.at("hash").get<std::string>();
                const auto want_logs = post.at("logs").get<std::string>();
                c.passed = to_0x_hex(root) == want_root;
                if (!c.passed)
                    c.detail = "state root " + to_0x_hex(root) + " want " + want_root;
                if (c.passed && to_0x_hex(logs_hash(logs)) != want_logs)
                {
                    c.passed = false;
                    c.detail = "logs hash differs";
                }
                if (c.passed && expect_invalid && rejected.empty())
                {
                    c.passed = false;
                    c.detail = "accepted a tx the fixture rejects: " +
                               post.at("expectException").get<std::string>();
                }
                if (c.passed && !expect_invalid && !rejected.empty())
                {
                    c.passed = false;
                    c.detail = "rejected a valid tx: " + rejected;
                }
                if (!c.passed && !rejected.empty())
                    c.detail += " (rejected: " + rejected + ")";
                c.passed ? ++sum.passed : ++sum.failed;
                if (options.on_case)
                    options.on_case(c);
            }
        }
    }
    return sum;
}

}  // namespace l2::test
