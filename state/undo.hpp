#pragma once
/// Per-block undo records (docs/spec/state.md, "Undo records"): for every flat-state key a
/// block writes, the key's value before the block, or "absent". StateDb::prepare builds a
/// block's record; the chain stores it in Column::kUndo under the block number, in the block's
/// own batch, and a reorg restores the flat state of an earlier block from the records of the
/// blocks it unwinds (StateDb::unwind_block). Trie nodes need no undo: they are keyed by hash and
/// no block deletes one (trie GC does, below the finalized head), so an earlier root's nodes are
/// still there; a block's trie GC record (below) lets an unwind take back its node counts.
///
/// A record is a version byte and one group per account the block touched: the account's key
/// and old record (compact: an EOA's empty storage root and code hash are flags, not 64 bytes),
/// then its written slots (the slot part of the key and the old value), then a 0 byte.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <txtypes/bytes.hpp>
#include <txtypes/hash.hpp>
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

/// What StateDb::prepare hands over for one block: the undo record (the Bytes themselves) and
/// the block's trie GC record (docs/spec/state.md, "Garbage collection of trie nodes"; empty
/// when the store does not count node references). Both are stored by the overload below.
struct BlockUndo : Bytes
{
    BlockUndo() = default;
    explicit BlockUndo(Bytes record) noexcept : Bytes{std::move(record)} {}

    Bytes trie_gc;  ///< see encode_trie_gc_record
};

/// Stores block `block_num`'s undo record (Column::kUndo) and, when it has one, its trie GC
/// record (Column::kTrieGc), in the block's batch. Undo records go when the block is
/// finalized; GC records when trie GC passes the block.
void put_undo_record(WriteBatch& batch, uint64_t block_num, const BlockUndo& undo);

/// The first byte of every trie GC record.
inline constexpr uint8_t kTrieGcRecordVersion = 1;

/// A block's trie GC record: `version (1) || u32be(n) || written (n x 32) || replaced (m x 32)`.
/// `written`: every node the block's batch puts (one entry per put: a place the node gains,
/// +1 to its count); `replaced`: every stored node of the parent state the block stopped
/// referencing at one place (-1). GC counts `written` when its count frontier passes the
/// block (up to the head, at every call) and applies `replaced` when GC passes the block; the
/// genesis state counts its nodes in its batch and records no `written`.
Bytes encode_trie_gc_record(std::span<const Hash> written, std::span<const Hash> replaced);

/// A decoded record's two lists (views into the record).
struct TrieGcRecord
{
    ByteView written;   ///< n x 32 bytes
    ByteView replaced;  ///< m x 32 bytes
};
/// Splits a record; an error names what is malformed.
Result<TrieGcRecord, KvError> decode_trie_gc_record(ByteView record);

/// The distinct hashes of a list of 32-byte hashes (a record's list), sorted, each with the
/// number of times it occurs.
std::vector<std::pair<Hash, int64_t>> tally_hashes(ByteView hashes);

/// What trie GC did (StateDb::collect_garbage, plan_trie_gc).
struct TrieGcStats
{
    uint64_t blocks = 0;         ///< blocks whose GC record was applied (and deleted)
    uint64_t refs_added = 0;     ///< places gained (the blocks' written nodes)
    uint64_t refs_dropped = 0;   ///< places lost (the blocks' replaced nodes)
    uint64_t nodes_deleted = 0;  ///< trie nodes deleted (no place left in any kept state)
    /// Places lost beyond a node's count: the node is kept and its count dropped (a count is
    /// never made up). Always 0 in a database counted from genesis; nonzero means a bug.
    uint64_t anomalies = 0;
    std::optional<uint64_t> last_block;  ///< the newest block applied
};

/// Column::kMeta key of the count frontier: u64be(the newest block whose written list is
/// counted); absent: 0 (only the genesis state is).
inline constexpr std::string_view kTrieGcCountedKey = "trie_gc/counted";
/// The count frontier stored in `kv`.
uint64_t trie_gc_counted(const KvStore& kv);

/// Adds to `batch` the counting of block `block_num`'s written list (+1 per entry, no read)
/// and the frontier moved to it. Returns the places added.
uint64_t plan_trie_gc_count(uint64_t block_num, const TrieGcRecord& record, WriteBatch& batch);

/// Adds to `batch` the GC of block `block_num` (counted: <= `counted`, the frontier) from its
/// `record`: the replaced nodes' counts down; a node whose count reaches 0 loses its count and,
/// unless the written list of an uncounted block (above `counted`) holds it, is deleted; the
/// record is deleted. Reads the counts and those records from `kv`. Returns what the batch
/// does (`blocks` left 0).
TrieGcStats plan_trie_gc(const KvStore& kv,
                         uint64_t block_num,
                         uint64_t counted,
                         const TrieGcRecord& record,
                         WriteBatch& batch);

/// The first GC record in `kv` at or above block `from`: its block number, the record in `out`.
std::optional<uint64_t> first_trie_gc_record(const KvStore& kv, uint64_t from, Bytes& out);

/// For a rewind batch (StateDb::unwind_block's writes): when it deletes GC records (unwound
/// blocks), sets `out` to `batch` plus the count changes that take the unwound blocks back
/// (their written lists' places, when counted; the frontier below them) and the deletes of the
/// nodes only they used, and returns true. Reads the records, counts and frontier from `kv`
/// (call it under the lock that orders count writes). False (and `out` untouched) otherwise.
bool plan_trie_gc_unwind(const KvStore& kv, const WriteBatch& batch, WriteBatch& out);

/// Sets the flag of every candidate (sorted by hash) that the written list of the GC record of
/// a block above `above`, other than those in `skip`, holds.
void mark_written_later(const KvStore& kv,
                        uint64_t above,
                        std::span<const uint64_t> skip,
                        std::vector<std::pair<Hash, bool>>& candidates);

/// Drops the records of blocks [from, to] (no longer needed once finalized). A no-op when
/// from > to.
void delete_undo_records(WriteBatch& batch, uint64_t from, uint64_t to);

/// The lowest block with an undo record; nullopt when there is none.
std::optional<uint64_t> first_undo_record(const KvStore& kv);

}  // namespace l2::state
