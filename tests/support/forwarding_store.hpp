#pragma once
/// Stores for tests and benches that watch, hold or fail some calls and pass the rest on.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

#include <state/forwarding_store.hpp>
#include <state/memory_store.hpp>

namespace l2::test {

using state::ForwardingStore;

namespace detail {
/// The memory of a MemoryForwardingStore, a base built before the forwarding base.
struct OwnedMemory
{
    state::MemoryStore memory;
};
}  // namespace detail

/// A ForwardingStore over a MemoryStore of its own.
class MemoryForwardingStore : private detail::OwnedMemory, public ForwardingStore
{
public:
    MemoryForwardingStore() : ForwardingStore{memory} {}
    /// The memory itself, bypassing the overrides.
    state::MemoryStore& inner() noexcept { return memory; }
};

/// A MemoryForwardingStore whose writes that `matches` picks out can be held until released,
/// lost (reported written, never applied: a kill before they land) or failed ("disk full").
/// Set `lose` and `fail` while no such write is in flight.
class ControlledWrites : public MemoryForwardingStore
{
public:
    using Matcher = bool (*)(const state::WriteBatch&);
    explicit ControlledWrites(Matcher matches) noexcept : m_matches{matches} {}

    Result<void, state::KvError> write(const state::WriteBatch& batch, bool sync) override
    {
        if (auto controlled = control(batch))
            return *controlled;
        return MemoryForwardingStore::write(batch, sync);
    }
    /// Bulk loads (a trie checkpoint's nodes) are matched, held, lost and failed as writes.
    Result<void, state::KvError> ingest(const state::WriteBatch& batch) override
    {
        if (auto controlled = control(batch))
            return *controlled;
        return MemoryForwardingStore::ingest(batch);
    }
    /// Holds the matching writes from now on.
    void hold()
    {
        std::lock_guard lock{m_mutex};
        m_hold = true;
    }
    /// Lets every held write go, even one that has not woken up before the next hold().
    void release()
    {
        {
            std::lock_guard lock{m_mutex};
            m_hold = false;
            ++m_releases;
        }
        m_changed.notify_all();
    }
    /// Blocks until a matching write is being held.
    void wait_entered()
    {
        std::unique_lock lock{m_mutex};
        m_changed.wait(lock, [&] { return m_entered; });
    }

    std::atomic<bool> lose{false};
    std::atomic<bool> fail{false};
    std::atomic<uint64_t> matched{0};  ///< matching writes so far

private:
    /// For a matching batch: held while hold() lasts, then what a lost or failed write
    /// returns; nothing when the batch goes through.
    std::optional<Result<void, state::KvError>> control(const state::WriteBatch& batch)
    {
        if (!m_matches(batch))
            return std::nullopt;
        ++matched;
        std::unique_lock lock{m_mutex};
        m_entered = true;
        m_changed.notify_all();
        const uint64_t releases = m_releases;
        m_changed.wait(lock, [&] { return !m_hold || m_releases != releases; });
        m_entered = false;
        if (lose)
            return Result<void, state::KvError>{};
        if (fail)
            return Result<void, state::KvError>{unexpected(state::KvError{"disk full"})};
        return std::nullopt;
    }

    Matcher m_matches;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_hold = false;
    bool m_entered = false;
    uint64_t m_releases = 0;
};

}  // namespace l2::test
