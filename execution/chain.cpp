#include "chain.hpp"

#include <txtypes/hex.hpp>

namespace l2::execution {

Chain::Chain(state::KvStore& kv, ChainSpec spec)
  : m_kv{kv}, m_spec{std::move(spec)}, m_state{kv}, m_blocks{kv}
{}

Result<std::unique_ptr<Chain>, std::string> Chain::open(state::KvStore& kv, ChainSpec spec)
{
    std::unique_ptr<Chain> c{new Chain{kv, std::move(spec)}};
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
    {
        std::lock_guard lock{m_head_mutex};
        if (b.block.header.parent_hash != m_head.hash || number != m_head.header.number + 1)
            return unexpected(std::string{"append: block does not extend the head"});
    }
    state::WriteBatch& batch = b.state.batch;
    m_blocks.put_block(batch, b.block, b.hash, b.receipts);
    m_blocks.set_canonical(batch, number, b.hash);
    m_blocks.set_head(batch, state::Head::kUnsafe, {number, b.hash});
    if (safe)
        m_blocks.set_head(batch, state::Head::kSafe, *safe);
    if (finalized)
        m_blocks.set_head(batch, state::Head::kFinalized, *finalized);
    std::unique_lock lock{m_commit_mutex};
    if (!m_state.commit(b.state))
        return unexpected(std::string{"database: block write failed"});
    std::lock_guard head_lock{m_head_mutex};
    m_head = {b.block.header, b.hash};
    return {};
}

Result<void, std::string> Chain::set_heads(std::optional<state::BlockRef> safe,
                                           std::optional<state::BlockRef> finalized)
{
    state::WriteBatch batch;
    if (safe)
        m_blocks.set_head(batch, state::Head::kSafe, *safe);
    if (finalized)
        m_blocks.set_head(batch, state::Head::kFinalized, *finalized);
    if (!m_kv.write(batch))
        return unexpected(std::string{"database: head write failed"});
    return {};
}

}  // namespace l2::execution
