#pragma once
/// Logs, the 2048-bit logs bloom and typed receipts (EIP-2718: `type || rlp(payload)` for typed,
/// a bare list for legacy). Deposit receipts carry OP Stack's Canyon fields when present.

#include <array>
#include <optional>
#include <vector>

#include "bytes.hpp"
#include "hash.hpp"
#include "result.hpp"
#include "rlp.hpp"
#include "transaction.hpp"

namespace l2::txtypes {

struct Log
{
    Address address;
    std::vector<Hash> topics;
    Bytes data;
    friend bool operator==(const Log&, const Log&) = default;
};

using Bloom = std::array<uint8_t, 256>;

/// Sets the three bloom bits of `value` (Yellow Paper eq. 29: keccak bytes pairs 0-1, 2-3, 4-5).
void bloom_add(Bloom& bloom, ByteView value) noexcept;
/// The bloom of a set of logs: every log's address and topics.
Bloom logs_bloom(const std::vector<Log>& logs) noexcept;
/// True when every bit of `value`'s bloom is set (it may be present).
bool bloom_may_contain(const Bloom& bloom, ByteView value) noexcept;

struct Receipt
{
    TxType type = TxType::kLegacy;
    bool success = true;  ///< post-Byzantium status
    uint64_t cumulative_gas_used = 0;
    Bloom bloom{};
    std::vector<Log> logs;
    /// OP Stack Canyon: deposit receipts record the sender's nonce and a version (1).
    std::optional<uint64_t> deposit_nonce;
    std::optional<uint64_t> deposit_receipt_version;

    friend bool operator==(const Receipt&, const Receipt&) = default;
};

/// Canonical receipt encoding (what the receipts trie holds).
Bytes encode_receipt(const Receipt& r);
Result<Receipt, rlp::RlpError> decode_receipt(ByteView in) noexcept;

void encode_log(Bytes& out, const Log& log);
Result<Log, rlp::RlpError> decode_log(ByteView& in) noexcept;

}  // namespace l2::txtypes
