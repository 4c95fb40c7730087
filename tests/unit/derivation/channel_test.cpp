// Frames, batcher calldata and channel assembly (derivation/frame.hpp, derivation/channel.hpp):
// round trips, strict calldata decoding (error table), frames out of order, duplicated, missing,
// across L1 txs, and channel timeouts.
#include <gtest/gtest.h>

#include <algorithm>

#include <derivation/channel.hpp>
#include <derivation/frame.hpp>

#include "batch_test_txs.hpp"

using namespace l2;
using namespace l2::derivation;
using namespace l2::derivation::testing;

namespace {

ChannelId id_of(uint8_t b)
{
    ChannelId id;
    id.bytes.fill(b);
    return id;
}

Frame frame(uint8_t id, uint16_t num, Bytes data, bool last)
{
    return Frame{id_of(id), num, std::move(data), last};
}

/// A channel of real batches and its frames.
struct Built
{
    std::vector<SpanBatch> batches;
    std::vector<Frame> frames;
};

Built build(uint8_t id, size_t max_frame, CompressionOptions options = {})
{
    std::mt19937_64 rng{11};
    Built b;
    ChannelOut out{id_of(id), options};
    for (int i = 0; i < 3; ++i)
    {
        b.batches.push_back(random_batch(rng, 10, 6));
        EXPECT_TRUE(out.add_batch(b.batches.back()));
    }
    b.frames = out.output_frames(max_frame);
    return b;
}

}  // namespace

TEST(Frame, CalldataRoundTrip)
{
    const std::vector<Frame> frames = {frame(1, 0, Bytes{1, 2, 3}, false),
                                       frame(2, 7, Bytes{}, true),
                                       frame(1, 1, Bytes(300, 9), true)};
    const Bytes cd = encode_calldata(frames);
    EXPECT_EQ(cd[0], kCalldataVersion);
    EXPECT_EQ(cd.size(), 1 + 3 * kFrameOverhead + 3 + 300);
    const auto back = parse_calldata(cd);
    ASSERT_TRUE(back) << to_string(back.error());
    EXPECT_EQ(*back, frames);
}

TEST(Frame, WireLayout)
{
    Bytes out;
    encode_frame(out, frame(0xab, 0x0102, Bytes{0xee}, true));
    const Bytes expect = Bytes(16, 0xab) + Bytes{0x01, 0x02, 0, 0, 0, 1, 0xee, 0x01};
    EXPECT_EQ(out, expect);
}

TEST(Frame, CalldataErrorTable)
{
    const Bytes good = encode_calldata(std::vector{frame(1, 0, Bytes{1, 2, 3}, true)});
    Bytes bad_last = good;
    bad_last.back() = 2;
    Bytes too_large = Bytes{0} + Bytes(16, 1) + Bytes{0, 0, 0x00, 0x0f, 0x42, 0x41};  // 1,000,001
    too_large += Bytes(1'000'002, 0);
    Bytes length_past_end = Bytes{0} + Bytes(16, 1) + Bytes{0, 0, 0, 0, 0x10, 0} + Bytes(10, 0);
    const struct
    {
        const char* name;
        Bytes in;
        FrameError e;
    } rows[] = {
        {"empty", {}, FrameError::kEmpty},
        {"version 1", Bytes{1} + good.substr(1), FrameError::kUnknownVersion},
        {"version only", {0}, FrameError::kNoFrames},
        {"short header", Bytes{0} + Bytes(21, 0), FrameError::kTruncatedHeader},
        {"trailing garbage", good + Bytes{0xde, 0xad}, FrameError::kTruncatedHeader},
        {"frame too large", too_large, FrameError::kFrameTooLarge},
        {"data past end", length_past_end, FrameError::kTruncatedData},
        {"no is_last", good.substr(0, good.size() - 1), FrameError::kMissingIsLast},
        {"is_last 2", bad_last, FrameError::kInvalidIsLast},
        {"second frame bad", good + bad_last.substr(1), FrameError::kInvalidIsLast},
    };
    for (const auto& row : rows)
    {
        SCOPED_TRACE(row.name);
        const auto r = parse_calldata(row.in);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), row.e) << to_string(r.error());
    }
}

TEST(ChannelOut, FramesRespectSizeAndDecode)
{
    const auto b = build(1, 200);
    ASSERT_GT(b.frames.size(), 3u);
    for (size_t i = 0; i < b.frames.size(); ++i)
    {
        EXPECT_LE(b.frames[i].encoded_size(), 200u);
        EXPECT_EQ(b.frames[i].number, i);
        EXPECT_EQ(b.frames[i].is_last, i + 1 == b.frames.size());
    }
    ChannelBank bank{300};
    for (const auto& f : b.frames)
    {
        EXPECT_EQ(bank.add_frame(f, 10), FrameOutcome::kAdded);
    }
    const auto ready = bank.next_ready(10);
    ASSERT_TRUE(ready);
    const auto batches = decode_channel(ready->data);
    ASSERT_TRUE(batches) << batches.error().message();
    EXPECT_EQ(*batches, b.batches);
    EXPECT_EQ(bank.channel_count(), 0u);
    EXPECT_EQ(bank.buffered_bytes(), 0u);
}

TEST(ChannelOut, ZstdChannelDecodes)
{
    const auto b = build(2, 1000, kZstdOptions);
    EXPECT_EQ(b.frames[0].data[0], static_cast<uint8_t>(Compression::kZstd));
    ChannelBank bank{300};
    for (const auto& f : b.frames)
    {
        EXPECT_EQ(bank.add_frame(f, 10), FrameOutcome::kAdded);
    }
    const auto ready = bank.next_ready(10);
    ASSERT_TRUE(ready);
    EXPECT_EQ(*decode_channel(ready->data), b.batches);
}

TEST(ChannelOut, RejectsBadFrameSizeAndOversizeChannels)
{
    ChannelOut out{id_of(1)};
    EXPECT_THROW(out.output_frames(kFrameOverhead), std::invalid_argument);
    std::mt19937_64 rng{2};
    ChannelOut big{id_of(2)};
    SpanBatch b = random_batch(rng, 1, 0);
    // One block with ~10 MB of txs does not fit.
    Bytes tx = signed_tx(rng, txtypes::TxType::kDynamicFee);
    b.blocks[0].txs.assign(10'000'000 / tx.size() + 1, tx);
    const auto r = big.add_batch(b);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, BatchErrc::kTooLarge);
    EXPECT_EQ(big.input_bytes(), 0u);
}

TEST(ChannelBank, OutOfOrderDuplicatedAcrossTxs)
{
    const auto b = build(3, 150);
    auto frames = b.frames;
    std::mt19937_64 rng{4};
    std::shuffle(frames.begin(), frames.end(), rng);
    ChannelBank bank{1000};
    uint64_t l1 = 100;
    // Two frames per L1 tx, one tx per L1 block, each tx's frames sent twice.
    for (size_t i = 0; i < frames.size(); i += 2, ++l1)
    {
        const auto end = std::min(frames.size(), i + 2);
        const std::vector<Frame> tx(frames.begin() + static_cast<long>(i),
                                    frames.begin() + static_cast<long>(end));
        const auto parsed = parse_calldata(encode_calldata(tx));
        ASSERT_TRUE(parsed);
        for (const auto& f : *parsed)
        {
            EXPECT_EQ(bank.add_frame(f, l1), FrameOutcome::kAdded);
        }
        for (const auto& f : *parsed)
        {
            EXPECT_EQ(bank.add_frame(f, l1), FrameOutcome::kDuplicate);
        }
        if (end < frames.size())
        {
            EXPECT_FALSE(bank.next_ready(l1)) << "ready before all frames arrived";
        }
    }
    const auto ready = bank.next_ready(l1);
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->opened_l1_block, 100u);
    EXPECT_EQ(*decode_channel(ready->data), b.batches);
}

TEST(ChannelBank, MissingFrameNeverReadyThenTimesOut)
{
    const auto b = build(4, 150);
    ChannelBank bank{5};
    for (size_t i = 0; i < b.frames.size(); ++i)
    {
        if (i != 1)
        {
            EXPECT_EQ(bank.add_frame(b.frames[i], 10), FrameOutcome::kAdded);
        }
    }
    EXPECT_FALSE(bank.next_ready(15));
    EXPECT_EQ(bank.channel_count(), 1u);
    // Past the timeout, a late frame is ignored and the channel is pruned.
    EXPECT_EQ(bank.add_frame(b.frames[1], 16), FrameOutcome::kTimedOut);
    EXPECT_FALSE(bank.next_ready(16));
    EXPECT_EQ(bank.channel_count(), 0u);
    EXPECT_EQ(bank.buffered_bytes(), 0u);
}

TEST(ChannelBank, CompleteButTimedOutIsDropped)
{
    const auto b = build(5, 400);
    ChannelBank bank{2};
    for (const auto& f : b.frames)
    {
        EXPECT_EQ(bank.add_frame(f, 7), FrameOutcome::kAdded);
    }
    EXPECT_FALSE(bank.next_ready(10));
    EXPECT_EQ(bank.channel_count(), 0u);
}

TEST(ChannelBank, LastFrameRules)
{
    ChannelBank bank{10};
    EXPECT_EQ(bank.add_frame(frame(1, 3, Bytes{3}, false), 1), FrameOutcome::kAdded);
    EXPECT_EQ(bank.buffered_bytes(), 1u);
    // is_last at 2 discards the held frame 3.
    EXPECT_EQ(bank.add_frame(frame(1, 2, Bytes{2}, true), 1), FrameOutcome::kAdded);
    EXPECT_EQ(bank.buffered_bytes(), 1u);
    EXPECT_EQ(bank.add_frame(frame(1, 3, Bytes{3}, false), 1), FrameOutcome::kAfterLast);
    EXPECT_EQ(bank.add_frame(frame(1, 1, Bytes{1}, true), 1), FrameOutcome::kSecondLast);
    EXPECT_EQ(bank.add_frame(frame(1, 1, Bytes{1}, false), 1), FrameOutcome::kAdded);
    EXPECT_FALSE(bank.next_ready(1));
    EXPECT_EQ(bank.add_frame(frame(1, 0, Bytes{0}, false), 2), FrameOutcome::kAdded);
    const auto r = bank.next_ready(2);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->data, (Bytes{0, 1, 2}));
}

TEST(ChannelBank, EarliestOpenedReadyChannelFirst)
{
    ChannelBank bank{10};
    EXPECT_EQ(bank.add_frame(frame(1, 1, Bytes{0x11}, true), 1), FrameOutcome::kAdded);
    EXPECT_EQ(bank.add_frame(frame(2, 0, Bytes{0x20}, true), 2), FrameOutcome::kAdded);
    EXPECT_EQ(bank.add_frame(frame(3, 0, Bytes{0x30}, true), 3), FrameOutcome::kAdded);
    EXPECT_EQ(bank.add_frame(frame(1, 0, Bytes{0x10}, false), 4), FrameOutcome::kAdded);
    EXPECT_EQ(bank.next_ready(4)->id, id_of(1));
    EXPECT_EQ(bank.next_ready(4)->id, id_of(2));
    EXPECT_EQ(bank.next_ready(4)->id, id_of(3));
    EXPECT_FALSE(bank.next_ready(4));
}

TEST(ChannelBank, SizeCaps)
{
    ChannelBank bank{100, 2'500'000};
    // One channel may not exceed kMaxChannelSize of frame data.
    for (uint16_t i = 0; i < 10; ++i)
    {
        EXPECT_EQ(bank.add_frame(frame(1, i, Bytes(1'000'000, 1), false), 1), FrameOutcome::kAdded)
            << i;
    }
    EXPECT_EQ(bank.add_frame(frame(1, 10, Bytes{1}, true), 1), FrameOutcome::kChannelTooLarge);
    EXPECT_EQ(bank.channel_count(), 0u);
    // The bank drops its oldest channels beyond its own budget.
    bank.reset();
    EXPECT_EQ(bank.add_frame(frame(1, 0, Bytes(1'000'000, 1), false), 1), FrameOutcome::kAdded);
    EXPECT_EQ(bank.add_frame(frame(2, 0, Bytes(1'000'000, 2), false), 1), FrameOutcome::kAdded);
    EXPECT_EQ(bank.add_frame(frame(3, 0, Bytes(1'000'000, 3), false), 1), FrameOutcome::kAdded);
    EXPECT_EQ(bank.channel_count(), 2u);
    EXPECT_EQ(bank.buffered_bytes(), 2'000'000u);
}

TEST(Channel, DecodeErrors)
{
    EXPECT_EQ(decode_channel({}).error().compression, CompressionError::kEmpty);
    const Bytes not_a_batch = compress(Bytes{0x09, 0x09}, {});
    const auto r = decode_channel(not_a_batch);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ChannelErrc::kBatch);
    EXPECT_EQ(r.error().batch.code, BatchErrc::kUnknownType);
    EXPECT_EQ(decode_channel(compress(Bytes{}, {})).error().batch.code, BatchErrc::kEmpty);
}
