#pragma once
// Blocks with receipts for block-store tests: one tx of every type (signed), a receipt with a
// log for each, a withdrawal, and the roots and hash they imply; chains of them; putting them
// into a store as BlockStore does.

#include <cstdint>
#include <vector>

#include <state/kv_store.hpp>
#include <txtypes/block.hpp>
#include <txtypes/receipt.hpp>
#include <txtypes/transaction.hpp>

namespace l2::test {

/// The key the blocks' txs are signed with, and the address they go to.
inline constexpr Hash kStoredBlockKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");
inline constexpr Address kStoredBlockTo = address_literal("3535353535353535353535353535353535353535");

/// A tx of `type` with `nonce` (deposits: unique by source hash instead), signed unless a deposit.
txtypes::Transaction make_txn(txtypes::TxType type, uint64_t nonce);

/// A receipt for `t` with one Transfer-shaped log; every third nonce failed.
txtypes::Receipt make_receipt(const txtypes::Transaction& t, uint64_t cumulative);

struct StoredBlock
{
    txtypes::Block block;
    Hash hash;
    std::vector<txtypes::Receipt> receipts;
};

/// Block `number` on `parent` with one tx of each type (deposit, legacy, 0x02, 0x7D, in that
/// order); `salt` tells siblings apart (and their transactions: the nonces start at
/// salt * 1000 + number * 10).
StoredBlock make_block(uint64_t number, const Hash& parent, uint64_t salt = 0);

/// Blocks from..to, each on the previous one, the first on `parent`.
std::vector<StoredBlock> make_chain(uint64_t from, uint64_t to, Hash parent, uint64_t salt = 0);

/// Puts `chain`'s blocks and receipts in one write; with `canonical`, marks them canonical and
/// moves the unsafe head to the last. False when the write fails.
bool put_chain(state::KvStore& kv, const std::vector<StoredBlock>& chain, bool canonical = true);

}  // namespace l2::test
