#include "receipt.hpp"

#include "keccak.hpp"

namespace l2::txtypes {

namespace {
struct BloomBits
{
    size_t index[3];
    uint8_t mask[3];
};

BloomBits bloom_bits(ByteView value) noexcept
{
    const Hash h = keccak256(value);
    BloomBits b{};
    for (size_t i = 0; i < 3; ++i)
    {
        const unsigned bit = ((unsigned{h[2 * i]} << 8) | h[2 * i + 1]) & 2047u;
        b.index[i] = 255 - bit / 8;
        b.mask[i] = static_cast<uint8_t>(1u << (bit % 8));
    }
    return b;
}
}  // namespace

void bloom_add(Bloom& bloom, ByteView value) noexcept
{
    const BloomBits b = bloom_bits(value);
    for (size_t i = 0; i < 3; ++i)
        bloom[b.index[i]] |= b.mask[i];
}

bool bloom_may_contain(const Bloom& bloom, ByteView value) noexcept
{
    const BloomBits b = bloom_bits(value);
    for (size_t i = 0; i < 3; ++i)
        if ((bloom[b.index[i]] & b.mask[i]) == 0)
            return false;
    return true;
}

Bloom logs_bloom(const std::vector<Log>& logs) noexcept
{
    Bloom bloom{};
    for (const auto& log : logs)
    {
        bloom_add(bloom, log.address);
        for (const auto& t : log.topics)
            bloom_add(bloom, t);
    }
    return bloom;
}

void encode_log(Bytes& out, const Log& log)
{
    Bytes p;
    rlp::encode(p, log.address);
    rlp::encode_header(p, {true, log.topics.size() * 33});
    for (const auto& t : log.topics)
        rlp::encode(p, t);
    rlp::encode(p, log.data);
    rlp::encode_header(out, {true, p.size()});
    out += p;
}

Result<Log, rlp::RlpError> decode_log(ByteView& in) noexcept
{
    auto list = rlp::decode_list(in);
    if (!list)
        return unexpected(list.error());
    ByteView f = *list;
    Log log;
    auto addr = rlp::decode_address(f);
    if (!addr)
        return unexpected(addr.error());
    log.address = *addr;
    auto topics = rlp::decode_list(f);
    if (!topics)
        return unexpected(topics.error());
    ByteView t = *topics;
    while (!t.empty())
    {
        auto h = rlp::decode_hash(t);
        if (!h)
            return unexpected(h.error());
        log.topics.push_back(*h);
    }
    auto data = rlp::decode_string(f);
    if (!data)
        return unexpected(data.error());
    log.data = Bytes{*data};
    if (!f.empty())
        return unexpected(rlp::RlpError::kTrailingBytes);
    return log;
}

Bytes encode_receipt(const Receipt& r)
{
    Bytes p;
    rlp::encode(p, uint64_t{r.success});
    rlp::encode(p, r.cumulative_gas_used);
    rlp::encode(p, ByteView{r.bloom.data(), r.bloom.size()});
    Bytes logs;
    for (const auto& log : r.logs)
        encode_log(logs, log);
    rlp::encode_header(p, {true, logs.size()});
    p += logs;
    if (r.type == TxType::kDeposit && r.deposit_nonce)
    {
        rlp::encode(p, *r.deposit_nonce);
        if (r.deposit_receipt_version)
            rlp::encode(p, *r.deposit_receipt_version);
    }
    Bytes out;
    if (r.type != TxType::kLegacy)
        out.push_back(static_cast<uint8_t>(r.type));
    rlp::encode_header(out, {true, p.size()});
    out += p;
    return out;
}

Result<Receipt, rlp::RlpError> decode_receipt(ByteView in) noexcept
{
    Receipt r;
    if (in.empty())
        return unexpected(rlp::RlpError::kInputTooShort);
    if (in[0] < 0xc0)
    {
        const uint8_t t = in[0];
        if (t != 0x01 && t != 0x02 && t != 0x7D && t != 0x7E)
            return unexpected(rlp::RlpError::kUnexpectedString);
        r.type = static_cast<TxType>(t);
        in.remove_prefix(1);
    }
    auto list = rlp::decode_list(in);
    if (!list)
        return unexpected(list.error());
    if (!in.empty())
        return unexpected(rlp::RlpError::kTrailingBytes);
    ByteView f = *list;
    auto status = rlp::decode_bool(f);
    if (!status)
        return unexpected(status.error());
    r.success = *status;
    auto gas = rlp::decode_u64(f);
    if (!gas)
        return unexpected(gas.error());
    r.cumulative_gas_used = *gas;
    auto bloom = rlp::decode_string(f);
    if (!bloom)
        return unexpected(bloom.error());
    if (bloom->size() != r.bloom.size())
        return unexpected(rlp::RlpError::kUnexpectedLength);
    std::copy(bloom->begin(), bloom->end(), r.bloom.begin());
    auto logs = rlp::decode_list(f);
    if (!logs)
        return unexpected(logs.error());
    ByteView l = *logs;
    while (!l.empty())
    {
        auto log = decode_log(l);
        if (!log)
            return unexpected(log.error());
        r.logs.push_back(std::move(*log));
    }
    if (r.type == TxType::kDeposit && !f.empty())
    {
        auto nonce = rlp::decode_u64(f);
        if (!nonce)
            return unexpected(nonce.error());
        r.deposit_nonce = *nonce;
        if (!f.empty())
        {
            auto version = rlp::decode_u64(f);
            if (!version)
                return unexpected(version.error());
            r.deposit_receipt_version = *version;
        }
    }
    if (!f.empty())
        return unexpected(rlp::RlpError::kTrailingBytes);
    return r;
}

}  // namespace l2::txtypes
