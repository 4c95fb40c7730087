#pragma once
/// The execution-facing state of one block: a write-back cache over a StateReader with a journal
/// for transactions and nested calls (evmone's checkpoint/rollback shape), warm/cold access
/// tracking (EIP-2929), transient storage (EIP-1153), original values for SSTORE pricing
/// (EIP-2200), and the block's StateDiff at the end. Not thread-safe: one per block builder.

#include <cstddef>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <txtypes/hash.hpp>
#include <txtypes/uint256.hpp>

#include "account.hpp"
#include "state_db.hpp"
#include "state_diff.hpp"

namespace l2::state {

struct U256Hasher
{
    size_t operator()(const U256& v) const noexcept
    {
        return static_cast<size_t>(v.w[0] ^ (v.w[1] * 0x9e3779b97f4a7c15) ^ (v.w[2] >> 7) ^
                                   (v.w[3] << 13));
    }
};

class JournaledState
{
public:
    explicit JournaledState(const StateReader& base);
    ~JournaledState();
    JournaledState(const JournaledState&) = delete;
    JournaledState& operator=(const JournaledState&) = delete;

    // ---- accounts ------------------------------------------------------------------------
    /// The account, or empty when it does not exist (never created, or destroyed).
    std::optional<Account> account(const Address& addr);
    bool exists(const Address& addr);
    /// EIP-161: nonexistent or (nonce 0, balance 0, no code).
    bool is_empty(const Address& addr);
    U256 balance(const Address& addr);
    uint64_t nonce(const Address& addr);
    Hash code_hash(const Address& addr);
    Engine engine(const Address& addr);
    /// The code (empty for none); the view stays valid until the block's state is dropped.
    ByteView code(const Address& addr);

    /// Creates the account if absent (an empty EVM account), journaled.
    void touch(const Address& addr);
    void add_balance(const Address& addr, const U256& amount);
    /// Callers check the balance first; subtracting more than the balance wraps.
    void sub_balance(const Address& addr, const U256& amount);
    void set_balance(const Address& addr, const U256& amount);
    void set_nonce(const Address& addr, uint64_t nonce);
    void set_code(const Address& addr, Bytes code);
    /// A new contract at `addr` (CREATE/CREATE2 or a WASM deploy): storage starts empty, the
    /// balance already sent there is kept, nonce 1 for EVM contracts (EIP-161) is the caller's
    /// to set.
    void create_contract(const Address& addr, Engine engine);
    /// Removes the account and its storage (SELFDESTRUCT of a contract created in the same tx,
    /// EIP-6780; EIP-161 removal of touched empty accounts).
    void destroy(const Address& addr);

    // ---- storage -------------------------------------------------------------------------
    U256 storage(const Address& addr, const U256& slot);
    /// The value at the start of the current transaction (EIP-2200 "original").
    U256 original_storage(const Address& addr, const U256& slot);
    void set_storage(const Address& addr, const U256& slot, const U256& value);

    /// Transient storage (EIP-1153): cleared at the end of each transaction.
    U256 transient_storage(const Address& addr, const U256& slot) const;
    void set_transient_storage(const Address& addr, const U256& slot, const U256& value);

    // ---- access lists (EIP-2929) ------------------------------------------------------------
    /// Marks warm; returns true if it already was.
    bool access_account(const Address& addr);
    bool access_storage(const Address& addr, const U256& slot);
    bool is_warm(const Address& addr) const;

    // ---- journal -------------------------------------------------------------------------
    /// A point to roll back to (a call frame or a transaction).
    size_t checkpoint() const noexcept;
    /// Undoes everything since `cp`: balances, nonces, code, storage, transient storage,
    /// creations, destructions and warm marks.
    void rollback(size_t cp);
    /// Ends a transaction: keeps its changes, drops the journal, transient storage and warm sets.
    void finish_transaction();

    /// The block's changes, in a deterministic order (accounts by engine then identity, slots
    /// ascending), ready for StateDb::prepare.
    StateDiff diff() const;

private:
    struct Slot;
    struct Entry;
    struct JournalEntry;
    Entry& load(const Address& addr);
    Slot& load_slot(Entry& e, const Address& addr, const U256& slot);
    Account& mutable_account(Entry& e, const Address& addr);
    void journal_and_void_storage(Entry& e, const Address& addr);

    const StateReader& m_base;
    std::unordered_map<Address, Entry, FixedBytesHasher> m_accounts;
    std::vector<JournalEntry> m_journal;
    std::unordered_map<Address, std::unordered_map<U256, U256, U256Hasher>, FixedBytesHasher>
        m_transient;
    std::unordered_set<Address, FixedBytesHasher> m_warm_accounts;
    std::unordered_map<Address, std::unordered_set<U256, U256Hasher>, FixedBytesHasher>
        m_warm_slots;
    std::unordered_map<Hash, Bytes, FixedBytesHasher> m_new_code;
    uint64_t m_tx_id = 1;
};

}  // namespace l2::state
