// Chain::rewind_to: the unsafe chain unwinds to an earlier block (state from the undo records,
// canonical marks, tx index, heads) in one write, a different block is built at the same height,
// and the result equals a chain that never had the unwound blocks; undo records go as the
// finalized head passes them; errors change nothing; a RocksDB chain reopens at the new head.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>

#include <execution/block_builder.hpp>
#include <execution/chain.hpp>
#include <execution/l1_info.hpp>
#include <execution/predeploys.hpp>
#include <state/memory_store.hpp>
#include <state/rocksdb_store.hpp>
#include <state/undo.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::execution;

namespace {

constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");
constexpr uint64_t kChainId = 901;

Address recipient(uint64_t i)
{
    Address a;
    a[0] = 0xee;
    a[19] = static_cast<uint8_t>(i);
    return a;
}

ChainSpec test_spec(const Address& sender)
{
    ChainSpec spec;
    spec.chain_id = kChainId;
    spec.alloc[sender].balance = U256{1'000'000'000'000'000'000ULL};
    return spec;
}

txtypes::Transaction transfer(uint64_t nonce, const Address& to, uint64_t value)
{
    txtypes::Transaction t;
    t.type = txtypes::TxType::kDynamicFee;
    t.chain_id = kChainId;
    t.nonce = nonce;
    t.max_fee_per_gas = U256{10'000'000'000ULL};
    t.max_priority_fee_per_gas = U256{1'000'000'000ULL};
    t.gas_limit = 21'000;
    t.to = to;
    t.value = U256{value};
    EXPECT_TRUE(txtypes::sign_transaction(t, kKey));
    return t;
}

std::map<Bytes, Bytes> flat_state(const state::KvStore& kv)
{
    std::map<Bytes, Bytes> out;
    state::scan_prefix(kv, state::Column::kState, {}, [&](ByteView k, ByteView v) {
        out.emplace(Bytes{k}, Bytes{v});
        return true;
    });
    return out;
}

std::vector<uint64_t> undo_blocks(const state::KvStore& kv)
{
    std::vector<uint64_t> out;
    state::scan_prefix(kv, state::Column::kUndo, {}, [&](ByteView k, ByteView) {
        uint64_t n = 0;
        for (const uint8_t b : k)
            n = (n << 8) | b;
        out.push_back(n);
        return true;
    });
    return out;
}

/// Builds the next block on `chain`'s head: the L1-info deposit, then `txs`.
BuiltBlock build(Chain& chain, const std::vector<txtypes::Transaction>& txs, const Address& sender)
{
    const ChainHead head = chain.head();
    L1Info info;
    info.number = 10;
    info.timestamp = 1000;
    info.base_fee = U256{30'000'000'000ULL};
    info.hash = keccak256(Bytes{9});
    info.sequence_number = head.header.number;
    PayloadAttributes attrs;
    attrs.timestamp = head.header.timestamp + 2;
    attrs.fee_recipient = predeploys::kSequencerFeeVault;
    attrs.deposits.push_back(make_l1_info_transaction(info));
    auto hashes = chain.block_hash_fn();
    BlockBuilder b{chain.state(), chain.spec(), head.header, head.hash, attrs, hashes};
    EXPECT_TRUE(b.apply_deposits());
    for (const auto& t : txs)
    {
        auto r = b.add(t, sender, txtypes::encode_transaction(t));
        EXPECT_TRUE(r) << to_string(r.error());
    }
    auto built = b.seal();
    EXPECT_TRUE(built);
    return std::move(*built);
}

struct TestChain
{
    explicit TestChain(state::KvStore& store) : kv{store}
    {
        sender = *address_from_private_key(kKey);
        auto c = Chain::open(kv, test_spec(sender));
        EXPECT_TRUE(c) << c.error();
        chain = std::move(*c);
    }

    /// Appends a block of `txs`; returns its hash.
    Hash append(const std::vector<txtypes::Transaction>& txs,
                std::optional<state::BlockRef> safe = std::nullopt,
                std::optional<state::BlockRef> finalized = std::nullopt)
    {
        BuiltBlock b = build(*chain, txs, sender);
        auto r = chain->append(b, safe, finalized);
        EXPECT_TRUE(r) << r.error();
        return b.hash;
    }

    /// Writes the trie node buffer: a checkpoint at the head. Undo records above the newest
    /// checkpoint stay whatever finality says (a restart rebuilds nodes from them).
    void checkpoint() { ASSERT_TRUE(chain->state().wait_for_nodes()); }

    U256 balance(const Address& a) const
    {
        const auto acc = chain->state().account(state::Engine::kEvm, a);
        return acc ? acc->balance : U256{};
    }

    state::KvStore& kv;
    Address sender;
    std::unique_ptr<Chain> chain;
};

}  // namespace

TEST(ChainRewind, UnwindsAndRebuildsADifferentBlock)
{
    state::MemoryStore kv;
    TestChain t{kv};
    std::vector<txtypes::Transaction> txs;
    std::vector<Hash> hashes{t.chain->genesis().hash};
    for (uint64_t n = 1; n <= 5; ++n)
    {
        txs.push_back(transfer(n - 1, recipient(n), 1000 + n));
        hashes.push_back(t.append({txs.back()}));
    }
    t.checkpoint();  // the rewind below then rebuilds block 2's nodes, which the buffer dropped
    ASSERT_TRUE(t.chain->set_heads(state::BlockRef{4, hashes[4]}, state::BlockRef{1, hashes[1]}));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{2, 3, 4, 5}));

    auto removed = t.chain->rewind_to(2);
    ASSERT_TRUE(removed) << removed.error();
    ASSERT_EQ(removed->size(), 3u);
    for (size_t i = 0; i < 3; ++i)
    {
        EXPECT_EQ(txtypes::header_hash((*removed)[i].header), hashes[3 + i]);
        ASSERT_EQ((*removed)[i].transactions.size(), 2u);  // L1 info, the transfer
        EXPECT_EQ(txtypes::transaction_hash((*removed)[i].transactions[1]),
                  txtypes::transaction_hash(txs[2 + i]));
    }

    // Heads: unsafe at 2, safe lowered from 4 to 2, finalized unchanged.
    EXPECT_EQ(t.chain->head().hash, hashes[2]);
    EXPECT_EQ(t.chain->head().header.number, 2u);
    EXPECT_EQ(t.chain->head_ref(state::Head::kUnsafe), (state::BlockRef{2, hashes[2]}));
    EXPECT_EQ(t.chain->head_ref(state::Head::kSafe), (state::BlockRef{2, hashes[2]}));
    EXPECT_EQ(t.chain->head_ref(state::Head::kFinalized), (state::BlockRef{1, hashes[1]}));
    // Canonical marks and the tx index of the unwound blocks are gone; the blocks themselves
    // stay readable by hash.
    for (uint64_t n = 3; n <= 5; ++n)
    {
        EXPECT_EQ(t.chain->canonical_hash(n), Hash{}) << n;
        EXPECT_FALSE(*t.chain->blocks().tx_location(txtypes::transaction_hash(txs[n - 1])));
        EXPECT_TRUE(*t.chain->blocks().header_by_hash(hashes[n]));
    }
    EXPECT_EQ(t.chain->canonical_hash(2), hashes[2]);
    EXPECT_TRUE(*t.chain->blocks().tx_location(txtypes::transaction_hash(txs[1])));
    // State: as after block 2.
    EXPECT_EQ(t.chain->state().account(state::Engine::kEvm, t.sender)->nonce, 2u);
    EXPECT_EQ(t.balance(recipient(2)), U256{1002});
    EXPECT_FALSE(t.chain->state().account(state::Engine::kEvm, recipient(3)));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{2}));

    // A different block 3: a new transfer at nonce 2 (block 3's was another one), then block
    // 4's transfer (nonce 3) re-included. Block 3's and 5's transfers are in no block now.
    const auto other = transfer(2, recipient(33), 7);
    const Hash h3 = t.append({other, txs[3]});
    EXPECT_NE(h3, hashes[3]);
    EXPECT_EQ(t.chain->head().hash, h3);
    EXPECT_EQ(t.chain->canonical_hash(3), h3);
    const auto loc = t.chain->blocks().tx_location(txtypes::transaction_hash(txs[3]));
    ASSERT_TRUE(loc && *loc);
    EXPECT_EQ(**loc, (state::TxLocation{3, h3, 2}));
    EXPECT_FALSE(*t.chain->blocks().tx_location(txtypes::transaction_hash(txs[2])));
    EXPECT_FALSE(*t.chain->blocks().tx_location(txtypes::transaction_hash(txs[4])));
    EXPECT_EQ(t.balance(recipient(33)), U256{7});
    EXPECT_EQ(t.balance(recipient(4)), U256{1004});
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{2, 3}));

    // The same blocks on a chain that never saw the unwound ones: same roots, same flat state.
    state::MemoryStore ref_kv;
    TestChain ref{ref_kv};
    EXPECT_EQ(ref.append({txs[0]}), hashes[1]);
    EXPECT_EQ(ref.append({txs[1]}), hashes[2]);
    EXPECT_EQ(ref.append({other, txs[3]}), h3);
    EXPECT_EQ(flat_state(ref_kv), flat_state(kv));
}

TEST(ChainRewind, FinalityDropsUndoRecordsIncrementally)
{
    state::MemoryStore kv;
    TestChain t{kv};
    std::vector<Hash> hashes{t.chain->genesis().hash};
    for (uint64_t n = 1; n <= 4; ++n)
        hashes.push_back(t.append({transfer(n - 1, recipient(n), n)}));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{1, 2, 3, 4}));
    // Above the newest checkpoint (genesis), finality drops nothing; after one at the head it
    // drops up to the finalized block.
    ASSERT_TRUE(t.chain->set_heads(std::nullopt, state::BlockRef{2, hashes[2]}));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{1, 2, 3, 4}));
    t.checkpoint();
    ASSERT_TRUE(t.chain->set_heads(std::nullopt, state::BlockRef{2, hashes[2]}));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{3, 4}));
    // A safe-only move and a finalized head that does not move up drop nothing.
    ASSERT_TRUE(t.chain->set_heads(state::BlockRef{3, hashes[3]}, std::nullopt));
    ASSERT_TRUE(t.chain->set_heads(std::nullopt, state::BlockRef{1, hashes[1]}));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{3, 4}));
    ASSERT_TRUE(t.chain->set_heads(std::nullopt, state::BlockRef{2, hashes[2]}));
    // Appending with the finalized head moving along.
    hashes.push_back(
        t.append({transfer(4, recipient(5), 5)}, std::nullopt, state::BlockRef{4, hashes[4]}));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{5}));
    // A block finalized as it is appended keeps its record while it is the head (the record
    // rebuilds the head's trie nodes after a crash, StateDb::repair_head_nodes); the next
    // block's finality move drops it (once a checkpoint covers it).
    t.checkpoint();
    BuiltBlock b = build(*t.chain, {transfer(5, recipient(6), 6)}, t.sender);
    ASSERT_TRUE(t.chain->append(b, state::BlockRef{6, b.hash}, state::BlockRef{6, b.hash}));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{6}));
    EXPECT_TRUE(t.chain->rewind_to(6));   // the head itself: nothing to do
    EXPECT_FALSE(t.chain->rewind_to(5));  // below finalized
    t.checkpoint();
    BuiltBlock c = build(*t.chain, {transfer(6, recipient(7), 7)}, t.sender);
    ASSERT_TRUE(t.chain->append(c, state::BlockRef{7, c.hash}, state::BlockRef{7, c.hash}));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{7}));
    // A block appended without finality keeps the old head's record until finality moves;
    // moving it to the new head drops the old head's and keeps the new head's.
    BuiltBlock d = build(*t.chain, {transfer(7, recipient(8), 8)}, t.sender);
    ASSERT_TRUE(t.chain->append(d));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{7, 8}));
    t.checkpoint();
    ASSERT_TRUE(t.chain->set_heads(std::nullopt, state::BlockRef{8, d.hash}));
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{8}));
}

TEST(ChainRewind, ErrorsChangeNothing)
{
    state::MemoryStore kv;
    TestChain t{kv};
    std::vector<Hash> hashes{t.chain->genesis().hash};
    for (uint64_t n = 1; n <= 4; ++n)
        hashes.push_back(t.append({transfer(n - 1, recipient(n), n)}));
    const auto before = flat_state(kv);

    auto above = t.chain->rewind_to(5);
    ASSERT_FALSE(above);
    EXPECT_NE(above.error().find("above the head 4"), std::string::npos) << above.error();

    t.checkpoint();
    ASSERT_TRUE(t.chain->set_heads(std::nullopt, state::BlockRef{2, hashes[2]}));
    auto below = t.chain->rewind_to(1);
    ASSERT_FALSE(below);
    EXPECT_NE(below.error().find("below the finalized head 2"), std::string::npos) << below.error();

    auto same = t.chain->rewind_to(4);
    ASSERT_TRUE(same);
    EXPECT_TRUE(same->empty());

    // Block 3's record missing (as if written by an older build): the rewind to 2 fails and
    // leaves everything as it was, block 4's record included.
    state::WriteBatch drop;
    state::delete_undo_records(drop, 3, 3);
    ASSERT_TRUE(kv.write(drop));
    auto missing = t.chain->rewind_to(2);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("no undo record for block 3"), std::string::npos)
        << missing.error();
    EXPECT_EQ(t.chain->head().hash, hashes[4]);
    EXPECT_EQ(t.chain->head_ref(state::Head::kUnsafe), (state::BlockRef{4, hashes[4]}));
    EXPECT_EQ(t.chain->canonical_hash(4), hashes[4]);
    EXPECT_EQ(flat_state(kv), before);
    EXPECT_EQ(undo_blocks(kv), (std::vector<uint64_t>{4}));
    // One block back still works.
    auto one = t.chain->rewind_to(3);
    ASSERT_TRUE(one) << one.error();
    EXPECT_EQ(t.chain->head().hash, hashes[3]);
}

TEST(ChainRewind, RocksDbReopensAtTheRewoundHead)
{
    const auto dir =
        std::filesystem::temp_directory_path() / ("l2-chain-rewind-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::vector<txtypes::Transaction> txs;
    std::vector<Hash> hashes;
    Hash h3;
    std::map<Bytes, Bytes> flat;
    {
        auto kv = state::RocksDbStore::open(dir.string());
        ASSERT_TRUE(kv) << kv.error().message;
        TestChain t{**kv};
        hashes.push_back(t.chain->genesis().hash);
        for (uint64_t n = 1; n <= 4; ++n)
        {
            txs.push_back(transfer(n - 1, recipient(n), n));
            hashes.push_back(t.append({txs.back()}));
        }
        ASSERT_TRUE(t.chain->rewind_to(2));
        h3 = t.append({transfer(2, recipient(40), 40)});
        flat = flat_state(**kv);
    }
    {
        auto kv = state::RocksDbStore::open(dir.string());
        ASSERT_TRUE(kv) << kv.error().message;
        TestChain t{**kv};
        EXPECT_EQ(t.chain->head().hash, h3);
        EXPECT_EQ(t.chain->head().header.number, 3u);
        EXPECT_EQ(t.chain->head_ref(state::Head::kUnsafe), (state::BlockRef{3, h3}));
        EXPECT_EQ(t.chain->canonical_hash(4), Hash{});
        EXPECT_EQ(flat_state(**kv), flat);
        EXPECT_EQ(t.balance(recipient(40)), U256{40});
        EXPECT_FALSE(*t.chain->blocks().tx_location(txtypes::transaction_hash(txs[2])));
        // The records written before the restart unwind after it.
        auto removed = t.chain->rewind_to(1);
        ASSERT_TRUE(removed) << removed.error();
        EXPECT_EQ(removed->size(), 2u);
        EXPECT_EQ(t.chain->head().hash, hashes[1]);
        EXPECT_FALSE(t.chain->state().account(state::Engine::kEvm, recipient(40)));
        EXPECT_FALSE(t.chain->state().account(state::Engine::kEvm, recipient(2)));
        EXPECT_EQ(t.balance(recipient(1)), U256{1});
    }
    std::filesystem::remove_all(dir);
}
