// Undo records: the byte layout, malformed records, and randomized rewinds on the memory store
// and RocksDB: after unwinding k blocks the flat state is byte for byte the one remembered at
// that height, its root the remembered root, and blocks appended on top of it have the root a
// from-scratch MPT of the flat state gives.
#include <gtest/gtest.h>

#include <rocksdb/db.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>

#include <state/memory_store.hpp>
#include <state/rocksdb_store.hpp>
#include <state/state_db.hpp>
#include <state/undo.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

#include "scratch_state.hpp"
#include "test_identity.hpp"

using namespace l2;
using namespace l2::state;

namespace {

using FlatDump = std::vector<std::pair<Bytes, Bytes>>;

FlatDump dump_state(const KvStore& kv)
{
    FlatDump out;
    scan_prefix(kv, Column::kState, {}, [&](ByteView k, ByteView v) {
        out.emplace_back(Bytes{k}, Bytes{v});
        return true;
    });
    return out;
}

std::vector<uint64_t> undo_blocks(const KvStore& kv)
{
    std::vector<uint64_t> out;
    scan_prefix(kv, Column::kUndo, {}, [&](ByteView k, ByteView) {
        uint64_t n = 0;
        for (const uint8_t b : k)
            n = (n << 8) | b;
        out.push_back(n);
        return true;
    });
    return out;
}

/// A pool of identities (every seventh a WASM one) that blocks update, delete and re-create.
constexpr uint64_t kPool = 300;

Address identity(uint64_t i)
{
    return test::test_identity(i);
}

Engine engine_of(uint64_t i)
{
    return i % 7 == 0 ? Engine::kWasm : Engine::kEvm;
}

U256 slot_of(Engine engine, uint64_t k)
{
    if (engine == Engine::kWasm)
        return U256{k * 0x9e3779b97f4a7c15ULL};
    return k % 2 == 0 ? U256{k} : U256{k, 0, 0, 0xabcdef0000000000ULL | k};
}

U256 random_value(std::mt19937_64& rng)
{
    return U256{rng(), rng(), rng(), rng()} >> static_cast<unsigned>(rng() % 256);
}

/// A block of random changes: balance/nonce updates, new and deleted accounts, slots set and
/// cleared (a slot repeated now and then), whole storages cleared (with new slots after),
/// a little code; `big` adds ~1,500 slot writes so the storage tries go over two threads.
StateDiff random_diff(std::mt19937_64& rng, uint64_t block, bool big)
{
    std::map<uint64_t, AccountChange> changes;
    const uint64_t count = 20 + rng() % 60;
    for (uint64_t c = 0; c < count; ++c)
    {
        const uint64_t i = rng() % kPool;
        AccountChange ch;
        ch.engine = engine_of(i);
        ch.identity = identity(i);
        const uint64_t kind = rng() % 100;
        if (kind < 7)
        {
            changes[i] = std::move(ch);  // destroyed / removed, its storage with it
            continue;
        }
        Account a;
        a.engine = ch.engine;
        a.nonce = block;
        a.balance = U256{rng()};
        if (kind == 99)
            a.code_hash = keccak256(Bytes{static_cast<uint8_t>(block), 1, 2});
        ch.account = a;
        ch.storage_cleared = kind >= 92 && kind < 97;
        if (kind >= 40)
        {
            const uint64_t n = 1 + rng() % 6;
            for (uint64_t s = 0; s < n; ++s)
            {
                const U256 v = rng() % 4 == 0 ? U256{} : random_value(rng);
                ch.storage.push_back({slot_of(ch.engine, rng() % 40), v});
            }
            if (rng() % 10 == 0)  // the same slot twice: the last write counts
                ch.storage.push_back({ch.storage.front().slot, random_value(rng)});
        }
        changes[i] = std::move(ch);
    }
    if (big)
    {
        for (uint64_t c = 0; c < 3; ++c)
        {
            const uint64_t i = 1 + c * 7 + 1;  // EVM identities
            AccountChange& ch = changes[i];
            ch.engine = Engine::kEvm;
            ch.identity = identity(i);
            ch.account = Account{};
            ch.account->nonce = block;
            ch.storage.clear();
            ch.storage_cleared = false;
            std::set<uint64_t> slots;
            while (slots.size() < 500)
                slots.insert(rng() % 5000);
            for (const uint64_t s : slots)
                ch.storage.push_back({U256{s + 1000}, rng() % 5 == 0 ? U256{} : random_value(rng)});
        }
    }
    StateDiff diff;
    for (auto& [i, ch] : changes)
    {
        if (ch.account && ch.account->code_hash != kEmptyCodeHash)
            diff.code.emplace_back(ch.account->code_hash, Bytes{static_cast<uint8_t>(block), 1, 2});
        diff.accounts.push_back(std::move(ch));
    }
    return diff;
}

struct Snapshot
{
    Hash root;
    FlatDump flat;
};

/// The chain of one test: blocks 1..top committed with their undo records, a snapshot of the
/// flat state and root at every height (0 = the empty state).
class History
{
public:
    History(KvStore& kv, uint64_t seed) : m_kv{&kv}, m_rng{seed}
    {
        m_db = std::make_unique<StateDb>(kv, StateDb::kDefaultTrieCacheBytes, 2);
        m_snapshots.push_back({txtypes::kEmptyRootHash, {}});
    }

    uint64_t top() const { return m_snapshots.size() - 1; }

    /// Before the store closes.
    void close() { m_db.reset(); }
    /// The store reopened: a fresh StateDb (empty caches) over it.
    void reopen(KvStore& kv)
    {
        m_kv = &kv;
        m_db = std::make_unique<StateDb>(kv, StateDb::kDefaultTrieCacheBytes, 2);
    }

    void append(bool check_scratch)
    {
        const uint64_t n = top() + 1;
        // A cold cache now and then: old values then come from the flat KV, not the cache.
        if (m_rng() % 3 == 0)
            m_db->drop_cache();
        const StateDiff diff = random_diff(m_rng, n, m_rng() % 5 == 0);
        auto p = m_db->prepare(diff, m_snapshots.back().root);
        ASSERT_TRUE(p) << p.error().message;
        ASSERT_EQ(p->undo.front(), kUndoRecordVersion);
        put_undo_record(p->batch, n, p->undo);
        p->block = n;
        ASSERT_TRUE(m_db->commit(*p));
        m_snapshots.push_back({p->state_root, dump_state(*m_kv)});
        if (check_scratch)
        {
            ASSERT_EQ(to_hex(test::scratch_state_root(*m_kv).root), to_hex(p->state_root))
                << "block " << n;
        }
    }

    /// Unwinds to `target` in one batch and checks state, root and the remaining records.
    void rewind(uint64_t target)
    {
        WriteBatch batch;
        for (uint64_t n = top(); n > target; --n)
        {
            auto u = m_db->unwind_block(batch, n);
            ASSERT_TRUE(u) << u.error().message;
        }
        ASSERT_TRUE(m_db->write_unwind(batch));
        m_snapshots.resize(target + 1);
        const Snapshot& want = m_snapshots.back();
        const FlatDump got = dump_state(*m_kv);
        ASSERT_EQ(got.size(), want.flat.size()) << "rewound to " << target;
        for (size_t i = 0; i < got.size(); ++i)
        {
            ASSERT_EQ(to_hex(got[i].first), to_hex(want.flat[i].first)) << "rewound to " << target;
            ASSERT_EQ(to_hex(got[i].second), to_hex(want.flat[i].second))
                << "key " << to_hex(got[i].first) << ", rewound to " << target;
        }
        ASSERT_EQ(to_hex(test::scratch_state_root(*m_kv).root), to_hex(want.root))
            << "rewound to " << target;
        std::vector<uint64_t> want_records;
        for (uint64_t n = 1; n <= target; ++n)
            want_records.push_back(n);
        ASSERT_EQ(undo_blocks(*m_kv), want_records);
        // Reads after the unwind see the restored values (the cache was dropped).
        for (uint64_t i = 0; i < kPool; i += 13)
        {
            const auto a = m_db->account(engine_of(i), identity(i));
            Bytes raw;
            const AccountKey key = account_key(engine_of(i), identity(i));
            const bool stored = m_kv->get(Column::kState, {key.data(), key.size()}, raw);
            ASSERT_EQ(a.has_value(), stored);
        }
    }

    std::mt19937_64& rng() { return m_rng; }

private:
    KvStore* m_kv;
    std::mt19937_64 m_rng;
    std::unique_ptr<StateDb> m_db;
    std::vector<Snapshot> m_snapshots;
};

/// Rounds of appends and rewinds of random depth (sometimes to the empty state).
void randomized_rewinds(History& h, int rounds)
{
    for (int r = 0; r < rounds; ++r)
    {
        SCOPED_TRACE("round " + std::to_string(r));
        const uint64_t appends = 2 + h.rng()() % 7;
        for (uint64_t i = 0; i < appends; ++i)
        {
            h.append(/*check_scratch=*/i + 1 == appends || h.rng()() % 3 == 0);
            if (::testing::Test::HasFatalFailure())
                return;
        }
        const uint64_t depth = (r % 7 == 6) ? h.top() : h.rng()() % std::min<uint64_t>(h.top(), 7);
        h.rewind(h.top() - depth);
        if (::testing::Test::HasFatalFailure())
            return;
    }
}

}  // namespace

TEST(Undo, RecordLayout)
{
    // Three groups: an EVM account absent before the block with two slots (one 0x0102 before,
    // one absent), an EOA (nonce 1, balance 0x0100), a WASM contract with an 8-byte slot.
    const AccountKey a = account_key(Engine::kEvm, identity(1));
    const AccountKey b = account_key(Engine::kEvm, identity(2));
    const AccountKey c = account_key(Engine::kWasm, identity(3));
    const SlotKey a5 = evm_slot_key(identity(1), U256{5});
    const SlotKey a6 = evm_slot_key(identity(1), U256{6});
    const SlotKey c7 = wasm_slot_key(identity(3), 7);
    Account eoa;
    eoa.nonce = 1;
    eoa.balance = U256{0x100};
    Account contract;
    contract.engine = Engine::kWasm;
    contract.storage_root = keccak256(Bytes{1});
    contract.code_hash = keccak256(Bytes{2});

    UndoWriter w;
    w.begin_record();
    w.begin_account(a, std::nullopt);
    w.add_slot(a5.view(), U256{0x0102});
    w.add_slot(a6.view(), U256{0});
    w.end_account();
    w.begin_account(b, eoa);
    w.end_account();
    w.begin_account(c, contract);
    w.add_slot(c7.view(), Bytes{0x09});
    w.end_account();

    const auto bytes = [](auto&& v) { return Bytes{v.data(), v.size()}; };
    Bytes want{kUndoRecordVersion};
    want += bytes(a) + Bytes{0x00};
    want += Bytes{32} + bytes(a5.view().substr(21)) + Bytes{2, 1, 2};
    want += Bytes{32} + bytes(a6.view().substr(21)) + Bytes{0};
    want += Bytes{0};
    want += bytes(b) + Bytes{0x01, 1, 1, 2, 1, 0} + Bytes{0};
    want += bytes(c) + Bytes{0x07, 0, 0} + bytes(contract.storage_root.view()) +
            bytes(contract.code_hash.view());
    want += Bytes{8, 0, 0, 0, 0, 0, 0, 0, 7, 1, 9} + Bytes{0};
    EXPECT_EQ(to_hex(w.bytes()), to_hex(want));

    WriteBatch batch;
    ASSERT_TRUE(add_undo_writes(batch, w.bytes()));
    const auto& ops = batch.ops();
    ASSERT_EQ(ops.size(), 6u);
    EXPECT_TRUE(ops[0].is_delete);
    EXPECT_EQ(to_hex(ops[0].key), to_hex(bytes(a)));
    EXPECT_EQ(to_hex(ops[1].key), to_hex(a5.view()));
    EXPECT_EQ(to_hex(ops[1].value), "0102");
    EXPECT_TRUE(ops[2].is_delete);
    EXPECT_EQ(to_hex(ops[2].key), to_hex(a6.view()));
    EXPECT_EQ(to_hex(ops[3].value), to_hex(encode_account(eoa)));
    EXPECT_EQ(to_hex(ops[4].value), to_hex(encode_account(contract)));
    EXPECT_EQ(to_hex(ops[5].key), to_hex(c7.view()));
    EXPECT_EQ(to_hex(ops[5].value), "09");
    EXPECT_EQ(undo_key(0x0102030405060708ULL), (std::array<uint8_t, 8>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(Undo, MalformedRecordsAreErrors)
{
    const AccountKey a = account_key(Engine::kEvm, identity(1));
    const SlotKey a5 = evm_slot_key(identity(1), U256{5});
    UndoWriter w;
    w.begin_record();
    w.begin_account(a, Account{});
    w.add_slot(a5.view(), U256{0xffff});
    w.end_account();
    const Bytes good = w.bytes();
    ASSERT_EQ(good.size(), 1u + 21 + 3 + 1 + 32 + 3 + 1);
    WriteBatch ok;
    ASSERT_TRUE(add_undo_writes(ok, good));

    const auto with = [&](size_t at, uint8_t v) {
        Bytes b = good;
        b[at] = v;
        return b;
    };
    const std::vector<std::pair<const char*, Bytes>> cases = {
        {"empty", Bytes{}},
        {"version", with(0, 2)},
        {"account key cut", good.substr(0, 10)},
        {"unknown engine", with(1, 0x00)},
        {"account cut", good.substr(0, 1 + 21 + 2)},
        {"unknown account flag", with(22, 0x09)},
        {"flags without present", with(22, 0x02)},
        {"nonce over 8 bytes", with(23, 9)},
        {"slot of the wrong size", with(25, 8)},
        {"slot cut", good.substr(0, 1 + 21 + 3 + 1 + 10)},
        {"value over 32 bytes", with(1 + 21 + 3 + 1 + 32, 33)},
        {"value cut", good.substr(0, good.size() - 2)},
        {"no group end", good.substr(0, good.size() - 1)},
    };
    for (const auto& [name, record] : cases)
    {
        WriteBatch batch;
        EXPECT_FALSE(add_undo_writes(batch, record)) << name;
    }
    WriteBatch batch;
    EXPECT_TRUE(add_undo_writes(batch, Bytes{kUndoRecordVersion}));  // a block that wrote nothing
    EXPECT_TRUE(batch.empty());
}

TEST(Undo, UnwindWithoutARecordIsAnError)
{
    MemoryStore kv;
    StateDb db{kv};
    WriteBatch batch;
    const auto missing = db.unwind_block(batch, 7);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("no undo record for block 7"), std::string::npos);

    WriteBatch bad;
    put_undo_record(bad, 7, Bytes{9, 9});
    ASSERT_TRUE(kv.write(bad));
    const auto malformed = db.unwind_block(batch, 7);
    ASSERT_FALSE(malformed);
    EXPECT_NE(malformed.error().message.find("block 7: undo record: version 9"), std::string::npos);
}

TEST(Undo, RandomizedRewindsMemoryStore)
{
    for (const uint64_t seed : {1u, 2u, 3u})
    {
        SCOPED_TRACE("seed " + std::to_string(seed));
        MemoryStore kv;
        History h{kv, seed};
        randomized_rewinds(h, 30);
        if (HasFatalFailure())
            return;
    }
}

TEST(Undo, RandomizedRewindsRocksDbAcrossReopen)
{
    const auto dir =
        std::filesystem::temp_directory_path() / ("l2-undo-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        auto kv = RocksDbStore::open(dir.string());
        ASSERT_TRUE(kv) << kv.error().message;
        History h{**kv, 11};
        randomized_rewinds(h, 20);
        ASSERT_FALSE(HasFatalFailure());
        h.close();
        kv->reset();

        // Records written before a restart serve a rewind after it.
        auto reopened = RocksDbStore::open(dir.string());
        ASSERT_TRUE(reopened) << reopened.error().message;
        h.reopen(**reopened);
        h.rewind(h.top() > 3 ? h.top() - 3 : 0);
        ASSERT_FALSE(HasFatalFailure());
        for (int i = 0; i < 5; ++i)
            h.append(true);
        ASSERT_FALSE(HasFatalFailure());
        const uint64_t top = h.top();
        const FlatDump before = dump_state(**reopened);
        h.close();
        reopened->reset();

        auto again = RocksDbStore::open(dir.string());
        ASSERT_TRUE(again) << again.error().message;
        EXPECT_EQ(dump_state(**again), before);
        std::vector<uint64_t> records(top);
        for (uint64_t n = 1; n <= top; ++n)
            records[n - 1] = n;
        EXPECT_EQ(undo_blocks(**again), records);
    }
    std::filesystem::remove_all(dir);
}

TEST(Undo, RocksDbOpensADatabaseWithoutTheUndoColumn)
{
    const auto dir =
        std::filesystem::temp_directory_path() / ("l2-undo-old-db-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        // A database as an older build left it: every column family but "undo".
        rocksdb::Options o;
        o.create_if_missing = true;
        o.create_missing_column_families = true;
        std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
        cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{});
        for (size_t i = 0; i < kColumnCount; ++i)
            if (static_cast<Column>(i) != Column::kUndo)
                cfs.emplace_back(column_name(static_cast<Column>(i)),
                                 rocksdb::ColumnFamilyOptions{});
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* raw = nullptr;
        ASSERT_TRUE(rocksdb::DB::Open(o, dir.string(), cfs, &handles, &raw).ok());
        ASSERT_TRUE(raw->Put(rocksdb::WriteOptions{}, handles[1], "k", "v").ok());
        for (auto* handle : handles)
            ASSERT_TRUE(raw->DestroyColumnFamilyHandle(handle).ok());
        delete raw;
    }
    {
        // Read-only: opens, and the missing column reads as empty.
        RocksDbOptions ro;
        ro.read_only = true;
        auto kv = RocksDbStore::open(dir.string(), ro);
        ASSERT_TRUE(kv) << kv.error().message;
        Bytes v;
        EXPECT_TRUE((*kv)->get(Column::kState, as_view("k"), v));
        const auto key = undo_key(1);
        EXPECT_FALSE((*kv)->get(Column::kUndo, {key.data(), key.size()}, v));
        EXPECT_TRUE(undo_blocks(**kv).empty());
        WriteBatch b;
        put_undo_record(b, 1, Bytes{1});
        EXPECT_FALSE((*kv)->write(b));
    }
    {
        // Writable: the column is created.
        auto kv = RocksDbStore::open(dir.string());
        ASSERT_TRUE(kv) << kv.error().message;
        WriteBatch b;
        put_undo_record(b, 1, Bytes{kUndoRecordVersion});
        ASSERT_TRUE((*kv)->write(b));
        EXPECT_EQ(undo_blocks(**kv), std::vector<uint64_t>{1});
    }
    std::filesystem::remove_all(dir);
}
