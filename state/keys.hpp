#pragma once
/// Flat-state key encoding (RFC 0004 option b, docs/spec/state.md):
///   account:  engine(1) || identity(20)
///   slot:     engine(1) || identity(20) || engine key (EVM: slot 32 bytes; WASM: u64 slot, 8 BE)
/// Per-engine prefixes keep the engines disjoint and scannable; an account's key is a prefix of
/// its slots' keys, so one prefix scan yields an account and all its storage.

#include <array>
#include <cstdint>
#include <string_view>

#include <txtypes/hash.hpp>
#include <txtypes/uint256.hpp>

namespace l2::state {

/// Execution engine of an identity. 0 is reserved (never a valid engine byte).
enum class Engine : uint8_t
{
    kEvm = 0x01,
    kWasm = 0x02,
};

inline constexpr size_t kAccountKeySize = 1 + 20;
inline constexpr size_t kEvmSlotKeySize = kAccountKeySize + 32;
inline constexpr size_t kWasmSlotKeySize = kAccountKeySize + 8;

using AccountKey = std::array<uint8_t, kAccountKeySize>;

/// engine || identity.
AccountKey account_key(Engine engine, const Address& identity) noexcept;

/// A slot key: up to 53 bytes, held inline (no allocation on the read path).
struct SlotKey
{
    std::array<uint8_t, kEvmSlotKeySize> bytes{};
    uint8_t size = 0;
    ByteView view() const noexcept { return {bytes.data(), size}; }
};

/// EVM: engine || address || slot (32 bytes, big-endian).
SlotKey evm_slot_key(const Address& address, const U256& slot) noexcept;
/// WASM: engine || identity || slot (8 bytes, big-endian).
SlotKey wasm_slot_key(const Address& identity, uint64_t slot) noexcept;
/// The slot as the storage trie keys it, before hashing: 32 bytes big-endian for both engines
/// (a WASM u64 slot is zero-extended), so storage proofs look the same for both.
Hash trie_slot(const U256& slot) noexcept;

/// The synthetic identity of a WASM module:
/// keccak256(chain_id (8 bytes BE) || module_name (UTF-8) || version (8 bytes BE))[0..20].
Address wasm_identity(uint64_t chain_id, std::string_view module_name, uint64_t version) noexcept;

/// Parses the engine byte; false for an unknown one.
bool engine_from_byte(uint8_t b, Engine& out) noexcept;

}  // namespace l2::state
