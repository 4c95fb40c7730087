#include "frame.hpp"

#include <cassert>
#include <cstring>

namespace l2::derivation {

const char* to_string(FrameError e) noexcept
{
    switch (e)
    {
        case FrameError::kEmpty:
            return "empty batcher calldata";
        case FrameError::kUnknownVersion:
            return "unknown batcher calldata version";
        case FrameError::kNoFrames:
            return "batcher calldata holds no frame";
        case FrameError::kTruncatedHeader:
            return "frame header truncated";
        case FrameError::kFrameTooLarge:
            return "frame_data_length exceeds the frame size cap";
        case FrameError::kTruncatedData:
            return "frame data truncated";
        case FrameError::kMissingIsLast:
            return "frame is missing its is_last byte";
        case FrameError::kInvalidIsLast:
            return "frame is_last byte is neither 0 nor 1";
    }
    return "unknown frame error";
}

void encode_frame(Bytes& out, const Frame& frame)
{
    assert(frame.data.size() <= kMaxFrameDataSize);
    out.append(frame.channel_id.data(), ChannelId::size());
    out.push_back(static_cast<uint8_t>(frame.number >> 8));
    out.push_back(static_cast<uint8_t>(frame.number));
    const auto len = static_cast<uint32_t>(frame.data.size());
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(len >> shift));
    out += frame.data;
    out.push_back(frame.is_last ? 1 : 0);
}

Result<Frame, FrameError> decode_frame(ByteView& in) noexcept
{
    constexpr size_t kHeader = 16 + 2 + 4;
    if (in.size() < kHeader)
        return unexpected(FrameError::kTruncatedHeader);
    Frame f;
    std::memcpy(f.channel_id.data(), in.data(), ChannelId::size());
    f.number = static_cast<uint16_t>(in[16] << 8 | in[17]);
    const uint32_t len =
        uint32_t{in[18]} << 24 | uint32_t{in[19]} << 16 | uint32_t{in[20]} << 8 | uint32_t{in[21]};
    in.remove_prefix(kHeader);
    if (len > kMaxFrameDataSize)
        return unexpected(FrameError::kFrameTooLarge);
    if (in.size() < len)
        return unexpected(FrameError::kTruncatedData);
    f.data.assign(in.data(), len);
    in.remove_prefix(len);
    if (in.empty())
        return unexpected(FrameError::kMissingIsLast);
    if (in[0] > 1)
        return unexpected(FrameError::kInvalidIsLast);
    f.is_last = in[0] == 1;
    in.remove_prefix(1);
    return f;
}

Bytes encode_calldata(std::span<const Frame> frames)
{
    Bytes out(1, kCalldataVersion);
    for (const auto& f : frames)
        encode_frame(out, f);
    return out;
}

Result<std::vector<Frame>, FrameError> parse_calldata(ByteView calldata) noexcept
{
    if (calldata.empty())
        return unexpected(FrameError::kEmpty);
    if (calldata[0] != kCalldataVersion)
        return unexpected(FrameError::kUnknownVersion);
    calldata.remove_prefix(1);
    if (calldata.empty())
        return unexpected(FrameError::kNoFrames);
    std::vector<Frame> frames;
    while (!calldata.empty())
    {
        auto f = decode_frame(calldata);
        if (!f)
            return unexpected(f.error());
        frames.push_back(std::move(*f));
    }
    return frames;
}

}  // namespace l2::derivation
