#include "journaled_state.hpp"

#include <algorithm>
#include <map>

#include <txtypes/keccak.hpp>

namespace l2::state {

struct JournaledState::Slot
{
    U256 current;
    U256 block_original;  ///< value in the base state (what the diff compares against)
    U256 tx_original;     ///< value at the start of transaction `tx_id`
    uint64_t tx_id = 0;   ///< the tx that last captured tx_original
    bool dirty = false;   ///< written in this block
};

struct JournaledState::Entry
{
    std::optional<Account> current;
    bool existed_in_base = false;
    Engine base_engine = Engine::kEvm;  ///< the engine of the base record (its flat key)
    bool dirty = false;            ///< account fields changed in this block
    bool storage_cleared = false;  ///< base storage is void (destroyed or re-created)
    std::unordered_map<U256, Slot, U256Hasher> storage;
};

struct JournaledState::JournalEntry
{
    enum class Kind : uint8_t
    {
        kAccount,    ///< restore the whole account record and flags
        kStorage,    ///< restore one slot
        kTransient,  ///< restore one transient slot
        kWarmAccount,
        kWarmSlot,
    };
    Kind kind;
    Address addr;
    U256 slot;
    // kAccount
    std::optional<Account> account;
    bool dirty = false;
    bool storage_cleared = false;
    std::unordered_map<U256, Slot, U256Hasher> storage;  // only when destroyed/created
    bool had_storage_snapshot = false;
    // kStorage / kTransient
    Slot old_slot;
    bool slot_existed = false;
    U256 old_value;
};

JournaledState::JournaledState(const StateReader& base) : m_base{base} {}
JournaledState::~JournaledState() = default;

JournaledState::Entry& JournaledState::load(const Address& addr)
{
    auto it = m_accounts.find(addr);
    if (it != m_accounts.end())
        return it->second;
    Entry e;
    e.current = m_base.account(Engine::kEvm, addr);
    if (!e.current)
        e.current = m_base.account(Engine::kWasm, addr);
    e.existed_in_base = e.current.has_value();
    if (e.current)
        e.base_engine = e.current->engine;
    return m_accounts.emplace(addr, std::move(e)).first->second;
}

JournaledState::Slot& JournaledState::load_slot(Entry& e, const Address& addr, const U256& slot)
{
    auto it = e.storage.find(slot);
    if (it != e.storage.end())
        return it->second;
    Slot s;
    if (!e.storage_cleared && e.existed_in_base)
        s.current = m_base.storage(e.current ? e.current->engine : Engine::kEvm, addr, slot);
    s.block_original = s.current;
    s.tx_original = s.current;
    s.tx_id = m_tx_id;
    return e.storage.emplace(slot, s).first->second;
}

Account& JournaledState::mutable_account(Entry& e, const Address& addr)
{
    JournalEntry j{JournalEntry::Kind::kAccount, addr, {}};
    j.account = e.current;
    j.dirty = e.dirty;
    j.storage_cleared = e.storage_cleared;
    m_journal.push_back(std::move(j));
    if (!e.current)
        e.current = Account{};
    e.dirty = true;
    return *e.current;
}

std::optional<Account> JournaledState::account(const Address& addr)
{
    return load(addr).current;
}

bool JournaledState::exists(const Address& addr)
{
    return load(addr).current.has_value();
}

bool JournaledState::is_empty(const Address& addr)
{
    const auto& a = load(addr).current;
    return !a || a->is_empty();
}

U256 JournaledState::balance(const Address& addr)
{
    const auto& a = load(addr).current;
    return a ? a->balance : U256{0};
}

uint64_t JournaledState::nonce(const Address& addr)
{
    const auto& a = load(addr).current;
    return a ? a->nonce : 0;
}

Hash JournaledState::code_hash(const Address& addr)
{
    const auto& a = load(addr).current;
    return a ? a->code_hash : Hash{};
}

Engine JournaledState::engine(const Address& addr)
{
    const auto& a = load(addr).current;
    return a ? a->engine : Engine::kEvm;
}

ByteView JournaledState::code(const Address& addr)
{
    const auto& a = load(addr).current;
    if (!a || a->code_hash == kEmptyCodeHash)
        return {};
    auto it = m_new_code.find(a->code_hash);
    if (it == m_new_code.end())
        it = m_new_code.emplace(a->code_hash, m_base.code(a->code_hash)).first;
    return it->second;
}

void JournaledState::touch(const Address& addr)
{
    Entry& e = load(addr);
    if (!e.current)
        mutable_account(e, addr);
}

void JournaledState::add_balance(const Address& addr, const U256& amount)
{
    Entry& e = load(addr);
    Account& a = mutable_account(e, addr);
    a.balance += amount;
}

void JournaledState::sub_balance(const Address& addr, const U256& amount)
{
    Entry& e = load(addr);
    Account& a = mutable_account(e, addr);
    a.balance -= amount;
}

void JournaledState::set_balance(const Address& addr, const U256& amount)
{
    Entry& e = load(addr);
    mutable_account(e, addr).balance = amount;
}

void JournaledState::set_nonce(const Address& addr, uint64_t nonce)
{
    Entry& e = load(addr);
    mutable_account(e, addr).nonce = nonce;
}

void JournaledState::set_code(const Address& addr, Bytes code)
{
    Entry& e = load(addr);
    const Hash h = keccak256(code);
    mutable_account(e, addr).code_hash = h;
    m_new_code.try_emplace(h, std::move(code));
}

void JournaledState::journal_and_void_storage(Entry& e, const Address& addr)
{
    // Snapshot the account and its storage map: the caller voids both, rollback restores them.
    JournalEntry j{JournalEntry::Kind::kAccount, addr, {}};
    j.account = e.current;
    j.dirty = e.dirty;
    j.storage_cleared = e.storage_cleared;
    j.storage = std::move(e.storage);
    j.had_storage_snapshot = true;
    m_journal.push_back(std::move(j));
    e.storage = {};
    e.dirty = true;
    e.storage_cleared = true;
}

void JournaledState::create_contract(const Address& addr, Engine engine)
{
    Entry& e = load(addr);
    journal_and_void_storage(e, addr);
    const U256 balance = e.current ? e.current->balance : U256{0};
    e.current = Account{};
    e.current->balance = balance;
    e.current->engine = engine;
}

void JournaledState::destroy(const Address& addr)
{
    Entry& e = load(addr);
    journal_and_void_storage(e, addr);
    e.current.reset();
}

U256 JournaledState::storage(const Address& addr, const U256& slot)
{
    Entry& e = load(addr);
    return load_slot(e, addr, slot).current;
}

U256 JournaledState::original_storage(const Address& addr, const U256& slot)
{
    Entry& e = load(addr);
    const Slot& s = load_slot(e, addr, slot);
    return s.tx_id == m_tx_id ? s.tx_original : s.current;
}

void JournaledState::set_storage(const Address& addr, const U256& slot, const U256& value)
{
    Entry& e = load(addr);
    Slot& s = load_slot(e, addr, slot);
    JournalEntry j{JournalEntry::Kind::kStorage, addr, slot};
    j.old_slot = s;
    m_journal.push_back(std::move(j));
    if (s.tx_id != m_tx_id)
    {
        s.tx_original = s.current;
        s.tx_id = m_tx_id;
    }
    s.current = value;
    s.dirty = true;
}

U256 JournaledState::transient_storage(const Address& addr, const U256& slot) const
{
    const auto it = m_transient.find(addr);
    if (it == m_transient.end())
        return 0;
    const auto s = it->second.find(slot);
    return s == it->second.end() ? U256{0} : s->second;
}

void JournaledState::set_transient_storage(const Address& addr, const U256& slot,
                                           const U256& value)
{
    JournalEntry j{JournalEntry::Kind::kTransient, addr, slot};
    j.old_value = transient_storage(addr, slot);
    m_journal.push_back(std::move(j));
    m_transient[addr][slot] = value;
}

bool JournaledState::access_account(const Address& addr)
{
    if (!m_warm_accounts.insert(addr).second)
        return true;
    m_journal.push_back({JournalEntry::Kind::kWarmAccount, addr, {}});
    return false;
}

bool JournaledState::access_storage(const Address& addr, const U256& slot)
{
    if (!m_warm_slots[addr].insert(slot).second)
        return true;
    m_journal.push_back({JournalEntry::Kind::kWarmSlot, addr, slot});
    return false;
}

bool JournaledState::is_warm(const Address& addr) const
{
    return m_warm_accounts.count(addr) != 0;
}

size_t JournaledState::checkpoint() const noexcept
{
    return m_journal.size();
}

void JournaledState::rollback(size_t cp)
{
    while (m_journal.size() > cp)
    {
        JournalEntry& j = m_journal.back();
        switch (j.kind)
        {
        case JournalEntry::Kind::kAccount:
        {
            Entry& e = m_accounts.at(j.addr);
            e.current = std::move(j.account);
            e.dirty = j.dirty;
            e.storage_cleared = j.storage_cleared;
            if (j.had_storage_snapshot)
                e.storage = std::move(j.storage);
            break;
        }
        case JournalEntry::Kind::kStorage:
            m_accounts.at(j.addr).storage.at(j.slot) = j.old_slot;
            break;
        case JournalEntry::Kind::kTransient:
            m_transient[j.addr][j.slot] = j.old_value;
            break;
        case JournalEntry::Kind::kWarmAccount:
            m_warm_accounts.erase(j.addr);
            break;
        case JournalEntry::Kind::kWarmSlot:
            m_warm_slots[j.addr].erase(j.slot);
            break;
        }
        m_journal.pop_back();
    }
}

void JournaledState::finish_transaction()
{
    m_journal.clear();
    m_transient.clear();
    m_warm_accounts.clear();
    m_warm_slots.clear();
    ++m_tx_id;  // every slot's tx_original is now stale: original == current until written
}

StateDiff JournaledState::diff() const
{
    // Deterministic order: sort the touched addresses (unordered maps are lookups only).
    std::vector<const std::pair<const Address, Entry>*> entries;
    entries.reserve(m_accounts.size());
    for (const auto& kv : m_accounts)
        entries.push_back(&kv);
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });

    StateDiff d;
    std::map<Hash, const Bytes*> code;
    for (const auto* kv : entries)
    {
        const Address& addr = kv->first;
        const Entry& e = kv->second;
        std::vector<StorageChange> storage;
        for (const auto& [slot, s] : e.storage)
            if (s.dirty && (s.current != s.block_original || e.storage_cleared))
                storage.push_back({slot, s.current});
        if (!e.dirty && storage.empty())
            continue;
        if (!e.current && !e.existed_in_base)
            continue;  // created and destroyed within the block: nothing to write
        std::sort(storage.begin(), storage.end(),
                  [](const auto& a, const auto& b) { return a.slot < b.slot; });
        if (e.existed_in_base && e.current && e.current->engine != e.base_engine)
        {
            // Re-created under another engine: the old record (another flat key) goes first.
            AccountChange gone;
            gone.identity = addr;
            gone.engine = e.base_engine;
            d.accounts.push_back(std::move(gone));
        }
        AccountChange c;
        c.identity = addr;
        c.engine = e.current ? e.current->engine : e.base_engine;
        c.account = e.current;
        c.storage_cleared = e.storage_cleared && e.existed_in_base;
        if (e.current)
            c.storage = std::move(storage);
        if (e.current && e.current->code_hash != kEmptyCodeHash)
            if (const auto it = m_new_code.find(e.current->code_hash); it != m_new_code.end())
                code.emplace(e.current->code_hash, &it->second);
        d.accounts.push_back(std::move(c));
    }
    for (const auto& [h, c] : code)
        d.code.emplace_back(h, *c);
    return d;
}

}  // namespace l2::state
