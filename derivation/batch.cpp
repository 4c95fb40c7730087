// Span batch codec. Transactions are stored in columns (docs/spec/batches.md "Transactions"):
// yParity and has-recipient bits, nonces, gas limits, values, data, recipients and signatures
// each in their own column, and the rest of each tx as its canonical encoding with those fields
// blanked (the "body"). Moving the incompressible signatures and the per-tx varying fields out
// of the rows lets the compressor match the near-constant bodies (type, chain id, fees) from one
// tx to the next; bench/batch_bench.cpp measures each step against a row layout.
#include "batch.hpp"

#include <cstring>

namespace l2::derivation {
namespace {

using txtypes::Transaction;
using txtypes::TxType;

constexpr size_t kSigSize = 64;  // r(32) || s(32)

void put_uvarint(Bytes& out, uint64_t v)
{
    while (v >= 0x80)
    {
        out.push_back(static_cast<uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<uint8_t>(v));
}

/// LEB128, at most 10 bytes, no redundant trailing zero group (one value, one encoding).
Result<uint64_t, BatchErrc> get_uvarint(ByteView& in) noexcept
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 10; ++i)
    {
        if (i >= in.size())
            return unexpected(BatchErrc::kTruncated);
        const uint8_t b = in[i];
        if (i == 9 && b > 1)
            return unexpected(BatchErrc::kVarintOverflow);
        v |= uint64_t{b & 0x7fu} << (7 * i);
        if ((b & 0x80) == 0)
        {
            if (b == 0 && i != 0)
                return unexpected(BatchErrc::kVarintNotCanonical);
            in.remove_prefix(i + 1);
            return v;
        }
    }
    return unexpected(BatchErrc::kVarintOverflow);
}

BatchError err(BatchErrc c, uint64_t index = 0)
{
    return BatchError{c, index, {}};
}

/// Checks one tx for a batch; on success `txn` holds it decoded.
Result<Transaction, BatchError> check_tx(ByteView raw, uint64_t index) noexcept
{
    if (raw.empty())
        return unexpected(err(BatchErrc::kEmptyTx, index));
    if (raw[0] == static_cast<uint8_t>(TxType::kDeposit))
        return unexpected(err(BatchErrc::kDepositTx, index));
    auto txn = txtypes::decode_transaction(raw);
    if (!txn)
        return unexpected(BatchError{BatchErrc::kInvalidTx, index, txn.error()});
    return std::move(*txn);
}

/// The length of the tx body at the front of `in`: [type byte] || RLP list.
Result<uint64_t, BatchError> body_length(ByteView in, uint64_t index) noexcept
{
    if (in.empty())
        return unexpected(err(BatchErrc::kTruncated));
    const size_t prefix = in[0] < 0x80 ? 1 : 0;  // EIP-2718 types are < 0x80, legacy is a list
    ByteView rest = in.substr(prefix);
    const auto h = rlp::decode_header(rest);
    if (!h && h.error() == rlp::RlpError::kInputTooShort)
        return unexpected(err(BatchErrc::kTxTooLong, index));
    if (!h)
        return unexpected(
            BatchError{BatchErrc::kInvalidTx, index, {txtypes::TxErrc::kRlp, h.error(), "body"}});
    const size_t header = in.size() - prefix - rest.size();
    if (!h->list)
        return unexpected(
            BatchError{BatchErrc::kInvalidTx,
                       index,
                       {txtypes::TxErrc::kRlp, rlp::RlpError::kUnexpectedString, "body"}});
    if (h->payload_length > rest.size())
        return unexpected(err(BatchErrc::kTxTooLong, index));
    return prefix + header + h->payload_length;
}

void put_u256_be32(Bytes& out, const U256& v)
{
    uint8_t buf[32];
    to_be_bytes(v, buf);
    out.append(buf, 32);
}

}  // namespace

HashPrefix HashPrefix::of(const Hash& h) noexcept
{
    HashPrefix p;
    std::memcpy(p.data(), h.data(), HashPrefix::size());
    return p;
}

std::string BatchError::message() const
{
    const auto at = [this](const char* what, const char* unit) {
        return std::string{what} + " (" + unit + " " + std::to_string(index) + ")";
    };
    switch (code)
    {
        case BatchErrc::kEmpty:
            return "empty batch";
        case BatchErrc::kUnknownType:
            return "unknown batch type";
        case BatchErrc::kTruncated:
            return "batch truncated";
        case BatchErrc::kVarintOverflow:
            return "batch varint exceeds 64 bits";
        case BatchErrc::kVarintNotCanonical:
            return "batch varint not canonical";
        case BatchErrc::kNoBlocks:
            return "span batch has no blocks";
        case BatchErrc::kTooManyBlocks:
            return "span batch block count exceeds its size or the cap";
        case BatchErrc::kTimestampNotIncreasing:
            return at("span batch timestamps not strictly increasing", "block");
        case BatchErrc::kTimestampOverflow:
            return at("span batch timestamp overflows", "block");
        case BatchErrc::kL1OriginOverflow:
            return at("span batch L1 origin number overflows", "block");
        case BatchErrc::kL1OriginDecreasing:
            return at("span batch L1 origin number decreases", "block");
        case BatchErrc::kTooManyTxs:
            return "span batch tx count exceeds its size";
        case BatchErrc::kEmptyTx:
            return at("empty transaction in batch", "tx");
        case BatchErrc::kTxTooLong:
            return at("transaction body runs past the batch", "tx");
        case BatchErrc::kInvalidTx:
            return at("invalid transaction in batch", "tx") + ": " + tx.message();
        case BatchErrc::kDepositTx:
            return at("deposit (0x7E) transaction in batch", "tx");
        case BatchErrc::kInvalidValue:
            return at("tx value longer than 32 bytes or with a leading zero", "tx");
        case BatchErrc::kInvalidFlags:
            return "span batch bit list has non-zero padding bits";
        case BatchErrc::kBodyNotBlank:
            return at("tx body carries a field that belongs in a column", "tx");
        case BatchErrc::kTrailingData:
            return "trailing bytes after span batch";
        case BatchErrc::kTooLarge:
            return "channel full: uncompressed size cap reached";
    }
    return "unknown batch error";
}

Result<Bytes, BatchError> encode_span_batch(const SpanBatch& batch)
{
    if (batch.blocks.empty())
        return unexpected(err(BatchErrc::kNoBlocks));
    if (batch.blocks.size() > kMaxSpanBatchBlocks)
        return unexpected(err(BatchErrc::kTooManyBlocks));
    Bytes out(1, kSpanBatchType);
    const auto& first = batch.blocks.front();
    put_uvarint(out, first.timestamp);
    put_uvarint(out, first.l1_origin);
    out.append(batch.parent_check.data(), HashPrefix::size());
    out.append(batch.l1_origin_check.data(), HashPrefix::size());
    put_uvarint(out, batch.blocks.size());
    for (size_t i = 1; i < batch.blocks.size(); ++i)
    {
        const auto& prev = batch.blocks[i - 1];
        const auto& cur = batch.blocks[i];
        if (cur.timestamp <= prev.timestamp)
            return unexpected(err(BatchErrc::kTimestampNotIncreasing, i));
        put_uvarint(out, cur.timestamp - prev.timestamp);
    }
    for (size_t i = 1; i < batch.blocks.size(); ++i)
    {
        const auto& prev = batch.blocks[i - 1];
        const auto& cur = batch.blocks[i];
        if (cur.l1_origin < prev.l1_origin)
            return unexpected(err(BatchErrc::kL1OriginDecreasing, i));
        put_uvarint(out, cur.l1_origin - prev.l1_origin);
    }
    for (const auto& b : batch.blocks)
        put_uvarint(out, b.txs.size());

    // Columns: yParity bits, has-recipient bits, nonces, gas limits, values, data, bodies, then the
    // near-random ones: recipients, signatures.
    size_t total = 0;
    for (const auto& b : batch.blocks)
        total += b.txs.size();
    Bytes parity_bits((total + 7) / 8, 0), to_bits((total + 7) / 8, 0), nonces, gases, values,
        datas, bodies, tos, sigs;
    uint64_t index = 0;
    for (const auto& b : batch.blocks)
    {
        for (const auto& raw : b.txs)
        {
            const uint64_t t = index++;
            auto txn = check_tx(raw, t);
            if (!txn)
                return unexpected(txn.error());
            const auto bit = static_cast<uint8_t>(0x80u >> (t % 8));
            if (txn->signature.y_parity)
                parity_bits[t / 8] |= bit;
            if (txn->to)
                to_bits[t / 8] |= bit;
            put_uvarint(nonces, txn->nonce);
            put_uvarint(gases, txn->gas_limit);
            const Bytes value = to_be_bytes_trimmed(txn->value);
            values.push_back(static_cast<uint8_t>(value.size()));
            values += value;
            put_uvarint(datas, txn->data.size());
            datas += txn->data;
            if (txn->to)
                tos.append(txn->to->data(), Address::size());
            put_u256_be32(sigs, txn->signature.r);
            put_u256_be32(sigs, txn->signature.s);
            txn->signature = {};
            txn->nonce = 0;
            txn->gas_limit = 0;
            txn->value = 0;
            txn->data.clear();
            txn->to.reset();
            const Bytes body = txtypes::encode_transaction(*txn);
            bodies += body;
        }
    }
    for (const Bytes* col :
         {&parity_bits, &to_bits, &nonces, &gases, &values, &datas, &bodies, &tos, &sigs})
        out += *col;
    return out;
}

Result<SpanBatch, BatchError> decode_span_batch_prefix(ByteView& in) noexcept
{
    if (in.empty())
        return unexpected(err(BatchErrc::kEmpty));
    if (in[0] != kSpanBatchType)
        return unexpected(err(BatchErrc::kUnknownType));
    ByteView p = in.substr(1);

#define L2_UVARINT(var)              \
    const auto var = get_uvarint(p); \
    if (!var)                        \
        return unexpected(err(var.error()));

    L2_UVARINT(ts0)
    L2_UVARINT(origin0)
    SpanBatch batch;
    if (p.size() < 2 * HashPrefix::size())
        return unexpected(err(BatchErrc::kTruncated));
    std::memcpy(batch.parent_check.data(), p.data(), HashPrefix::size());
    std::memcpy(batch.l1_origin_check.data(), p.data() + HashPrefix::size(), HashPrefix::size());
    p.remove_prefix(2 * HashPrefix::size());
    L2_UVARINT(count)
    if (*count == 0)
        return unexpected(err(BatchErrc::kNoBlocks));
    // Each block after the first takes at least 3 bytes (two deltas, its tx count): with the
    // hard cap, bounds the allocation below.
    if (*count > kMaxSpanBatchBlocks || *count > (p.size() + 2) / 3)
        return unexpected(err(BatchErrc::kTooManyBlocks));
    batch.blocks.resize(static_cast<size_t>(*count));
    batch.blocks[0].timestamp = *ts0;
    batch.blocks[0].l1_origin = *origin0;
    for (size_t i = 1; i < batch.blocks.size(); ++i)
    {
        L2_UVARINT(delta)
        if (*delta == 0)
            return unexpected(err(BatchErrc::kTimestampNotIncreasing, i));
        const uint64_t prev = batch.blocks[i - 1].timestamp;
        if (prev + *delta < prev)
            return unexpected(err(BatchErrc::kTimestampOverflow, i));
        batch.blocks[i].timestamp = prev + *delta;
    }
    for (size_t i = 1; i < batch.blocks.size(); ++i)
    {
        L2_UVARINT(delta)
        const uint64_t prev = batch.blocks[i - 1].l1_origin;
        if (prev + *delta < prev)
            return unexpected(err(BatchErrc::kL1OriginOverflow, i));
        batch.blocks[i].l1_origin = prev + *delta;
    }
    uint64_t total = 0;
    std::vector<uint64_t> counts(batch.blocks.size());
    for (size_t i = 0; i < batch.blocks.size(); ++i)
    {
        L2_UVARINT(n)
        // A tx takes at least 69 bytes (nonce, gas, value, data, r||s, a body byte), so
        // counts beyond size / 66 cannot be met: bounds the allocations, no overflow below.
        if (*n > p.size() || total + *n > p.size() / (2 + kSigSize))
            return unexpected(err(BatchErrc::kTooManyTxs));
        counts[i] = *n;
        total += *n;
    }
    const uint64_t nbits = (total + 7) / 8;
    if (p.size() < 2 * nbits)
        return unexpected(err(BatchErrc::kTruncated));
    const ByteView parity_bits = p.substr(0, nbits);
    const ByteView to_bits = p.substr(nbits, nbits);
    p.remove_prefix(2 * nbits);
    // Padding bits after the last tx must be zero: one batch, one encoding.
    const auto pad_mask = static_cast<uint8_t>(0xffu >> (total % 8 == 0 ? 8 : total % 8));
    if (nbits != 0 && ((parity_bits[nbits - 1] | to_bits[nbits - 1]) & pad_mask) != 0)
        return unexpected(err(BatchErrc::kInvalidFlags, total));
    const auto bit = [](ByteView bits, uint64_t t) {
        return (bits[t / 8] & (0x80u >> (t % 8))) != 0;
    };
    uint64_t with_to = 0;
    for (uint64_t t = 0; t < total; ++t)
        with_to += bit(to_bits, t);
    std::vector<uint64_t> nonces(static_cast<size_t>(total));
    for (auto& n : nonces)
    {
        L2_UVARINT(v)
        n = *v;
    }
    std::vector<uint64_t> gases(static_cast<size_t>(total));
    for (auto& g : gases)
    {
        L2_UVARINT(v)
        g = *v;
    }
#undef L2_UVARINT
    // Values: length(0..32) || big-endian bytes without leading zeros.
    std::vector<U256> values(static_cast<size_t>(total));
    for (uint64_t t = 0; t < total; ++t)
    {
        if (p.empty())
            return unexpected(err(BatchErrc::kTruncated));
        const size_t n = p[0];
        if (n > 32 || (n > 0 && p.size() > 1 && p[1] == 0))
            return unexpected(err(BatchErrc::kInvalidValue, t));
        if (p.size() < 1 + n)
            return unexpected(err(BatchErrc::kTruncated));
        values[t] = from_be_bytes(p.substr(1, n));
        p.remove_prefix(1 + n);
    }
    std::vector<ByteView> datas(static_cast<size_t>(total));
    for (uint64_t t = 0; t < total; ++t)
    {
        auto n = get_uvarint(p);
        if (!n)
            return unexpected(err(n.error()));
        if (*n > p.size())
            return unexpected(err(BatchErrc::kTruncated));
        datas[t] = p.substr(0, *n);
        p.remove_prefix(*n);
    }
    // Bodies are self-delimiting (type byte and/or RLP list header): measure them first, so
    // that the recipient and signature columns after them can be located.
    std::vector<uint64_t> lengths(static_cast<size_t>(total));
    uint64_t body_bytes = 0;
    for (uint64_t t = 0; t < total; ++t)
    {
        auto len = body_length(p.substr(body_bytes), t);
        if (!len)
            return unexpected(len.error());
        lengths[t] = *len;
        body_bytes += *len;
    }
    if (p.size() < body_bytes + with_to * Address::size() + total * kSigSize)
        return unexpected(err(BatchErrc::kTruncated));
    ByteView bodies = p.substr(0, body_bytes);
    ByteView tos = p.substr(body_bytes, with_to * Address::size());
    const ByteView sigs = p.substr(body_bytes + tos.size(), total * kSigSize);
    p.remove_prefix(body_bytes + tos.size() + sigs.size());

    uint64_t t = 0;
    for (size_t i = 0; i < batch.blocks.size(); ++i)
    {
        auto& txs = batch.blocks[i].txs;
        txs.reserve(counts[i]);
        for (uint64_t k = 0; k < counts[i]; ++k, ++t)
        {
            const ByteView body = bodies.substr(0, lengths[t]);
            bodies.remove_prefix(lengths[t]);
            auto txn = check_tx(body, t);
            if (!txn)
                return unexpected(txn.error());
            // Fields held in columns must be blank in the body: one batch, one encoding.
            if (txn->signature != Signature{} || txn->nonce != 0 || txn->gas_limit != 0 ||
                txn->to || txn->value != U256{} || !txn->data.empty())
                return unexpected(err(BatchErrc::kBodyNotBlank, t));
            txn->signature.y_parity = bit(parity_bits, t) ? 1 : 0;
            txn->signature.r = from_be_bytes(sigs.substr(t * kSigSize, 32));
            txn->signature.s = from_be_bytes(sigs.substr(t * kSigSize + 32, 32));
            txn->nonce = nonces[t];
            txn->gas_limit = gases[t];
            txn->value = values[t];
            txn->data = datas[t];
            if (bit(to_bits, t))
            {
                Address to;
                std::memcpy(to.data(), tos.data(), Address::size());
                tos.remove_prefix(Address::size());
                txn->to = to;
            }
            txs.push_back(txtypes::encode_transaction(*txn));
        }
    }
    in = p;
    return batch;
}

Result<SpanBatch, BatchError> decode_span_batch(ByteView in) noexcept
{
    auto b = decode_span_batch_prefix(in);
    if (b && !in.empty())
        return unexpected(err(BatchErrc::kTrailingData));
    return b;
}

Result<std::vector<SpanBatch>, BatchError> decode_batches(ByteView in) noexcept
{
    if (in.empty())
        return unexpected(err(BatchErrc::kEmpty));
    std::vector<SpanBatch> out;
    while (!in.empty())
    {
        auto b = decode_span_batch_prefix(in);
        if (!b)
            return unexpected(b.error());
        out.push_back(std::move(*b));
    }
    return out;
}

}  // namespace l2::derivation
