// RLP wire format of every transaction type (docs/spec/transactions.md).
#include "transaction.hpp"

#include "keccak.hpp"

namespace l2::txtypes {

namespace {

using rlp::RlpError;

TxError rlp_error(RlpError e, const char* field) noexcept
{
    return {TxErrc::kRlp, e, field};
}

// Field decoders: on failure they record which field broke.
#define L2_TRY_FIELD(var, expr, name)                   \
    auto var = (expr);                                  \
    if (!var)                                           \
        return unexpected(rlp_error(var.error(), name))

void encode_access_list(Bytes& out, const std::vector<AccessListEntry>& list)
{
    Bytes payload;
    for (const auto& e : list)
    {
        Bytes keys;
        keys.reserve(e.storage_keys.size() * 33);
        for (const auto& k : e.storage_keys)
            rlp::encode(keys, k);
        Bytes entry;
        rlp::encode(entry, e.address);
        rlp::encode_header(entry, {true, keys.size()});
        entry += keys;
        rlp::encode_header(payload, {true, entry.size()});
        payload += entry;
    }
    rlp::encode_header(out, {true, payload.size()});
    out += payload;
}

Result<std::vector<AccessListEntry>, TxError> decode_access_list(ByteView& in) noexcept
{
    L2_TRY_FIELD(list, rlp::decode_list(in), "accessList");
    ByteView items = *list;
    std::vector<AccessListEntry> out;
    while (!items.empty())
    {
        L2_TRY_FIELD(entry, rlp::decode_list(items), "accessList entry");
        ByteView fields = *entry;
        AccessListEntry e;
        L2_TRY_FIELD(addr, rlp::decode_address(fields), "accessList address");
        e.address = *addr;
        L2_TRY_FIELD(keys, rlp::decode_list(fields), "accessList storageKeys");
        ByteView key_items = *keys;
        while (!key_items.empty())
        {
            L2_TRY_FIELD(key, rlp::decode_hash(key_items), "accessList storage key");
            e.storage_keys.push_back(*key);
        }
        if (!fields.empty())
            return unexpected(TxError{TxErrc::kTooManyFields, {}, "accessList entry"});
        out.push_back(std::move(e));
    }
    return out;
}

void encode_misc(Bytes& out, const std::vector<MiscEntry>& misc)
{
    Bytes payload;
    for (const auto& m : misc)
    {
        Bytes pair;
        rlp::encode(pair, m.key);
        rlp::encode(pair, m.value);
        rlp::encode_header(payload, {true, pair.size()});
        payload += pair;
    }
    rlp::encode_header(out, {true, payload.size()});
    out += payload;
}

Result<std::vector<MiscEntry>, TxError> decode_misc(ByteView& in) noexcept
{
    L2_TRY_FIELD(list, rlp::decode_list(in), "misc");
    ByteView items = *list;
    std::vector<MiscEntry> out;
    while (!items.empty())
    {
        L2_TRY_FIELD(pair, rlp::decode_list(items), "misc entry");
        ByteView fields = *pair;
        L2_TRY_FIELD(key, rlp::decode_string(fields), "misc key");
        L2_TRY_FIELD(value, rlp::decode_string(fields), "misc value");
        if (!fields.empty())
            return unexpected(TxError{TxErrc::kTooManyFields, {}, "misc entry"});
        if (!out.empty() && !(out.back().key < Bytes{*key}))
            return unexpected(TxError{TxErrc::kNotCanonical, {}, "misc keys (not ascending)"});
        out.push_back({Bytes{*key}, Bytes{*value}});
    }
    return out;
}

void encode_to(Bytes& out, const std::optional<Address>& to)
{
    if (to)
        rlp::encode(out, *to);
    else
        out.push_back(0x80);
}

Result<std::optional<Address>, TxError> decode_to(ByteView& in) noexcept
{
    L2_TRY_FIELD(s, rlp::decode_string(in), "to");
    if (s->empty())
        return std::optional<Address>{};
    Address a;
    if (!Address::from_view(*s, a))
        return unexpected(rlp_error(RlpError::kUnexpectedLength, "to"));
    return std::optional<Address>{a};
}

/// The payload fields of a typed tx up to (not including) the signature.
void encode_typed_fields(Bytes& p, const Transaction& t)
{
    rlp::encode(p, t.chain_id.value_or(0));
    rlp::encode(p, t.nonce);
    if (t.type == TxType::kAccessList)
        rlp::encode(p, t.max_fee_per_gas);
    else
    {
        rlp::encode(p, t.max_priority_fee_per_gas);
        rlp::encode(p, t.max_fee_per_gas);
    }
    rlp::encode(p, t.gas_limit);
    encode_to(p, t.to);
    rlp::encode(p, t.value);
    rlp::encode(p, t.data);
    encode_access_list(p, t.access_list);
    if (t.type == TxType::kFeeSplit)
    {
        rlp::encode(p, t.max_data_fee);
        rlp::encode(p, t.max_proof_fee);
        encode_misc(p, t.misc);
    }
}

void encode_signature(Bytes& p, const Signature& sig)
{
    rlp::encode(p, uint64_t{sig.y_parity});
    rlp::encode(p, sig.r);
    rlp::encode(p, sig.s);
}

Result<Signature, TxError> decode_signature(ByteView& in) noexcept
{
    L2_TRY_FIELD(y, rlp::decode_u64(in), "yParity");
    L2_TRY_FIELD(r, rlp::decode_u256(in), "r");
    L2_TRY_FIELD(s, rlp::decode_u256(in), "s");
    if (*y > 1)
        return unexpected(TxError{TxErrc::kInvalidV, {}, "yParity"});
    return Signature{*r, *s, static_cast<uint8_t>(*y)};
}

Result<Transaction, TxError> decode_legacy(ByteView& in) noexcept
{
    L2_TRY_FIELD(list, rlp::decode_list(in), "transaction");
    ByteView f = *list;
    Transaction t;
    t.type = TxType::kLegacy;
    if (f.empty())
        return unexpected(TxError{TxErrc::kTooFewFields, {}, "nonce"});
    L2_TRY_FIELD(nonce, rlp::decode_u64(f), "nonce");
    L2_TRY_FIELD(price, rlp::decode_u256(f), "gasPrice");
    L2_TRY_FIELD(gas, rlp::decode_u64(f), "gasLimit");
    auto to = decode_to(f);
    if (!to)
        return unexpected(to.error());
    L2_TRY_FIELD(value, rlp::decode_u256(f), "value");
    L2_TRY_FIELD(data, rlp::decode_string(f), "data");
    if (f.empty())
        return unexpected(TxError{TxErrc::kTooFewFields, {}, "v"});
    L2_TRY_FIELD(v, rlp::decode_u256(f), "v");
    L2_TRY_FIELD(r, rlp::decode_u256(f), "r");
    L2_TRY_FIELD(s, rlp::decode_u256(f), "s");
    if (!f.empty())
        return unexpected(TxError{TxErrc::kTooManyFields, {}, "transaction"});

    t.nonce = *nonce;
    t.max_fee_per_gas = t.max_priority_fee_per_gas = *price;
    t.gas_limit = *gas;
    t.to = *to;
    t.value = *value;
    t.data = Bytes{*data};
    t.signature.r = *r;
    t.signature.s = *s;
    const U256& vv = *v;
    if (vv == 27 || vv == 28)
        t.signature.y_parity = static_cast<uint8_t>(low_u64(vv) - 27);
    else if (vv >= 35)
    {
        const U256 cid = (vv - 35) >> 1;
        if (!fits_u64(cid))
            return unexpected(TxError{TxErrc::kChainIdOverflow, {}, "v"});
        t.chain_id = low_u64(cid);
        t.signature.y_parity = static_cast<uint8_t>(low_u64(vv - 35) & 1);
    }
    else
        return unexpected(TxError{TxErrc::kInvalidV, {}, "v"});
    return t;
}

Result<Transaction, TxError> decode_typed(TxType type, ByteView in) noexcept
{
    L2_TRY_FIELD(list, rlp::decode_list(in), "transaction");
    if (!in.empty())
        return unexpected(rlp_error(RlpError::kTrailingBytes, "transaction"));
    ByteView f = *list;
    Transaction t;
    t.type = type;
    if (f.empty())
        return unexpected(TxError{TxErrc::kTooFewFields, {}, "transaction"});

    if (type == TxType::kDeposit)
    {
        L2_TRY_FIELD(source, rlp::decode_hash(f), "sourceHash");
        L2_TRY_FIELD(from, rlp::decode_address(f), "from");
        auto to = decode_to(f);
        if (!to)
            return unexpected(to.error());
        L2_TRY_FIELD(mint, rlp::decode_u256(f), "mint");
        L2_TRY_FIELD(value, rlp::decode_u256(f), "value");
        L2_TRY_FIELD(gas, rlp::decode_u64(f), "gas");
        L2_TRY_FIELD(sys, rlp::decode_bool(f), "isSystemTx");
        L2_TRY_FIELD(data, rlp::decode_string(f), "data");
        if (!f.empty())
            return unexpected(TxError{TxErrc::kTooManyFields, {}, "transaction"});
        t.source_hash = *source;
        t.from = *from;
        t.to = *to;
        t.mint = *mint;
        t.value = *value;
        t.gas_limit = *gas;
        t.is_system_tx = *sys;
        t.data = Bytes{*data};
        return t;
    }

    L2_TRY_FIELD(chain_id, rlp::decode_u64(f), "chainId");
    L2_TRY_FIELD(nonce, rlp::decode_u64(f), "nonce");
    t.chain_id = *chain_id;
    t.nonce = *nonce;
    if (type == TxType::kAccessList)
    {
        L2_TRY_FIELD(price, rlp::decode_u256(f), "gasPrice");
        t.max_fee_per_gas = t.max_priority_fee_per_gas = *price;
    }
    else
    {
        L2_TRY_FIELD(tip, rlp::decode_u256(f), "maxPriorityFeePerGas");
        L2_TRY_FIELD(cap, rlp::decode_u256(f), "maxFeePerGas");
        t.max_priority_fee_per_gas = *tip;
        t.max_fee_per_gas = *cap;
    }
    L2_TRY_FIELD(gas, rlp::decode_u64(f), "gasLimit");
    t.gas_limit = *gas;
    auto to = decode_to(f);
    if (!to)
        return unexpected(to.error());
    t.to = *to;
    L2_TRY_FIELD(value, rlp::decode_u256(f), "value");
    t.value = *value;
    L2_TRY_FIELD(data, rlp::decode_string(f), "data");
    t.data = Bytes{*data};
    auto access_list = decode_access_list(f);
    if (!access_list)
        return unexpected(access_list.error());
    t.access_list = std::move(*access_list);
    if (type == TxType::kFeeSplit)
    {
        L2_TRY_FIELD(data_fee, rlp::decode_u256(f), "maxDataFee");
        L2_TRY_FIELD(proof_fee, rlp::decode_u256(f), "maxProofFee");
        t.max_data_fee = *data_fee;
        t.max_proof_fee = *proof_fee;
        auto misc = decode_misc(f);
        if (!misc)
            return unexpected(misc.error());
        t.misc = std::move(*misc);
    }
    if (f.empty())
        return unexpected(TxError{TxErrc::kTooFewFields, {}, "signature"});
    auto sig = decode_signature(f);
    if (!sig)
        return unexpected(sig.error());
    t.signature = *sig;
    if (!f.empty())
        return unexpected(TxError{TxErrc::kTooManyFields, {}, "transaction"});
    return t;
}

bool is_known_type(uint8_t b) noexcept
{
    return b == 0x01 || b == 0x02 || b == 0x7D || b == 0x7E;
}

}  // namespace

std::string TxError::message() const
{
    std::string m;
    switch (code)
    {
    case TxErrc::kRlp:
        m = rlp::to_string(rlp);
        break;
    case TxErrc::kEmpty:
        return "transaction: empty input";
    case TxErrc::kUnsupportedType:
        return "transaction: unsupported EIP-2718 type";
    case TxErrc::kTooFewFields:
        m = "transaction: too few fields";
        break;
    case TxErrc::kTooManyFields:
        m = "transaction: too many fields";
        break;
    case TxErrc::kChainIdOverflow:
        m = "transaction: chain id in v exceeds 64 bits";
        break;
    case TxErrc::kInvalidV:
        m = "transaction: invalid signature v (want 27, 28 or EIP-155 chainId*2+35/36)";
        break;
    case TxErrc::kNotCanonical:
        m = "transaction: non-canonical encoding";
        break;
    }
    if (field && *field)
        m += std::string{" (field "} + field + ")";
    return m;
}

Result<Transaction, TxError> decode_transaction(ByteView in) noexcept
{
    if (in.empty())
        return unexpected(TxError{TxErrc::kEmpty, {}, ""});
    if (in[0] >= 0xc0)
    {
        auto t = decode_legacy(in);
        if (t && !in.empty())
            return unexpected(rlp_error(RlpError::kTrailingBytes, "transaction"));
        return t;
    }
    if (in[0] >= 0x80 || !is_known_type(in[0]))
        return unexpected(TxError{TxErrc::kUnsupportedType, {}, ""});
    return decode_typed(static_cast<TxType>(in[0]), in.substr(1));
}

Result<Transaction, TxError> decode_transaction_in_list(ByteView& in) noexcept
{
    if (!in.empty() && in[0] >= 0xc0)
        return decode_legacy(in);
    auto s = rlp::decode_string(in);
    if (!s)
        return unexpected(rlp_error(s.error(), "transaction"));
    if (s->empty() || (*s)[0] >= 0xc0)
        return unexpected(TxError{TxErrc::kNotCanonical, {}, "wrapped typed transaction"});
    return decode_transaction(*s);
}

Bytes encode_transaction(const Transaction& t)
{
    Bytes p;
    p.reserve(160 + t.data.size());
    if (t.type == TxType::kLegacy)
    {
        rlp::encode(p, t.nonce);
        rlp::encode(p, t.max_fee_per_gas);
        rlp::encode(p, t.gas_limit);
        encode_to(p, t.to);
        rlp::encode(p, t.value);
        rlp::encode(p, t.data);
        rlp::encode(p, legacy_v(t));
        rlp::encode(p, t.signature.r);
        rlp::encode(p, t.signature.s);
        return rlp::wrap_list(p);
    }
    if (t.type == TxType::kDeposit)
    {
        rlp::encode(p, t.source_hash);
        rlp::encode(p, t.from);
        encode_to(p, t.to);
        rlp::encode(p, t.mint);
        rlp::encode(p, t.value);
        rlp::encode(p, t.gas_limit);
        rlp::encode_bool(p, t.is_system_tx);
        rlp::encode(p, t.data);
    }
    else
    {
        encode_typed_fields(p, t);
        encode_signature(p, t.signature);
    }
    Bytes out;
    out.reserve(1 + rlp::length_of_list(p.size()));
    out.push_back(static_cast<uint8_t>(t.type));
    rlp::encode_header(out, {true, p.size()});
    out += p;
    return out;
}

void encode_transaction_in_list(Bytes& out, const Transaction& txn)
{
    const Bytes enc = encode_transaction(txn);
    if (txn.type == TxType::kLegacy)
        out += enc;
    else
        rlp::encode(out, ByteView{enc});
}

Hash signing_hash(const Transaction& t)
{
    Bytes p;
    p.reserve(160 + t.data.size());
    if (t.type == TxType::kDeposit)
        return Hash{};
    if (t.type == TxType::kLegacy)
    {
        rlp::encode(p, t.nonce);
        rlp::encode(p, t.max_fee_per_gas);
        rlp::encode(p, t.gas_limit);
        encode_to(p, t.to);
        rlp::encode(p, t.value);
        rlp::encode(p, t.data);
        if (t.chain_id)
        {
            rlp::encode(p, *t.chain_id);
            rlp::encode(p, uint64_t{0});
            rlp::encode(p, uint64_t{0});
        }
        return keccak256(rlp::wrap_list(p));
    }
    encode_typed_fields(p, t);
    Bytes out;
    out.push_back(static_cast<uint8_t>(t.type));
    rlp::encode_header(out, {true, p.size()});
    out += p;
    return keccak256(out);
}

#undef L2_TRY_FIELD

}  // namespace l2::txtypes
