#include <gtest/gtest.h>

#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

#include <vector>

#ifdef L2_HAVE_CRYPTOPP
#include <cryptopp/keccak.h>
#endif

using namespace l2;

namespace {

TEST(Keccak, KnownVectors)
{
    EXPECT_EQ(to_hex(keccak256(ByteView{})),
              "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    EXPECT_EQ(to_hex(keccak256(as_view("abc"))),
              "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    EXPECT_EQ(to_hex(keccak256(as_view("The quick brown fox jumps over the lazy dog"))),
              "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
    // rlp("") and rlp([]): the empty trie root and the empty ommers hash.
    EXPECT_EQ(to_hex(keccak256(Bytes{0x80})),
              "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    EXPECT_EQ(to_hex(keccak256(Bytes{0xc0})),
              "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
}

TEST(Keccak, IncrementalEqualsOneShotAtEverySplit)
{
    Bytes data(409, 0);  // 3 blocks + a partial one
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 7 + 3);
    const Hash whole = keccak256(data);
    for (size_t split = 0; split <= data.size(); split += 7)
    {
        Keccak256 k;
        k.update(ByteView{data}.substr(0, split));
        k.update(ByteView{data}.substr(split));
        EXPECT_EQ(k.finish(), whole) << split;
    }
}

TEST(Keccak, RateBoundaries)
{
    // Lengths around the 136-byte rate exercise the padding edge (0x01 and 0x80 in one byte).
    for (size_t len : {135u, 136u, 137u, 271u, 272u, 273u})
    {
        const Bytes data(len, 0x61);
        Keccak256 k;
        for (uint8_t b : data)
            k.update(ByteView{&b, 1});
        EXPECT_EQ(k.finish(), keccak256(data)) << len;
    }
}

#ifdef L2_HAVE_CRYPTOPP
TEST(Keccak, MatchesCryptoPP)
{
    for (size_t len = 0; len < 1200; len += 13)
    {
        Bytes data(len, 0);
        for (size_t i = 0; i < len; ++i)
            data[i] = static_cast<uint8_t>(i ^ (len * 31));
        uint8_t expected[32];
        CryptoPP::Keccak_256 k;
        k.Update(data.data(), data.size());
        k.Final(expected);
        EXPECT_EQ(to_hex(keccak256(data)), to_hex(ByteView{expected, 32})) << len;
    }
}
#endif

}  // namespace

namespace {

/// keccak256_many against keccak256 one by one, for lengths around every padding edge and
/// batches that are not a multiple of the group size, with every implementation this CPU runs
/// (the vector paths group by block count).
void expect_many_equals_one_by_one(KeccakLanes lanes)
{
    std::vector<Bytes> msgs;
    for (size_t len : std::initializer_list<size_t>{0, 1, 31, 32, 33, 64, 110, 134, 135, 136, 137,
                                                    271, 272, 273, 532, 1000})
    {
        Bytes m(len, 0);
        for (size_t i = 0; i < len; ++i)
            m[i] = static_cast<uint8_t>(len * 31 + i * 7);
        msgs.push_back(std::move(m));
    }
    for (size_t n = 0; n <= msgs.size(); ++n)
    {
        std::vector<ByteView> in;
        for (size_t i = 0; i < n; ++i)
            in.emplace_back(msgs[(i * 5) % msgs.size()]);  // mixed block counts, in any order
        std::vector<Hash> out(n);
        keccak256_many(in, out, lanes);
        for (size_t i = 0; i < n; ++i)
            EXPECT_EQ(out[i], keccak256(in[i])) << "batch " << n << " item " << i;
    }
    // A long batch of equal sizes (full groups) and a short output span.
    std::vector<ByteView> in(37, ByteView{msgs[9]});
    std::vector<Hash> out(30);
    keccak256_many(in, out, lanes);
    for (const Hash& h : out)
        EXPECT_EQ(h, keccak256(msgs[9]));
}

TEST(Keccak, ManyEqualsOneByOne)
{
    for (const auto lanes : {KeccakLanes::kScalar, KeccakLanes::kX4Avx2, KeccakLanes::kX8Avx512})
    {
        if (!keccak_lanes_supported(lanes))
            continue;  // this CPU lacks it
        SCOPED_TRACE(static_cast<int>(lanes));
        expect_many_equals_one_by_one(lanes);
    }
    EXPECT_TRUE(keccak_lanes_supported(KeccakLanes::kScalar));
}

}  // namespace
