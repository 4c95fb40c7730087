#pragma once
/// Loaded WASM modules by code hash, shared by every thread (block builder, RPC), optionally
/// bounded in bytes (Module::footprint) with least-recently-used eviction. Code is immutable per
/// hash, so an entry never changes; an evicted module is loaded again from the state's code at
/// its next call, as after a restart. Cache only: nothing a call computes depends on it.
///
/// Unbounded by default: a call's gas covers instantiating a loaded module, not loading it
/// (`BM_load_wasm_*`: ~90-120 ns per deployed byte; 9.7 ms for a 105 KB module whose call
/// entry is 7,300 gas), so a bound that deployed modules can outgrow lets calls that cycle
/// through them cost hundreds of times more CPU per gas than EVM code. Deploy gas
/// (wasm_deploy_byte) is what bounds the unbounded cache's growth.

#include <cstddef>
#include <cstdint>
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
    /// No bound (see above).
    static constexpr size_t kUnbounded = SIZE_MAX;

    explicit ModuleCache(size_t byte_budget = kUnbounded) noexcept : m_budget{byte_budget} {}

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
