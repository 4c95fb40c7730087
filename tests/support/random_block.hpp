#pragma once
// A random block's StateDiff for the deferred-write tests (trie nodes, flat state): EVM and WASM
// accounts over small key spaces, so blocks overwrite each other.

#include <cstdint>
#include <random>

#include <state/state_diff.hpp>

namespace l2::test {

/// Identities of random_block: tagged_identity(i, 0x11) (EVM) or (i, 0x77) (WASM), i < this.
inline constexpr uint64_t kRandomBlockIdentities = 80;
/// Its slots: 0 .. this - 1.
inline constexpr uint64_t kRandomBlockSlots = 40;

/// About 60 account changes: balances, slots set and deleted, now and then a cleared storage
/// or a destroyed account.
state::StateDiff random_block(std::mt19937_64& rng, uint64_t block);

}  // namespace l2::test
