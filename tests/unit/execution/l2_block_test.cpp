// L2 block building: the Fjord data fee (FastLZ), the L1-info codec, deposits (mint, nonce,
// failure semantics), fee vaults and 0x7D caps, and the GasPriceOracle agreeing with the fee
// actually charged.
#include <gtest/gtest.h>

#include <execution/block_builder.hpp>
#include <execution/gas_price_oracle.hpp>
#include <execution/l1_fee.hpp>
#include <execution/l1_info.hpp>
#include <execution/predeploys.hpp>
#include <state/memory_store.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::execution;

namespace {

/// xorshift32, the generator the reference vectors below were made with.
struct XorShift
{
    uint32_t x;
    uint32_t operator()()
    {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return x;
    }
};

}  // namespace

// Reference lengths from solady's LibZip.flzCompress (js/solady.js, npm solady 0.1.26), the
// encoder the OP Stack's GasPriceOracle and op-geth agree with.
TEST(L1Fee, FastLzLengthMatchesSolady)
{
    std::vector<std::pair<Bytes, uint32_t>> cases;
    cases.emplace_back(Bytes{}, 0);
    cases.emplace_back(Bytes{1, 2, 3}, 4);
    cases.emplace_back(Bytes(100, 0), 12);
    cases.emplace_back(Bytes(5000, 7), 69);
    XorShift r{12345};
    const std::pair<size_t, uint32_t> random_cases[] = {{13, 14},   {14, 15},    {20, 21},
                                                        {64, 66},   {200, 207},  {1000, 1032},
                                                        {3000, 3094}};
    for (const auto& [n, flz] : random_cases)
    {
        Bytes b(n, 0);
        for (auto& c : b)
            c = static_cast<uint8_t>(r() & 0xff);
        cases.emplace_back(b, flz);
    }
    {
        Bytes b(2000, 0);
        for (size_t i = 0; i < b.size(); ++i)
            b[i] = (i % 37) < 20 ? static_cast<uint8_t>(i % 11) : static_cast<uint8_t>(r() & 3);
        cases.emplace_back(b, 882);
    }
    {
        Bytes b(20000, 0);
        for (size_t i = 0; i < b.size(); ++i)
            b[i] = (i % 300 < 150) ? 0 : static_cast<uint8_t>(r() & 0xff);
        cases.emplace_back(b, 10606);
    }
    for (const auto& [data, expected] : cases)
        EXPECT_EQ(flz_compress_len(data), expected) << "size " << data.size();
}

TEST(L1Fee, FjordFormula)
{
    // A tiny tx is charged the 100-byte minimum.
    EXPECT_EQ(estimated_da_size_scaled(10), kMinTxSizeScaled);
    EXPECT_EQ(estimated_da_size_scaled(1000), uint64_t(836'500 * 1000 - 42'585'600));
    L1FeeParams p{U256{30'000'000'000ULL}, U256{1}, 1368, 810949};
    // fee = size_scaled * (1368 * 30 gwei * 16 + 810949 * 1) / 1e12
    const uint64_t size = estimated_da_size_scaled(1000);
    const U256 expected =
        U256{size} * (U256{1368} * U256{30'000'000'000ULL} * U256{16} + U256{810949}) /
        U256{1'000'000'000'000ULL};
    EXPECT_EQ(l1_fee_for_size(p, size), expected);
}

TEST(L1Info, CalldataRoundTrip)
{
    L1Info info;
    info.number = 123;
    info.timestamp = 1'700'000'000;
    info.base_fee = U256{7'000'000'000ULL};
    info.hash = keccak256(Bytes{1});
    info.sequence_number = 3;
    info.batcher_hash[31] = 0xbb;
    info.blob_base_fee = U256{1};
    info.base_fee_scalar = 1368;
    info.blob_base_fee_scalar = 810949;
    info.proof_fee_per_gas = U256{5};
    const Bytes data = encode_l1_info_calldata(info);
    ASSERT_EQ(data.size(), 4u + 320u);
    EXPECT_EQ(decode_l1_info_calldata(data), info);
    Bytes bad = data;
    bad[4 + 32 * 7 + 27] = 1;  // base fee scalar above 2^32
    EXPECT_FALSE(decode_l1_info_calldata(bad));
    EXPECT_FALSE(decode_l1_info_calldata(data.substr(0, data.size() - 1)));

    const txtypes::Transaction t = make_l1_info_transaction(info);
    EXPECT_EQ(t.type, txtypes::TxType::kDeposit);
    EXPECT_EQ(t.from, predeploys::kDepositorAccount);
    EXPECT_EQ(t.to, predeploys::kL1Block);
    EXPECT_EQ(t.gas_limit, predeploys::kL1InfoGas);
    // Different sequence numbers give different source hashes (unique tx hashes per block).
    EXPECT_NE(l1_info_source_hash(info.hash, 0), l1_info_source_hash(info.hash, 1));
}

namespace {

constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");
constexpr Address kRecipient = address_literal("00000000000000000000000000000000000000aa");
// PUSH1 0 PUSH1 0 REVERT: every call reverts.
const Bytes kReverter{0x60, 0x00, 0x60, 0x00, 0xfd};
constexpr Address kReverterAddr = address_literal("00000000000000000000000000000000000000dd");

struct Chain
{
    state::MemoryStore kv;
    state::StateDb db{kv};
    ChainSpec spec;
    txtypes::BlockHeader genesis;
    Address sender;

    Chain()
    {
        sender = *address_from_private_key(kKey);
        spec.chain_id = 901;
        spec.alloc[sender].balance = U256{1'000'000'000'000'000'000ULL};
        spec.alloc[kReverterAddr].code = kReverter;
        state::PreparedState p;
        auto g = build_genesis(spec, db, p);
        EXPECT_TRUE(g);
        genesis = *g;
        EXPECT_TRUE(db.commit(p));
    }

    L1Info l1_info() const
    {
        L1Info info;
        info.number = 10;
        info.timestamp = 1000;
        info.base_fee = U256{30'000'000'000ULL};
        info.hash = keccak256(Bytes{9});
        info.blob_base_fee = U256{1'000'000};
        info.base_fee_scalar = 1368;
        info.blob_base_fee_scalar = 810949;
        info.proof_fee_per_gas = U256{7};
        return info;
    }
};

txtypes::Transaction user_deposit(const Address& from, const std::optional<Address>& to,
                                  const U256& mint, const U256& value, uint8_t index)
{
    txtypes::Transaction d;
    d.type = txtypes::TxType::kDeposit;
    d.source_hash = keccak256(Bytes{index});
    d.from = from;
    d.to = to;
    d.mint = mint;
    d.value = value;
    d.gas_limit = 100'000;
    return d;
}

}  // namespace

TEST(BlockBuilder, DepositsMintAndFailedDepositsKeepMintAndNonce)
{
    Chain c;
    const Address depositor = address_literal("00000000000000000000000000000000000000d1");
    PayloadAttributes attrs;
    attrs.timestamp = 2;
    attrs.fee_recipient = predeploys::kSequencerFeeVault;
    attrs.deposits.push_back(make_l1_info_transaction(c.l1_info()));
    // Mints 5 ether and sends 1 to kRecipient.
    attrs.deposits.push_back(
        user_deposit(depositor, kRecipient, U256{5'000'000'000'000'000'000ULL},
                     U256{1'000'000'000'000'000'000ULL}, 1));
    // Mints 1 ether, calls a reverting contract with value: fails, keeps the mint.
    attrs.deposits.push_back(user_deposit(depositor, kReverterAddr,
                                          U256{1'000'000'000'000'000'000ULL}, U256{1}, 2));
    BlockBuilder b{c.db, c.spec, c.genesis, txtypes::header_hash(c.genesis), attrs,
                   [](uint64_t) { return Hash{}; }};
    ASSERT_TRUE(b.apply_deposits());
    auto built = b.seal();
    ASSERT_TRUE(built);
    ASSERT_EQ(built->receipts.size(), 3u);
    EXPECT_TRUE(built->receipts[0].success);
    EXPECT_TRUE(built->receipts[1].success);
    EXPECT_FALSE(built->receipts[2].success);
    EXPECT_EQ(built->receipts[1].deposit_nonce, 0u);
    EXPECT_EQ(built->receipts[2].deposit_nonce, 1u);
    EXPECT_EQ(built->receipts[2].deposit_receipt_version, 1u);
    // A failed deposit uses its whole gas limit.
    EXPECT_EQ(built->receipts[2].cumulative_gas_used - built->receipts[1].cumulative_gas_used,
              100'000u);
    ASSERT_TRUE(c.db.commit(built->state));

    EXPECT_EQ(c.db.account(state::Engine::kEvm, kRecipient)->balance,
              U256{1'000'000'000'000'000'000ULL});
    const auto d = c.db.account(state::Engine::kEvm, depositor);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->balance, U256{5'000'000'000'000'000'000ULL});
    EXPECT_EQ(d->nonce, 2u);
    // The L1-info deposit wrote nothing here (no L1Block code in this chain) but ran.
    EXPECT_EQ(c.db.account(state::Engine::kEvm, predeploys::kDepositorAccount)->nonce, 1u);
}

namespace {

/// Sets the L1Block slots the way the L1-info deposit would (the test chain has no L1Block code).
void write_l1_block(ChainSpec& spec, const L1Info& info)
{
    namespace slot = predeploys::l1block_slot;
    auto& s = spec.alloc[predeploys::kL1Block].storage;
    s[U256{slot::kNumber}] = U256{info.number};
    s[U256{slot::kBaseFee}] = info.base_fee;
    s[U256{slot::kBlobBaseFee}] = info.blob_base_fee;
    s[U256{slot::kBaseFeeScalar}] = U256{info.base_fee_scalar};
    s[U256{slot::kBlobBaseFeeScalar}] = U256{info.blob_base_fee_scalar};
    s[U256{slot::kProofFeePerGas}] = info.proof_fee_per_gas;
    spec.alloc[predeploys::kL1Block].code = Bytes{0x00};  // STOP
}

txtypes::Transaction transfer(txtypes::TxType type, uint64_t nonce)
{
    txtypes::Transaction t;
    t.type = type;
    t.chain_id = 901;
    t.nonce = nonce;
    t.max_fee_per_gas = U256{10'000'000'000ULL};
    t.max_priority_fee_per_gas = U256{1'000'000'000ULL};
    t.gas_limit = 21'000;
    t.to = kRecipient;
    t.value = U256{1000};
    return t;
}

}  // namespace

TEST(BlockBuilder, FeesGoToTheirVaultsAndFeeSplitCapsHold)
{
    Chain c0;
    const L1Info info = c0.l1_info();
    // A chain whose genesis already holds the L1 parameters: blocks without an L1-info deposit
    // charge with them.
    Chain c;
    write_l1_block(c.spec, info);
    state::MemoryStore kv;
    state::StateDb db{kv};
    state::PreparedState p;
    auto g = build_genesis(c.spec, db, p);
    ASSERT_TRUE(g);
    ASSERT_TRUE(db.commit(p));

    PayloadAttributes attrs;
    attrs.timestamp = 2;
    attrs.fee_recipient = predeploys::kSequencerFeeVault;
    attrs.deposits.push_back(make_l1_info_transaction(info));
    BlockBuilder b{db, c.spec, *g, txtypes::header_hash(*g), attrs, [](uint64_t) { return Hash{}; }};
    ASSERT_TRUE(b.apply_deposits());
    EXPECT_EQ(b.l1_info().proof_fee_per_gas, U256{7});

    auto t1 = transfer(txtypes::TxType::kDynamicFee, 0);
    ASSERT_TRUE(txtypes::sign_transaction(t1, kKey));
    const Bytes raw1 = txtypes::encode_transaction(t1);
    auto o1 = b.add(t1, c.sender, raw1);
    ASSERT_TRUE(o1) << to_string(o1.error());
    const U256 data_fee1 = l1_data_fee(info.fee_params(), raw1);
    EXPECT_GT(data_fee1, U256{0});
    EXPECT_EQ((*o1)->data_fee, data_fee1);
    EXPECT_EQ((*o1)->proof_fee, U256{21'000 * 7});

    // 0x7D: a data fee cap one wei short is refused; enough is accepted.
    auto t2 = transfer(txtypes::TxType::kFeeSplit, 1);
    t2.max_proof_fee = U256{21'000 * 7};
    t2.max_data_fee = U256{1};
    ASSERT_TRUE(txtypes::sign_transaction(t2, kKey));
    const Bytes raw2 = txtypes::encode_transaction(t2);
    const U256 data_fee2 = l1_data_fee(info.fee_params(), raw2);
    t2.max_data_fee = data_fee2 - U256{1};
    ASSERT_TRUE(txtypes::sign_transaction(t2, kKey));
    auto refused = b.add(t2, c.sender, txtypes::encode_transaction(t2));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), TxRejection::kDataFeeAboveCap);
    t2.max_data_fee = U256{1'000'000'000'000'000ULL};
    t2.max_proof_fee = U256{21'000 * 7 - 1};
    ASSERT_TRUE(txtypes::sign_transaction(t2, kKey));
    refused = b.add(t2, c.sender, txtypes::encode_transaction(t2));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), TxRejection::kProofFeeAboveCap);
    t2.max_proof_fee = U256{21'000 * 7};
    ASSERT_TRUE(txtypes::sign_transaction(t2, kKey));
    const Bytes raw2b = txtypes::encode_transaction(t2);
    auto o2 = b.add(t2, c.sender, raw2b);
    ASSERT_TRUE(o2) << to_string(o2.error());
    const U256 data_fee2b = l1_data_fee(info.fee_params(), raw2b);

    const U256 base_fee = *b.header().base_fee_per_gas;
    auto built = b.seal();
    ASSERT_TRUE(built);
    ASSERT_TRUE(db.commit(built->state));
    auto balance = [&](const Address& a) {
        const auto acc = db.account(state::Engine::kEvm, a);
        return acc ? acc->balance : U256{0};
    };
    EXPECT_EQ(balance(predeploys::kL1FeeVault), data_fee1 + data_fee2b);
    EXPECT_EQ(balance(predeploys::kProofFeeVault), U256{2 * 21'000 * 7});
    EXPECT_EQ(balance(predeploys::kBaseFeeVault), U256{2 * 21'000} * base_fee);
    EXPECT_EQ(balance(predeploys::kSequencerFeeVault), U256{2 * 21'000} * U256{1'000'000'000ULL});
    const U256 spent = U256{2 * 21'000} * (base_fee + U256{1'000'000'000ULL} + U256{7}) +
                       data_fee1 + data_fee2b + U256{2000};
    EXPECT_EQ(balance(c.sender), U256{1'000'000'000'000'000'000ULL} - spent);
    EXPECT_EQ(balance(kRecipient), U256{2000});
}

TEST(GasPriceOracle, QuotesWhatTheExecutorCharges)
{
    Chain c;
    const L1Info info = c.l1_info();
    write_l1_block(c.spec, info);
    state::MemoryStore kv;
    state::StateDb db{kv};
    state::PreparedState p;
    ASSERT_TRUE(build_genesis(c.spec, db, p));
    ASSERT_TRUE(db.commit(p));
    state::JournaledState st{db};

    auto call = [&](std::string_view sig, ByteView args = {}) {
        const Hash h = keccak256(ByteView{reinterpret_cast<const uint8_t*>(sig.data()), sig.size()});
        Bytes in{h[0], h[1], h[2], h[3]};
        in += args;
        return call_gas_price_oracle(st, in, 1'000'000, U256{42});
    };
    auto as_u256 = [](const GasPriceOracleResult& r) { return from_be_bytes(r.output); };
    EXPECT_EQ(as_u256(call("l1BaseFee()")), info.base_fee);
    EXPECT_EQ(as_u256(call("blobBaseFee()")), info.blob_base_fee);
    EXPECT_EQ(as_u256(call("baseFeeScalar()")), U256{info.base_fee_scalar});
    EXPECT_EQ(as_u256(call("blobBaseFeeScalar()")), U256{info.blob_base_fee_scalar});
    EXPECT_EQ(as_u256(call("proofFeePerGas()")), info.proof_fee_per_gas);
    EXPECT_EQ(as_u256(call("decimals()")), U256{6});
    EXPECT_EQ(as_u256(call("isFjord()")), U256{1});
    EXPECT_EQ(as_u256(call("gasPrice()")), U256{42});
    EXPECT_FALSE(call("nope()").success);
    Bytes gas_used(32, 0);
    gas_used[31] = 100;
    EXPECT_EQ(as_u256(call("getOperatorFee(uint256)", gas_used)), U256{100} * info.proof_fee_per_gas);

    // getL1Fee(unsigned tx) == the fee charged for the signed tx when the signature adds 68
    // FastLZ bytes (OP's convention); check the formula directly.
    const Bytes unsigned_tx(150, 0x11);
    Bytes args(64, 0);
    args[31] = 32;
    args[63] = static_cast<uint8_t>(unsigned_tx.size());
    args += unsigned_tx;
    args.resize(64 + 160, 0);
    const auto fee = call("getL1Fee(bytes)", args);
    ASSERT_TRUE(fee.success);
    EXPECT_EQ(as_u256(fee),
              l1_fee_for_size(info.fee_params(),
                              estimated_da_size_scaled(flz_compress_len(unsigned_tx) + 68)));
    // A truncated bytes argument reverts instead of reading out of bounds.
    EXPECT_FALSE(call("getL1Fee(bytes)", ByteView{args}.substr(0, 70)).success);
}
