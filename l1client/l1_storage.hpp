#pragma once
/// The L1 storage reader behind the L1SLOAD precompile (RIP-7728, DESIGN.md "L1SLOAD"): storage
/// slots of an L1 account at one L1 block, named by number and hash, through a memory cache, a
/// persistent cache (state::Column::kL1Sload) and JSON-RPC batches of eth_getStorageAt addressed
/// by EIP-1898 block hash. See docs/spec/l1client.md, "L1 storage reader".

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include <state/kv_store.hpp>
#include <txtypes/hash.hpp>
#include <txtypes/result.hpp>

#include "rpc_client.hpp"
#include "rpc_error.hpp"

namespace l2::l1client {

/// Cache bound and circuit breaker of an L1StorageReader.
struct L1StorageOptions
{
    /// Bound on the in-memory cache (entries). Entries live in two generations per shard; when
    /// the newer one fills, the older one is dropped (hits in the older one are promoted).
    size_t memory_entries = size_t{1} << 20;
    /// Circuit breaker: after an L1 failure (the batch as a whole failed: transport, timeout,
    /// HTTP status, a reply that is not a batch), reads that miss the cache fail at once (no
    /// request) for a backoff that starts at backoff_initial and doubles up to backoff_max while
    /// L1 keeps failing; the first request after the backoff is a probe (other reads still fail
    /// at once while it runs). Success resets it.
    std::chrono::milliseconds backoff_initial{500};
    std::chrono::milliseconds backoff_max{8000};
};

/// Counters of an L1StorageReader (per key, except `requests` and `failures`: per read).
struct L1StorageStats
{
    uint64_t memory_hits = 0;  ///< keys answered from memory
    uint64_t disk_hits = 0;    ///< keys answered from the KvStore
    uint64_t misses = 0;       ///< keys that needed L1 (including reads refused by the breaker)
    uint64_t requests = 0;     ///< JSON-RPC batches sent to L1
    uint64_t failures = 0;     ///< reads that failed (L1 error, bad reply, breaker open)
    /// Of `misses`: keys answered by another read's request already in flight (no request of
    /// their own).
    uint64_t coalesced = 0;
};

/// The key of the persistent cache: l1_num(8 BE) || address(20) || key(32)
/// (state::Column::kL1Sload; its value is l1_block_hash(32) || value(32)).
std::array<uint8_t, 60> l1sload_db_key(uint64_t block_number,
                                       const Address& account,
                                       const Hash& key) noexcept;

/// Reads L1 storage for L1SLOAD. Thread-safe: the sequencer, eth_call threads and the
/// derivation pipeline call it concurrently. A cache hit takes no lock but a shard mutex and
/// makes no allocation but the result vector.
class L1StorageReader
{
public:
    /// `rpc`: a client of its own (callers give it short timeouts and few retries), or nullptr
    /// for a cache-only reader (misses fail with kTransport);
    /// `persistent`: the KvStore holding Column::kL1Sload, or nullptr for a memory-only cache.
    /// `persistent` must outlive the reader.
    L1StorageReader(std::shared_ptr<RpcClient> rpc,
                    state::KvStore* persistent,
                    L1StorageOptions options = {});
    ~L1StorageReader();
    L1StorageReader(const L1StorageReader&) = delete;
    L1StorageReader& operator=(const L1StorageReader&) = delete;

    /// The values of `keys` of `account` at L1 block (`block_number`, `block_hash`), in key
    /// order. Cache first (memory, then the KvStore; a hit needs the stored block hash to equal
    /// `block_hash`); a miss that another read is already fetching waits for that read's
    /// answer (and its error, if it fails); then ONE JSON-RPC batch of eth_getStorageAt for all
    /// other misses, addressed by EIP-1898 `{"blockHash": .., "requireCanonical": false}`;
    /// the results go to both caches
    /// (one WriteBatch). Any failure (transport, timeout, JSON-RPC error such as an unknown
    /// block, malformed reply, breaker open) is an RpcError; nothing is cached then. Never
    /// throws on outside input. Values shorter than 32 bytes (some nodes trim leading zeros)
    /// are left-padded, as L1Client::storage_at does.
    Result<std::vector<Hash>, RpcError> read(const Address& account,
                                             std::span<const Hash> keys,
                                             uint64_t block_number,
                                             const Hash& block_hash);

    /// A snapshot of the counters.
    L1StorageStats stats() const;

    /// Drops cache entries of L1 blocks below `block_number`, in memory and on disk
    /// (KvStore::delete_range over the 8-byte BE prefix). For operators; optional.
    void prune_below(uint64_t block_number);

private:
    struct MemoryCache;
    struct Flight;
    struct Flights;
    struct Wait;

    /// Asks L1 for `keys[i]`, i in `which` (one batch), and caches the answers: the values in
    /// `which`'s order.
    Result<std::vector<Hash>, RpcError> fetch(const Address& account,
                                              std::span<const Hash> keys,
                                              std::span<const size_t> which,
                                              uint64_t block_number,
                                              const Hash& block_hash);

    /// Fails at once while the breaker is open; otherwise admits the request (maybe as the
    /// probe).
    Result<void, RpcError> admit();
    /// Records the outcome of an admitted request.
    void settle(const RpcError* transport_failure);
    /// Counts a failed read.
    Unexpected<RpcError> failure(RpcError e);

    std::shared_ptr<RpcClient> m_rpc;
    state::KvStore* m_persistent;
    L1StorageOptions m_options;
    std::unique_ptr<MemoryCache> m_memory;
    std::unique_ptr<Flights> m_flights;

    std::mutex m_breaker_mutex;
    std::chrono::steady_clock::time_point m_open_until{};
    std::chrono::milliseconds m_backoff{0};  ///< 0 = closed (no failure since the last success)
    bool m_probe_in_flight = false;
    RpcError m_last_failure;

    std::atomic<uint64_t> m_memory_hits{0};
    std::atomic<uint64_t> m_disk_hits{0};
    std::atomic<uint64_t> m_misses{0};
    std::atomic<uint64_t> m_requests{0};
    std::atomic<uint64_t> m_failures{0};
    std::atomic<uint64_t> m_coalesced{0};
};

}  // namespace l2::l1client
