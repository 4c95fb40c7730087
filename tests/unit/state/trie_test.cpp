// The persistent trie (state/trie.hpp) against the from-scratch reference builder
// (txtypes::trie_root, conformance-tested on ethereum/tests TrieTests): random blocks of
// inserts, overwrites and deletes, long shared prefixes and inline nodes, proofs, missing nodes,
// the node cache, RocksDB persistence, and the node decoder's error table.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <state/account.hpp>
#include <state/memory_store.hpp>
#include <state/rocksdb_store.hpp>
#include <state/trie.hpp>
#include <state/trie_node.hpp>
#include <txtypes/block.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/mpt.hpp>

#include "forwarding_store.hpp"

namespace {

using namespace l2;
using namespace l2::state;
using txtypes::kEmptyRootHash;

using Model = std::map<Hash, Bytes>;

Hash key_of(uint64_t i)
{
    uint8_t be[8];
    for (size_t b = 0; b < 8; ++b)
        be[b] = static_cast<uint8_t>(i >> (56 - 8 * b));
    return keccak256(ByteView{be, 8});
}

Hash reference_root(const Model& m)
{
    std::vector<std::pair<Bytes, Bytes>> kv;
    kv.reserve(m.size());
    for (const auto& [k, v] : m)
        kv.emplace_back(Bytes{k.view()}, v);
    return txtypes::trie_root(std::move(kv));
}

Bytes random_value(std::mt19937_64& rng, size_t max_len)
{
    const size_t len = 1 + static_cast<size_t>(rng() % max_len);
    Bytes v(len, 0);
    for (auto& b : v)
        b = static_cast<uint8_t>(rng());
    return v;
}

/// A sorted block of updates over `keys`: about a third deletes (of present keys when there
/// are any), the rest inserts or overwrites. `model` is updated to match.
std::vector<TrieUpdate> random_block(std::mt19937_64& rng,
                                     const std::vector<Hash>& keys,
                                     Model& model,
                                     size_t max_ops,
                                     size_t max_value,
                                     size_t min_ops = 1)
{
    std::map<Hash, Bytes> ops;
    const size_t n = min_ops + static_cast<size_t>(rng() % (max_ops - min_ops + 1));
    for (size_t i = 0; i < n; ++i)
    {
        if (rng() % 3 == 0 && !model.empty())
        {
            auto it = model.begin();
            std::advance(it, static_cast<long>(rng() % model.size()));
            ops[it->first] = {};
        }
        else if (rng() % 10 == 0)
            ops[keys[rng() % keys.size()]] = {};  // maybe absent: a no-op delete
        else
            ops[keys[rng() % keys.size()]] = random_value(rng, max_value);
    }
    std::vector<TrieUpdate> block;
    for (auto& [k, v] : ops)
    {
        // Old-value hints: right for half the present keys, wrong for a quarter.
        Bytes hint;
        const auto it = model.find(k);
        const uint64_t pick = rng() % 4;
        if (it != model.end() && pick < 2)
            hint = it->second;
        else if (pick == 2)
            hint = random_value(rng, max_value);
        if (v.empty())
            model.erase(k);
        else
            model[k] = v;
        block.push_back({k, std::move(v), std::move(hint)});
    }
    return block;
}

/// A KvStore that counts reads (to see which nodes apply() loads).
class CountingStore final : public l2::test::ForwardingStore
{
public:
    using ForwardingStore::ForwardingStore;
    bool get(Column c, ByteView key, Bytes& out) const override
    {
        ++reads;
        return ForwardingStore::get(c, key, out);
    }

    mutable size_t reads = 0;
};

/// Applies one block and writes its batch; returns the new root.
Hash commit(KvStore& kv, Trie& trie, const Hash& root, const std::vector<TrieUpdate>& block)
{
    WriteBatch batch;
    const auto r = trie.apply(root, block, batch);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    if (!r)
        return root;
    EXPECT_TRUE(kv.write(batch).has_value());
    return *r;
}

/// Runs `blocks` random blocks, checking the root and the touched keys after each.
Hash run_random(KvStore& kv,
                Trie& trie,
                std::mt19937_64& rng,
                const std::vector<Hash>& keys,
                Model& model,
                size_t blocks,
                size_t max_ops,
                size_t max_value)
{
    Hash root = kEmptyRootHash;
    for (size_t b = 0; b < blocks; ++b)
    {
        const auto block = random_block(rng, keys, model, max_ops, max_value);
        root = commit(kv, trie, root, block);
        const Hash expected = reference_root(model);
        EXPECT_EQ(root, expected) << "block " << b;
        if (root != expected)
            return root;
        for (const auto& u : block)
        {
            const auto got = trie.get(root, u.key);
            EXPECT_TRUE(got.has_value());
            const auto it = model.find(u.key);
            EXPECT_EQ(got->has_value(), it != model.end());
            EXPECT_EQ(got->value_or(Bytes{}), it == model.end() ? Bytes{} : it->second);
        }
    }
    return root;
}

std::vector<Hash> hashed_keys(size_t n, uint64_t offset = 0)
{
    std::vector<Hash> keys;
    for (uint64_t i = 0; i < n; ++i)
        keys.push_back(key_of(i + offset));
    return keys;
}

/// Keys sharing their first 48 nibbles and varying in a few later ones, so leaves sit deep,
/// extensions are long and small nodes are inlined in their parents.
std::vector<Hash> clustered_keys(size_t n)
{
    const Hash base = key_of(424242);
    constexpr std::array<uint8_t, 8> kMask{0x00, 0x0f, 0x00, 0x30, 0x00, 0x00, 0xc1, 0x0f};
    std::vector<Hash> keys;
    for (uint64_t i = 0; keys.size() < n && i < 100 * n; ++i)
    {
        Hash k = base;
        const Hash r = key_of(i);
        for (size_t b = 0; b < kMask.size(); ++b)
            k[24 + b] = static_cast<uint8_t>((base[24 + b] & ~kMask[b]) | (r[b] & kMask[b]));
        if (std::find(keys.begin(), keys.end(), k) == keys.end())
            keys.push_back(k);
    }
    return keys;
}

/// True when some stored node has a child inlined (RLP < 32 bytes) rather than hashed.
bool has_inline_child(const MemoryStore& kv)
{
    bool found = false;
    scan_prefix(kv, Column::kTrieNodes, {}, [&](ByteView, ByteView rlp) {
        for (size_t depth = 0; depth <= kKeyNibbles; ++depth)
        {
            const auto node = decode_node(rlp, depth);
            if (!node)
                continue;
            if (node->kind == NodeKind::kExtension && !node->child.hashed)
                found = true;
            for (const auto& c : node->children)
                found = found || (!c.empty() && !c.hashed);
            break;
        }
        return !found;
    });
    return found;
}

TEST(TrieTest, RandomBlocksMatchReference)
{
    MemoryStore kv;
    Trie trie{kv};
    std::mt19937_64 rng{20240601};
    Model model;
    const auto keys = hashed_keys(1000);
    run_random(kv, trie, rng, keys, model, 3000, 50, 40);
    EXPECT_GT(model.size(), 100u);
}

TEST(TrieTest, ClusteredKeysWithInlineNodesMatchReference)
{
    MemoryStore kv;
    Trie trie{kv};
    std::mt19937_64 rng{7};
    Model model;
    const auto keys = clustered_keys(400);
    ASSERT_EQ(keys.size(), 400u);
    run_random(kv, trie, rng, keys, model, 1500, 30, 3);
    EXPECT_TRUE(has_inline_child(kv));
}

TEST(TrieTest, DeleteEverythingGivesEmptyRoot)
{
    MemoryStore kv;
    Trie trie{kv};
    std::mt19937_64 rng{99};
    Model model;
    std::vector<TrieUpdate> block;
    for (const auto& k : hashed_keys(600))
    {
        model[k] = random_value(rng, 40);
        block.push_back({k, model[k]});
    }
    std::sort(block.begin(), block.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
    Hash root = commit(kv, trie, kEmptyRootHash, block);
    ASSERT_EQ(root, reference_root(model));

    // Delete in random chunks, checking each intermediate root.
    std::vector<Hash> left;
    for (const auto& [k, v] : model)
        left.push_back(k);
    std::shuffle(left.begin(), left.end(), rng);
    while (!left.empty())
    {
        const size_t n = std::min(left.size(), size_t{1} + static_cast<size_t>(rng() % 80));
        std::vector<TrieUpdate> dels;
        for (size_t i = 0; i < n; ++i)
        {
            dels.push_back({left.back(), {}});
            model.erase(left.back());
            left.pop_back();
        }
        std::sort(dels.begin(), dels.end(),
                  [](const auto& a, const auto& b) { return a.key < b.key; });
        root = commit(kv, trie, root, dels);
        ASSERT_EQ(root, reference_root(model));
    }
    EXPECT_EQ(root, kEmptyRootHash);

    // And a block of deletes of absent keys on the empty trie is a no-op.
    EXPECT_EQ(commit(kv, trie, root, {{key_of(1), {}}, {key_of(2), {}}}), kEmptyRootHash);
}

TEST(TrieTest, SecureTrieVectors)
{
    // ethereum/tests TrieTests/trieanyorder_secureTrie.json: key = keccak(key).
    struct Case
    {
        std::vector<std::pair<std::string, std::string>> in;
        Hash root;
    };
    const std::vector<Case> cases{
        {{{"A", std::string(50, 'a')}},
         hash_literal("e9e2935138352776cad724d31c9fa5266a5c593bb97726dd2a908fe6d53284df")},
        {{{"doe", "reindeer"}, {"dog", "puppy"}, {"dogglesworth", "cat"}},
         hash_literal("d4cd937e4a4368d7931a9cf51686b7e10abb3dce38a39000fd7902a092b64585")},
        {{{"do", "verb"}, {"horse", "stallion"}, {"doge", "coin"}, {"dog", "puppy"}},
         hash_literal("29b235a58c3c25ab83010c327d5932bcf05324b7d6b1185e650798034783ca9d")},
        {{{"foo", "bar"}, {"food", "bass"}},
         hash_literal("1385f23a33021025d9e87cca5c66c00de06178807b96a9acc92b7d651ccde842")},
        {{{"be", "e"}, {"dog", "puppy"}, {"bed", "d"}},
         hash_literal("826a4f9f9054a3e980e54b20da992c24fa20467f1ca635115ef4917be66e746f")},
        {{{"test", "test"}, {"te", "testy"}},
         hash_literal("aea54fb6c80499674248a462864c420c9d9f3b3d38c879c12425bade1ad76552")},
    };
    for (const auto& c : cases)
    {
        // One item per block, so each is an incremental insert.
        MemoryStore kv;
        Trie trie{kv};
        Hash root = kEmptyRootHash;
        for (const auto& [k, v] : c.in)
            root = commit(kv, trie, root, {{keccak256(as_view(k)), Bytes{as_view(v)}}});
        EXPECT_EQ(root, c.root) << c.in.front().first;
    }
}

TEST(TrieTest, AccountTrieOfTinyState)
{
    Model model;
    for (uint8_t i = 1; i <= 5; ++i)
    {
        Address a;
        a[19] = i;
        Account acc;
        acc.nonce = i;
        acc.balance = U256{1000000007ull * i};
        if (i == 3)
            acc.code_hash = keccak256(as_view("code"));
        model[keccak256(a.view())] = encode_account(acc);
    }
    MemoryStore kv;
    Trie trie{kv};
    std::vector<TrieUpdate> block;
    for (const auto& [k, v] : model)
        block.push_back({k, v});
    const Hash root = commit(kv, trie, kEmptyRootHash, block);
    EXPECT_EQ(root, reference_root(model));
    EXPECT_NE(root, kEmptyRootHash);
    // The root node is stored and the root is its hash.
    Bytes node;
    ASSERT_TRUE(kv.get(Column::kTrieNodes, root, node));
    EXPECT_EQ(keccak256(node), root);
}

TEST(TrieTest, LongSharedPrefixesAndCollapse)
{
    // Keys equal but in the last nibble, or in nibble 40: extensions over long paths; deleting
    // down to one key at a time exercises branch -> leaf and extension + extension merges.
    const Hash base = key_of(5);
    std::vector<Hash> keys;
    for (uint8_t n = 0; n < 16; n += 5)
    {
        Hash k = base;
        k[31] = static_cast<uint8_t>((k[31] & 0xf0) | n);
        keys.push_back(k);
        Hash k2 = k;
        k2[20] = static_cast<uint8_t>(k2[20] ^ 0x30);  // nibble 40
        keys.push_back(k2);
    }
    Hash far = base;
    far[0] ^= 0x80;
    keys.push_back(far);

    MemoryStore kv;
    Trie trie{kv};
    Model model;
    Hash root = kEmptyRootHash;
    // Insert one at a time, then delete one at a time, each step against the reference.
    for (size_t i = 0; i < keys.size(); ++i)
    {
        model[keys[i]] = Bytes(1 + i % 3, static_cast<uint8_t>(i + 1));
        root = commit(kv, trie, root, {{keys[i], model[keys[i]]}});
        ASSERT_EQ(root, reference_root(model)) << "insert " << i;
    }
    for (size_t i = keys.size(); i-- > 0;)
    {
        model.erase(keys[(i * 7) % keys.size()]);
        root = commit(kv, trie, root, {{keys[(i * 7) % keys.size()], {}}});
        ASSERT_EQ(root, reference_root(model)) << "delete " << i;
    }
    EXPECT_EQ(root, kEmptyRootHash);
}

void check_proofs(const KvStore& kv,
                  const Hash& root,
                  const Model& model,
                  const std::vector<Hash>& absent)
{
    Trie trie{kv};
    for (const auto& [k, v] : model)
    {
        const auto proof = trie.prove(root, k);
        ASSERT_TRUE(proof.has_value());
        ASSERT_FALSE(proof->empty());
        EXPECT_EQ(keccak256(proof->front()), root);
        Bytes value;
        EXPECT_TRUE(verify_proof(root, k, *proof, value));
        EXPECT_EQ(value, v);
    }
    for (const auto& k : absent)
    {
        const auto proof = trie.prove(root, k);
        ASSERT_TRUE(proof.has_value());
        Bytes value{0x01};
        EXPECT_TRUE(verify_proof(root, k, *proof, value));
        EXPECT_TRUE(value.empty());
    }
}

TEST(TrieTest, ProofsOfPresenceAndAbsence)
{
    MemoryStore kv;
    Trie trie{kv};
    std::mt19937_64 rng{3};
    Model model;
    std::vector<TrieUpdate> block;
    for (const auto& k : hashed_keys(300))
        model[k] = random_value(rng, 40);
    for (const auto& [k, v] : model)
        block.push_back({k, v});
    const Hash root = commit(kv, trie, kEmptyRootHash, block);
    check_proofs(kv, root, model, hashed_keys(100, 1000));

    // Clustered keys: inline nodes on the path are read inside their parent.
    MemoryStore kv2;
    Trie trie2{kv2};
    Model model2;
    const auto keys = clustered_keys(200);
    Hash root2 = kEmptyRootHash;
    for (size_t i = 0; i < 150; ++i)
    {
        model2[keys[i]] = Bytes(1 + i % 2, static_cast<uint8_t>(i));
        root2 = commit(kv2, trie2, root2, {{keys[i], model2[keys[i]]}});
    }
    ASSERT_TRUE(has_inline_child(kv2));
    check_proofs(kv2, root2, model2, {keys.begin() + 150, keys.end()});

    // The empty trie proves every key absent with no nodes.
    Bytes value;
    EXPECT_TRUE(trie.prove(kEmptyRootHash, key_of(1))->empty());
    EXPECT_TRUE(verify_proof(kEmptyRootHash, key_of(1), {}, value));
}

TEST(TrieTest, TamperedProofsFail)
{
    MemoryStore kv;
    Trie trie{kv};
    std::mt19937_64 rng{4};
    std::vector<TrieUpdate> block;
    Model model;
    for (const auto& k : hashed_keys(300))
        model[k] = random_value(rng, 40);
    for (const auto& [k, v] : model)
        block.push_back({k, v});
    const Hash root = commit(kv, trie, kEmptyRootHash, block);

    for (const Hash& key : {key_of(7), key_of(5000)})  // present, absent
    {
        const auto proof = *trie.prove(root, key);
        ASSERT_GE(proof.size(), 2u);
        Bytes value;
        ASSERT_TRUE(verify_proof(root, key, proof, value));
        for (size_t n = 0; n < proof.size(); ++n)
        {
            for (size_t at = 0; at < proof[n].size(); at += 7)
            {
                auto bad = proof;
                bad[n][at] ^= 0x01;
                EXPECT_FALSE(verify_proof(root, key, bad, value)) << n << " " << at;
                EXPECT_TRUE(value.empty());
            }
            auto dropped = proof;
            dropped.erase(dropped.begin() + static_cast<long>(n));
            EXPECT_FALSE(verify_proof(root, key, dropped, value)) << "drop " << n;
        }
        auto extra = proof;
        extra.push_back(proof.back());
        EXPECT_FALSE(verify_proof(root, key, extra, value));
        Hash other_root = root;
        other_root[0] ^= 1;
        EXPECT_FALSE(verify_proof(other_root, key, proof, value));
        EXPECT_FALSE(verify_proof(root, key, {}, value));
    }
}

TEST(TrieTest, MissingNodeIsAnError)
{
    MemoryStore kv;
    Trie trie{kv};
    WriteBatch batch;
    const Hash nowhere = key_of(31337);
    const auto r = trie.apply(nowhere, std::vector<TrieUpdate>{{key_of(1), Bytes{1}}}, batch);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find(to_0x_hex(nowhere)), std::string::npos) << r.error().message;
    EXPECT_FALSE(trie.get(nowhere, key_of(1)).has_value());
    EXPECT_FALSE(trie.prove(nowhere, key_of(1)).has_value());

    // A node below the root goes missing (pruned too far): updates and reads through it fail.
    std::mt19937_64 rng{5};
    Model model;
    std::vector<TrieUpdate> block;
    for (const auto& k : hashed_keys(300))
        model[k] = random_value(rng, 40);
    for (const auto& [k, v] : model)
        block.push_back({k, v});
    const Hash root = commit(kv, trie, kEmptyRootHash, block);
    const Hash key = key_of(11);
    const auto proof = *trie.prove(root, key);
    ASSERT_GE(proof.size(), 2u);
    const Hash lost = keccak256(proof[1]);
    WriteBatch del;
    del.del(Column::kTrieNodes, lost);
    ASSERT_TRUE(kv.write(del).has_value());

    WriteBatch b2;
    const auto r2 = trie.apply(root, std::vector<TrieUpdate>{{key, Bytes{9}}}, b2);
    ASSERT_FALSE(r2.has_value());
    EXPECT_NE(r2.error().message.find(to_0x_hex(lost)), std::string::npos) << r2.error().message;
    EXPECT_FALSE(trie.get(root, key).has_value());
    // Elsewhere the trie is still usable.
    Hash elsewhere;
    for (uint64_t i = 0;; ++i)
    {
        elsewhere = key_of(i);
        if (key_nibble(elsewhere, 0) != key_nibble(key, 0))
            break;
    }
    EXPECT_TRUE(trie.get(root, elsewhere).has_value());
}

TEST(TrieTest, RejectsUnsortedUpdates)
{
    MemoryStore kv;
    Trie trie{kv};
    WriteBatch batch;
    Hash a = key_of(1), b = key_of(2);
    if (b < a)
        std::swap(a, b);
    EXPECT_FALSE(trie.apply(kEmptyRootHash, std::vector<TrieUpdate>{{b, {1}}, {a, {1}}}, batch));
    EXPECT_FALSE(trie.apply(kEmptyRootHash, std::vector<TrieUpdate>{{a, {1}}, {a, {2}}}, batch));
    EXPECT_EQ(*trie.apply(kEmptyRootHash, std::vector<TrieUpdate>{}, batch), kEmptyRootHash);
}

TEST(TrieTest, NodeCacheGivesSameRootsWithinBudget)
{
    // A cache far smaller than the trie evicts constantly; roots must not change.
    MemoryStore plain_kv, cached_kv;
    TrieNodeCache cache{64 << 10};
    Trie plain{plain_kv}, cached{cached_kv, &cache};
    std::mt19937_64 rng1{11}, rng2{11};
    Model m1, m2;
    const auto keys = hashed_keys(2000);
    Hash r1 = kEmptyRootHash, r2 = kEmptyRootHash;
    for (size_t b = 0; b < 400; ++b)
    {
        r1 = commit(plain_kv, plain, r1, random_block(rng1, keys, m1, 50, 40));
        r2 = commit(cached_kv, cached, r2, random_block(rng2, keys, m2, 50, 40));
        ASSERT_EQ(r1, r2) << b;
        ASSERT_LE(cache.size_bytes(), size_t{64} << 10);
    }
    EXPECT_EQ(r2, reference_root(m2));
    EXPECT_GT(cache.hits(), 0u);
    EXPECT_GT(cache.misses(), 0u);

    Bytes out;
    cache.put(key_of(1), Bytes(100, 7));
    EXPECT_TRUE(cache.get(key_of(1), out));
    EXPECT_EQ(out, Bytes(100, 7));
    cache.put(key_of(2), Bytes(100 << 10, 1));  // bigger than the budget: not kept
    EXPECT_FALSE(cache.get(key_of(2), out));
    cache.clear();
    EXPECT_EQ(cache.entries(), 0u);
    EXPECT_FALSE(cache.get(key_of(1), out));
}

TEST(TrieTest, NodeCacheDropsReplacedNodesAtOnce)
{
    // One shard holding two 100-byte nodes; all three hashes land in shard 0.
    constexpr size_t kCost = 100 + TrieNodeCache::kEntryOverhead;
    TrieNodeCache cache{TrieNodeCache::kShards * (2 * kCost + 10)};
    Hash a, b, c;
    a[0] = 1;
    b[0] = 2;
    c[0] = 3;
    const Bytes node(100, 0x55);
    Bytes out;
    cache.put(a, node);
    cache.put(b, node);
    EXPECT_TRUE(cache.get(a, out));
    EXPECT_TRUE(cache.get(b, out, /*replaced=*/true));  // read to be rewritten: gone at once
    EXPECT_EQ(out, node);
    EXPECT_EQ(cache.entries(), 1u);
    EXPECT_EQ(cache.size_bytes(), kCost);
    EXPECT_FALSE(cache.get(b, out));
    cache.put(c, node);  // the new version takes b's place; a stays
    EXPECT_TRUE(cache.get(a, out));
    EXPECT_TRUE(cache.get(c, out));
    EXPECT_EQ(cache.entries(), 2u);
    EXPECT_EQ(cache.size_bytes(), 2 * kCost);
    cache.put(b, node);  // b back (a dropped apply's old node read again): evicts by CLOCK
    EXPECT_EQ(cache.entries(), 2u);
}

TEST(TrieTest, NodeCacheBudgetChangesAtRunTime)
{
    // 400 nodes of ~200 bytes each in a 1 MiB cache, then the budget cut to 32 KiB and raised.
    TrieNodeCache cache{1 << 20};
    EXPECT_EQ(cache.budget(), size_t{1} << 20);
    const Bytes node(200, 0x42);
    for (uint64_t i = 0; i < 400; ++i)
        cache.put(key_of(i), node);
    EXPECT_EQ(cache.entries(), 400u);

    cache.set_budget(32 << 10);
    EXPECT_EQ(cache.budget(), size_t{32} << 10);
    EXPECT_LE(cache.size_bytes(), size_t{32} << 10);  // evicted at once, not at the next put
    EXPECT_LT(cache.entries(), 400u);
    EXPECT_GT(cache.entries(), 0u);
    size_t kept = 0;
    Bytes out;
    for (uint64_t i = 0; i < 400; ++i)
        kept += cache.get(key_of(i), out) ? 1u : 0u;
    EXPECT_EQ(kept, cache.entries());

    cache.set_budget(1 << 20);
    for (uint64_t i = 0; i < 400; ++i)
        cache.put(key_of(i), node);
    EXPECT_EQ(cache.entries(), 400u);  // the larger budget holds them all again
}

TEST(TrieTest, OldValueHintsSkipLeafReads)
{
    MemoryStore mem;
    CountingStore kv{mem};
    Trie trie{kv};
    std::mt19937_64 rng{23};
    Model model;
    std::vector<TrieUpdate> block;
    for (const auto& k : hashed_keys(3000))
        model[k] = random_value(rng, 40);
    for (const auto& [k, v] : model)
        block.push_back({k, v});
    const Hash root = commit(kv, trie, kEmptyRootHash, block);

    // 300 overwrites and 30 deletes of present keys, applied three ways to the same root.
    Model after = model;
    std::vector<TrieUpdate> right, wrong, none;
    size_t i = 0;
    for (const auto& [k, v] : model)
    {
        if (i++ % 9 != 0)
            continue;
        Bytes value = right.size() % 10 == 9 ? Bytes{} : random_value(rng, 40);
        if (value.empty())
            after.erase(k);
        else
            after[k] = value;
        right.push_back({k, value, v});
        wrong.push_back({k, value, random_value(rng, 40)});
        none.push_back({k, value});
    }
    ASSERT_GE(right.size(), 330u);
    const auto reads_for = [&](const std::vector<TrieUpdate>& updates) {
        kv.reads = 0;
        WriteBatch batch;
        const auto r = trie.apply(root, updates, batch);
        EXPECT_TRUE(r.has_value());
        EXPECT_EQ(r.value_or(Hash{}), reference_root(after));
        return kv.reads;
    };
    const size_t with_right = reads_for(right);
    const size_t with_wrong = reads_for(wrong);
    const size_t without = reads_for(none);
    EXPECT_EQ(with_wrong, without);
    // Every hinted leaf sits alone under its branch slot here (3000 keys, depth ~3-4).
    EXPECT_LE(with_right + right.size() * 9 / 10, without) << with_right << " vs " << without;
}

TEST(TrieTest, ParallelApplyMatchesSequential)
{
    // Blocks above kParallelMinUpdates go through the threaded root update; the roots and the
    // stored nodes must be those of one thread. The last block deletes all but one key, so the
    // root may collapse and the threaded path must step aside.
    MemoryStore kv1, kv2, kv3;
    Trie one{kv1}, two{kv2, nullptr, 2}, three{kv3, nullptr, 3};
    std::mt19937_64 rng{17};
    Model model;
    const auto keys = hashed_keys(20000);
    Hash r1 = kEmptyRootHash, r2 = kEmptyRootHash, r3 = kEmptyRootHash;
    for (size_t b = 0; b < 12; ++b)
    {
        std::vector<TrieUpdate> block;
        if (b + 1 < 12)
            block = random_block(rng, keys, model, 6000, 40, 2000);
        else
        {
            for (auto it = std::next(model.begin()); it != model.end(); ++it)
                block.push_back({it->first, {}});
            model.erase(std::next(model.begin()), model.end());
        }
        ASSERT_GE(block.size(), Trie::kParallelMinUpdates);
        r1 = commit(kv1, one, r1, block);
        r2 = commit(kv2, two, r2, block);
        r3 = commit(kv3, three, r3, block);
        ASSERT_EQ(r1, reference_root(model)) << b;
        ASSERT_EQ(r2, r1) << b;
        ASSERT_EQ(r3, r1) << b;
        ASSERT_EQ(kv2.count(Column::kTrieNodes), kv1.count(Column::kTrieNodes));
        ASSERT_EQ(kv3.count(Column::kTrieNodes), kv1.count(Column::kTrieNodes));
    }
    EXPECT_EQ(model.size(), 1u);
}

TEST(TrieTest, PersistsInRocksDb)
{
    namespace fs = std::filesystem;
    // Removed however the test ends (the stores below close first).
    struct TempDir
    {
        fs::path path;
        ~TempDir() { fs::remove_all(path); }
    } temp{fs::temp_directory_path() / ("l2_trie_test_" + std::to_string(std::random_device{}()))};
    const fs::path& dir = temp.path;
    fs::remove_all(dir);
    std::mt19937_64 rng{21};
    Model model;
    const auto keys = hashed_keys(800);
    Hash root;
    {
        auto db = RocksDbStore::open(dir.string());
        ASSERT_TRUE(db.has_value()) << db.error().message;
        TrieNodeCache cache{1 << 20};
        Trie trie{**db, &cache};
        root = run_random(**db, trie, rng, keys, model, 300, 50, 40);
    }
    {
        auto db = RocksDbStore::open(dir.string());
        ASSERT_TRUE(db.has_value()) << db.error().message;
        Trie trie{**db};
        for (const auto& k : keys)
        {
            const auto got = trie.get(root, k);
            ASSERT_TRUE(got.has_value());
            const auto it = model.find(k);
            EXPECT_EQ(got->has_value(), it != model.end());
            if (it != model.end())
            {
                EXPECT_EQ(**got, it->second);
            }
        }
        const auto block = random_block(rng, keys, model, 50, 40);
        root = commit(**db, trie, root, block);
        EXPECT_EQ(root, reference_root(model));
    }
}

TEST(TrieNodeTest, DecodeErrors)
{
    const auto hex = [](std::string_view s) { return *from_hex(s); };
    struct Case
    {
        const char* name;
        Bytes rlp;
        size_t depth;
        NodeError error;
    };
    // A leaf at depth 63 holds one nibble: [0x3N, value].
    const std::vector<Case> cases{
        {"string, not list", hex("0x83010203"), 0, NodeError::kRlp},
        {"trailing bytes", hex("0xc2310a05"), 63, NodeError::kRlp},
        {"three items", hex("0xc3313233"), 63, NodeError::kShape},
        {"hex-prefix flag 4", hex("0xc2410a"), 63, NodeError::kHexPrefix},
        {"even path with padding", hex("0xc4822a0b0a"), 62, NodeError::kHexPrefix},
        {"leaf path too short for depth", hex("0xc2310a"), 62, NodeError::kPathLength},
        {"leaf without value", hex("0xc23180"), 63, NodeError::kEmptyValue},
        {"extension reaching the key's end", hex("0xc411c23005"), 63, NodeError::kPathLength},
        {"extension to nothing", hex("0xc21180"), 0, NodeError::kRef},
        {"31-byte ref", hex("0xe1119f" + std::string(62, '1')), 0, NodeError::kRef},
        {"branch with value", hex("0xd18080808080808080808080808080808001"), 0,
         NodeError::kBranchValue},
        {"branch at the key's end", hex("0xd18080808080808080808080808080808080"), 64,
         NodeError::kPathLength},
    };
    for (const auto& c : cases)
    {
        const auto r = decode_node(c.rlp, c.depth);
        ASSERT_FALSE(r.has_value()) << c.name;
        EXPECT_EQ(r.error(), c.error) << c.name;
    }
    // And the good shapes round-trip.
    for (const auto& good : {hex("0xc2310a"), hex("0xd18080808080808080808080808080808080")})
    {
        const auto r = decode_node(good, 63);
        ASSERT_TRUE(r.has_value());
        Bytes out;
        encode_node(*r, out);
        EXPECT_EQ(out, good);
    }
}

TEST(TrieNodeTest, PendingChildrenLeaveHolesWhereTheirHashesGo)
{
    // The apply encodes a node before its new children are hashed: a pending child takes a
    // hashed ref's 33 bytes with a placeholder, and encode_node reports where its 32 hash bytes
    // go. Filling them gives the node as encoded with the real hashes.
    const Hash a = keccak256(as_view(std::string{"child a"}));
    const Hash b = keccak256(as_view(std::string{"child b"}));
    TrieNode with_hashes = TrieNode::branch();
    with_hashes.children[2] = NodeRef::of_hash(a);
    with_hashes.children[9] = NodeRef::of_hash(b);
    with_hashes.children[12] = NodeRef::of_hash(a);
    TrieNode with_pending = with_hashes;
    with_pending.children[2] = NodeRef::of_pending(7);
    with_pending.children[12] = NodeRef::of_pending(3);

    Bytes want, got;
    encode_node(with_hashes, want);
    std::vector<HashHole> holes;
    encode_node(with_pending, got, &holes);
    ASSERT_EQ(got.size(), want.size());
    ASSERT_EQ(holes.size(), 2u);
    EXPECT_EQ(holes[0].child, 7u);
    EXPECT_EQ(holes[1].child, 3u);
    for (const HashHole& h : holes)
    {
        EXPECT_EQ(got[h.at - 1], 0xa0);  // the ref's string header precedes the hole
        std::copy(a.bytes.begin(), a.bytes.end(), got.begin() + h.at);
    }
    EXPECT_EQ(got, want);

    // An extension's pending child too; without `holes` nothing is reported.
    const TrieNode ext = TrieNode::extension(Nibbles::of_key(a, 60), NodeRef::of_pending(1));
    holes.clear();
    encode_node(ext, got, &holes);
    ASSERT_EQ(holes.size(), 1u);
    EXPECT_EQ(holes[0].at + 32, got.size());
    encode_node(ext, got);
    EXPECT_EQ(NodeRef::of_pending(1).pending_index(), 1u);
}

}  // namespace
