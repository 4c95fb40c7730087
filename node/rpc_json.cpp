// JSON-RPC value decoders: strict (every malformed value is -32602 naming the parameter).
#include "rpc_json.hpp"

#include <algorithm>

#include <txtypes/hex.hpp>

namespace l2::node {

namespace {

Unexpected<RpcError> bad(std::string_view name, std::string_view what)
{
    return rpc_error(kInvalidParams, "invalid " + std::string{name} + ": " + std::string{what});
}

bool has_0x(std::string_view s) noexcept
{
    return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/// The digits of a QUANTITY string, or an error naming `name`.
RpcParse<std::string_view> quantity_digits(const json& v, std::string_view name, size_t max_digits)
{
    if (!v.is_string())
        return bad(name, "expected a hex string (QUANTITY)");
    const auto& s = v.get_ref<const std::string&>();
    if (!has_0x(s))
        return bad(name, "hex string without 0x prefix");
    std::string_view d{s};
    d.remove_prefix(2);
    if (d.empty())
        return bad(name, "empty hex number");
    for (const char c : d)
        if (hex_digit(c) < 0)
            return bad(name, "invalid hex digit");
    while (d.size() > 1 && d.front() == '0')
        d.remove_prefix(1);
    if (d.size() > max_digits)
        return bad(name, max_digits == 16 ? "hex number > 64 bits" : "hex number > 256 bits");
    return d;
}

template <size_t N>
RpcParse<FixedBytes<N>> parse_fixed(const json& v, std::string_view name, const char* what)
{
    auto b = parse_data(v, name);
    if (!b)
        return unexpected(b.error());
    FixedBytes<N> out;
    if (!FixedBytes<N>::from_view(*b, out))
        return bad(name, std::string{what} + " must be " + std::to_string(N) + " bytes");
    return out;
}

RpcParse<std::vector<txtypes::AccessListEntry>> parse_access_list(const json& v,
                                                                  std::string_view name)
{
    if (!v.is_array())
        return bad(name, "access list must be an array");
    std::vector<txtypes::AccessListEntry> out;
    for (const json& e : v)
    {
        if (!e.is_object() || !e.contains("address"))
            return bad(name, "access list entries are {address, storageKeys}");
        txtypes::AccessListEntry entry;
        auto a = parse_address(e["address"], name);
        if (!a)
            return unexpected(a.error());
        entry.address = *a;
        if (const auto k = e.find("storageKeys"); k != e.end() && !k->is_null())
        {
            if (!k->is_array())
                return bad(name, "storageKeys must be an array");
            for (const json& key : *k)
            {
                auto h = parse_hash(key, name);
                if (!h)
                    return unexpected(h.error());
                entry.storage_keys.push_back(*h);
            }
        }
        out.push_back(std::move(entry));
    }
    return out;
}

/// A member of `obj` that is present and not null, or nullptr.
const json* member(const json& obj, const char* key)
{
    const auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
}

RpcParse<std::vector<Hash>> parse_topic_position(const json& v, std::string_view name)
{
    std::vector<Hash> alts;
    if (v.is_null())
        return alts;
    if (v.is_string())
    {
        auto h = parse_hash(v, name);
        if (!h)
            return unexpected(h.error());
        alts.push_back(*h);
        return alts;
    }
    if (!v.is_array())
        return bad(name, "a topic is null, a hash or an array of hashes");
    if (v.size() > kMaxTopicAlternatives)
        return bad(name, "too many topic alternatives");
    for (const json& t : v)
    {
        if (t.is_null())
            return std::vector<Hash>{};  // a null alternative matches anything (geth)
        auto h = parse_hash(t, name);
        if (!h)
            return unexpected(h.error());
        alts.push_back(*h);
    }
    return alts;
}

}  // namespace

// ---- positional parameters ---------------------------------------------------------------

RpcParse<void> check_params(const json& params, size_t min, size_t max)
{
    if (!params.is_array())
        return rpc_error(kInvalidParams, "params must be an array");
    size_t n = params.size();
    while (n > 0 && params[n - 1].is_null())
        --n;
    if (n > max)
        return rpc_error(kInvalidParams, "too many arguments, want at most " + std::to_string(max));
    if (params.size() < min)
        return rpc_error(kInvalidParams,
                         "missing value for required argument " + std::to_string(params.size()));
    for (size_t i = 0; i < min; ++i)
        if (params[i].is_null())
            return rpc_error(kInvalidParams,
                             "missing value for required argument " + std::to_string(i));
    return {};
}

const json* param(const json& params, size_t i) noexcept
{
    if (!params.is_array() || i >= params.size() || params[i].is_null())
        return nullptr;
    return &params[i];
}

// ---- scalars -----------------------------------------------------------------------------

RpcParse<uint64_t> parse_u64(const json& v, std::string_view name)
{
    auto d = quantity_digits(v, name, 16);
    if (!d)
        return unexpected(d.error());
    uint64_t x = 0;
    for (const char c : *d)
        x = x << 4 | static_cast<uint64_t>(hex_digit(c));
    return x;
}

RpcParse<U256> parse_u256(const json& v, std::string_view name)
{
    auto d = quantity_digits(v, name, 64);
    if (!d)
        return unexpected(d.error());
    U256 x;
    for (const char c : *d)
        x = (x << 4) | U256{static_cast<uint64_t>(hex_digit(c))};
    return x;
}

RpcParse<uint64_t> parse_u64_or_int(const json& v, std::string_view name)
{
    if (v.is_number_unsigned())
        return v.get<uint64_t>();
    if (v.is_number_integer() && v.get<int64_t>() >= 0)
        return static_cast<uint64_t>(v.get<int64_t>());
    if (v.is_number())
        return bad(name, "expected a non-negative integer");
    return parse_u64(v, name);
}

RpcParse<Bytes> parse_data(const json& v, std::string_view name)
{
    if (!v.is_string())
        return bad(name, "expected a hex string (DATA)");
    const auto& s = v.get_ref<const std::string&>();
    if (!has_0x(s))
        return bad(name, "hex string without 0x prefix");
    auto b = from_hex(std::string_view{s}.substr(2));
    if (!b)
        return bad(name, b.error() == HexError::kOddLength ? "hex string of odd length"
                                                           : "invalid hex digit");
    return std::move(*b);
}

RpcParse<Address> parse_address(const json& v, std::string_view name)
{
    auto a = parse_fixed<20>(v, name, "an address");
    if (!a)
        return unexpected(a.error());
    return Address{*a};
}

RpcParse<Hash> parse_hash(const json& v, std::string_view name)
{
    auto h = parse_fixed<32>(v, name, "a hash");
    if (!h)
        return unexpected(h.error());
    return Hash{*h};
}

RpcParse<U256> parse_slot(const json& v, std::string_view name)
{
    if (!v.is_string())
        return bad(name, "expected a hex string");
    const auto& s = v.get_ref<const std::string&>();
    // Odd lengths are quantities ("0x0"); even ones bytes; either way at most 32 bytes.
    if (has_0x(s) && s.size() % 2 == 1)
        return parse_u256(v, name);
    auto b = parse_data(v, name);
    if (!b)
        return unexpected(b.error());
    if (b->size() > 32)
        return bad(name, "storage key longer than 32 bytes");
    return from_be_bytes(*b);
}

RpcParse<bool> parse_bool(const json& v, std::string_view name)
{
    if (!v.is_boolean())
        return bad(name, "expected true or false");
    return v.get<bool>();
}

// ---- block tags --------------------------------------------------------------------------

RpcParse<BlockTag> parse_block_tag(const json* v, std::string_view name, bool allow_hash)
{
    BlockTag t;
    if (v == nullptr)
        return t;
    if (v->is_object())
    {
        if (!allow_hash)
            return bad(name, "expected a block number or tag");
        const json* num = member(*v, "blockNumber");
        const json* hash = member(*v, "blockHash");
        if ((num != nullptr) == (hash != nullptr))
            return bad(name, "exactly one of blockNumber and blockHash");
        if (num != nullptr)
            return parse_block_tag(num, name, false);
        auto h = parse_hash(*hash, name);
        if (!h)
            return unexpected(h.error());
        t.kind = BlockTag::Kind::kHash;
        t.hash = *h;
        if (const json* rc = member(*v, "requireCanonical"))
        {
            auto b = parse_bool(*rc, name);
            if (!b)
                return unexpected(b.error());
            t.require_canonical = *b;
        }
        return t;
    }
    if (!v->is_string())
        return bad(name, "expected a block number or tag");
    const auto& s = v->get_ref<const std::string&>();
    using K = BlockTag::Kind;
    if (s == "latest")
        t.kind = K::kLatest;
    else if (s == "pending")
        t.kind = K::kPending;
    else if (s == "safe")
        t.kind = K::kSafe;
    else if (s == "finalized")
        t.kind = K::kFinalized;
    else if (s == "earliest")
        t.kind = K::kEarliest;
    else if (allow_hash && s.size() == 66 && has_0x(s))
    {
        auto h = parse_hash(*v, name);
        if (!h)
            return unexpected(h.error());
        t.kind = K::kHash;
        t.hash = *h;
    }
    else
    {
        auto n = parse_u64(*v, name);
        if (!n)
            return bad(name,
                       "expected a block number (QUANTITY) or latest/pending/safe/"
                       "finalized/earliest");
        t.kind = K::kNumber;
        t.number = *n;
    }
    return t;
}

// ---- objects -----------------------------------------------------------------------------

RpcParse<execution::CallRequest> parse_call_request(const json& v, std::string_view name)
{
    if (!v.is_object())
        return bad(name, "expected a transaction call object");
    execution::CallRequest r;
    const std::string n{name};
    if (const json* m = member(v, "from"))
    {
        auto a = parse_address(*m, n + ".from");
        if (!a)
            return unexpected(a.error());
        r.from = *a;
    }
    if (const json* m = member(v, "to"))
    {
        auto a = parse_address(*m, n + ".to");
        if (!a)
            return unexpected(a.error());
        r.to = *a;
    }
    if (const json* m = member(v, "gas"))
    {
        auto g = parse_u64(*m, n + ".gas");
        if (!g)
            return unexpected(g.error());
        r.gas = *g;
    }
    const auto u256_member = [&](const char* key, std::optional<U256>& out) -> RpcParse<void> {
        if (const json* m = member(v, key))
        {
            auto x = parse_u256(*m, n + "." + key);
            if (!x)
                return unexpected(x.error());
            out = *x;
        }
        return {};
    };
    for (auto [key, out] :
         {std::pair{"gasPrice", &r.gas_price}, std::pair{"maxFeePerGas", &r.max_fee_per_gas},
          std::pair{"maxPriorityFeePerGas", &r.max_priority_fee_per_gas}})
    {
        if (auto ok = u256_member(key, *out); !ok)
            return unexpected(ok.error());
    }
    std::optional<U256> value;
    if (auto ok = u256_member("value", value); !ok)
        return unexpected(ok.error());
    r.value = value.value_or(U256{0});
    if (const json* m = member(v, "nonce"))
    {
        auto x = parse_u64(*m, n + ".nonce");
        if (!x)
            return unexpected(x.error());
        r.nonce = *x;
    }
    const json* input = member(v, "input");
    const json* data = member(v, "data");
    if (input != nullptr || data != nullptr)
    {
        auto in = parse_data(input != nullptr ? *input : *data,
                             n + (input != nullptr ? ".input" : ".data"));
        if (!in)
            return unexpected(in.error());
        if (input != nullptr && data != nullptr)
        {
            auto d = parse_data(*data, n + ".data");
            if (!d)
                return unexpected(d.error());
            if (*d != *in)
                return bad(name, "both \"data\" and \"input\" are set and not equal");
        }
        r.data = std::move(*in);
    }
    if (const json* m = member(v, "accessList"))
    {
        auto al = parse_access_list(*m, n + ".accessList");
        if (!al)
            return unexpected(al.error());
        r.access_list = std::move(*al);
    }
    return r;
}

RpcParse<LogFilter> parse_log_filter(const json& v, std::string_view name)
{
    if (!v.is_object())
        return bad(name, "expected a filter object");
    LogFilter f;
    const std::string n{name};
    if (const json* m = member(v, "blockHash"))
    {
        auto h = parse_hash(*m, n + ".blockHash");
        if (!h)
            return unexpected(h.error());
        f.block_hash = *h;
    }
    for (auto [key, out] :
         {std::pair{"fromBlock", &f.from_block}, std::pair{"toBlock", &f.to_block}})
    {
        if (const json* m = member(v, key))
        {
            auto t = parse_block_tag(m, n + "." + key, false);
            if (!t)
                return unexpected(t.error());
            *out = *t;
        }
    }
    if (f.block_hash && (f.from_block || f.to_block))
        return bad(name, "blockHash excludes fromBlock and toBlock");
    if (const json* m = member(v, "address"))
    {
        if (m->is_array())
        {
            if (m->size() > kMaxFilterAddresses)
                return bad(n + ".address",
                           "more than " + std::to_string(kMaxFilterAddresses) + " addresses");
            for (const json& a : *m)
            {
                auto addr = parse_address(a, n + ".address");
                if (!addr)
                    return unexpected(addr.error());
                f.addresses.push_back(*addr);
            }
        }
        else
        {
            auto addr = parse_address(*m, n + ".address");
            if (!addr)
                return unexpected(addr.error());
            f.addresses.push_back(*addr);
        }
    }
    if (const json* m = member(v, "topics"))
    {
        if (!m->is_array())
            return bad(n + ".topics", "expected an array");
        if (m->size() > kMaxFilterTopics)
            return bad(n + ".topics", "more than 4 topic positions");
        for (const json& t : *m)
        {
            auto alts = parse_topic_position(t, n + ".topics");
            if (!alts)
                return unexpected(alts.error());
            f.topics.push_back(std::move(*alts));
        }
    }
    return f;
}

bool bloom_may_match(const LogFilter& f, const txtypes::Bloom& bloom) noexcept
{
    if (!f.addresses.empty())
    {
        bool any = false;
        for (const Address& a : f.addresses)
            any = any || txtypes::bloom_may_contain(bloom, a.view());
        if (!any)
            return false;
    }
    for (const auto& alts : f.topics)
    {
        if (alts.empty())
            continue;
        bool any = false;
        for (const Hash& t : alts)
            any = any || txtypes::bloom_may_contain(bloom, t.view());
        if (!any)
            return false;
    }
    return true;
}

bool log_matches(const LogFilter& f, const txtypes::Log& log) noexcept
{
    if (!f.addresses.empty() &&
        std::find(f.addresses.begin(), f.addresses.end(), log.address) == f.addresses.end())
        return false;
    // As geth: a log with fewer topics than the filter has positions never matches.
    if (f.topics.size() > log.topics.size())
        return false;
    for (size_t i = 0; i < f.topics.size(); ++i)
    {
        const auto& alts = f.topics[i];
        if (!alts.empty() && std::find(alts.begin(), alts.end(), log.topics[i]) == alts.end())
            return false;
    }
    return true;
}

}  // namespace l2::node
