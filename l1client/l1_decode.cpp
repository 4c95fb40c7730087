#include "l1_decode.hpp"

#include <nlohmann/json.hpp>
#include <txtypes/hex.hpp>

namespace l2::l1client {

using json = nlohmann::json;

namespace {

/// The value as quoted in an error message (long values cut).
std::string quote(std::string_view s)
{
    constexpr size_t kMax = 80;
    return "\"" + std::string{s.substr(0, kMax)} + (s.size() > kMax ? "...\"" : "\"");
}

/// The digits after "0x", or an error.
Result<std::string_view, DecodeError> strip_0x(std::string_view s) noexcept
{
    if (s.size() < 2 || s[0] != '0' || s[1] != 'x')
        return unexpected(quote(s) + " lacks the 0x prefix");
    return s.substr(2);
}

/// Hex digits of a QUANTITY with leading zeros removed; checks digits and the size limit.
Result<std::string_view, DecodeError> quantity_digits(std::string_view s, size_t max_digits,
                                                      const char* type) noexcept
{
    auto d = strip_0x(s);
    if (!d)
        return d;
    auto digits = *d;
    if (digits.empty())
        return unexpected(quote(s) + " has no digits");
    for (const char c : digits)
        if (hex_digit(c) < 0)
            return unexpected(quote(s) + " is not hex");
    while (digits.size() > 1 && digits[0] == '0')
        digits.remove_prefix(1);
    if (digits.size() > max_digits)
        return unexpected(quote(s) + " overflows " + type);
    return digits;
}

const char* type_name(const json& j) noexcept
{
    return j.type_name();
}

Result<std::string_view, DecodeError> as_string(const json& j) noexcept
{
    if (!j.is_string())
        return unexpected(std::string{"expected a hex string, got "} + type_name(j));
    return std::string_view{j.get_ref<const std::string&>()};
}

/// Reads fields of one JSON object; the first error sticks and names its field.
class Fields
{
public:
    explicit Fields(const json& obj) noexcept : m_obj{obj} {}

    template <typename T, typename Fn>
    void req(const char* name, T& out, Fn decode)
    {
        const json* v = find(name);
        if (v == nullptr)
        {
            if (m_error.empty())
                m_error = std::string{name} + ": missing";
            return;
        }
        assign(name, out, decode(*v));
    }

    template <typename T, typename Fn>
    void opt(const char* name, std::optional<T>& out, Fn decode)
    {
        if (const json* v = find(name))
        {
            T value{};
            assign(name, value, decode(*v));
            out = std::move(value);
        }
    }

    /// Like opt(), into a plain value that keeps its default when absent.
    template <typename T, typename Fn>
    void opt_value(const char* name, T& out, Fn decode)
    {
        if (const json* v = find(name))
            assign(name, out, decode(*v));
    }

    /// Decodes an array field element by element.
    template <typename T, typename Fn>
    void list(const char* name, std::vector<T>& out, Fn decode, bool required = true)
    {
        const json* v = find(name);
        if (v == nullptr)
        {
            if (required && m_error.empty())
                m_error = std::string{name} + ": missing";
            return;
        }
        if (!v->is_array())
            return fail(std::string{name} + ": expected an array, got " + type_name(*v));
        out.reserve(v->size());
        for (size_t i = 0; i < v->size() && m_error.empty(); ++i)
        {
            auto r = decode((*v)[i]);
            if (!r)
                return fail(std::string{name} + "[" + std::to_string(i) + "]: " + r.error());
            out.push_back(std::move(*r));
        }
    }

    const std::string& error() const noexcept { return m_error; }

private:
    const json* find(const char* name) const noexcept
    {
        if (!m_error.empty())
            return nullptr;
        const auto it = m_obj.find(name);
        return it == m_obj.end() || it->is_null() ? nullptr : &*it;
    }

    template <typename T, typename R>
    void assign(const char* name, T& out, R&& r)
    {
        if (!r)
            return fail(std::string{name} + ": " + r.error());
        out = std::move(*r);
    }

    void fail(std::string msg)
    {
        if (m_error.empty())
            m_error = std::move(msg);
    }

    const json& m_obj;
    std::string m_error;
};

Result<Address, DecodeError> decode_address(const json& j) noexcept
{
    auto s = as_string(j);
    if (!s)
        return unexpected(s.error());
    return parse_address(*s);
}

Result<Bytes, DecodeError> decode_data(const json& j) noexcept
{
    auto s = as_string(j);
    if (!s)
        return unexpected(s.error());
    return parse_data(*s);
}

Result<bool, DecodeError> decode_bool(const json& j) noexcept
{
    if (!j.is_boolean())
        return unexpected(std::string{"expected a boolean, got "} + type_name(j));
    return j.get<bool>();
}

Result<uint8_t, DecodeError> decode_u8(const json& j) noexcept
{
    auto v = decode_u64(j);
    if (!v)
        return unexpected(v.error());
    if (*v > 0xff)
        return unexpected(std::string{"tx type overflows 8 bits"});
    return static_cast<uint8_t>(*v);
}

/// The shared shape of every object decoder.
template <typename T, typename Body>
Result<T, DecodeError> decode_object(const json& j, Body body) noexcept
{
    if (!j.is_object())
        return unexpected(std::string{"expected an object, got "} + type_name(j));
    T out{};
    Fields f{j};
    body(f, out);
    if (!f.error().empty())
        return unexpected(f.error());
    return out;
}

}  // namespace

Result<uint64_t, DecodeError> parse_quantity_u64(std::string_view s) noexcept
{
    auto d = quantity_digits(s, 16, "64 bits");
    if (!d)
        return unexpected(d.error());
    uint64_t v = 0;
    for (const char c : *d)
        v = v << 4 | static_cast<uint64_t>(hex_digit(c));
    return v;
}

Result<U256, DecodeError> parse_quantity_u256(std::string_view s) noexcept
{
    auto d = quantity_digits(s, 64, "256 bits");
    if (!d)
        return unexpected(d.error());
    U256 v;
    for (const char c : *d)
        v = v << 4 | U256{static_cast<uint64_t>(hex_digit(c))};
    return v;
}

Result<Bytes, DecodeError> parse_data(std::string_view s) noexcept
{
    auto d = strip_0x(s);
    if (!d)
        return unexpected(d.error());
    auto b = from_hex(*d);
    if (!b)
        return unexpected(quote(s) + ": " + to_string(b.error()));
    return std::move(*b);
}

Result<Hash, DecodeError> parse_hash(std::string_view s) noexcept
{
    auto b = parse_data(s);
    if (!b)
        return unexpected(b.error());
    Hash h;
    if (!Hash::from_view(*b, h))
        return unexpected(quote(s) + " is " + std::to_string(b->size()) + " bytes, not 32");
    return h;
}

Result<Address, DecodeError> parse_address(std::string_view s) noexcept
{
    auto b = parse_data(s);
    if (!b)
        return unexpected(b.error());
    Address a;
    if (!Address::from_view(*b, a))
        return unexpected(quote(s) + " is " + std::to_string(b->size()) + " bytes, not 20");
    return a;
}

Result<uint64_t, DecodeError> decode_u64(const json& j) noexcept
{
    auto s = as_string(j);
    if (!s)
        return unexpected(s.error());
    return parse_quantity_u64(*s);
}

Result<U256, DecodeError> decode_u256(const json& j) noexcept
{
    auto s = as_string(j);
    if (!s)
        return unexpected(s.error());
    return parse_quantity_u256(*s);
}

Result<Hash, DecodeError> decode_hash(const json& j) noexcept
{
    auto s = as_string(j);
    if (!s)
        return unexpected(s.error());
    return parse_hash(*s);
}

Result<Hash, DecodeError> decode_word(const json& j) noexcept
{
    auto b = decode_data(j);
    if (!b)
        return unexpected(b.error());
    if (b->size() > 32)
        return unexpected("word is " + std::to_string(b->size()) + " bytes, more than 32");
    return Hash{Hash::left_padded(*b)};
}

Result<L1Tx, DecodeError> decode_tx(const json& j) noexcept
{
    return decode_object<L1Tx>(j, [](Fields& f, L1Tx& tx) {
        f.req("hash", tx.hash, decode_hash);
        f.opt_value("type", tx.type, decode_u8);
        f.req("from", tx.from, decode_address);
        f.opt("to", tx.to, decode_address);
        f.req("input", tx.input, decode_data);
        f.req("value", tx.value, decode_u256);
        f.req("nonce", tx.nonce, decode_u64);
    });
}

Result<L1Block, DecodeError> decode_block(const json& j) noexcept
{
    return decode_object<L1Block>(j, [](Fields& f, L1Block& b) {
        f.req("number", b.number, decode_u64);
        f.req("hash", b.hash, decode_hash);
        f.req("parentHash", b.parent_hash, decode_hash);
        f.opt_value("mixHash", b.mix_hash, decode_hash);
        f.req("timestamp", b.timestamp, decode_u64);
        f.opt("baseFeePerGas", b.base_fee, decode_u256);
        f.opt("excessBlobGas", b.excess_blob_gas, decode_u64);
        f.opt("blobGasUsed", b.blob_gas_used, decode_u64);
        f.list("transactions", b.transactions, [](const json& t) -> Result<L1Tx, DecodeError> {
            if (!t.is_string())
                return decode_tx(t);
            auto h = decode_hash(t);
            if (!h)
                return unexpected(h.error());
            return L1Tx{.hash = *h};
        });
    });
}

Result<L1Log, DecodeError> decode_log(const json& j) noexcept
{
    return decode_object<L1Log>(j, [](Fields& f, L1Log& log) {
        f.req("address", log.address, decode_address);
        f.list("topics", log.topics, decode_hash);
        f.req("data", log.data, decode_data);
        f.req("blockNumber", log.block_number, decode_u64);
        f.req("blockHash", log.block_hash, decode_hash);
        f.req("transactionHash", log.tx_hash, decode_hash);
        f.req("transactionIndex", log.tx_index, decode_u64);
        f.req("logIndex", log.log_index, decode_u64);
        f.opt_value("removed", log.removed, decode_bool);
    });
}

Result<L1Receipt, DecodeError> decode_receipt(const json& j) noexcept
{
    return decode_object<L1Receipt>(j, [](Fields& f, L1Receipt& r) {
        f.req("transactionHash", r.tx_hash, decode_hash);
        f.req("blockNumber", r.block_number, decode_u64);
        f.req("blockHash", r.block_hash, decode_hash);
        f.req("status", r.status, [](const json& v) -> Result<bool, DecodeError> {
            auto s = decode_u64(v);
            if (!s)
                return unexpected(s.error());
            if (*s > 1)
                return unexpected(std::string{"expected 0x0 or 0x1"});
            return *s == 1;
        });
        f.req("gasUsed", r.gas_used, decode_u64);
        f.opt_value("effectiveGasPrice", r.effective_gas_price, decode_u256);
        f.opt("contractAddress", r.contract_address, decode_address);
        f.list("logs", r.logs, decode_log);
    });
}

Result<FeeHistory, DecodeError> decode_fee_history(const json& j) noexcept
{
    return decode_object<FeeHistory>(j, [](Fields& f, FeeHistory& h) {
        f.req("oldestBlock", h.oldest_block, decode_u64);
        f.list("baseFeePerGas", h.base_fee_per_gas, decode_u256);
        f.list(
            "reward", h.reward,
            [](const json& row) -> Result<std::vector<U256>, DecodeError> {
                if (!row.is_array())
                    return unexpected(std::string{"expected an array, got "} + type_name(row));
                std::vector<U256> out;
                for (const auto& v : row)
                {
                    auto x = decode_u256(v);
                    if (!x)
                        return unexpected(x.error());
                    out.push_back(*x);
                }
                return out;
            },
            false);
        f.list("baseFeePerBlobGas", h.base_fee_per_blob_gas, decode_u256, false);
    });
}

json encode_log_filter(const LogFilter& filter)
{
    json j = json::object();
    if (filter.block_hash)
        j["blockHash"] = to_0x_hex(*filter.block_hash);
    else
    {
        j["fromBlock"] = to_hex(U256{filter.from_block});
        j["toBlock"] = to_hex(U256{filter.to_block});
    }
    if (!filter.addresses.empty())
    {
        json addrs = json::array();
        for (const auto& a : filter.addresses)
            addrs.push_back(to_0x_hex(a));
        j["address"] = std::move(addrs);
    }
    if (!filter.topics.empty())
    {
        json topics = json::array();
        for (const auto& any_of : filter.topics)
        {
            if (any_of.empty())
            {
                topics.push_back(nullptr);
                continue;
            }
            json alts = json::array();
            for (const auto& t : any_of)
                alts.push_back(to_0x_hex(t));
            topics.push_back(std::move(alts));
        }
        j["topics"] = std::move(topics);
    }
    return j;
}

}  // namespace l2::l1client
