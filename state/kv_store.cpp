#include "kv_store.hpp"

namespace l2::state {

const char* column_name(Column c) noexcept
{
    switch (c)
    {
    case Column::kState:
        return "state";
    case Column::kCode:
        return "code";
    case Column::kTrieNodes:
        return "trie_nodes";
    case Column::kHeaders:
        return "headers";
    case Column::kBodies:
        return "bodies";
    case Column::kReceipts:
        return "receipts";
    case Column::kTxIndex:
        return "tx_index";
    case Column::kCanonical:
        return "canonical";
    case Column::kMeta:
        return "meta";
    case Column::kUndo:
        return "undo";
    case Column::kL1Sload:
        return "l1sload";
    case Column::kTrieRefs:
        return "trie_refs";
    case Column::kTrieGc:
        return "trie_gc";
    }
    return "unknown";
}

}  // namespace l2::state
