#include "rollup_config.hpp"

#include <nlohmann/json.hpp>

#include <execution/chain_spec.hpp>
#include <txtypes/hex.hpp>

namespace l2::derivation {

namespace {

using nlohmann::json;

using execution::json_quantity;

template <typename T>
Result<T, std::string> fixed(const json& j, const std::string& key)
{
    if (!j.is_string())
        return unexpected(key + ": expected a 0x-hex string");
    auto b = from_hex(j.get<std::string>());
    T out;
    if (!b || !T::from_view(*b, out))
        return unexpected(key + ": expected " + std::to_string(T::size()) + " bytes of 0x-hex");
    return out;
}

}  // namespace

Result<RollupConfig, std::string> RollupConfig::from_json(std::string_view text)
{
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return unexpected(std::string{"rollup config: not a JSON object"});
    RollupConfig c;
    std::string err;
    auto u64 = [&](const char* key, uint64_t& out, bool required) {
        if (!j.contains(key))
        {
            if (required && err.empty())
                err = std::string{key} + ": missing";
            return;
        }
        auto v = json_quantity(j[key], key);
        if (!v || !fits_u64(*v))
        {
            if (err.empty())
                err = v ? std::string{key} + ": does not fit in 64 bits" : v.error();
            return;
        }
        out = low_u64(*v);
    };
    auto u32 = [&](const char* key, uint32_t& out) {
        uint64_t v = out;
        u64(key, v, false);
        if (v > UINT32_MAX && err.empty())
            err = std::string{key} + ": does not fit in 32 bits";
        out = static_cast<uint32_t>(v);
    };
    auto addr = [&](const char* key, Address& out, bool required) {
        if (!j.contains(key))
        {
            if (required && err.empty())
                err = std::string{key} + ": missing";
            return;
        }
        auto v = fixed<Address>(j[key], key);
        if (!v && err.empty())
            err = v.error();
        else if (v)
            out = *v;
    };
    auto anchor = [&](const char* key, BlockAnchor& out) {
        if (!j.contains("genesis") || !j["genesis"].contains(key))
        {
            if (err.empty())
                err = std::string{"genesis."} + key + ": missing";
            return;
        }
        const json& a = j["genesis"][key];
        if (!a.is_object())
        {
            if (err.empty())
                err = std::string{"genesis."} + key + ": expected an object";
            return;
        }
        auto n =
            json_quantity(a.value("number", json{}), std::string{"genesis."} + key + ".number");
        auto h = fixed<Hash>(a.value("hash", json{}), std::string{"genesis."} + key + ".hash");
        if ((!n || !fits_u64(*n) || !h) && err.empty())
            err = !n ? n.error() : !h ? h.error() : std::string{"genesis number too large"};
        if (n && h && fits_u64(*n))
            out = {low_u64(*n), *h};
    };

    u64("l1_chain_id", c.l1_chain_id, true);
    u64("l2_chain_id", c.l2_chain_id, true);
    u64("block_time", c.block_time, false);
    u64("max_sequencer_drift", c.max_sequencer_drift, false);
    u64("seq_window_size", c.seq_window_size, false);
    u64("channel_timeout", c.channel_timeout, false);
    u64("l1_confirmations", c.l1_confirmations, false);
    anchor("l1", c.genesis_l1);
    anchor("l2", c.genesis_l2);
    if (j.contains("genesis") && j["genesis"].contains("l2_time"))
    {
        auto t = json_quantity(j["genesis"]["l2_time"], "genesis.l2_time");
        if (t && fits_u64(*t))
            c.genesis_l2_time = low_u64(*t);
        else if (err.empty())
            err = "genesis.l2_time: invalid";
    }
    addr("batch_inbox_address", c.batch_inbox, true);
    addr("batcher_address", c.batcher, true);
    addr("proposer_address", c.proposer, false);
    addr("deposit_contract_address", c.deposit_portal, true);
    addr("l2_output_oracle_address", c.output_oracle, false);
    u32("base_fee_scalar", c.base_fee_scalar);
    u32("blob_base_fee_scalar", c.blob_base_fee_scalar);
    if (j.contains("proof_fee_per_gas"))
    {
        auto v = json_quantity(j["proof_fee_per_gas"], "proof_fee_per_gas");
        if (v)
            c.proof_fee_per_gas = *v;
        else if (err.empty())
            err = v.error();
    }
    if (err.empty() && c.block_time == 0)
        err = "block_time: must be > 0";
    if (!err.empty())
        return unexpected("rollup config: " + err);
    return c;
}

std::string RollupConfig::to_json() const
{
    auto a = [](const Address& x) { return to_0x_hex(x.view()); };
    json j;
    j["l1_chain_id"] = l1_chain_id;
    j["l2_chain_id"] = l2_chain_id;
    j["block_time"] = block_time;
    j["max_sequencer_drift"] = max_sequencer_drift;
    j["seq_window_size"] = seq_window_size;
    j["channel_timeout"] = channel_timeout;
    j["l1_confirmations"] = l1_confirmations;
    j["genesis"] = {
        {"l1", {{"number", genesis_l1.number}, {"hash", to_0x_hex(genesis_l1.hash.view())}}},
        {"l2", {{"number", genesis_l2.number}, {"hash", to_0x_hex(genesis_l2.hash.view())}}},
        {"l2_time", genesis_l2_time},
    };
    j["batch_inbox_address"] = a(batch_inbox);
    j["batcher_address"] = a(batcher);
    j["proposer_address"] = a(proposer);
    j["deposit_contract_address"] = a(deposit_portal);
    j["l2_output_oracle_address"] = a(output_oracle);
    j["base_fee_scalar"] = base_fee_scalar;
    j["blob_base_fee_scalar"] = blob_base_fee_scalar;
    j["proof_fee_per_gas"] = to_hex(proof_fee_per_gas);
    return j.dump(2);
}

}  // namespace l2::derivation
