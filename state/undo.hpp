#pragma once
/// Per-block undo records (docs/spec/state.md, "Undo records"): for every flat-state key a
/// block writes, the key's value before the block, or "absent". StateDb::prepare builds a
/// block's record; the chain stores it in Column::kUndo under the block number, in the block's
/// own batch, and a reorg restores the flat state of an earlier block from the records of the
/// blocks it unwinds (StateDb::unwind_block). Trie nodes need no undo: they are keyed by hash and
/// never deleted, so an earlier root's nodes are still there.
///
/// A record is a version byte and one group per account the block touched: the account's key
/// and old record (compact: an EOA's empty storage root and code hash are flags, not 64 bytes),
/// then its written slots (the slot part of the key and the old value), then a 0 byte.

#include <array>
#include <cstdint>
#include <optional>

#include <txtypes/bytes.hpp>
#include <txtypes/result.hpp>
#include <txtypes/uint256.hpp>

#include "account.hpp"
#include "keys.hpp"
#include "kv_store.hpp"

namespace l2::state {

/// The first byte of every record; a record of another version is an error, never misread.
inline constexpr uint8_t kUndoRecordVersion = 1;

/// Column::kUndo key of block `block_num`: 8 bytes big-endian (records sort by height).
std::array<uint8_t, 8> undo_key(uint64_t block_num) noexcept;

/// Builds a record, or a fragment of one: a run of slot entries that belongs inside a group
/// (prepare's storage threads write their accounts' slots into fragments it splices in).
/// Every entry holds its key's value before the block, so a key may appear twice (a cleared
/// account's slot written again) with the same value, and entry order does not matter.
class UndoWriter
{
public:
    /// Starts a record: the version byte.
    void begin_record() { m_out.push_back(kUndoRecordVersion); }

    /// Opens the group of account `key`, which held `old` before the block (nullopt: absent).
    void begin_account(const AccountKey& key, const std::optional<Account>& old);

    /// A slot of the open group: `flat_key` is its whole flat key (the account key, then 32
    /// bytes for EVM or 8 for WASM), `old` its value before the block (zero: absent).
    void add_slot(ByteView flat_key, const U256& old);
    /// The same with the old value as the flat KV stores it (minimal big-endian, non-empty).
    void add_slot(ByteView flat_key, ByteView old_value);

    /// Closes the open group.
    void end_account() { m_out.push_back(0); }

    size_t size() const noexcept { return m_out.size(); }
    void reserve(size_t bytes) { m_out.reserve(bytes); }
    const Bytes& bytes() const noexcept { return m_out; }
    Bytes take() noexcept { return std::move(m_out); }

private:
    Bytes m_out;
};

/// Adds to `batch` the writes that undo `record` (each key back to its old value, or deleted
/// when it was absent), in Column::kState. An error names what is malformed; `batch` may then
/// hold part of the record's writes: drop it.
Result<void, KvError> add_undo_writes(WriteBatch& batch, ByteView record);

/// Stores block `block_num`'s record (in the block's batch).
void put_undo_record(WriteBatch& batch, uint64_t block_num, ByteView record);

/// Drops the records of blocks [from, to] (no longer needed once finalized). A no-op when
/// from > to.
void delete_undo_records(WriteBatch& batch, uint64_t from, uint64_t to);

}  // namespace l2::state
