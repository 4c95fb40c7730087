#pragma once
/// In-memory Merkle Patricia Trie root (Yellow Paper Appendix D) over a set of key/value pairs.
/// Builds the root in one pass over the keys in sorted order, hashing each finished subtree
/// once (the shape of geth's StackTrie / silkworm's HashBuilder); no node is stored.

#include <map>
#include <utility>
#include <vector>

#include "bytes.hpp"
#include "hash.hpp"

namespace l2::txtypes {

/// The root of a trie holding `entries` (keys unique; any order). Empty values are absent
/// keys, as in a trie where they were deleted.
Hash trie_root(std::vector<std::pair<Bytes, Bytes>> entries);

/// The same over an ordered map, which is already sorted.
Hash trie_root(const std::map<Bytes, Bytes>& entries);

/// Root of an ordered list trie: key i is rlp(i), value is `values[i]` (tx/receipt roots).
Hash ordered_trie_root(const std::vector<Bytes>& values);

}  // namespace l2::txtypes
