#pragma once
/// Loaded WASM modules by code hash, shared by every thread (block builder, RPC), bounded in
/// bytes (Module::footprint) with least-recently-used eviction. Code is immutable per hash, so
/// an entry never changes; an evicted module is loaded again from the state's code at its next
/// call, as after a restart. Cache only: nothing a call computes depends on it.

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <txtypes/hash.hpp>

#include "module.hpp"

namespace l2::execution::wasm {

class ModuleCache
{
public:
    /// 256 MiB, as Arbitrum Stylus's default LRU of compiled programs.
    static constexpr size_t kDefaultBytes = size_t{256} << 20;

    explicit ModuleCache(size_t byte_budget = kDefaultBytes) noexcept : m_budget{byte_budget} {}

    /// The module of `code_hash` (null on a miss), marked most recently used. The pointer
    /// keeps it alive through a call even if it is evicted meanwhile.
    std::shared_ptr<const Module> find(const Hash& code_hash);
    /// Adds `m` (or returns the entry another thread added first), then evicts the least
    /// recently used others down to the budget. A module larger than the budget is returned
    /// but not kept.
    std::shared_ptr<const Module> insert(Module&& m);

    /// Sets the budget, evicting down to it at once.
    void set_budget(size_t byte_budget);
    size_t bytes() const;
    size_t entries() const;

private:
    using Order = std::list<Hash>;  ///< most recently used first
    struct Entry
    {
        std::shared_ptr<const Module> module;
        Order::iterator place;
    };
    void evict_to(size_t budget);  ///< m_mutex held

    mutable std::mutex m_mutex;
    std::unordered_map<Hash, Entry, FixedBytesHasher> m_entries;
    Order m_order;
    size_t m_bytes = 0;
    size_t m_budget;
};

}  // namespace l2::execution::wasm
