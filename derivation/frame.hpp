#pragma once
/// Frames and the batcher's L1 calldata (docs/spec/batches.md "Frames"), modelled on OP Stack's
/// derivation spec ("Frame Format", "Batcher Transaction Format") as l2node's own, versioned
/// format:
///
///   calldata = version(1) = 0x00 || frame+
///   frame    = channel_id(16) || frame_number(u16 BE) || frame_data_length(u32 BE) || frame_data
///              || is_last(u8: 0 or 1)
///
/// Decoding is strict: an unknown version, a truncated or oversize frame, is_last outside {0, 1}
/// or any trailing byte rejects the whole transaction.

#include <span>
#include <vector>

#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>

namespace l2::derivation {

/// The calldata version byte l2node writes and accepts.
inline constexpr uint8_t kCalldataVersion = 0x00;
/// frame_data beyond this is an error (bounded allocation; OP uses the same 1,000,000 bytes).
inline constexpr size_t kMaxFrameDataSize = 1'000'000;
/// Bytes of a frame besides its data: id 16 + number 2 + length 4 + is_last 1.
inline constexpr size_t kFrameOverhead = 23;

/// A channel's identity: 16 random bytes chosen by the batcher.
struct ChannelId : FixedBytes<16>
{};

/// One frame: a piece of one channel.
struct Frame
{
    ChannelId channel_id;
    uint16_t number = 0;
    Bytes data;
    bool is_last = false;

    /// Bytes this frame takes on the wire.
    size_t encoded_size() const noexcept { return kFrameOverhead + data.size(); }

    friend bool operator==(const Frame&, const Frame&) = default;
};

enum class FrameError
{
    kEmpty,            ///< calldata with no bytes at all
    kUnknownVersion,   ///< first byte is not kCalldataVersion
    kNoFrames,         ///< a version byte and nothing else
    kTruncatedHeader,  ///< fewer than 22 bytes where a frame header should be
    kFrameTooLarge,    ///< frame_data_length > kMaxFrameDataSize
    kTruncatedData,    ///< frame_data_length runs past the end of the calldata
    kMissingIsLast,    ///< the frame ends without its is_last byte
    kInvalidIsLast,    ///< is_last is neither 0 nor 1
};

/// A static message for `e`.
const char* to_string(FrameError e) noexcept;

/// Appends the wire form of `frame` (frame.data must be <= kMaxFrameDataSize).
void encode_frame(Bytes& out, const Frame& frame);

/// Decodes one frame from the front of `in`, consuming it.
[[nodiscard]] Result<Frame, FrameError> decode_frame(ByteView& in) noexcept;

/// version || frames: the data of one batcher transaction.
Bytes encode_calldata(std::span<const Frame> frames);

/// All frames of one batcher transaction's calldata; any malformed byte rejects the whole tx.
[[nodiscard]] Result<std::vector<Frame>, FrameError> parse_calldata(ByteView calldata) noexcept;

}  // namespace l2::derivation
