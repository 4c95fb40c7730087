#pragma once
// A from-scratch state root over the flat state, the independent check of the incremental trie
// used by the state unit tests and the crash test.

#include <tuple>
#include <utility>
#include <vector>

#include <state/kv_store.hpp>
#include <txtypes/hash.hpp>

namespace l2::test {

struct ScratchState
{
    Hash root;
    size_t accounts = 0;
    size_t slots = 0;
    /// A few (account trie key, leaf) and (storage root, slot trie key, leaf) samples to look up
    /// in the persistent trie.
    std::vector<std::pair<Hash, Bytes>> account_samples;
    std::vector<std::tuple<Hash, Hash, Bytes>> slot_samples;
};

/// The state root recomputed from the flat state alone (Column::kState): each account's storage
/// trie over keccak(slot32) -> rlp(value), then the account trie over keccak(identity) -> the
/// account with that root. Reports inconsistencies (slots without accounts, zero slots stored,
/// stale recorded storage roots) as gtest failures.
ScratchState scratch_state_root(const state::KvStore& kv);

}  // namespace l2::test
