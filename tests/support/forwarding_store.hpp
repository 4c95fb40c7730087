#pragma once
/// Stores for tests and benches that watch, hold or fail some calls and pass the rest on.

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

}  // namespace l2::test
