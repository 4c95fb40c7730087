#pragma once
/// The block store: headers, bodies, receipts, the tx-hash index, the canonical chain and the
/// unsafe/safe/finalized heads, over one KvStore. Byte layouts: docs/spec/block-store.md.
///
/// Writers only add to a WriteBatch: the node puts a block's state writes (StateDb::prepare),
/// the block, its canonical mark and the new head into ONE batch and writes it once, so a crash
/// (kill -9) leaves either all of a block or none of it (DESIGN.md, "Real components").
/// Readers report stored bytes that fail to decode as a KvError naming the key: a corrupt
/// database is an error, never a crash.

#include <cstdint>
#include <optional>
#include <vector>

#include <txtypes/block.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/receipt.hpp>
#include <txtypes/result.hpp>
#include <txtypes/transaction.hpp>

#include "kv_store.hpp"

namespace l2::state {

/// The block store's on-disk layout version (Column::kMeta "schema_version"). Bump it on any
/// change to a key or value layout in docs/spec/block-store.md.
inline constexpr uint64_t kBlockStoreSchemaVersion = 1;

/// The chain heads a rollup node tracks (OP Stack): unsafe = the tip (sequenced or gossiped),
/// safe = derived from L1 data, finalized = derived from finalized L1 data.
enum class Head : uint8_t
{
    kUnsafe,
    kSafe,
    kFinalized,
};

struct BlockRef
{
    uint64_t number = 0;
    Hash hash;
    friend bool operator==(const BlockRef&, const BlockRef&) = default;
};

/// Where a canonical transaction is.
struct TxLocation
{
    uint64_t block_num = 0;
    Hash block_hash;
    uint32_t index = 0;
    friend bool operator==(const TxLocation&, const TxLocation&) = default;
};

struct LocatedTransaction
{
    txtypes::Transaction txn;
    TxLocation location;
};

class BlockStore
{
public:
    explicit BlockStore(KvStore& kv) noexcept : m_kv{kv} {}

    // ---- writes: each only adds to `batch` --------------------------------------------

    /// Stores `block` (whose header hashes to `hash`) and its receipts (one per transaction,
    /// in order): header, body (transactions, ommers, withdrawals; not the header again),
    /// receipts, hash -> number, and tx hash -> (number, index) for every transaction.
    /// The block is assumed to be joining the canonical chain: the tx index is written here.
    /// On a reorg, call unset_canonical for the unwound range BEFORE put_block of the
    /// replacement blocks in the same batch, so that a tx included in both chains ends up
    /// indexed at its new place (a batch applies its ops in order).
    void put_block(WriteBatch& batch,
                   const txtypes::Block& block,
                   const Hash& hash,
                   const std::vector<txtypes::Receipt>& receipts) const;

    /// Marks `hash` as the canonical block at `block_num`.
    void set_canonical(WriteBatch& batch, uint64_t block_num, const Hash& hash) const;

    /// Reorg unwinding: removes the canonical marks of blocks [from_block_num, to_block_num]
    /// (both inclusive; stops at the first number without a canonical block) and the tx-index
    /// entries that point at those blocks. The blocks themselves stay readable by hash. Reads
    /// the unwound blocks' bodies (a pruned body has no index entries left to drop); an error
    /// when one does not decode.
    Result<void, KvError> unset_canonical(WriteBatch& batch,
                                          uint64_t from_block_num,
                                          uint64_t to_block_num) const;

    /// Sets one of the heads.
    void set_head(WriteBatch& batch, Head head, const BlockRef& ref) const;

    /// Writes the schema version; once, in the batch that creates the database (genesis).
    void init_schema(WriteBatch& batch) const;

    /// History pruning (DESIGN.md "History pruning"): adds to `batch` the deletes of the
    /// bodies, receipts and tx-index entries of every stored block at heights [from, to] (both
    /// inclusive; canonical blocks and reorged-out siblings alike) and sets the oldest available
    /// block (Column::kMeta "history/oldest") to `to + 1`, so one write applies all of it or
    /// none. Headers, the hash -> number index and canonical marks stay. A tx-index entry goes
    /// only when it points at the pruned height (a transaction re-included higher keeps its
    /// entry). The caller prunes only blocks no reorg can reach (at or below the finalized
    /// head). Reads the bodies (to find their transactions); an error when one does not decode
    /// or `from > to`. Returns the number of transactions whose index entry was dropped.
    Result<uint64_t, KvError> prune_history(WriteBatch& batch, uint64_t from, uint64_t to) const;

    // ---- reads ------------------------------------------------------------------------

    /// At open: true when the schema version is this build's, false when the database has
    /// none (fresh: call init_schema), an error for any other version.
    Result<bool, KvError> check_schema() const;

    Result<std::optional<BlockRef>, KvError> head(Head head) const;

    /// The lowest block number whose body, receipts and tx-index entries are still stored: 0
    /// on a database that was never pruned, else one above the last pruned height. Blocks
    /// below it keep their headers only.
    Result<uint64_t, KvError> oldest_available() const;

    Result<std::optional<Hash>, KvError> canonical_hash(uint64_t block_num) const;

    Result<std::optional<txtypes::BlockHeader>, KvError> header(uint64_t block_num,
                                                                const Hash& hash) const;
    /// The canonical header at `block_num`.
    Result<std::optional<txtypes::BlockHeader>, KvError> header_by_number(uint64_t block_num) const;
    /// Any stored header (canonical or not).
    Result<std::optional<txtypes::BlockHeader>, KvError> header_by_hash(const Hash& hash) const;
    /// The number of a stored block (the hash -> number index).
    Result<std::optional<uint64_t>, KvError> block_number(const Hash& hash) const;

    /// Header and body; absent when either is (a pruned body included).
    Result<std::optional<txtypes::Block>, KvError> block(uint64_t block_num,
                                                         const Hash& hash) const;

    Result<std::optional<std::vector<txtypes::Receipt>>, KvError> receipts(uint64_t block_num,
                                                                           const Hash& hash) const;

    /// The canonical location of a transaction.
    Result<std::optional<TxLocation>, KvError> tx_location(const Hash& tx_hash) const;

    /// The canonical transaction with hash `tx_hash` and its location. Absent when the index
    /// entry points at a block (or slot) that does not hold that transaction.
    Result<std::optional<LocatedTransaction>, KvError> transaction(const Hash& tx_hash) const;

private:
    std::optional<Bytes> get(Column c, ByteView key) const;

    KvStore& m_kv;
};

}  // namespace l2::state
