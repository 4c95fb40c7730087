#pragma once
/// The sequencer's transaction pool: per-sender nonce queues, effective-tip ordering, fee-bump
/// replacement, size limits and full admission checks (docs/spec/mempool.md).

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <txtypes/revision.hpp>
#include <txtypes/transaction.hpp>

#include "pool_view.hpp"

namespace l2 {
class WorkerPool;
}

namespace l2::sequencer {

struct PoolConfig
{
    size_t max_txs = 100000;           ///< all txs, executable or queued
    size_t max_per_sender = 256;       ///< txs of one sender
    size_t max_tx_bytes = 128 * 1024;  ///< canonical encoding size
    unsigned price_bump_percent = 10;  ///< replacement needs both fee fields >= old * (100+b)/100
    uint64_t max_nonce_gap = 64;       ///< accept nonces up to account nonce + this
    Revision revision = Revision::kCancun;  ///< rules for validate_stateless / intrinsic gas
    unsigned recovery_threads = 0;  ///< threads for add_batch (incl. the caller); 0 = all cores
};

enum class PoolErrc
{
    kDecode,
    kDeposit,  ///< "deposit transactions (type 0x7E) cannot be submitted over RPC"
    kBadSignature,
    kWrongChainId,  ///< incl. pre-EIP-155 legacy txs (no chain id)
    kStateless,     ///< intrinsic gas, fee fields, initcode size, 0x7D misc ...
    kNonceTooLow,
    kNonceGap,  ///< nonce beyond account nonce + max_nonce_gap ("nonce too high")
    kInsufficientFunds,
    kFeeCapBelowBaseFee,
    kDataFeeCapTooLow,  ///< 0x7D max_data_fee below the current L1 data fee
    kGasLimitAboveBlock,
    kReplacementUnderpriced,
    kAlreadyKnown,
    kPoolFull,
    kSenderFull,
    kTooLarge,
};

/// Messages of the rejections clients match on (as geth words them where geth has them).
inline constexpr const char* kDepositMessage =
    "deposit transactions (type 0x7E) cannot be submitted over RPC";
inline constexpr const char* kReplayProtectionMessage =
    "only replay-protected (EIP-155) transactions allowed";
inline constexpr const char* kFundsMessage = "insufficient funds for gas * price + value";

/// A rejection. `message` reads like geth's ("nonce too low: next nonce 7, tx nonce 5", ...),
/// fit for a JSON-RPC error -32000.
struct PoolError
{
    PoolErrc code = PoolErrc::kDecode;
    std::string message;
};

/// A transaction in the pool, immutable once admitted; shared with the builder and the RPC.
struct PooledTx
{
    txtypes::Transaction txn;
    Bytes raw;  ///< the canonical encoding as submitted
    Hash hash;  ///< keccak256(raw)
    Address sender;
    U256 data_fee_estimate;  ///< PoolView::data_fee at admission
    U256 max_cost;  ///< gas_limit * max_fee + value + (0x7D: both caps, else data_fee_estimate)
    uint64_t arrival = 0;  ///< admission order, ties in best()
};

using PooledTxPtr = std::shared_ptr<const PooledTx>;

/// Effective tip per gas at `base_fee`: min(max_priority_fee, max_fee - base_fee), 0 when the
/// fee cap is below the base fee.
U256 effective_tip(const txtypes::Transaction& txn, const U256& base_fee) noexcept;

class Mempool
{
public:
    /// `view` must outlive the pool and be safe to call from several threads at once.
    Mempool(PoolConfig config, const PoolView& view);
    ~Mempool();
    Mempool(const Mempool&) = delete;
    Mempool& operator=(const Mempool&) = delete;

    /// Decodes, validates and inserts one raw transaction (eth_sendRawTransaction).
    Result<Hash, PoolError> add(ByteView raw);

    /// As `add` for each element, with decoding and sender recovery spread over the worker
    /// threads first; then inserted in order, so the results equal sequential `add` calls.
    std::vector<Result<Hash, PoolError>> add_batch(std::span<const Bytes> raw);

    /// The pooled tx with this hash, or null.
    PooledTxPtr get(const Hash& hash) const;

    /// Every tx in the pool.
    size_t size() const;

    /// Txs executable now by nonce: each sender's run of consecutive nonces from its account
    /// nonce (the rest are queued behind a gap).
    size_t pending_count() const;

    /// Best executable txs for the next block, a snapshot taken by `Mempool::best`: highest
    /// effective tip first, each sender's txs in nonce order, ties by arrival. Not thread-safe
    /// itself (one builder iterates it); the pool may change meanwhile.
    class Best
    {
    public:
        /// The next tx, or null when none is left.
        PooledTxPtr next();
        /// A tx of `sender` failed: skip the rest of its txs in this iteration.
        void mark_invalid(const Address& sender);

    private:
        friend class Mempool;
        struct Queue
        {
            std::vector<PooledTxPtr> txs;
            size_t pos = 0;
            bool invalid = false;
        };
        struct HeapItem
        {
            U256 tip;
            uint64_t arrival = 0;
            uint32_t queue = 0;
        };
        void push(uint32_t queue);

        U256 m_base_fee;
        std::vector<Queue> m_queues;
        std::vector<HeapItem> m_heap;
        std::optional<uint32_t> m_last;  ///< queue of the tx `next` returned last
        std::unordered_map<Address, uint32_t, FixedBytesHasher> m_index;  ///< built lazily
    };

    /// A snapshot of the executable txs whose fee cap covers `base_fee` (a sender's txs stop
    /// at its first one that does not).
    Best best(const U256& base_fee) const;

    /// After a new head: drops txs below each sender's account nonce, re-checks balances
    /// against the cumulative cost in nonce order (dropping txs the sender can no longer pay
    /// for), promotes queued txs whose gap closed and re-prices eviction at the new base fee.
    /// Txs whose fee cap fell below the base fee stay (best() skips them).
    void on_new_head();

    /// Drops these txs (unknown hashes are ignored); later nonces of their senders become
    /// queued behind the gap.
    void remove(std::span<const Hash> hashes);

    /// The next nonce after the sender's executable run, for eth_getTransactionCount
    /// "pending"; empty when the sender has no executable tx here (use the state nonce).
    std::optional<uint64_t> pending_nonce(const Address& sender) const;

    /// Every pooled tx, by sender then nonce (txpool_content, debugging).
    std::vector<PooledTxPtr> content() const;

private:
    struct Prepared;
    struct EvictKey
    {
        U256 tip;
        uint64_t arrival = 0;
        friend bool operator<(const EvictKey& a, const EvictKey& b) noexcept
        {
            // Cheapest first; among equals the newest goes first.
            return a.tip != b.tip ? a.tip < b.tip : a.arrival > b.arrival;
        }
    };
    struct SenderQueue
    {
        std::map<uint64_t, PooledTxPtr> txs;
        uint64_t account_nonce = 0;
        uint64_t pending_end = 0;  ///< first nonce >= account_nonce not in `txs`
        U256 total_cost;           ///< sum of max_cost over `txs`
        std::optional<EvictKey> tail_key;
    };
    using SenderMap = std::unordered_map<Address, SenderQueue, FixedBytesHasher>;

    Result<Prepared, PoolError> prepare(ByteView raw) const;
    Result<Hash, PoolError> insert(Prepared&& p);
    bool known(const Hash& hash) const;

    void sync_sender(SenderQueue& q, uint64_t account_nonce);
    std::map<uint64_t, PooledTxPtr>::iterator erase_tx(
        SenderQueue& q, std::map<uint64_t, PooledTxPtr>::iterator it);
    void update_tail(const Address& sender, SenderQueue& q);
    void drop_if_empty(SenderMap::iterator it);
    bool evict_one(const Address& except, const U256& new_tip);
    EvictKey evict_key(const PooledTx& ptx) const noexcept;

    const PoolConfig m_config;
    const PoolView& m_view;
    std::unique_ptr<WorkerPool> m_workers;

    mutable std::shared_mutex m_mutex;
    std::unordered_map<Hash, PooledTxPtr, FixedBytesHasher> m_by_hash;
    SenderMap m_senders;
    std::map<EvictKey, Address> m_tails;  ///< each sender's highest-nonce tx, cheapest first
    U256 m_base_fee;                      ///< the base fee eviction keys are priced at
    size_t m_pending = 0;
    uint64_t m_next_arrival = 0;
};

}  // namespace l2::sequencer
