// libFuzzer target: the batch codec (derivation/frame.hpp, compression.hpp, batch.hpp,
// channel.hpp). The input is tried as batcher calldata, as a span batch stream, and as a
// compressed channel. Properties: strict decoders re-encode what they accept to the same bytes,
// decompression never passes its cap, and the channel bank never holds more than its budget.
#include <cstdio>
#include <cstdlib>

#include <derivation/batch.hpp>
#include <derivation/channel.hpp>
#include <derivation/compression.hpp>
#include <derivation/frame.hpp>

namespace {

using namespace l2;
using namespace l2::derivation;

void require(bool ok, const char* what)
{
    if (ok)
        return;
    std::fprintf(stderr, "batch_decode_fuzz: property violated: %s\n", what);
    std::abort();
}

void check_calldata(ByteView in)
{
    const auto frames = parse_calldata(in);
    if (!frames)
    {
        require(to_string(frames.error()) != nullptr, "every FrameError has a message");
        return;
    }
    require(encode_calldata(*frames) == in, "encode_calldata(parse_calldata(x)) == x");
    // Frames into a small bank at increasing L1 blocks; drain it.
    ChannelBank bank{4, 64 * 1024};
    uint64_t l1 = 0;
    for (const auto& f : *frames)
    {
        (void)bank.add_frame(f, l1 += f.number % 3);
        require(bank.buffered_bytes() <= 64 * 1024 + kMaxFrameDataSize, "bank budget");
    }
    while (auto ready = bank.next_ready(l1))
        (void)decode_channel(ready->data);
}

void check_batches(ByteView in)
{
    ByteView rest = in;
    while (!rest.empty())
    {
        const ByteView before = rest;
        const auto b = decode_span_batch_prefix(rest);
        if (!b)
        {
            require(!b.error().message().empty(), "every BatchError has a message");
            return;
        }
        const auto enc = encode_span_batch(*b);
        require(enc.has_value(), "a decoded batch encodes");
        require(*enc == before.substr(0, before.size() - rest.size()),
                "encode_span_batch(decode_span_batch(x)) == x");
    }
}

void check_channel(ByteView in)
{
    constexpr size_t kCap = 1 << 20;
    const auto raw = decompress(in, kCap);
    if (raw)
        require(raw->size() <= kCap, "decompress honours its cap");
    const auto batches = decode_channel(in);
    if (!batches)
        require(!batches.error().message().empty(), "every ChannelError has a message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const ByteView in{data, size};
    check_calldata(in);
    check_batches(in);
    check_channel(in);
    return 0;
}
