#pragma once
/// Decoders of JSON-RPC results (execution-apis encoding: QUANTITY = "0x" + hex without
/// padding, DATA = "0x" + even-length hex). noexcept; every error names the field and the
/// problem. Nodes that pad quantities with leading zeros are accepted.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>
#include <txtypes/result.hpp>

#include "l1_types.hpp"

namespace l2::l1client {

/// A decoding error message, e.g. "number: \"0x\" has no digits".
using DecodeError = std::string;

/// QUANTITY -> uint64_t: "0x" prefix, 1+ hex digits; > 2^64-1 is an error.
Result<uint64_t, DecodeError> parse_quantity_u64(std::string_view s) noexcept;
/// QUANTITY -> U256; >= 2^256 is an error.
Result<U256, DecodeError> parse_quantity_u256(std::string_view s) noexcept;
/// DATA -> bytes: "0x" prefix, even number of hex digits.
Result<Bytes, DecodeError> parse_data(std::string_view s) noexcept;
/// DATA of exactly 32 / 20 bytes.
Result<Hash, DecodeError> parse_hash(std::string_view s) noexcept;
Result<Address, DecodeError> parse_address(std::string_view s) noexcept;

/// JSON value (a string) -> typed value.
Result<uint64_t, DecodeError> decode_u64(const nlohmann::json& j) noexcept;
Result<U256, DecodeError> decode_u256(const nlohmann::json& j) noexcept;
Result<Hash, DecodeError> decode_hash(const nlohmann::json& j) noexcept;
/// A 32-byte word that nodes may shorten (eth_getStorageAt): left-padded to 32 bytes.
Result<Hash, DecodeError> decode_word(const nlohmann::json& j) noexcept;

/// A block object (eth_getBlockByNumber/Hash): transactions as hashes or as objects.
Result<L1Block, DecodeError> decode_block(const nlohmann::json& j) noexcept;
Result<L1Tx, DecodeError> decode_tx(const nlohmann::json& j) noexcept;
Result<L1Log, DecodeError> decode_log(const nlohmann::json& j) noexcept;
Result<L1Receipt, DecodeError> decode_receipt(const nlohmann::json& j) noexcept;
Result<FeeHistory, DecodeError> decode_fee_history(const nlohmann::json& j) noexcept;

/// The eth_getLogs filter object.
nlohmann::json encode_log_filter(const LogFilter& filter);

}  // namespace l2::l1client
