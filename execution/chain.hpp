#pragma once
/// The L2 chain on disk: genesis, the canonical blocks and heads, and the state, over one
/// KvStore. Sequencer and follower append blocks through it (one atomic write per block: state +
/// block + receipts + canonical mark + heads); RPC threads read through it concurrently.

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <state/block_store.hpp>
#include <state/state_db.hpp>

#include "block_builder.hpp"
#include "chain_spec.hpp"

namespace l2::execution {

struct ChainHead
{
    txtypes::BlockHeader header;
    Hash hash;
};

class Chain
{
public:
    /// Opens the chain in `kv`: a fresh store gets the genesis block of `spec`; an existing one
    /// must hold the same genesis (else an error naming both hashes). `archive`: a fresh store
    /// keeps every state (no trie GC bookkeeping, StateDb::keep_all_state). After a crash that
    /// came before the trie nodes of the blocks since the last checkpoint were written
    /// (StateDb::commit), the head's nodes are rebuilt here (repaired_head_nodes()).
    static Result<std::unique_ptr<Chain>, std::string> open(state::KvStore& kv, ChainSpec spec,
                                                            bool archive = false);

    /// The trie node buffer (StateDb::set_node_buffer): a checkpoint every 64 blocks, or
    /// sooner once the buffered nodes take 64 MiB (a few blocks of 20k accounts).
    static constexpr size_t kNodeBufferBlocks = 64;
    static constexpr size_t kNodeBufferBytes = 64u << 20;

    const ChainSpec& spec() const noexcept { return m_spec; }
    state::StateDb& state() noexcept { return m_state; }
    const state::BlockStore& blocks() const noexcept { return m_blocks; }
    const ChainHead& genesis() const noexcept { return m_genesis; }
    /// Whether open() rebuilt the head block's trie nodes (an unclean shutdown), for the log.
    bool repaired_head_nodes() const noexcept { return m_repaired_nodes; }
    /// Whether opening applied the head block's flat redo record (an unclean shutdown).
    bool repaired_head_flat() const noexcept { return m_repaired_flat; }

    ChainHead head() const;
    std::optional<state::BlockRef> head_ref(state::Head which) const;

    /// The canonical block hash at `number` (zero hash when unknown): BLOCKHASH's source.
    Hash canonical_hash(uint64_t number) const;
    BlockBuilder::BlockHashFn block_hash_fn() const;

    /// L1SLOAD's source for every block built on this chain and every eth_call over it
    /// (l1sload.hpp); set once at startup, before blocks are built. Not owned.
    void set_l1_storage(L1StorageReader* reader) noexcept { m_l1_storage = reader; }
    L1StorageReader* l1_storage() const noexcept { return m_l1_storage; }

    /// Commits `block` (built on the current head) as the new unsafe head; `safe` and
    /// `finalized` move too when given. Readers holding read_lock() see all of it or none.
    Result<void, std::string> append(BuiltBlock& block,
                                     std::optional<state::BlockRef> safe = std::nullopt,
                                     std::optional<state::BlockRef> finalized = std::nullopt);

    /// Moves the safe/finalized heads alone. When the finalized head moves up, the undo
    /// records of the newly finalized blocks go (no rewind reaches them any more).
    Result<void, std::string> set_heads(std::optional<state::BlockRef> safe,
                                        std::optional<state::BlockRef> finalized);

    /// Unwinds the canonical chain so that block `number` (canonical now) is the unsafe head
    /// again: an L2 reorg (L1 reorg, derivation replacing unsafe blocks, a returning sequencer).
    /// In one atomic write: the flat state of blocks head..number+1 undone from their undo
    /// records (newest first; the old root's trie nodes are still stored), their canonical marks
    /// and tx-index entries dropped, the unsafe head set to `number`, and the safe head lowered
    /// to `number` when it was above. Readers holding read_lock() see all of it or none.
    /// Returns the removed blocks, oldest first, so their user txs can go back to the mempool
    /// (a block whose body was pruned comes back as its header alone). Errors, changing
    /// nothing: `number` above the head or below the finalized head, a missing undo record
    /// (e.g. a block written by a build without them), a storage failure.
    Result<std::vector<txtypes::Block>, std::string> rewind_to(uint64_t number);

    /// Held shared by a reader that needs several reads of one state (eth_call, getProof).
    std::shared_lock<std::shared_mutex> read_lock() const
    {
        return std::shared_lock{m_commit_mutex};
    }

private:
    Chain(state::KvStore& kv, ChainSpec spec);

    /// Adds the deletes of the undo records a move of the finalized head to `finalized` makes
    /// useless: blocks [previous finalized, finalized], except the head's (`head`): until the
    /// next block, it is what rebuilds the head's trie nodes after a crash
    /// (StateDb::repair_head_nodes). The next move deletes it.
    Result<void, std::string> drop_finalized_undo(state::WriteBatch& batch,
                                                  const state::BlockRef& finalized,
                                                  uint64_t head) const;

    state::KvStore& m_kv;
    ChainSpec m_spec;
    state::StateDb m_state;
    state::BlockStore m_blocks;
    ChainHead m_genesis;
    mutable std::mutex m_head_mutex;
    ChainHead m_head;
    bool m_repaired_nodes = false;
    bool m_repaired_flat = false;
    L1StorageReader* m_l1_storage = nullptr;
    mutable std::shared_mutex m_commit_mutex;
};

}  // namespace l2::execution
