#pragma once
/// Channel compression (docs/spec/batches.md "Compression"): a channel's bytes are
/// `algorithm(1) || compressed stream`. Brotli (0x01, quality 10, window 2^22: OP Stack Fjord's
/// settings) is the batcher's default, measured to give the fewest bytes per tx on l2node's span
/// batches; zstd (0x02) is accepted too and is 4-5x faster to compress for ~1% more bytes.
/// Decompression is bounded: output beyond the caller's cap is an error, never an allocation
/// (zip-bomb safe).

#include <cstddef>

#include <txtypes/bytes.hpp>
#include <txtypes/result.hpp>

namespace l2::derivation {

/// The first byte of a channel.
enum class Compression : uint8_t
{
    kBrotli = 0x01,  ///< RFC 7932, window <= 2^24 (no large-window extension)
    kZstd = 0x02,    ///< RFC 8878, exactly one frame, window <= 2^kZstdMaxWindowLog
};

/// zstd frames whose window exceeds 2^23 bytes are refused (bounds decoder memory).
inline constexpr int kZstdMaxWindowLog = 23;

enum class CompressionError
{
    kEmpty,             ///< no algorithm byte
    kUnknownAlgorithm,  ///< the algorithm byte is neither 0x01 nor 0x02
    kCorrupt,           ///< the stream is not valid for its algorithm
    kTruncated,         ///< the stream ends before its end marker
    kTrailingData,      ///< bytes after the end of the stream
    kTooLarge,          ///< output would exceed the cap
};

/// A static message for `e`.
const char* to_string(CompressionError e) noexcept;

/// Compression settings for the writer. `level`: zstd 1..22, brotli quality 0..11.
struct CompressionOptions
{
    Compression algorithm = Compression::kBrotli;
    int level = 10;
    int brotli_window = 22;  ///< lgwin for brotli (OP uses 22)
};

/// zstd at level 19: the fast alternative (window capped at 2^kZstdMaxWindowLog).
inline constexpr CompressionOptions kZstdOptions{Compression::kZstd, 19, 22};

/// `algorithm || compress(in)`. Throws std::bad_alloc only.
Bytes compress(ByteView in, const CompressionOptions& options);

/// Inverse of compress(): refuses (kTooLarge) as soon as the output would exceed `max_output`.
[[nodiscard]] Result<Bytes, CompressionError> decompress(ByteView in, size_t max_output) noexcept;

}  // namespace l2::derivation
