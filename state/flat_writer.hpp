#pragma once
/// The flat-state half of a large block's write, applied behind StateDb::commit
/// (docs/spec/state.md, "Deferred flat write"). commit() writes the block's other writes (block,
/// heads, code, undo and GC records) together with a redo record, the block's flat writes as
/// one value, in ONE atomic batch; then a background thread writes the flat writes themselves
/// with the redo record's delete. Until they land, reads of the flat state find the block's
/// values here. A kill in between leaves the redo record, which StateDb applies when it next
/// opens the store. Internal to state/.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <txtypes/bytes.hpp>
#include <txtypes/result.hpp>

#include "job_thread.hpp"
#include "kv_store.hpp"

namespace l2::state {

/// Column::kMeta key of the redo record (at most one: the next commit waits for the write).
inline constexpr std::string_view kFlatRedoKey = "flat/redo";

/// The redo record of `flat`'s Column::kState writes: a version byte (1), then per write a
/// kind byte (0 put, 1 delete), the key's size (1 byte) and key, and for a put the value's
/// size (u32 big-endian) and value. A key longer than 255 bytes (no flat key is) throws
/// std::length_error.
Bytes encode_flat_redo(const WriteBatch& flat);
/// Appends a redo record's writes to `out`; an error naming what is malformed.
Result<void, KvError> decode_flat_redo(ByteView record, WriteBatch& out);

/// A block's batch split for a deferred flat write, with an index of its flat writes for
/// readers. Immutable once built; shared by the committing thread, the writer and readers.
class PendingFlat
{
public:
    /// Takes the block's whole batch: its Column::kState writes go to flat() (with the redo
    /// record's delete), everything else to now() (with the redo record). Both borrow from
    /// the batch, which this object keeps, so its flat-state writes must own their bytes
    /// (prepare's do: WriteBatch::put); the others are written before commit() returns.
    explicit PendingFlat(WriteBatch batch);

    /// What commit() writes at once: the block's other writes and the redo record.
    const WriteBatch& now() const noexcept { return m_now; }
    /// What the writer writes behind it: the flat writes and the redo record's delete.
    const WriteBatch& flat() const noexcept { return m_flat; }

    enum class Lookup : uint8_t
    {
        kNotWritten,  ///< the block does not write `key`: read the store
        kDeleted,     ///< the block deletes it
        kFound,       ///< the block puts it: `out` holds the value
    };
    /// The block's write of flat key `key` (its last, when it writes the key twice).
    Lookup find(ByteView key, Bytes& out) const;

private:
    WriteBatch m_batch;
    Bytes m_redo;
    WriteBatch m_now;
    WriteBatch m_flat;
    /// Open addressing: op index + 1 into m_flat (0: free).
    std::vector<uint32_t> m_cells;
    size_t m_mask = 0;
};

/// One background thread writing PendingFlat::flat() batches, one at a time.
class FlatWriter
{
public:
    explicit FlatWriter(KvStore& kv) : m_kv{kv} {}

    /// Publishes `job` to readers and starts its write. The writer must be idle (wait()).
    void submit(std::shared_ptr<const PendingFlat> job);
    /// Blocks until no write is in flight; the first failed write's error (it stays).
    Result<void, KvError> wait() { return m_thread.wait(); }
    /// The block whose flat writes are not on disk yet (null when none): readers look here
    /// first. A failed write's block stays here.
    std::shared_ptr<const PendingFlat> pending() const;
    /// Makes every later wait() fail with `error` (a redo record that could not be applied).
    void fail(KvError error) { m_thread.fail(std::move(error)); }

private:
    KvStore& m_kv;
    mutable std::mutex m_mutex;
    std::shared_ptr<const PendingFlat> m_pending;  ///< what readers see
    JobThread m_thread{"l2-flat-write"};           // last: joined before the rest goes
};

}  // namespace l2::state
