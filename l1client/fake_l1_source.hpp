#pragma once
/// FakeL1Source: an in-memory L1 for tests of derivation and the sequencer. A chain of blocks
/// with their logs, storage by block, receipts, safe/finalized tags, reorgs (rewind + push a
/// fork) and injected RPC failures. Thread-safe.

#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>

#include "l1_source.hpp"

namespace l2::l1client {

class FakeL1Source final : public L1Source
{
public:
    explicit FakeL1Source(uint64_t chain_id = 900) noexcept : m_chain_id{chain_id} {}

    /// Appends `block` on top of the head and returns it as stored. The first block keeps its
    /// `number`; later ones get head + 1 and the head's hash as parent. A zero `hash` becomes a
    /// deterministic one (keccak of number, parent, timestamp and the fork count, so a fork
    /// pushed after rewind() differs); a zero `timestamp` becomes the parent's + 12. Each log
    /// gets the block's number and hash and its index in the block.
    L1Block push_block(L1Block block = {}, std::vector<L1Log> logs = {});

    /// A reorg: drops the canonical blocks above `number` (they stay reachable by hash, as on
    /// a real node) and lowers safe/finalized to at most `number`.
    void rewind(uint64_t number);

    void set_safe(uint64_t number);
    void set_finalized(uint64_t number);

    /// `slot` of `address` holds `value` from block `from_block` on (until a later set).
    void set_storage(const Address& address, const U256& slot, uint64_t from_block,
                     const Hash& value);

    void add_receipt(const L1Receipt& receipt);

    /// The next `count` calls (of any method) fail with `error`.
    void fail_next(unsigned count, const RpcError& error);

    /// The canonical head; empty before the first push_block.
    std::optional<L1Block> head() const;
    /// Calls made so far (failed ones included).
    uint64_t call_count() const;

    // L1Source.
    Result<uint64_t, RpcError> chain_id() override;
    Result<uint64_t, RpcError> block_number() override;
    Result<std::optional<L1Block>, RpcError> block_by_number(BlockTag tag, bool full_txs) override;
    Result<std::optional<L1Block>, RpcError> block_by_hash(const Hash& hash,
                                                           bool full_txs) override;
    Result<std::vector<L1Log>, RpcError> logs(const LogFilter& filter) override;
    Result<Hash, RpcError> storage_at(const Address& address, const U256& slot,
                                      const BlockId& block) override;
    Result<std::optional<L1Receipt>, RpcError> transaction_receipt(const Hash& tx_hash) override;

private:
    struct Stored
    {
        L1Block block;
        std::vector<L1Log> logs;
    };
    struct SlotKey
    {
        Address address;
        U256 slot;
        friend auto operator<=>(const SlotKey&, const SlotKey&) = default;
        friend bool operator==(const SlotKey&, const SlotKey&) = default;
    };

    /// Counts the call; the injected failure for it, if any.
    std::optional<RpcError> take_failure(const char* method);
    /// The canonical block `tag` names, or null.
    const Stored* resolve(BlockTag tag) const;

    mutable std::mutex m_mutex;
    uint64_t m_chain_id;
    std::vector<Hash> m_canonical;  ///< hashes of m_first .. head
    uint64_t m_first = 0;
    std::map<Hash, Stored> m_blocks;  ///< every block ever pushed, by hash
    std::optional<uint64_t> m_safe;
    std::optional<uint64_t> m_finalized;
    std::map<SlotKey, std::map<uint64_t, Hash>> m_storage;
    std::map<Hash, L1Receipt> m_receipts;
    std::deque<RpcError> m_failures;
    uint64_t m_calls = 0;
    uint64_t m_forks = 0;
};

}  // namespace l2::l1client
