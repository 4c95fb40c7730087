#pragma once
/// What one block changed: the output of execution, the input of StateDb::prepare. Final values
/// only (no history); the journaled overlay folds a block's transactions into one diff.

#include <optional>
#include <vector>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/uint256.hpp>

#include "account.hpp"
#include "keys.hpp"

namespace l2::state {

struct StorageChange
{
    U256 slot;   ///< EVM: the 256-bit slot; WASM: the u64 slot
    U256 value;  ///< zero deletes the slot
};

struct AccountChange
{
    Engine engine = Engine::kEvm;
    Address identity;
    /// The account after the block; empty when it was destroyed or removed (EIP-161).
    /// `storage_root` is ignored here: prepare() computes it.
    std::optional<Account> account;
    /// The account's storage before this block is void (destroyed, or re-created by CREATE2
    /// over a destroyed one): every old slot is dropped before `storage` applies.
    bool storage_cleared = false;
    std::vector<StorageChange> storage;
};

struct StateDiff
{
    std::vector<AccountChange> accounts;
    /// New code by hash (EVM bytecode or WASM module). Stored once; never deleted by a block.
    std::vector<std::pair<Hash, Bytes>> code;
};

}  // namespace l2::state
