#include "chain.hpp"

#include <algorithm>

#include <state/undo.hpp>
#include <txtypes/hex.hpp>

namespace l2::execution {

Chain::Chain(state::KvStore& kv, ChainSpec spec)
  : m_kv{kv}, m_spec{std::move(spec)}, m_state{kv}, m_blocks{kv}
{}

Result<std::unique_ptr<Chain>, std::string> Chain::open(state::KvStore& kv, ChainSpec spec,
                                                        bool archive)
{
    std::unique_ptr<Chain> c{new Chain{kv, std::move(spec)}};
    if (archive)
        c->m_state.keep_all_state();
    c->m_state.set_node_buffer(kNodeBufferBlocks, kNodeBufferBytes);
    auto schema = c->m_blocks.check_schema();
    if (!schema)
        return unexpected(std::string{"database: unsupported schema version"});

    // The genesis this config describes, computed without writing anything yet.
    state::PreparedState prepared;
    auto genesis = build_genesis(c->m_spec, c->m_state, prepared);
    if (!genesis)
        return unexpected(genesis.error());
    c->m_genesis = {*genesis, txtypes::header_hash(*genesis)};

    if (!*schema)
    {
        // Fresh database: genesis state, block and heads in one batch.
        c->m_blocks.init_schema(prepared.batch);
        txtypes::Block block;
        block.header = *genesis;
        block.withdrawals = std::vector<txtypes::Withdrawal>{};
        c->m_blocks.put_block(prepared.batch, block, c->m_genesis.hash, {});
        c->m_blocks.set_canonical(prepared.batch, 0, c->m_genesis.hash);
        const state::BlockRef ref{0, c->m_genesis.hash};
        for (auto h : {state::Head::kUnsafe, state::Head::kSafe, state::Head::kFinalized})
            c->m_blocks.set_head(prepared.batch, h, ref);
        prepared.block = 0;
        if (!c->m_state.commit(prepared, /*sync=*/true))
            return unexpected(std::string{"database: writing the genesis block failed"});
        c->m_head = c->m_genesis;
        return c;
    }

    auto stored = c->m_blocks.canonical_hash(0);
    if (!stored || !*stored)
        return unexpected(std::string{"database: no genesis block"});
    if (**stored != c->m_genesis.hash)
        return unexpected("database: genesis " + to_0x_hex((**stored).view()) +
                          " does not match the chain config's " +
                          to_0x_hex(c->m_genesis.hash.view()) +
                          " (another chain's data directory?)");
    auto head = c->m_blocks.head(state::Head::kUnsafe);
    if (!head || !*head)
        return unexpected(std::string{"database: no head"});
    auto header = c->m_blocks.header((*head)->number, (*head)->hash);
    if (!header || !*header)
        return unexpected(std::string{"database: head header missing"});
    c->m_head = {**header, (*head)->hash};

    // A kill between the head block's write and its deferred flat write: the StateDb applied
    // the block's redo record when it opened the store (or could not: stop here).
    const auto redo = c->m_state.flat_redo_applied();
    if (!redo)
        return unexpected("database: " + redo.error().message);
    c->m_repaired_flat = *redo;

    // A crash between the head block's write and its trie nodes' leaves the nodes to rebuild
    // (StateDb::commit); nothing reads the trie before this.
    const uint64_t number = (*head)->number;
    if (number > 0)
    {
        const auto parent_hash = c->m_blocks.canonical_hash(number - 1);
        if (!parent_hash || !*parent_hash)
            return unexpected(std::string{"database: no canonical block below the head"});
        const auto parent = c->m_blocks.header(number - 1, **parent_hash);
        if (!parent || !*parent)
            return unexpected(std::string{"database: the head's parent header is missing"});
        auto repaired = c->m_state.repair_head_nodes(number, (*parent)->state_root,
                                                     (**header).state_root);
        if (!repaired)
            return unexpected("database: " + repaired.error().message);
        c->m_repaired_nodes = *repaired;
    }
    return c;
}

ChainHead Chain::head() const
{
    std::lock_guard lock{m_head_mutex};
    return m_head;
}

std::optional<state::BlockRef> Chain::head_ref(state::Head which) const
{
    auto r = m_blocks.head(which);
    if (!r)
        return std::nullopt;
    return *r;
}

Hash Chain::canonical_hash(uint64_t number) const
{
    auto h = m_blocks.canonical_hash(number);
    return h && *h ? **h : Hash{};
}

BlockBuilder::BlockHashFn Chain::block_hash_fn() const
{
    return [this](uint64_t n) { return canonical_hash(n); };
}

Result<void, std::string> Chain::append(BuiltBlock& b, std::optional<state::BlockRef> safe,
                                        std::optional<state::BlockRef> finalized)
{
    const uint64_t number = b.block.header.number;
    // The check and the write under one lock: a rewind between them would leave the block
    // on a head it does not extend.
    std::unique_lock lock{m_commit_mutex};
    {
        std::lock_guard head_lock{m_head_mutex};
        if (b.block.header.parent_hash != m_head.hash || number != m_head.header.number + 1)
            return unexpected(std::string{"append: block does not extend the head"});
    }
    state::WriteBatch& batch = b.state.batch;
    // The undo record before the heads: a block finalized as it is appended drops it again.
    state::put_undo_record(batch, number, b.state.undo);
    b.state.block = number;
    m_blocks.put_block(batch, b.block, b.hash, b.receipts);
    m_blocks.set_canonical(batch, number, b.hash);
    m_blocks.set_head(batch, state::Head::kUnsafe, {number, b.hash});
    if (safe)
        m_blocks.set_head(batch, state::Head::kSafe, *safe);
    if (finalized)
    {
        if (auto dropped = drop_finalized_undo(batch, *finalized, number); !dropped)
            return dropped;
        m_blocks.set_head(batch, state::Head::kFinalized, *finalized);
    }
    if (!m_state.commit(b.state))
        return unexpected(std::string{"database: block write failed"});
    std::lock_guard head_lock{m_head_mutex};
    m_head = {b.block.header, b.hash};
    return {};
}

Result<void, std::string> Chain::set_heads(std::optional<state::BlockRef> safe,
                                           std::optional<state::BlockRef> finalized)
{
    std::unique_lock lock{m_commit_mutex};
    state::WriteBatch batch;
    if (safe)
        m_blocks.set_head(batch, state::Head::kSafe, *safe);
    if (finalized)
    {
        if (auto dropped = drop_finalized_undo(batch, *finalized, head().header.number);
            !dropped)
            return dropped;
        m_blocks.set_head(batch, state::Head::kFinalized, *finalized);
    }
    if (!m_kv.write(batch))
        return unexpected(std::string{"database: head write failed"});
    return {};
}

Result<void, std::string> Chain::drop_finalized_undo(state::WriteBatch& batch,
                                                     const state::BlockRef& finalized,
                                                     uint64_t head) const
{
    // The records from the oldest one kept up to the finalized block, but never the head's
    // nor those above the newest trie checkpoint (a restart rebuilds the nodes of the blocks
    // since it from their records: StateDb::repair_head_nodes). One delete per block.
    const auto oldest = state::first_undo_record(m_kv);
    if (!oldest)
        return {};
    const uint64_t from = std::max<uint64_t>(*oldest, 1);
    const uint64_t to = std::min({finalized.number, head > 0 ? head - 1 : 0,
                                  m_state.durable_checkpoint()});
    if (to >= from)
        state::delete_undo_records(batch, from, to);
    return {};
}

Result<std::vector<txtypes::Block>, std::string> Chain::rewind_to(uint64_t number)
{
    // The whole rewind under the commit lock: no append in between, and readers holding
    // read_lock() see the chain before or after it.
    std::unique_lock lock{m_commit_mutex};
    const uint64_t top = head().header.number;
    const std::string target = "rewind to block " + std::to_string(number);
    if (number > top)
        return unexpected(target + ": above the head " + std::to_string(top));
    const auto finalized = m_blocks.head(state::Head::kFinalized);
    if (!finalized)
        return unexpected("database: " + finalized.error().message);
    if (*finalized && number < (*finalized)->number)
        return unexpected(target + ": below the finalized head " +
                          std::to_string((*finalized)->number));
    std::vector<txtypes::Block> removed;
    if (number == top)
        return removed;

    const auto hash = m_blocks.canonical_hash(number);
    if (!hash || !*hash)
        return unexpected(target + ": no canonical block there" +
                          (hash ? std::string{} : ": " + hash.error().message));
    const auto header = m_blocks.header(number, **hash);
    if (!header || !*header)
        return unexpected(target + ": its header is missing" +
                          (header ? std::string{} : ": " + header.error().message));

    // The removed blocks, oldest first, read before their canonical marks go.
    removed.reserve(top - number);
    for (uint64_t n = number + 1; n <= top; ++n)
    {
        const auto h = m_blocks.canonical_hash(n);
        if (!h || !*h)
            return unexpected(target + ": no canonical block " + std::to_string(n));
        auto block = m_blocks.block(n, **h);
        if (!block)
            return unexpected("database: " + block.error().message);
        if (*block)
        {
            removed.push_back(std::move(**block));
            continue;
        }
        const auto pruned = m_blocks.header(n, **h);  // body pruned: the header alone
        if (!pruned || !*pruned)
            return unexpected(target + ": no header for block " + std::to_string(n));
        txtypes::Block b;
        b.header = **pruned;
        removed.push_back(std::move(b));
    }

    // One batch: the state back to block `number` (each block's undo newest first, so a key
    // written by several ends at its value before the oldest), then the block store.
    state::WriteBatch batch;
    for (uint64_t n = top; n > number; --n)
        if (auto undone = m_state.unwind_block(batch, n); !undone)
            return unexpected(target + ": " + undone.error().message);
    if (auto unset = m_blocks.unset_canonical(batch, number + 1, top); !unset)
        return unexpected("database: " + unset.error().message);
    const state::BlockRef ref{number, **hash};
    m_blocks.set_head(batch, state::Head::kUnsafe, ref);
    const auto safe = m_blocks.head(state::Head::kSafe);
    if (!safe)
        return unexpected("database: " + safe.error().message);
    if (*safe && (*safe)->number > number)
        m_blocks.set_head(batch, state::Head::kSafe, ref);
    // The target's trie: buffered blocks above it go, and nodes of it the buffer never wrote
    // are rebuilt (read before the flat state moves). Right before write_unwind, which
    // applies what unwind_nodes decided.
    if (auto nodes = m_state.unwind_nodes(batch, top, head().header.state_root, number,
                                          (**header).state_root);
        !nodes)
        return unexpected(target + ": " + nodes.error().message);
    if (auto written = m_state.write_unwind(batch); !written)
        return unexpected("database: rewind write failed: " + written.error().message);
    std::lock_guard head_lock{m_head_mutex};
    m_head = {**header, ref.hash};
    return removed;
}

}  // namespace l2::execution
