/// crash_child DIR SEED: commits blocks to the RocksDB database at DIR until it is killed.
///
/// The child of tests/e2e/crash_test.cpp. Opens (or creates) the database, resumes from the
/// unsafe head (or commits genesis: block 0 over the empty state), then loops: a random
/// StateDiff (from SEED, the block number and a salt that changes with every rewind),
/// StateDb::prepare, the block, its undo record and the heads in the SAME batch, one write
/// without sync (StateDb::commit, which keeps the block's trie nodes in its node buffer and
/// writes them at a checkpoint every kNodeBufferBlocks blocks: a kill before it leaves the
/// nodes of the blocks since the last one to StateDb::repair_head_nodes), and only then
/// "acked N" on stdout. Every tenth block also moves the finalized head to 6 blocks below it,
/// dropping the undo records it passes (not those above the checkpoint), in that batch.
/// Now and then it rewinds 1-4 blocks instead (never below the finalized head), as
/// execution::Chain::rewind_to does: the undo records of the unwound blocks, their canonical
/// marks and the unsafe head in one batch; "rewind N" goes out BEFORE that write (from then on
/// the head may be N), and the next blocks differ from the unwound ones.
/// Every block holds kTxsPerBlock deposit transactions (so it has a body, receipts and tx-index
/// entries), and after every block the child prunes history (issue 9) as node/history_pruner
/// does: up to min(finalized - 1, head - kHistoryWindow - 1), kPruneBatch heights per batch
/// (BlockStore::prune_history, one write each), so kills also land between and inside pruning
/// writes.
/// Exit codes: 2 usage, 3 database error.

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>

#include <state/block_store.hpp>
#include <state/rocksdb_store.hpp>
#include <state/state_db.hpp>
#include <state/undo.hpp>
#include <txtypes/keccak.hpp>

#include "test_identity.hpp"

using namespace l2;
using namespace l2::state;

namespace {

/// Identities touched by the diffs: a fixed pool, so blocks update, delete and re-create the
/// same accounts. Every seventh is a WASM identity; an identity has one engine only (the account
/// trie is keyed by keccak(identity) alone).
constexpr uint64_t kIdentityPool = 2000;
constexpr uint64_t kSlotPool = 16;

Address identity(uint64_t i)
{
    return test::test_identity(i);
}

Engine engine_of(uint64_t i)
{
    return i % 7 == 0 ? Engine::kWasm : Engine::kEvm;
}

U256 random_u256(std::mt19937_64& rng)
{
    return U256{rng(), rng(), rng(), rng()};
}

/// Slot `k` of the pool: small EVM slots, a few full-width ones; WASM slots are u64.
U256 slot_of(Engine engine, uint64_t k)
{
    if (engine == Engine::kWasm)
        return U256{k * 0x9e3779b97f4a7c15ULL};
    return k < kSlotPool / 2 ? U256{k} : U256{k, 0, 0, 0xfeedface00000000ULL | k};
}

/// A few hundred account changes: updates with random balances and nonces, some with slots
/// set or cleared, some whole storages cleared, some accounts deleted, a little new code.
StateDiff random_diff(uint64_t seed, uint64_t block_num)
{
    std::mt19937_64 rng{seed * 0x9e3779b97f4a7c15ULL ^ block_num};
    StateDiff diff;
    std::set<uint64_t> picked;  // distinct accounts, in a fixed order
    const uint64_t count = 200 + rng() % 200;
    while (picked.size() < count)
        picked.insert(rng() % kIdentityPool);
    for (uint64_t i : picked)
    {
        AccountChange change;
        change.engine = engine_of(i);
        change.identity = identity(i);
        const uint64_t kind = rng() % 100;
        if (kind < 8)
        {
            diff.accounts.push_back(std::move(change));  // deleted
            continue;
        }
        Account a;
        a.engine = change.engine;
        a.nonce = rng() % 1000;
        a.balance = kind < 50 ? U256{rng()} : random_u256(rng);
        if (kind == 99)
        {
            Bytes code(1 + rng() % 64, static_cast<uint8_t>(block_num));
            a.code_hash = keccak256(code);
            diff.code.emplace_back(a.code_hash, std::move(code));
        }
        change.account = a;
        change.storage_cleared = kind >= 95 && kind < 98;
        if (kind >= 50)
        {
            std::set<uint64_t> slots;
            const uint64_t n = 1 + rng() % 5;
            while (slots.size() < n)
                slots.insert(rng() % kSlotPool);
            for (uint64_t k : slots)
            {
                // A quarter of the writes clear the slot.
                const U256 value = rng() % 4 == 0 ? U256{} : random_u256(rng) >> (rng() % 256);
                change.storage.push_back({slot_of(change.engine, k), value});
            }
        }
        diff.accounts.push_back(std::move(change));
    }
    return diff;
}

int fail(const char* what, const std::string& message)
{
    std::fprintf(stderr, "crash_child: %s: %s\n", what, message.c_str());
    return 3;
}

void ack(uint64_t block_num)
{
    // One write(2) of a short line: atomic on a pipe, so the parent never sees half a line.
    std::printf("acked %" PRIu64 "\n", block_num);
    std::fflush(stdout);
}

void announce_rewind(uint64_t block_num)
{
    std::printf("rewind %" PRIu64 "\n", block_num);
    std::fflush(stdout);
}

constexpr uint64_t kFinalizeEvery = 10;
constexpr uint64_t kFinalizedLag = 6;
constexpr uint64_t kMaxRewind = 4;
constexpr size_t kNodeBufferBlocks = 5;
constexpr uint64_t kTxsPerBlock = 2;
constexpr uint64_t kHistoryWindow = 20;
constexpr uint64_t kPruneBatch = 4;

/// Block `n`'s transactions: deposits (no signature to make), distinct per salt and height.
std::vector<txtypes::Transaction> block_txs(uint64_t salt, uint64_t n)
{
    std::vector<txtypes::Transaction> txs;
    for (uint64_t k = 0; k < kTxsPerBlock; ++k)
    {
        txtypes::Transaction t;
        t.type = txtypes::TxType::kDeposit;
        uint8_t src[24];
        for (size_t b = 0; b < 8; ++b)
        {
            src[b] = static_cast<uint8_t>(salt >> (56 - 8 * b));
            src[8 + b] = static_cast<uint8_t>(n >> (56 - 8 * b));
            src[16 + b] = static_cast<uint8_t>(k >> (56 - 8 * b));
        }
        t.source_hash = keccak256({src, sizeof src});
        t.from = identity(k);
        t.to = identity(k + 1);
        t.gas_limit = 21'000;
        txs.push_back(std::move(t));
    }
    return txs;
}

std::vector<txtypes::Receipt> block_receipts(const std::vector<txtypes::Transaction>& txs)
{
    std::vector<txtypes::Receipt> out;
    uint64_t gas = 0;
    for (const auto& t : txs)
    {
        txtypes::Receipt r;
        r.type = t.type;
        r.success = true;
        gas += t.gas_limit;
        r.cumulative_gas_used = gas;
        r.deposit_nonce = 0;
        r.deposit_receipt_version = 1;
        out.push_back(std::move(r));
    }
    return out;
}

/// Prunes history up to min(finalized - 1, head - kHistoryWindow - 1) in batches of kPruneBatch
/// heights, one write each. False on a storage error (printed).
bool prune(KvStore& kv, const BlockStore& blocks, uint64_t head, uint64_t finalized)
{
    if (head <= kHistoryWindow || finalized == 0)
        return true;
    const uint64_t target = std::min(finalized - 1, head - kHistoryWindow - 1);
    for (;;)
    {
        const auto oldest = blocks.oldest_available();
        if (!oldest)
        {
            fail("oldest available", oldest.error().message);
            return false;
        }
        if (*oldest > target)
            return true;
        WriteBatch batch;
        const uint64_t to = std::min(target, *oldest + kPruneBatch - 1);
        if (auto r = blocks.prune_history(batch, *oldest, to); !r)
        {
            fail("prune", r.error().message);
            return false;
        }
        if (auto w = kv.write(batch); !w)
        {
            fail("prune write", w.error().message);
            return false;
        }
    }
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 3)
    {
        std::fprintf(stderr, "usage: crash_child DIR SEED\n");
        return 2;
    }
    const std::string dir = argv[1];
    const uint64_t seed = std::strtoull(argv[2], nullptr, 10);

    auto opened = RocksDbStore::open(dir);
    if (!opened)
        return fail("open", opened.error().message);
    KvStore& kv = **opened;
    BlockStore blocks{kv};
    StateDb state{kv};
    // A checkpoint every few blocks, as a node's Chain does every 64: kills land between
    // checkpoints, and restarts rebuild several blocks' nodes from the records.
    state.set_node_buffer(kNodeBufferBlocks, 64u << 20);
    // Every block's flat state behind its write, as a large block's is: kills land between
    // the two, and the next open applies the redo record.
    state.set_deferred_flat_write(0);

    const auto schema = blocks.check_schema();
    if (!schema)
        return fail("schema", schema.error().message);
    const auto head = blocks.head(Head::kUnsafe);
    if (!head)
        return fail("head", head.error().message);

    txtypes::BlockHeader parent;
    Hash parent_hash;
    if (!*head)
    {
        // Genesis: block 0 over the empty state, with the schema version, in one batch.
        parent.number = 0;
        parent.state_root = txtypes::kEmptyRootHash;
        parent_hash = txtypes::header_hash(parent);
        WriteBatch batch;
        blocks.init_schema(batch);
        blocks.put_block(batch, txtypes::Block{parent, {}, {}, {}}, parent_hash, {});
        blocks.set_canonical(batch, 0, parent_hash);
        blocks.set_head(batch, Head::kUnsafe, {0, parent_hash});
        if (auto w = kv.write(batch); !w)
            return fail("write genesis", w.error().message);
        ack(0);
    }
    else
    {
        if (!*schema)
            return fail("schema", "a head but no schema version");
        const auto h = blocks.header((*head)->number, (*head)->hash);
        if (!h || !*h)
            return fail("head header", h ? "absent" : h.error().message);
        parent = **h;
        parent_hash = (*head)->hash;
        // As execution::Chain::open: the head's trie nodes, if the kill came before they
        // were written (the parent check of crash_test usually did it already).
        if (parent.number > 0)
        {
            const auto up = blocks.canonical_hash(parent.number - 1);
            if (!up || !*up)
                return fail("parent of the head", up ? "absent" : up.error().message);
            const auto grand = blocks.header(parent.number - 1, **up);
            if (!grand || !*grand)
                return fail("parent header", grand ? "absent" : grand.error().message);
            if (auto r =
                    state.repair_head_nodes(parent.number, (*grand)->state_root, parent.state_root);
                !r)
                return fail("repair head trie nodes", r.error().message);
        }
    }

    const auto fin = blocks.head(Head::kFinalized);
    if (!fin)
        return fail("finalized head", fin.error().message);
    uint64_t finalized = *fin ? (*fin)->number : 0;
    // Decisions from SEED and where this run starts; the salt makes the blocks after a rewind
    // differ from the unwound ones (and from those of earlier runs at the same heights).
    std::mt19937_64 rng{seed ^ (parent.number * 0x9e3779b97f4a7c15ULL)};
    uint64_t salt = std::random_device{}();
    // Opened and repaired: crash_test times most kills from here, so they land among blocks.
    std::printf("ready\n");
    std::fflush(stdout);

    for (;;)
    {
        if (parent.number > finalized && rng() % 8 == 0)
        {
            const uint64_t depth = 1 + rng() % std::min(kMaxRewind, parent.number - finalized);
            const uint64_t target = parent.number - depth;
            WriteBatch batch;
            for (uint64_t n = parent.number; n > target; --n)
                if (auto u = state.unwind_block(batch, n); !u)
                    return fail("unwind", u.error().message);
            if (auto u = blocks.unset_canonical(batch, target + 1, parent.number); !u)
                return fail("unset canonical", u.error().message);
            const auto hash = blocks.canonical_hash(target);
            if (!hash || !*hash)
                return fail("rewind target", hash ? "absent" : hash.error().message);
            const auto header = blocks.header(target, **hash);
            if (!header || !*header)
                return fail("rewind target header", header ? "absent" : header.error().message);
            blocks.set_head(batch, Head::kUnsafe, {target, **hash});
            // As execution::Chain::rewind_to: the target's trie nodes, before the flat state
            // moves.
            if (auto u = state.unwind_nodes(batch, parent.number, parent.state_root, target,
                                            (**header).state_root);
                !u)
                return fail("unwind trie nodes", u.error().message);
            announce_rewind(target);
            if (auto w = state.write_unwind(batch); !w)
                return fail("rewind", w.error().message);
            parent = **header;
            parent_hash = **hash;
            salt = salt * 0x9e3779b97f4a7c15ULL + 1;
            continue;
        }

        const uint64_t n = parent.number + 1;
        auto prepared = state.prepare(random_diff(seed ^ salt, n), parent.state_root);
        if (!prepared)
            return fail("prepare", prepared.error().message);

        txtypes::Block block;
        block.header.parent_hash = parent_hash;
        block.header.number = n;
        block.header.state_root = prepared->state_root;
        block.header.timestamp = n;
        block.header.gas_limit = 30'000'000;
        block.transactions = block_txs(salt, n);
        const auto receipts = block_receipts(block.transactions);
        block.header.transactions_root = txtypes::transactions_root(block.transactions);
        const Hash hash = txtypes::header_hash(block.header);

        // State + undo record + block + canonical mark + heads: one batch, one write (no sync:
        // a kill -9 is a process crash, which RocksDB's WAL survives).
        put_undo_record(prepared->batch, n, prepared->undo);
        prepared->block = n;
        blocks.put_block(prepared->batch, block, hash, receipts);
        blocks.set_canonical(prepared->batch, n, hash);
        blocks.set_head(prepared->batch, Head::kUnsafe, {n, hash});
        uint64_t new_finalized = finalized;
        if (n % kFinalizeEvery == 0 && n - kFinalizedLag > finalized)
        {
            new_finalized = n - kFinalizedLag;
            const auto fin_hash = blocks.canonical_hash(new_finalized);
            if (!fin_hash || !*fin_hash)
                return fail("finalized block", fin_hash ? "absent" : fin_hash.error().message);
            // As execution::Chain: never the records above the newest trie checkpoint.
            const auto oldest = first_undo_record(kv);
            const uint64_t to = std::min(new_finalized, state.durable_checkpoint());
            if (oldest && *oldest <= to)
                delete_undo_records(prepared->batch, std::max<uint64_t>(*oldest, 1), to);
            blocks.set_head(prepared->batch, Head::kFinalized, {new_finalized, **fin_hash});
        }
        if (auto w = state.commit(*prepared); !w)
            return fail("commit", w.error().message);
        ack(n);

        finalized = new_finalized;
        parent = block.header;
        parent_hash = hash;
        if (!prune(kv, blocks, n, finalized))
            return 3;
    }
}
