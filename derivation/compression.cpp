// zstd and brotli through their streaming APIs, so that output is produced (and capped) chunk by
// chunk instead of trusting a size the stream declares.
#include "compression.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

namespace l2::derivation {
namespace {

constexpr size_t kChunk = 64 * 1024;

/// Grows `out` by one chunk (never past max_output + 1, which is enough to detect "too large").
uint8_t* grow(Bytes& out, size_t max_output, size_t& avail)
{
    const size_t old = out.size();
    const size_t limit = max_output + 1;
    const size_t n = std::min(kChunk, limit - old);
    out.resize(old + n);
    avail = n;
    return out.data() + old;
}

Result<Bytes, CompressionError> unzstd(ByteView in, size_t max_output) noexcept
{
    const std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx{ZSTD_createDCtx(), ZSTD_freeDCtx};
    if (!ctx)
        return unexpected(CompressionError::kCorrupt);
    ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, kZstdMaxWindowLog);
    // Single-frame: a second concatenated frame would be trailing data.
    ZSTD_inBuffer src{in.data(), in.size(), 0};
    Bytes out;
    size_t written = 0;
    while (true)
    {
        if (written == out.size())
        {
            if (out.size() > max_output)
                return unexpected(CompressionError::kTooLarge);
            size_t avail = 0;
            grow(out, max_output, avail);
        }
        ZSTD_outBuffer dst{out.data(), out.size(), written};
        const size_t ret = ZSTD_decompressStream(ctx.get(), &dst, &src);
        written = dst.pos;
        if (ZSTD_isError(ret))
            return unexpected(CompressionError::kCorrupt);
        if (written > max_output)
            return unexpected(CompressionError::kTooLarge);
        if (ret == 0)  // frame complete and flushed
        {
            if (src.pos != src.size)
                return unexpected(CompressionError::kTrailingData);
            out.resize(written);
            return out;
        }
        // Input used up with the frame unfinished and no output pending: truncated.
        if (src.pos == src.size && dst.pos < dst.size)
            return unexpected(CompressionError::kTruncated);
    }
}

Result<Bytes, CompressionError> unbrotli(ByteView in, size_t max_output) noexcept
{
    const std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> st{
        BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance};
    if (!st)
        return unexpected(CompressionError::kCorrupt);
    size_t avail_in = in.size();
    const uint8_t* next_in = in.data();
    Bytes out;
    size_t written = 0;
    while (true)
    {
        if (written == out.size())
        {
            if (out.size() > max_output)
                return unexpected(CompressionError::kTooLarge);
            size_t avail = 0;
            grow(out, max_output, avail);
        }
        size_t avail_out = out.size() - written;
        uint8_t* next_out = out.data() + written;
        const auto r = BrotliDecoderDecompressStream(st.get(), &avail_in, &next_in, &avail_out,
                                                     &next_out, nullptr);
        written = out.size() - avail_out;
        if (written > max_output)
            return unexpected(CompressionError::kTooLarge);
        switch (r)
        {
            case BROTLI_DECODER_RESULT_SUCCESS:
                if (avail_in != 0)
                    return unexpected(CompressionError::kTrailingData);
                out.resize(written);
                return out;
            case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
                return unexpected(CompressionError::kTruncated);
            case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
                continue;
            default:
                return unexpected(CompressionError::kCorrupt);
        }
    }
}

}  // namespace

const char* to_string(CompressionError e) noexcept
{
    switch (e)
    {
        case CompressionError::kEmpty:
            return "channel is empty (no compression byte)";
        case CompressionError::kUnknownAlgorithm:
            return "unknown channel compression algorithm";
        case CompressionError::kCorrupt:
            return "corrupt compressed stream";
        case CompressionError::kTruncated:
            return "compressed stream truncated";
        case CompressionError::kTrailingData:
            return "trailing bytes after the compressed stream";
        case CompressionError::kTooLarge:
            return "decompressed channel exceeds the size cap";
    }
    return "unknown compression error";
}

Bytes compress(ByteView in, const CompressionOptions& options)
{
    Bytes out(1, static_cast<uint8_t>(options.algorithm));
    if (options.algorithm == Compression::kZstd)
    {
        const std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> ctx{ZSTD_createCCtx(),
                                                                     ZSTD_freeCCtx};
        if (!ctx)
            throw std::bad_alloc{};
        ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_compressionLevel, options.level);
        ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_windowLog, kZstdMaxWindowLog);
        ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_checksumFlag, 0);
        out.resize(1 + ZSTD_compressBound(in.size()));
        const size_t n =
            ZSTD_compress2(ctx.get(), out.data() + 1, out.size() - 1, in.data(), in.size());
        if (ZSTD_isError(n))
            throw std::bad_alloc{};  // only on allocation failure with a large enough buffer
        out.resize(1 + n);
        return out;
    }
    size_t n = BrotliEncoderMaxCompressedSize(in.size());
    if (n == 0)
        n = in.size() + 1024;
    out.resize(1 + n);
    if (!BrotliEncoderCompress(options.level, options.brotli_window, BROTLI_MODE_GENERIC, in.size(),
                               in.data(), &n, out.data() + 1))
        throw std::bad_alloc{};
    out.resize(1 + n);
    return out;
}

Result<Bytes, CompressionError> decompress(ByteView in, size_t max_output) noexcept
{
    if (in.empty())
        return unexpected(CompressionError::kEmpty);
    const auto algo = in[0];
    in.remove_prefix(1);
    if (algo == static_cast<uint8_t>(Compression::kZstd))
        return unzstd(in, max_output);
    if (algo == static_cast<uint8_t>(Compression::kBrotli))
        return unbrotli(in, max_output);
    return unexpected(CompressionError::kUnknownAlgorithm);
}

}  // namespace l2::derivation
