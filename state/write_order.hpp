#pragma once
/// The order RocksDbStore inserts a batch in: RocksDB's memtable reuses its last insert position,
/// so inserts sorted by key skip most of the search a random key costs.

#include <cstdint>
#include <vector>

#include "kv_store.hpp"

namespace l2::state {

/// Op indices of `batch` ordered by (column, key), ops on one key in batch order (a stable
/// sort). A radix sort on the column and the key's first 7 bytes (a trie node batch, keyed by
/// hash, is then in order), then comparison sorts of the runs that tie there.
std::vector<uint32_t> write_order(const WriteBatch& batch);

}  // namespace l2::state
