#include "channel.hpp"

#include <algorithm>
#include <stdexcept>

namespace l2::derivation {

ChannelOut::ChannelOut(const ChannelId& id, CompressionOptions options)
    : m_id{id}, m_options{options}
{}

Result<void, BatchError> ChannelOut::add_batch(const SpanBatch& batch)
{
    if (m_compressed)
        throw std::logic_error{"ChannelOut::add_batch after compressed()"};
    auto enc = encode_span_batch(batch);
    if (!enc)
        return unexpected(enc.error());
    if (m_raw.size() + enc->size() > kMaxChannelSize)
        return unexpected(BatchError{BatchErrc::kTooLarge, 0, {}});
    m_raw += *enc;
    return {};
}

const Bytes& ChannelOut::compressed()
{
    if (!m_compressed)
        m_compressed = compress(m_raw, m_options);
    return *m_compressed;
}

std::vector<Frame> ChannelOut::output_frames(size_t max_frame_size)
{
    if (max_frame_size <= kFrameOverhead)
        throw std::invalid_argument{"max_frame_size must exceed the frame overhead"};
    const Bytes& data = compressed();
    const size_t per_frame = std::min(max_frame_size - kFrameOverhead, kMaxFrameDataSize);
    const size_t n = std::max<size_t>(1, (data.size() + per_frame - 1) / per_frame);
    if (n > 65536)
        throw std::invalid_argument{"channel needs more than 65,536 frames"};
    std::vector<Frame> frames(n);
    for (size_t i = 0; i < n; ++i)
    {
        frames[i].channel_id = m_id;
        frames[i].number = static_cast<uint16_t>(i);
        frames[i].data = data.substr(i * per_frame, per_frame);
        frames[i].is_last = i + 1 == n;
    }
    return frames;
}

std::string ChannelError::message() const
{
    if (code == ChannelErrc::kCompression)
        return std::string{"channel: "} + to_string(compression);
    return "channel: " + batch.message();
}

Result<std::vector<SpanBatch>, ChannelError> decode_channel(ByteView data) noexcept
{
    auto raw = decompress(data, kMaxChannelSize);
    if (!raw)
        return unexpected(ChannelError{ChannelErrc::kCompression, raw.error(), {}});
    auto batches = decode_batches(*raw);
    if (!batches)
        return unexpected(ChannelError{ChannelErrc::kBatch, {}, batches.error()});
    return std::move(*batches);
}

ChannelBank::ChannelBank(uint64_t channel_timeout, size_t max_bank_size)
    : m_timeout{channel_timeout}, m_max_size{max_bank_size}
{}

void ChannelBank::drop(const ChannelId& id)
{
    const auto it = m_channels.find(id);
    if (it == m_channels.end())
        return;
    m_size -= it->second.size;
    m_channels.erase(it);
    m_order.erase(std::find(m_order.begin(), m_order.end(), id));
}

FrameOutcome ChannelBank::add_frame(Frame frame, uint64_t l1_block)
{
    auto it = m_channels.find(frame.channel_id);
    if (it == m_channels.end())
    {
        it = m_channels.emplace(frame.channel_id, Pending{l1_block, {}, {}, 0}).first;
        m_order.push_back(frame.channel_id);
    }
    Pending& c = it->second;
    if (timed_out(c, l1_block))
        return FrameOutcome::kTimedOut;
    if (c.frames.contains(frame.number))
        return FrameOutcome::kDuplicate;
    if (c.last && frame.number > *c.last)
        return FrameOutcome::kAfterLast;
    if (frame.is_last)
    {
        if (c.last)
            return FrameOutcome::kSecondLast;
        // Frames already held beyond this last one can never belong: discard them.
        c.last = frame.number;
        for (auto f = c.frames.upper_bound(frame.number); f != c.frames.end();)
        {
            c.size -= f->second.size();
            m_size -= f->second.size();
            f = c.frames.erase(f);
        }
    }
    const size_t n = frame.data.size();
    if (c.size + n > kMaxChannelSize)
    {
        drop(frame.channel_id);
        return FrameOutcome::kChannelTooLarge;
    }
    c.size += n;
    m_size += n;
    c.frames.emplace(frame.number, std::move(frame.data));
    // Over the bank's budget: drop the oldest channels (never the one just filled, unless alone).
    while (m_size > m_max_size && m_order.size() > 1)
    {
        const ChannelId oldest = m_order.front();
        if (oldest == frame.channel_id)
            break;
        drop(oldest);
    }
    return FrameOutcome::kAdded;
}

std::optional<ReadyChannel> ChannelBank::next_ready(uint64_t l1_block)
{
    for (size_t i = 0; i < m_order.size();)
    {
        const ChannelId id = m_order[i];
        Pending& c = m_channels.at(id);
        if (timed_out(c, l1_block))
        {
            drop(id);
            continue;
        }
        if (!c.complete())
        {
            ++i;
            continue;
        }
        ReadyChannel out{id, c.opened, {}};
        out.data.reserve(c.size);
        for (auto& [num, data] : c.frames)
            out.data += data;
        drop(id);
        return out;
    }
    return std::nullopt;
}

void ChannelBank::reset() noexcept
{
    m_channels.clear();
    m_order.clear();
    m_size = 0;
}

}  // namespace l2::derivation
