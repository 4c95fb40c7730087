// Span batch codec and channel compression (derivation/batch.hpp, derivation/compression.hpp):
// round trips with real signed txs of every batchable type, and one row per error.
#include <gtest/gtest.h>
#include <zstd.h>

#include <derivation/batch.hpp>
#include <derivation/channel.hpp>
#include <derivation/compression.hpp>

#include "batch_test_txs.hpp"

using namespace l2;
using namespace l2::derivation;
using namespace l2::derivation::testing;

namespace {

void put_uvarint(Bytes& out, uint64_t v)
{
    for (; v >= 0x80; v >>= 7)
        out.push_back(static_cast<uint8_t>(v | 0x80));
    out.push_back(static_cast<uint8_t>(v));
}

/// 0x01 || ts0 || origin0 || checks (zero) || count: the fixed part of a span batch.
Bytes header(uint64_t ts0, uint64_t origin0, uint64_t count)
{
    Bytes b{kSpanBatchType};
    put_uvarint(b, ts0);
    put_uvarint(b, origin0);
    b += Bytes(40, 0);
    put_uvarint(b, count);
    return b;
}

/// A one-block, one-tx batch: columns yParity bits, has-to bits, nonce 5, gas 21000, value, body,
/// (to), r||s. `flags`: bit 0 yParity, bit 1 has-to, bit 2 a stray padding bit.
Bytes one_tx(ByteView body, uint8_t flags = 0)
{
    Bytes b = header(1, 1, 1);
    put_uvarint(b, 1);
    b.push_back(static_cast<uint8_t>((flags & 1 ? 0x80 : 0) | (flags & 4 ? 0x01 : 0)));
    b.push_back(flags & 2 ? 0x80 : 0);
    put_uvarint(b, 5);
    put_uvarint(b, 21000);
    b += Bytes{0x02, 0x01, 0x00};  // value 256
    b += Bytes{0x01, 0xab};        // data
    b += body;
    if (flags & 2)
        b += Bytes(20, 0x35);
    b += Bytes(64, 0x11);
    return b;
}

/// The blanked body of a real tx (what the batch stores in its body column).
Bytes body_of(const Bytes& raw)
{
    auto t = txtypes::decode_transaction(raw);
    EXPECT_TRUE(t);
    t->signature = {};
    t->nonce = 0;
    t->gas_limit = 0;
    t->to.reset();
    t->value = 0;
    t->data.clear();
    return txtypes::encode_transaction(*t);
}

}  // namespace

TEST(SpanBatch, RoundTripsRandomBatches)
{
    std::mt19937_64 rng{42};
    for (int round = 0; round < 20; ++round)
    {
        const auto batch = random_batch(rng, 1 + rng() % 30, round % 4 == 0 ? 0 : 8);
        const auto enc = encode_span_batch(batch);
        ASSERT_TRUE(enc) << enc.error().message();
        const auto dec = decode_span_batch(*enc);
        ASSERT_TRUE(dec) << dec.error().message();
        EXPECT_EQ(*dec, batch);
        // Every tx comes back byte for byte, so its hash is unchanged.
        for (size_t i = 0; i < batch.blocks.size(); ++i)
            for (size_t k = 0; k < batch.blocks[i].txs.size(); ++k)
                EXPECT_EQ(keccak256(dec->blocks[i].txs[k]), keccak256(batch.blocks[i].txs[k]));
    }
}

TEST(SpanBatch, SeveralBatchesInOneStream)
{
    std::mt19937_64 rng{7};
    const auto a = random_batch(rng, 3, 4);
    const auto b = random_batch(rng, 5, 2);
    const Bytes stream = *encode_span_batch(a) + *encode_span_batch(b);
    const auto dec = decode_batches(stream);
    ASSERT_TRUE(dec) << dec.error().message();
    ASSERT_EQ(dec->size(), 2u);
    EXPECT_EQ((*dec)[0], a);
    EXPECT_EQ((*dec)[1], b);
    EXPECT_EQ(decode_span_batch(stream).error().code, BatchErrc::kTrailingData);
}

TEST(SpanBatch, EncoderRejectsWhatDecoderWould)
{
    std::mt19937_64 rng{3};
    auto batch = random_batch(rng, 3, 1);
    auto deposit = batch;
    deposit.blocks[1].txs.push_back(Bytes{0x7e, 0xc0});
    EXPECT_EQ(encode_span_batch(deposit).error().code, BatchErrc::kDepositTx);
    auto bad = batch;
    bad.blocks[0].txs.push_back(Bytes{0x02, 0x01});
    EXPECT_EQ(encode_span_batch(bad).error().code, BatchErrc::kInvalidTx);
    auto empty_tx = batch;
    empty_tx.blocks[0].txs.push_back(Bytes{});
    EXPECT_EQ(encode_span_batch(empty_tx).error().code, BatchErrc::kEmptyTx);
    auto same_time = batch;
    same_time.blocks[2].timestamp = same_time.blocks[1].timestamp;
    EXPECT_EQ(encode_span_batch(same_time).error().code, BatchErrc::kTimestampNotIncreasing);
    auto back = batch;
    back.blocks[2].l1_origin = back.blocks[1].l1_origin - 1;
    EXPECT_EQ(encode_span_batch(back).error().code, BatchErrc::kL1OriginDecreasing);
    EXPECT_EQ(encode_span_batch(SpanBatch{}).error().code, BatchErrc::kNoBlocks);
}

TEST(SpanBatch, DepositTxNeverDecodes)
{
    // A real deposit body in the body column: refused before anything else looks at it.
    txtypes::Transaction dep;
    dep.type = txtypes::TxType::kDeposit;
    dep.from = address_literal("deaddeaddeaddeaddeaddeaddeaddeaddead0001");
    dep.gas_limit = 1'000'000;
    const auto r = decode_span_batch(one_tx(txtypes::encode_transaction(dep)));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, BatchErrc::kDepositTx);
    EXPECT_NE(r.error().message().find("0x7E"), std::string::npos);
}

TEST(SpanBatch, ErrorTable)
{
    std::mt19937_64 rng{1};
    const Bytes good_body = body_of(signed_tx(rng, txtypes::TxType::kDynamicFee));
    const Bytes signed_body = signed_tx(rng, txtypes::TxType::kDynamicFee);
    ASSERT_TRUE(decode_span_batch(one_tx(good_body)));
    ASSERT_TRUE(decode_span_batch(one_tx(good_body, 3)));
    auto with_nonce = txtypes::decode_transaction(signed_body).value();
    with_nonce.signature = {};
    with_nonce.to.reset();
    with_nonce.gas_limit = 0;
    with_nonce.nonce = 1;
    with_nonce.value = 0;
    with_nonce.data.clear();
    Bytes bad_value = one_tx(good_body);
    bad_value[bad_value.size() - good_body.size() - 64 - 4] = 0x00;  // value 0x00 0x00: leading 0
    Bytes long_value = one_tx(good_body);
    long_value[long_value.size() - good_body.size() - 64 - 5] = 33;
    Bytes cut_to = one_tx(good_body, 2);
    cut_to.resize(cut_to.size() - 10);

    Bytes two_blocks_zero_delta = header(1, 1, 2) + Bytes{0x00, 0x00, 0x00, 0x00};
    Bytes ts_overflow = header(~uint64_t{0}, 1, 2) + Bytes{0x01, 0x00, 0x00, 0x00};
    Bytes origin_overflow = header(1, ~uint64_t{0}, 2) + Bytes{0x01, 0x01, 0x00, 0x00};
    Bytes too_many_txs = header(1, 1, 1) + Bytes{0x05} + Bytes(200, 0);
    const Bytes tx_too_long = one_tx(Bytes{0x02, 0xf8, 0xff});
    Bytes body_missing = one_tx(good_body);
    body_missing.pop_back();

    const struct
    {
        const char* name;
        Bytes in;
        BatchErrc code;
    } rows[] = {
        {"empty", {}, BatchErrc::kEmpty},
        {"unknown type", {0x02, 0x00}, BatchErrc::kUnknownType},
        {"type only", {kSpanBatchType}, BatchErrc::kTruncated},
        {"checks cut", Bytes{kSpanBatchType, 1, 1} + Bytes(39, 0), BatchErrc::kTruncated},
        {"varint overflow", Bytes{kSpanBatchType} + Bytes(9, 0xff) + Bytes{0x02},
         BatchErrc::kVarintOverflow},
        {"varint 11 bytes", Bytes{kSpanBatchType} + Bytes(10, 0x80) + Bytes{0x00},
         BatchErrc::kVarintOverflow},
        {"varint not canonical", {kSpanBatchType, 0x80, 0x00}, BatchErrc::kVarintNotCanonical},
        {"no blocks", header(1, 1, 0), BatchErrc::kNoBlocks},
        {"too many blocks", header(1, 1, 1000) + Bytes(10, 0), BatchErrc::kTooManyBlocks},
        {"blocks over cap", header(1, 1, kMaxSpanBatchBlocks + 1) + Bytes(4'000'000, 1),
         BatchErrc::kTooManyBlocks},
        {"block count past end", header(1, 1, 3) + Bytes{0x01, 0x01, 0x00, 0x00},
         BatchErrc::kTooManyBlocks},
        {"delta cut", header(1, 1, 2) + Bytes{0x01, 0x80, 0x80, 0x80}, BatchErrc::kTruncated},
        {"timestamp delta 0", two_blocks_zero_delta, BatchErrc::kTimestampNotIncreasing},
        {"timestamp overflow", ts_overflow, BatchErrc::kTimestampOverflow},
        {"origin overflow", origin_overflow, BatchErrc::kL1OriginOverflow},
        {"too many txs", too_many_txs, BatchErrc::kTooManyTxs},
        {"body not a list", one_tx(Bytes{0x02, 0x80}), BatchErrc::kInvalidTx},
        {"body bad rlp", one_tx(Bytes{0x02, 0xf8, 0x01}), BatchErrc::kInvalidTx},
        {"tx too long", tx_too_long, BatchErrc::kTxTooLong},
        {"body cut", body_missing, BatchErrc::kTruncated},
        {"undecodable tx", one_tx(Bytes{0x02, 0xc1, 0x80}), BatchErrc::kInvalidTx},
        {"unknown tx type", one_tx(Bytes{0x05, 0xc0}), BatchErrc::kInvalidTx},
        {"signature in body", one_tx(signed_body), BatchErrc::kBodyNotBlank},
        {"nonce in body", one_tx(txtypes::encode_transaction(with_nonce)),
         BatchErrc::kBodyNotBlank},
        {"padding bit", one_tx(good_body, 4), BatchErrc::kInvalidFlags},
        {"value leading zero", bad_value, BatchErrc::kInvalidValue},
        {"value 33 bytes", long_value, BatchErrc::kInvalidValue},
        {"recipient column cut", cut_to, BatchErrc::kTruncated},
        {"deposit", one_tx(Bytes{0x7e, 0xc0}), BatchErrc::kDepositTx},
        {"trailing", one_tx(good_body) + Bytes{0x00}, BatchErrc::kTrailingData},
    };
    for (const auto& row : rows)
    {
        SCOPED_TRACE(row.name);
        const auto r = decode_span_batch(row.in);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, row.code) << r.error().message();
        EXPECT_FALSE(r.error().message().empty());
    }
}

TEST(Compression, RoundTripsBothAlgorithms)
{
    std::mt19937_64 rng{5};
    const Bytes raw = *encode_span_batch(random_batch(rng, 20, 6));
    for (const auto algo : {Compression::kZstd, Compression::kBrotli})
    {
        const int level = algo == Compression::kZstd ? 19 : 10;
        const Bytes c = compress(raw, {algo, level, 22});
        EXPECT_EQ(c[0], static_cast<uint8_t>(algo));
        const auto d = decompress(c, kMaxChannelSize);
        ASSERT_TRUE(d) << to_string(d.error());
        EXPECT_EQ(*d, raw);
        EXPECT_EQ(decompress(c, raw.size() - 1).error(), CompressionError::kTooLarge);
        EXPECT_TRUE(decompress(c, raw.size()));
    }
}

TEST(Compression, ErrorTable)
{
    const Bytes raw(1000, 0x42);
    const Bytes z = compress(raw, {Compression::kZstd, 3, 22});
    const Bytes b = compress(raw, {Compression::kBrotli, 5, 22});
    const struct
    {
        const char* name;
        Bytes in;
        CompressionError e;
    } rows[] = {
        {"empty", {}, CompressionError::kEmpty},
        {"unknown algorithm", {0x00, 0x01}, CompressionError::kUnknownAlgorithm},
        {"zstd no stream", {0x02}, CompressionError::kTruncated},
        {"zstd garbage", {0x02, 1, 2, 3, 4, 5, 6, 7, 8}, CompressionError::kCorrupt},
        {"zstd truncated", z.substr(0, z.size() - 2), CompressionError::kTruncated},
        {"zstd trailing", z + Bytes{0}, CompressionError::kTrailingData},
        {"zstd two frames", z + z.substr(1), CompressionError::kTrailingData},
        {"brotli no stream", {0x01}, CompressionError::kTruncated},
        {"brotli garbage", {0x01, 0xff, 0xff, 0xff, 0xff}, CompressionError::kCorrupt},
        {"brotli truncated", b.substr(0, b.size() - 2), CompressionError::kTruncated},
        {"brotli trailing", b + Bytes{0}, CompressionError::kTrailingData},
    };
    for (const auto& row : rows)
    {
        SCOPED_TRACE(row.name);
        const auto r = decompress(row.in, kMaxChannelSize);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), row.e) << to_string(r.error());
    }
}

TEST(Compression, ZipBombRefused)
{
    // 64 MB of zeros compress to a few kB; decoding stops at the 10 MB cap.
    const Bytes zeros(64'000'000, 0);
    for (const auto algo : {Compression::kZstd, Compression::kBrotli})
    {
        const Bytes bomb = compress(zeros, {algo, algo == Compression::kZstd ? 3 : 1, 22});
        EXPECT_LT(bomb.size(), 100'000u);
        const auto r = decode_channel(bomb);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ChannelErrc::kCompression);
        EXPECT_EQ(r.error().compression, CompressionError::kTooLarge);
    }
}

TEST(Compression, OversizeZstdWindowRefused)
{
    // A frame made with a 2^27 window is refused even though its output would fit.
    Bytes big(20'000'000, 0);
    std::mt19937_64 rng{9};
    for (size_t i = 0; i < big.size(); i += 4096)
        big[i] = static_cast<uint8_t>(rng());
    ZSTD_CCtx* ctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, 1);
    ZSTD_CCtx_setParameter(ctx, ZSTD_c_windowLog, 27);
    Bytes c(1 + ZSTD_compressBound(big.size()), static_cast<uint8_t>(Compression::kZstd));
    const size_t n = ZSTD_compress2(ctx, c.data() + 1, c.size() - 1, big.data(), big.size());
    ZSTD_freeCCtx(ctx);
    ASSERT_FALSE(ZSTD_isError(n));
    c.resize(1 + n);
    EXPECT_EQ(decompress(c, big.size()).error(), CompressionError::kCorrupt);
}
