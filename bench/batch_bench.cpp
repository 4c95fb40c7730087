// Batch codec: bytes per transfer on L1 and codec speed (docs/spec/batches.md "Sizes").
// Workloads: realistic ETH transfers and ERC-20 transfers (EIP-1559, chain 901, senders with
// running nonces, round values, half the recipients from 100 hot addresses), signed with real
// keys. Counters: `bytes_per_tx` = batcher calldata (version byte + frames) per tx, `raw_per_tx`
// = canonical EIP-2718 bytes per tx, `ratio` = the two divided (target <= 0.6). Variants compare
// l2node's columnar span batch with a row layout (length || canonical tx) and zstd with brotli
// at OP Stack's settings (quality 10, window 22).
#include <benchmark/benchmark.h>

#include <map>
#include <random>

#include <derivation/channel.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/rlp.hpp>
#include <txtypes/transaction.hpp>

namespace {

using namespace l2;
using namespace l2::derivation;
using txtypes::Transaction;
using txtypes::TxType;

enum class Mix
{
    kEth,
    kErc20,
    kEthUniqueRecipients,  ///< worst case: every recipient a fresh random address
};

constexpr size_t kBlocks = 300;
constexpr size_t kTxsPerBlock = 10;
constexpr size_t kMaxFrame = 120'000;  // as OP's batcher for calldata

Address random_address(std::mt19937_64& rng)
{
    Address a;
    for (auto& b : a.bytes)
        b = static_cast<uint8_t>(rng());
    return a;
}

/// d * 10^k wei with 1-4 significant digits: what people type into wallets.
U256 round_amount(std::mt19937_64& rng, unsigned k_min, unsigned k_max)
{
    static constexpr uint64_t kDigits[] = {10, 100, 1000, 10000};
    U256 v{1 + rng() % kDigits[rng() % 4]};
    const unsigned k = k_min + static_cast<unsigned>(rng() % (k_max - k_min + 1));
    for (unsigned i = 0; i < k; ++i)
        v = v * U256{10};
    return v;
}

struct Workload
{
    std::vector<SpanBatch> batches;  ///< one span batch per 100 blocks
    size_t txs = 0;
    size_t raw_bytes = 0;
};

const Workload& workload(Mix mix)
{
    static std::map<Mix, Workload> cache;
    if (const auto it = cache.find(mix); it != cache.end())
        return it->second;
    std::mt19937_64 rng{2024 + static_cast<unsigned>(mix)};
    constexpr size_t kSenders = 1000;
    std::vector<Hash> keys(kSenders);
    std::vector<uint64_t> nonces(kSenders);
    for (size_t i = 0; i < kSenders; ++i)
    {
        keys[i] = keccak256(Bytes{static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8), 7});
        nonces[i] = rng() % 3000;
    }
    std::vector<Address> hot(100), tokens(5);
    for (auto& a : hot)
        a = random_address(rng);
    for (auto& a : tokens)
        a = random_address(rng);
    const auto recipient = [&] {
        if (mix != Mix::kEthUniqueRecipients && rng() % 2 == 0)
            return hot[std::min(rng() % 100, rng() % 100)];  // skewed towards the first ones
        return random_address(rng);
    };
    static constexpr uint64_t kTips[] = {1'000'000, 1'000'000, 100'000'000, 1'000'000'000,
                                         1'500'000'000};
    uint64_t base_fee = 50'000'000;
    Workload w;
    SpanBatch batch;
    for (size_t blk = 0; blk < kBlocks; ++blk)
    {
        base_fee = base_fee * (1000 + rng() % 25) / 1010;  // drifts a little per block
        BatchBlock b{1'700'000'000 + 2 * blk, 19'000'000 + blk / 6, {}};
        for (size_t i = 0; i < kTxsPerBlock; ++i)
        {
            const size_t s = rng() % kSenders;
            Transaction t;
            t.type = TxType::kDynamicFee;
            t.chain_id = 901;
            t.nonce = nonces[s]++;
            t.max_priority_fee_per_gas = U256{kTips[rng() % 5]};
            t.max_fee_per_gas = U256{2 * base_fee} + t.max_priority_fee_per_gas;
            if (mix == Mix::kErc20)
            {
                t.to = tokens[std::min(rng() % 5, rng() % 5)];
                t.gas_limit = rng() % 2 ? 65'000 : 34'000 + rng() % 26'000;
                t.data = Bytes{0xa9, 0x05, 0x9c, 0xbb} + Bytes(12, 0);
                t.data += recipient().view();
                uint8_t amount[32];
                to_be_bytes(round_amount(rng, 6, 18), amount);
                t.data.append(amount, 32);
            }
            else
            {
                t.to = recipient();
                t.gas_limit = 21'000;
                t.value = round_amount(rng, 13, 17);
            }
            txtypes::sign_transaction(t, keys[s]);
            b.txs.push_back(txtypes::encode_transaction(t));
            w.raw_bytes += b.txs.back().size();
            ++w.txs;
        }
        batch.blocks.push_back(std::move(b));
        if (batch.blocks.size() == 100)
        {
            w.batches.push_back(std::move(batch));
            batch = {};
        }
    }
    return cache.emplace(mix, std::move(w)).first->second;
}

/// The row layout for comparison: per tx uvarint(length) || canonical bytes.
Bytes row_layout(const Workload& w)
{
    Bytes out;
    for (const auto& b : w.batches)
        for (const auto& blk : b.blocks)
            for (const auto& tx : blk.txs)
            {
                for (uint64_t v = tx.size();; v >>= 7)
                {
                    out.push_back(static_cast<uint8_t>(v >= 0x80 ? (v | 0x80) : v));
                    if (v < 0x80)
                        break;
                }
                out += tx;
            }
    return out;
}

/// OP Stack's span-batch tx columns (specs: "Span Batch Format", Delta) for the same txs, as
/// OP's batcher would feed them to brotli: contract_creation_bits, y_parity_bits, tx_sigs,
/// tx_tos, tx_datas (0x02 ++ rlp([value, max_priority_fee, max_fee, data, access_list])),
/// tx_nonces, tx_gases. (Block prefix and per-block fields omitted: equal on both sides.)
Bytes op_span_layout(const Workload& w)
{
    std::vector<Transaction> txns;
    for (const auto& b : w.batches)
        for (const auto& blk : b.blocks)
            for (const auto& tx : blk.txs)
                txns.push_back(txtypes::decode_transaction(tx).value());
    const size_t nbytes = (txns.size() + 7) / 8;
    Bytes creation(nbytes, 0), parity(nbytes, 0), sigs, tos, datas, nonces, gases;
    const auto uvarint = [](Bytes& out, uint64_t v) {
        for (; v >= 0x80; v >>= 7)
            out.push_back(static_cast<uint8_t>(v | 0x80));
        out.push_back(static_cast<uint8_t>(v));
    };
    for (size_t i = 0; i < txns.size(); ++i)
    {
        const auto& t = txns[i];
        const auto bit = static_cast<uint8_t>(1u << (7 - i % 8));
        if (!t.to)
            creation[i / 8] |= bit;
        if (t.signature.y_parity)
            parity[i / 8] |= bit;
        uint8_t word[32];
        to_be_bytes(t.signature.r, word);
        sigs.append(word, 32);
        to_be_bytes(t.signature.s, word);
        sigs.append(word, 32);
        if (t.to)
            tos += t.to->view();
        Bytes fields;
        rlp::encode(fields, t.value);
        rlp::encode(fields, t.max_priority_fee_per_gas);
        rlp::encode(fields, t.max_fee_per_gas);
        rlp::encode(fields, ByteView{t.data});
        fields.push_back(0xc0);  // empty access list
        datas.push_back(0x02);
        datas += rlp::wrap_list(fields);
        uvarint(nonces, t.nonce);
        uvarint(gases, t.gas_limit);
    }
    return creation + parity + sigs + tos + datas + nonces + gases;
}

/// Calldata bytes for a compressed channel cut into kMaxFrame frames, one frame per L1 tx.
size_t calldata_bytes(size_t compressed)
{
    const size_t per = kMaxFrame - kFrameOverhead;
    const size_t frames = (compressed + per - 1) / per;
    return compressed + frames * (kFrameOverhead + 1);
}

void report(benchmark::State& state, const Workload& w, size_t compressed)
{
    const auto cd = static_cast<double>(calldata_bytes(compressed));
    state.counters["bytes_per_tx"] = cd / static_cast<double>(w.txs);
    state.counters["raw_per_tx"] = static_cast<double>(w.raw_bytes) / static_cast<double>(w.txs);
    state.counters["ratio"] = cd / static_cast<double>(w.raw_bytes);
}

/// The batcher's side: encode + compress a channel of kBlocks blocks; sizes as counters.
void BM_BatchChannel(benchmark::State& state, Mix mix, Compression algo, int level, bool columnar)
{
    // columnar == false: the row layout; `level < 0`: OP's span layout at quality -level.
    const auto& w = workload(mix);
    size_t compressed = 0;
    for ([[maybe_unused]] auto _ : state)
    {
        if (columnar)
        {
            ChannelOut out{ChannelId{}, {algo, level, 22}};
            for (const auto& b : w.batches)
                if (!out.add_batch(b))
                    state.SkipWithError("add_batch failed");
            compressed = out.compressed().size();
        }
        else if (level < 0)
            compressed = compress(op_span_layout(w), {algo, -level, 22}).size();
        else
            compressed = compress(row_layout(w), {algo, level, 22}).size();
    }
    report(state, w, compressed);
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(w.txs));
}

/// The follower's side: frames -> bank -> decompress -> decode, per tx.
void BM_BatchDecode(benchmark::State& state, Mix mix, CompressionOptions options)
{
    const auto& w = workload(mix);
    ChannelOut out{ChannelId{}, options};
    for (const auto& b : w.batches)
        (void)out.add_batch(b);
    const auto frames = out.output_frames(kMaxFrame);
    for ([[maybe_unused]] auto _ : state)
    {
        ChannelBank bank{300};
        for (const auto& f : frames)
            (void)bank.add_frame(f, 1);
        auto ready = bank.next_ready(1);
        auto batches = decode_channel(ready->data);
        benchmark::DoNotOptimize(batches);
    }
    report(state, w, out.compressed().size());
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(w.txs));
}

#define L2_BATCH_BENCH(mix, algo, level, columnar, name)                                   \
    BENCHMARK_CAPTURE(BM_BatchChannel, name, Mix::mix, Compression::algo, level, columnar) \
        ->Unit(benchmark::kMillisecond)                                                    \
        ->Iterations(1)

// l2node's span batch (default: brotli 10/22; zstd 19 the fast option), then the same txs as a
// row layout and in OP Stack's span-batch columns, both with brotli 10/22 as OP compresses.
L2_BATCH_BENCH(kEth, kBrotli, 10, true, eth_l2node_brotli10);
L2_BATCH_BENCH(kEth, kZstd, 19, true, eth_l2node_zstd19);
L2_BATCH_BENCH(kEth, kBrotli, 10, false, eth_row_brotli10);
L2_BATCH_BENCH(kEth, kBrotli, -10, false, eth_opspan_brotli10);
L2_BATCH_BENCH(kErc20, kBrotli, 10, true, erc20_l2node_brotli10);
L2_BATCH_BENCH(kErc20, kZstd, 19, true, erc20_l2node_zstd19);
L2_BATCH_BENCH(kErc20, kBrotli, 10, false, erc20_row_brotli10);
L2_BATCH_BENCH(kErc20, kBrotli, -10, false, erc20_opspan_brotli10);
L2_BATCH_BENCH(kEthUniqueRecipients, kBrotli, 10, true, eth_unique_l2node_brotli10);
L2_BATCH_BENCH(kEthUniqueRecipients, kZstd, 19, true, eth_unique_l2node_zstd19);
L2_BATCH_BENCH(kEthUniqueRecipients, kBrotli, 10, false, eth_unique_row_brotli10);
L2_BATCH_BENCH(kEthUniqueRecipients, kBrotli, -10, false, eth_unique_opspan_brotli10);
BENCHMARK_CAPTURE(BM_BatchDecode, eth_brotli, Mix::kEth, CompressionOptions{})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BatchDecode, eth_zstd, Mix::kEth, kZstdOptions)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BatchDecode, erc20_brotli, Mix::kErc20, CompressionOptions{})
    ->Unit(benchmark::kMillisecond);

}  // namespace
