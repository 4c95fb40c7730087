#pragma once
/// Channels (docs/spec/batches.md "Channels"): a channel is the compressed stream of one or more
/// span batches, cut into frames that travel in batcher transactions, possibly across many L1
/// blocks and out of order. `ChannelOut` is the batcher's side, `ChannelBank` the follower's
/// (OP Stack's ChannelBank: duplicates ignored, channel timeout in L1 blocks, ready when frames
/// 0..last are all present), `decode_channel` turns a ready channel back into batches.

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "batch.hpp"
#include "compression.hpp"
#include "frame.hpp"

namespace l2::derivation {

/// Cap on a channel's compressed size (sum of its frames' data) and on its decompressed size.
inline constexpr size_t kMaxChannelSize = 10'000'000;
/// Cap on all bytes the bank buffers; the oldest channels are dropped beyond it (OP: 100 MB).
inline constexpr size_t kMaxChannelBankSize = 100'000'000;

/// The batcher's channel: add batches, then cut the compressed stream into frames.
class ChannelOut
{
public:
    explicit ChannelOut(const ChannelId& id, CompressionOptions options = {});

    /// Encodes `batch` into the channel. kTooLarge when the uncompressed stream would pass
    /// kMaxChannelSize (the channel is unchanged; start a new one); other errors as encode.
    [[nodiscard]] Result<void, BatchError> add_batch(const SpanBatch& batch);

    /// Uncompressed bytes added so far.
    size_t input_bytes() const noexcept { return m_raw.size(); }

    /// The compressed channel (compresses on first call; no batch may be added afterwards).
    const Bytes& compressed();

    /// The channel as frames 0..n-1 of at most `max_frame_size` wire bytes each (the last one
    /// has is_last = 1). Throws std::invalid_argument when max_frame_size <= kFrameOverhead or
    /// the channel would need more than 65,536 frames (a batcher misconfiguration).
    std::vector<Frame> output_frames(size_t max_frame_size);

    const ChannelId& id() const noexcept { return m_id; }

private:
    ChannelId m_id;
    CompressionOptions m_options;
    Bytes m_raw;
    std::optional<Bytes> m_compressed;
};

enum class ChannelErrc
{
    kCompression,  ///< see `compression`
    kBatch,        ///< see `batch`
};

struct ChannelError
{
    ChannelErrc code = ChannelErrc::kCompression;
    CompressionError compression = CompressionError::kEmpty;
    BatchError batch{};

    std::string message() const;
};

/// Decompresses (at most kMaxChannelSize bytes out) and decodes a ready channel's batches.
[[nodiscard]] Result<std::vector<SpanBatch>, ChannelError> decode_channel(ByteView data) noexcept;

/// What the bank did with a frame (for logs, metrics and tests).
enum class FrameOutcome
{
    kAdded,
    kDuplicate,        ///< this frame number is already present: ignored
    kAfterLast,        ///< number beyond the channel's last frame: ignored
    kSecondLast,       ///< a second is_last frame with another number: ignored
    kTimedOut,         ///< the channel has timed out: ignored
    kChannelTooLarge,  ///< the channel passed kMaxChannelSize: the channel is dropped
};

/// A complete channel: frames 0..last concatenated.
struct ReadyChannel
{
    ChannelId id;
    uint64_t opened_l1_block = 0;  ///< L1 block of its first frame seen
    Bytes data;
};

/// The follower's frame assembler. Channels are kept in the order they were opened; a channel
/// times out once the current L1 block is past `opened + channel_timeout`.
class ChannelBank
{
public:
    explicit ChannelBank(uint64_t channel_timeout, size_t max_bank_size = kMaxChannelBankSize);

    /// Files one frame seen in a batcher tx of L1 block `l1_block` (non-decreasing).
    FrameOutcome add_frame(Frame frame, uint64_t l1_block);

    /// Drops timed-out channels, then pops the earliest-opened complete channel, if any.
    std::optional<ReadyChannel> next_ready(uint64_t l1_block);

    /// Drops everything (L1 reorg / pipeline reset).
    void reset() noexcept;

    size_t channel_count() const noexcept { return m_order.size(); }
    size_t buffered_bytes() const noexcept { return m_size; }

private:
    struct Pending
    {
        uint64_t opened = 0;
        std::map<uint16_t, Bytes> frames;
        std::optional<uint16_t> last;
        size_t size = 0;

        bool complete() const noexcept { return last && frames.size() == size_t{*last} + 1; }
    };

    bool timed_out(const Pending& c, uint64_t l1_block) const noexcept
    {
        return l1_block > c.opened + m_timeout;
    }
    void drop(const ChannelId& id);

    uint64_t m_timeout;
    size_t m_max_size;
    size_t m_size = 0;
    std::map<ChannelId, Pending> m_channels;
    std::deque<ChannelId> m_order;  ///< opening order
};

}  // namespace l2::derivation
