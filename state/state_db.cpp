#include "state_db.hpp"

#include <algorithm>

#include <txtypes/keccak.hpp>

namespace l2::state {

namespace {

SlotKey slot_key(Engine engine, const Address& identity, const U256& slot) noexcept
{
    return engine == Engine::kEvm ? evm_slot_key(identity, slot)
                                  : wasm_slot_key(identity, low_u64(slot));
}

/// Deletes every flat slot of an account (the keys that extend its account key).
void delete_flat_storage(const KvStore& kv, const AccountKey& akey, WriteBatch& batch)
{
    const ByteView prefix{akey.data(), akey.size()};
    scan_prefix(kv, Column::kState, prefix, [&](ByteView key, ByteView) {
        if (key.size() > akey.size())
            batch.del(Column::kState, key);
        return true;
    });
}

bool by_key(const TrieUpdate& a, const TrieUpdate& b) noexcept
{
    return a.key < b.key;
}

/// Sorts by key and keeps the last update of each key (a diff should not repeat keys, but a
/// repeated one must not corrupt the trie).
void sort_unique(std::vector<TrieUpdate>& updates)
{
    std::stable_sort(updates.begin(), updates.end(), by_key);
    size_t out = 0;
    for (size_t i = 0; i < updates.size(); ++i)
    {
        if (i + 1 < updates.size() && updates[i + 1].key == updates[i].key)
            continue;
        if (out != i)
            updates[out] = std::move(updates[i]);
        ++out;
    }
    updates.resize(out);
}

}  // namespace

StateDb::StateDb(KvStore& kv, size_t trie_cache_bytes)
  : m_kv{kv}, m_cache{std::make_unique<TrieNodeCache>(trie_cache_bytes)}
{}
StateDb::~StateDb() = default;

std::optional<Account> StateDb::account(Engine engine, const Address& identity) const
{
    const AccountKey key = account_key(engine, identity);
    const ByteView k{key.data(), key.size()};
    uint64_t generation = 0;
    {
        std::lock_guard lock{m_cache_mutex};
        if (const auto* hit = m_state_cache.accounts.find(k))
            return *hit;
        generation = m_generation;
    }
    Bytes value;
    std::optional<Account> out;
    if (m_kv.get(Column::kState, k, value))
    {
        // A corrupt record reads as absent; the state root check would catch it.
        if (auto a = decode_account(value))
            out = *a;
    }
    // A commit between the miss and here may have made `out` stale: don't cache it then.
    std::lock_guard lock{m_cache_mutex};
    if (generation == m_generation && generation % 2 == 0)
        m_state_cache.accounts.put(k, out);
    return out;
}

U256 StateDb::storage(Engine engine, const Address& identity, const U256& slot) const
{
    const SlotKey key = slot_key(engine, identity, slot);
    uint64_t generation = 0;
    {
        std::lock_guard lock{m_cache_mutex};
        if (const U256* hit = m_state_cache.slots.find(key.view()))
            return *hit;
        generation = m_generation;
    }
    Bytes value;
    U256 v = 0;
    if (m_kv.get(Column::kState, key.view(), value))
        v = decode_storage_value(value);
    std::lock_guard lock{m_cache_mutex};
    if (generation == m_generation && generation % 2 == 0)
        m_state_cache.slots.put(key.view(), v);
    return v;
}

Result<void, KvError> StateDb::commit(PreparedState& prepared, bool sync)
{
    // Odd generation = a write in flight: concurrent misses read but do not cache (their value
    // may predate the write). Readers are not blocked by the write itself.
    {
        std::lock_guard lock{m_cache_mutex};
        ++m_generation;
    }
    auto written = m_kv.write(prepared.batch, sync);
    std::lock_guard lock{m_cache_mutex};
    ++m_generation;
    if (!written)
        return written;
    if (prepared.drops_storage)
        m_state_cache.slots.clear();
    for (const auto& [key, account] : prepared.cached_accounts)
        m_state_cache.accounts.put({key.data(), key.size()}, account);
    for (const auto& [key, value] : prepared.cached_slots)
        m_state_cache.slots.put(key.view(), value);
    return {};
}

void StateDb::drop_cache() noexcept
{
    std::lock_guard lock{m_cache_mutex};
    m_generation += 2;
    m_state_cache.slots.clear();
    m_state_cache.accounts.clear();
}

Bytes StateDb::code(const Hash& code_hash) const
{
    Bytes code;
    m_kv.get(Column::kCode, code_hash, code);
    return code;
}

Trie StateDb::trie() const
{
    return Trie{m_kv, m_cache.get()};
}

Result<PreparedState, KvError> StateDb::prepare(const StateDiff& diff, const Hash& parent_root)
{
    PreparedState out;
    WriteBatch& batch = out.batch;
    Trie t = trie();

    for (const auto& [hash, code] : diff.code)
        batch.put(Column::kCode, hash, code);

    std::vector<TrieUpdate> account_updates;
    account_updates.reserve(diff.accounts.size());
    std::vector<TrieUpdate> slot_updates;
    for (const AccountChange& change : diff.accounts)
    {
        const AccountKey akey = account_key(change.engine, change.identity);
        const ByteView akey_view{akey.data(), akey.size()};
        const Hash trie_key = keccak256(change.identity);

        // The record before this block: its storage root, and the old leaf as a hint that
        // saves the trie a store read for most overwrites.
        const std::optional<Account> old = account(change.engine, change.identity);
        Bytes old_leaf = old ? encode_account(*old) : Bytes{};

        if (!change.account)
        {
            // Destroyed / removed: the account and all its storage go.
            batch.del(Column::kState, akey_view);
            delete_flat_storage(m_kv, akey, batch);
            account_updates.push_back({trie_key, {}, std::move(old_leaf)});
            out.cached_accounts.emplace_back(akey, std::nullopt);
            out.drops_storage = true;
            continue;
        }

        Hash storage_root = txtypes::kEmptyRootHash;
        if (!change.storage_cleared)
        {
            if (old)
                storage_root = old->storage_root;
        }
        else
        {
            delete_flat_storage(m_kv, akey, batch);
            out.drops_storage = true;
        }

        if (!change.storage.empty())
        {
            slot_updates.clear();
            slot_updates.reserve(change.storage.size());
            for (const StorageChange& s : change.storage)
            {
                const SlotKey skey = slot_key(change.engine, change.identity, s.slot);
                Bytes leaf;
                if (s.value == 0)
                    batch.del(Column::kState, skey.view());
                else
                {
                    const Bytes v = encode_storage_value(s.value);
                    batch.put(Column::kState, skey.view(), v);
                    rlp::encode(leaf, ByteView{v});
                }
                slot_updates.push_back({keccak256(trie_slot(s.slot)), std::move(leaf)});
                out.cached_slots.emplace_back(skey, s.value);
            }
            sort_unique(slot_updates);
            auto root = t.apply(storage_root, slot_updates, batch);
            if (!root)
                return unexpected(root.error());
            storage_root = *root;
        }

        Account a = *change.account;
        a.engine = change.engine;
        a.storage_root = storage_root;
        Bytes encoded = encode_account(a);
        batch.put(Column::kState, akey_view, encoded);
        out.cached_accounts.emplace_back(akey, a);
        account_updates.push_back({trie_key, std::move(encoded), std::move(old_leaf)});
    }

    sort_unique(account_updates);
    // The account trie of a large block is split over both cores (Trie's threads).
    Trie account_trie{m_kv, m_cache.get(), 2};
    auto root = account_trie.apply(parent_root, account_updates, batch);
    if (!root)
        return unexpected(root.error());
    out.state_root = *root;
    return out;
}

}  // namespace l2::state
