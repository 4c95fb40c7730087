/// crash_child DIR SEED: commits blocks to the RocksDB database at DIR until it is killed.
///
/// The child of tests/e2e/crash_test.cpp. Opens (or creates) the database, resumes from the
/// unsafe head (or commits genesis: block 0 over the empty state), then loops: a random
/// StateDiff (deterministic from SEED and the block number), StateDb::prepare, the block and
/// the heads in the SAME batch, one write without sync, and only then "acked N" on stdout.
/// Exit codes: 2 usage, 3 database error.

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>

#include <state/block_store.hpp>
#include <state/rocksdb_store.hpp>
#include <state/state_db.hpp>
#include <txtypes/keccak.hpp>

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
    uint8_t be[8];
    for (size_t b = 0; b < 8; ++b)
        be[b] = static_cast<uint8_t>(i >> (56 - 8 * b));
    const Hash h = keccak256({be, 8});
    Address a;
    std::copy(h.bytes.begin(), h.bytes.begin() + 20, a.bytes.begin());
    return a;
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
    }

    for (uint64_t n = parent.number + 1;; ++n)
    {
        auto prepared = state.prepare(random_diff(seed, n), parent.state_root);
        if (!prepared)
            return fail("prepare", prepared.error().message);

        txtypes::Block block;
        block.header.parent_hash = parent_hash;
        block.header.number = n;
        block.header.state_root = prepared->state_root;
        block.header.timestamp = n;
        block.header.gas_limit = 30'000'000;
        const Hash hash = txtypes::header_hash(block.header);

        // State + block + canonical mark + head: one batch, one write (no sync: a kill -9 is a
        // process crash, which RocksDB's WAL survives).
        blocks.put_block(prepared->batch, block, hash, {});
        blocks.set_canonical(prepared->batch, n, hash);
        blocks.set_head(prepared->batch, Head::kUnsafe, {n, hash});
        if (auto w = state.commit(*prepared); !w)
            return fail("commit", w.error().message);
        ack(n);

        parent = block.header;
        parent_hash = hash;
    }
}
