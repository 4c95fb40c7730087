#pragma once
/// Span batches (docs/spec/batches.md "Batches"): what a channel decompresses to. One span batch
/// carries a run of consecutive L2 blocks: per block its timestamp, L1 origin number and user
/// transactions (canonical EIP-2718 bytes; the L1-info tx and deposits are regenerated from L1, so
/// a 0x7E tx in a batch is an error). Modelled on OP Stack's span batches (Delta), with a parent
/// check and an L1-origin check of 20-byte hash prefixes, but l2node's own encoding:
///
///   span_batch = 0x01 || uvarint(timestamp_0) || uvarint(l1_origin_0)
///                || parent_check(20) || l1_origin_check(20) || uvarint(block_count)
///                || (block_count-1) x uvarint(timestamp_i - timestamp_{i-1}, >= 1)
///                || (block_count-1) x uvarint(l1_origin_i - l1_origin_{i-1})
///                || block_count x uvarint(tx_count_i)
///                || tx columns (see docs/spec/batches.md "Transactions")
///
/// Decoding is strict and bounded by the input: every count is checked against the bytes left
/// before anything is allocated.

#include <string>
#include <vector>

#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>
#include <txtypes/transaction.hpp>

namespace l2::derivation {

/// The batch type byte of a span batch.
inline constexpr uint8_t kSpanBatchType = 0x01;

/// Blocks per span batch beyond this are an error (bounds decoder memory; ~2 days of 0.2 s blocks
/// and more than any sequencing window allows).
inline constexpr size_t kMaxSpanBatchBlocks = 1'000'000;

/// The first 20 bytes of a block hash (OP's parent_check / l1_origin_check).
struct HashPrefix : FixedBytes<20>
{
    /// The first 20 bytes of `h`.
    static HashPrefix of(const Hash& h) noexcept;
};

/// One L2 block as a batch carries it.
struct BatchBlock
{
    uint64_t timestamp = 0;
    uint64_t l1_origin = 0;  ///< L1 origin block number
    std::vector<Bytes> txs;  ///< canonical EIP-2718 bytes, never 0x7E

    friend bool operator==(const BatchBlock&, const BatchBlock&) = default;
};

/// A run of consecutive L2 blocks.
struct SpanBatch
{
    HashPrefix parent_check;     ///< prefix of the parent hash of blocks[0]
    HashPrefix l1_origin_check;  ///< prefix of the hash of blocks.back()'s L1 origin
    std::vector<BatchBlock> blocks;

    friend bool operator==(const SpanBatch&, const SpanBatch&) = default;
};

enum class BatchErrc
{
    kEmpty,                   ///< no bytes
    kUnknownType,             ///< batch type byte is not kSpanBatchType
    kTruncated,               ///< input ends inside a field
    kVarintOverflow,          ///< a uvarint beyond 64 bits
    kVarintNotCanonical,      ///< a uvarint with a redundant trailing zero group
    kNoBlocks,                ///< block_count == 0
    kTooManyBlocks,           ///< block_count larger than the bytes left could hold
    kTimestampNotIncreasing,  ///< a timestamp delta of 0
    kTimestampOverflow,
    kL1OriginOverflow,
    kL1OriginDecreasing,  ///< encoder only: a block's L1 origin below its predecessor's
    kTooManyTxs,          ///< tx counts larger than the bytes left could hold
    kEmptyTx,             ///< encoder only: a tx of length 0
    kTxTooLong,           ///< a tx body's RLP length runs past the input
    kInvalidTx,           ///< a tx that txtypes does not decode (see `tx`)
    kDepositTx,           ///< a 0x7E tx: deposits come from L1, never from a batch
    kInvalidFlags,        ///< non-zero padding bits in the yParity or has-recipient bit list
    kBodyNotBlank,  ///< a body with a nonce, gas, value, data, recipient or signature of its own
    kInvalidValue,  ///< a value longer than 32 bytes or with a leading zero byte
    kTrailingData,  ///< bytes after the batch (decode_span_batch only)
    kTooLarge,      ///< ChannelOut: the channel's uncompressed size cap is reached
};

struct BatchError
{
    BatchErrc code = BatchErrc::kEmpty;
    uint64_t index = 0;     ///< the block or tx (index in the batch) the error is about
    txtypes::TxError tx{};  ///< for kInvalidTx

    std::string message() const;
};

/// The encoding above. Validates like the decoder (0x7E, empty or undecodable txs, timestamps).
[[nodiscard]] Result<Bytes, BatchError> encode_span_batch(const SpanBatch& batch);

/// Decodes exactly one span batch; trailing bytes are an error.
[[nodiscard]] Result<SpanBatch, BatchError> decode_span_batch(ByteView in) noexcept;

/// Decodes one span batch from the front of `in`, consuming it (a channel holds several).
[[nodiscard]] Result<SpanBatch, BatchError> decode_span_batch_prefix(ByteView& in) noexcept;

/// Decodes a whole (decompressed) channel: one or more span batches back to back.
[[nodiscard]] Result<std::vector<SpanBatch>, BatchError> decode_batches(ByteView in) noexcept;

}  // namespace l2::derivation
