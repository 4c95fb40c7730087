#pragma once
/// The L2 chain on disk: genesis, the canonical blocks and heads, and the state, over one
/// KvStore. Sequencer and follower append blocks through it (one atomic write per block: state +
/// block + receipts + canonical mark + heads); RPC threads read through it concurrently.

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>

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
    /// must hold the same genesis (else an error naming both hashes).
    static Result<std::unique_ptr<Chain>, std::string> open(state::KvStore& kv, ChainSpec spec);

    const ChainSpec& spec() const noexcept { return m_spec; }
    state::StateDb& state() noexcept { return m_state; }
    const state::BlockStore& blocks() const noexcept { return m_blocks; }
    const ChainHead& genesis() const noexcept { return m_genesis; }

    ChainHead head() const;
    std::optional<state::BlockRef> head_ref(state::Head which) const;

    /// The canonical block hash at `number` (zero hash when unknown): BLOCKHASH's source.
    Hash canonical_hash(uint64_t number) const;
    BlockBuilder::BlockHashFn block_hash_fn() const;

    /// Commits `block` (built on the current head) as the new unsafe head; `safe` and
    /// `finalized` move too when given. Readers holding read_lock() see all of it or none.
    Result<void, std::string> append(BuiltBlock& block,
                                     std::optional<state::BlockRef> safe = std::nullopt,
                                     std::optional<state::BlockRef> finalized = std::nullopt);

    /// Moves the safe/finalized heads alone.
    Result<void, std::string> set_heads(std::optional<state::BlockRef> safe,
                                        std::optional<state::BlockRef> finalized);

    /// Held shared by a reader that needs several reads of one state (eth_call, getProof).
    std::shared_lock<std::shared_mutex> read_lock() const
    {
        return std::shared_lock{m_commit_mutex};
    }

private:
    Chain(state::KvStore& kv, ChainSpec spec);

    state::KvStore& m_kv;
    ChainSpec m_spec;
    state::StateDb m_state;
    state::BlockStore m_blocks;
    ChainHead m_genesis;
    mutable std::mutex m_head_mutex;
    ChainHead m_head;
    mutable std::shared_mutex m_commit_mutex;
};

}  // namespace l2::execution
