#include "chain_spec.hpp"

#include <nlohmann/json.hpp>

#include <state/journaled_state.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

namespace l2::execution {

namespace {

using nlohmann::json;

Result<uint64_t, std::string> quantity_u64(const json& j, const std::string& key)
{
    auto v = json_quantity(j, key);
    if (!v)
        return unexpected(v.error());
    if (!fits_u64(*v))
        return unexpected(key + ": does not fit in 64 bits");
    return low_u64(*v);
}

Result<Bytes, std::string> data(const json& j, const std::string& key)
{
    if (!j.is_string())
        return unexpected(key + ": expected a 0x-hex string");
    auto b = from_hex(j.get<std::string>());
    if (!b)
        return unexpected(key + ": invalid hex");
    return *b;
}

Result<Address, std::string> address(std::string_view s, const std::string& key)
{
    auto b = from_hex(s);
    if (!b || b->size() != 20)
        return unexpected(key + ": expected a 20-byte 0x-hex address");
    Address a;
    Address::from_view(*b, a);
    return a;
}

std::string hex_u64(uint64_t v)
{
    return to_hex(U256{v});
}

}  // namespace

Result<U256, std::string> json_quantity(const json& j, const std::string& key)
{
    if (j.is_number_unsigned())
        return U256{j.get<uint64_t>()};
    if (!j.is_string())
        return unexpected(key + ": expected a number or a 0x-quantity string");
    auto v = u256_from_string(j.get<std::string>());
    if (!v)
        return unexpected(key + ": " + v.error());
    return *v;
}

Result<ChainSpec, std::string> ChainSpec::from_json(std::string_view text)
{
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object())
        return unexpected(std::string{"chain config: not a JSON object"});
    ChainSpec spec;
#define L2_TRY(var, expr) \
    auto var = (expr);    \
    if (!var)             \
        return unexpected(var.error());

    if (!j.contains("chainId"))
        return unexpected(std::string{"chainId: missing"});
    L2_TRY(chain_id, quantity_u64(j["chainId"], "chainId"));
    spec.chain_id = *chain_id;
    if (j.contains("gasTable"))
    {
        auto t = GasTable::from_json(j["gasTable"].dump());
        if (!t)
            return unexpected("gasTable: " + t.error());
        spec.gas_table = std::move(*t);
    }
    if (j.contains("eip1559"))
    {
        const json& e = j["eip1559"];
        if (e.contains("denominator"))
        {
            L2_TRY(d, quantity_u64(e["denominator"], "eip1559.denominator"));
            spec.eip1559_denominator = *d;
        }
        if (e.contains("elasticity"))
        {
            L2_TRY(el, quantity_u64(e["elasticity"], "eip1559.elasticity"));
            spec.eip1559_elasticity = *el;
        }
        if (spec.eip1559_denominator == 0 || spec.eip1559_elasticity == 0)
            return unexpected(std::string{"eip1559: denominator and elasticity must be > 0"});
    }
    if (j.contains("gasLimit"))
    {
        L2_TRY(gl, quantity_u64(j["gasLimit"], "gasLimit"));
        spec.gas_limit = *gl;
    }
    if (!j.contains("genesis") || !j["genesis"].is_object())
        return unexpected(std::string{"genesis: missing"});
    const json& g = j["genesis"];
    if (g.contains("timestamp"))
    {
        L2_TRY(ts, quantity_u64(g["timestamp"], "genesis.timestamp"));
        spec.genesis_timestamp = *ts;
    }
    if (g.contains("baseFeePerGas"))
    {
        L2_TRY(bf, json_quantity(g["baseFeePerGas"], "genesis.baseFeePerGas"));
        spec.genesis_base_fee = *bf;
    }
    if (g.contains("extraData"))
    {
        L2_TRY(ed, data(g["extraData"], "genesis.extraData"));
        spec.genesis_extra_data = std::move(*ed);
    }
    if (g.contains("alloc"))
    {
        if (!g["alloc"].is_object())
            return unexpected(std::string{"genesis.alloc: expected an object"});
        for (const auto& [k, v] : g["alloc"].items())
        {
            const std::string key = "genesis.alloc." + k;
            L2_TRY(addr, address(k, key));
            GenesisAccount acc;
            if (v.contains("balance"))
            {
                L2_TRY(b, json_quantity(v["balance"], key + ".balance"));
                acc.balance = *b;
            }
            if (v.contains("nonce"))
            {
                L2_TRY(n, quantity_u64(v["nonce"], key + ".nonce"));
                acc.nonce = *n;
            }
            if (v.contains("code"))
            {
                L2_TRY(c, data(v["code"], key + ".code"));
                acc.code = std::move(*c);
            }
            if (v.contains("storage"))
            {
                for (const auto& [sk, sv] : v["storage"].items())
                {
                    L2_TRY(slot, json_quantity(json(sk), key + ".storage"));
                    L2_TRY(val, json_quantity(sv, key + ".storage." + sk));
                    acc.storage[*slot] = *val;
                }
            }
            spec.alloc[*addr] = std::move(acc);
        }
    }
#undef L2_TRY
    return spec;
}

std::string ChainSpec::to_json() const
{
    json j;
    j["chainId"] = chain_id;
    j["gasLimit"] = hex_u64(gas_limit);
    j["eip1559"] = {{"denominator", eip1559_denominator}, {"elasticity", eip1559_elasticity}};
    json g;
    g["timestamp"] = hex_u64(genesis_timestamp);
    g["baseFeePerGas"] = to_hex(genesis_base_fee);
    g["extraData"] = to_0x_hex(genesis_extra_data);
    json accounts = json::object();
    for (const auto& [addr, acc] : this->alloc)
    {
        json a;
        a["balance"] = to_hex(acc.balance);
        if (acc.nonce)
            a["nonce"] = hex_u64(acc.nonce);
        if (!acc.code.empty())
            a["code"] = to_0x_hex(acc.code);
        if (!acc.storage.empty())
        {
            json s = json::object();
            for (const auto& [k, v] : acc.storage)
                s[to_hex(k)] = to_hex(v);
            a["storage"] = s;
        }
        accounts[to_0x_hex(addr.view())] = a;
    }
    g["alloc"] = accounts;
    j["genesis"] = g;
    return j.dump(2);
}

Result<txtypes::BlockHeader, std::string> build_genesis(const ChainSpec& spec,
                                                        state::StateDb& db,
                                                        state::PreparedState& prepared)
{
    state::JournaledState st{db};
    for (const auto& [addr, acc] : spec.alloc)
    {
        if (!acc.code.empty())
            st.create_contract(addr, state::Engine::kEvm);
        st.set_balance(addr, acc.balance);
        st.set_nonce(addr, acc.nonce);
        if (!acc.code.empty())
            st.set_code(addr, acc.code);
        for (const auto& [k, v] : acc.storage)
            st.set_storage(addr, k, v);
        st.touch(addr);
    }
    st.finish_transaction();
    auto p = db.prepare(st.diff(), txtypes::kEmptyRootHash);
    if (!p)
        return unexpected(std::string{"genesis: state write failed"});
    prepared = std::move(*p);

    txtypes::BlockHeader h;
    h.state_root = prepared.state_root;
    h.number = 0;
    h.gas_limit = spec.gas_limit;
    h.timestamp = spec.genesis_timestamp;
    h.extra_data = spec.genesis_extra_data;
    h.base_fee_per_gas = spec.genesis_base_fee;
    h.withdrawals_root = txtypes::kEmptyRootHash;
    h.blob_gas_used = 0;
    h.excess_blob_gas = 0;
    h.parent_beacon_block_root = Hash{};
    return h;
}

U256 next_base_fee(const ChainSpec& spec, const txtypes::BlockHeader& parent) noexcept
{
    const U256 base = parent.base_fee_per_gas.value_or(spec.genesis_base_fee);
    const uint64_t target = parent.gas_limit / spec.eip1559_elasticity;
    if (target == 0 || parent.gas_used == target)
        return base;
    const U256 denom{spec.eip1559_denominator};
    if (parent.gas_used > target)
    {
        const U256 delta = base * U256{parent.gas_used - target} / U256{target} / denom;
        return base + (delta == 0 ? U256{1} : delta);
    }
    const U256 delta = base * U256{target - parent.gas_used} / U256{target} / denom;
    return delta > base ? U256{0} : base - delta;
}

}  // namespace l2::execution
