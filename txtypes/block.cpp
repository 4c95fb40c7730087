#include "block.hpp"

#include "hex.hpp"
#include "keccak.hpp"
#include "mpt.hpp"

namespace l2::txtypes {

namespace {

#define L2_TRY(var, expr)   \
    auto var = (expr);      \
    if (!var)               \
        return unexpected(var.error())

Result<BlockHeader, rlp::RlpError> decode_header_fields(ByteView& in) noexcept
{
    L2_TRY(list, rlp::decode_list(in));
    ByteView f = *list;
    BlockHeader h;
    L2_TRY(parent, rlp::decode_hash(f));
    h.parent_hash = *parent;
    L2_TRY(ommers, rlp::decode_hash(f));
    h.ommers_hash = *ommers;
    L2_TRY(beneficiary, rlp::decode_address(f));
    h.beneficiary = *beneficiary;
    L2_TRY(state, rlp::decode_hash(f));
    h.state_root = *state;
    L2_TRY(txs, rlp::decode_hash(f));
    h.transactions_root = *txs;
    L2_TRY(receipts, rlp::decode_hash(f));
    h.receipts_root = *receipts;
    L2_TRY(bloom, rlp::decode_string(f));
    if (bloom->size() != h.logs_bloom.size())
        return unexpected(rlp::RlpError::kUnexpectedLength);
    std::copy(bloom->begin(), bloom->end(), h.logs_bloom.begin());
    L2_TRY(difficulty, rlp::decode_u256(f));
    h.difficulty = *difficulty;
    L2_TRY(number, rlp::decode_u64(f));
    h.number = *number;
    L2_TRY(gas_limit, rlp::decode_u64(f));
    h.gas_limit = *gas_limit;
    L2_TRY(gas_used, rlp::decode_u64(f));
    h.gas_used = *gas_used;
    L2_TRY(timestamp, rlp::decode_u64(f));
    h.timestamp = *timestamp;
    L2_TRY(extra, rlp::decode_string(f));
    h.extra_data = Bytes{*extra};
    L2_TRY(mix, rlp::decode_hash(f));
    h.mix_hash = *mix;
    L2_TRY(nonce, rlp::decode_string(f));
    if (nonce->size() != 8)
        return unexpected(rlp::RlpError::kUnexpectedLength);
    std::copy(nonce->begin(), nonce->end(), h.nonce.begin());
    if (!f.empty())
    {
        L2_TRY(base_fee, rlp::decode_u256(f));
        h.base_fee_per_gas = *base_fee;
    }
    if (!f.empty())
    {
        L2_TRY(w, rlp::decode_hash(f));
        h.withdrawals_root = *w;
    }
    if (!f.empty())
    {
        L2_TRY(used, rlp::decode_u64(f));
        h.blob_gas_used = *used;
        L2_TRY(excess, rlp::decode_u64(f));
        h.excess_blob_gas = *excess;
        L2_TRY(beacon, rlp::decode_hash(f));
        h.parent_beacon_block_root = *beacon;
    }
    if (!f.empty())
    {
        L2_TRY(requests, rlp::decode_hash(f));
        h.requests_hash = *requests;
    }
    if (!f.empty())
        return unexpected(rlp::RlpError::kTrailingBytes);
    return h;
}

void encode_withdrawal(Bytes& out, const Withdrawal& w)
{
    Bytes p;
    rlp::encode(p, w.index);
    rlp::encode(p, w.validator_index);
    rlp::encode(p, w.address);
    rlp::encode(p, w.amount_gwei);
    rlp::encode_header(out, {true, p.size()});
    out += p;
}

Result<Withdrawal, rlp::RlpError> decode_withdrawal(ByteView& in) noexcept
{
    L2_TRY(list, rlp::decode_list(in));
    ByteView f = *list;
    Withdrawal w;
    L2_TRY(index, rlp::decode_u64(f));
    L2_TRY(validator, rlp::decode_u64(f));
    L2_TRY(address, rlp::decode_address(f));
    L2_TRY(amount, rlp::decode_u64(f));
    if (!f.empty())
        return unexpected(rlp::RlpError::kTrailingBytes);
    w.index = *index;
    w.validator_index = *validator;
    w.address = *address;
    w.amount_gwei = *amount;
    return w;
}

}  // namespace

Bytes encode_header(const BlockHeader& h)
{
    Bytes p;
    p.reserve(600);
    rlp::encode(p, h.parent_hash);
    rlp::encode(p, h.ommers_hash);
    rlp::encode(p, h.beneficiary);
    rlp::encode(p, h.state_root);
    rlp::encode(p, h.transactions_root);
    rlp::encode(p, h.receipts_root);
    rlp::encode(p, ByteView{h.logs_bloom.data(), h.logs_bloom.size()});
    rlp::encode(p, h.difficulty);
    rlp::encode(p, h.number);
    rlp::encode(p, h.gas_limit);
    rlp::encode(p, h.gas_used);
    rlp::encode(p, h.timestamp);
    rlp::encode(p, h.extra_data);
    rlp::encode(p, h.mix_hash);
    rlp::encode(p, ByteView{h.nonce.data(), h.nonce.size()});
    // Optional fields are positional: each later one implies the earlier ones.
    if (h.base_fee_per_gas)
        rlp::encode(p, *h.base_fee_per_gas);
    if (h.withdrawals_root)
        rlp::encode(p, *h.withdrawals_root);
    if (h.blob_gas_used)
    {
        rlp::encode(p, *h.blob_gas_used);
        rlp::encode(p, h.excess_blob_gas.value_or(0));
        rlp::encode(p, h.parent_beacon_block_root.value_or(Hash{}));
    }
    if (h.requests_hash)
        rlp::encode(p, *h.requests_hash);
    return rlp::wrap_list(p);
}

Result<BlockHeader, rlp::RlpError> decode_header(ByteView in) noexcept
{
    auto h = decode_header_fields(in);
    if (h && !in.empty())
        return unexpected(rlp::RlpError::kTrailingBytes);
    return h;
}

Hash header_hash(const BlockHeader& h)
{
    return keccak256(encode_header(h));
}

Bytes encode_block(const Block& b)
{
    Bytes p = encode_header(b.header);
    Bytes txs;
    for (const auto& t : b.transactions)
        encode_transaction_in_list(txs, t);
    rlp::encode_header(p, {true, txs.size()});
    p += txs;
    Bytes ommers;
    for (const auto& o : b.ommers)
        ommers += encode_header(o);
    rlp::encode_header(p, {true, ommers.size()});
    p += ommers;
    if (b.withdrawals)
    {
        Bytes ws;
        for (const auto& w : *b.withdrawals)
            encode_withdrawal(ws, w);
        rlp::encode_header(p, {true, ws.size()});
        p += ws;
    }
    return rlp::wrap_list(p);
}

Result<Block, BlockError> decode_block(ByteView in) noexcept
{
    auto list = rlp::decode_list(in);
    if (!list || !in.empty())
        return unexpected(BlockError::kRlp);
    ByteView f = *list;
    Block b;
    auto header = decode_header_fields(f);
    if (!header)
        return unexpected(BlockError::kRlp);
    b.header = std::move(*header);
    auto txs = rlp::decode_list(f);
    if (!txs)
        return unexpected(BlockError::kRlp);
    ByteView t = *txs;
    while (!t.empty())
    {
        auto txn = decode_transaction_in_list(t);
        if (!txn)
            return unexpected(BlockError::kTransaction);
        b.transactions.push_back(std::move(*txn));
    }
    auto ommers = rlp::decode_list(f);
    if (!ommers)
        return unexpected(BlockError::kRlp);
    ByteView o = *ommers;
    while (!o.empty())
    {
        auto h = decode_header_fields(o);
        if (!h)
            return unexpected(BlockError::kRlp);
        b.ommers.push_back(std::move(*h));
    }
    if (!f.empty())
    {
        auto ws = rlp::decode_list(f);
        if (!ws)
            return unexpected(BlockError::kRlp);
        ByteView w = *ws;
        b.withdrawals.emplace();
        while (!w.empty())
        {
            auto wd = decode_withdrawal(w);
            if (!wd)
                return unexpected(BlockError::kRlp);
            b.withdrawals->push_back(*wd);
        }
    }
    if (!f.empty())
        return unexpected(BlockError::kRlp);
    return b;
}

Hash transactions_root(const std::vector<Transaction>& txns)
{
    std::vector<Bytes> values;
    values.reserve(txns.size());
    for (const auto& t : txns)
        values.push_back(encode_transaction(t));
    return ordered_trie_root(values);
}

Hash receipts_root(const std::vector<Receipt>& receipts)
{
    std::vector<Bytes> values;
    values.reserve(receipts.size());
    for (const auto& r : receipts)
        values.push_back(encode_receipt(r));
    return ordered_trie_root(values);
}

Hash withdrawals_root(const std::vector<Withdrawal>& withdrawals)
{
    std::vector<Bytes> values;
    values.reserve(withdrawals.size());
    for (const auto& w : withdrawals)
    {
        Bytes enc;
        encode_withdrawal(enc, w);
        values.push_back(std::move(enc));
    }
    return ordered_trie_root(values);
}

#undef L2_TRY

}  // namespace l2::txtypes
