#include <gtest/gtest.h>

#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/transaction.hpp>
#include <txtypes/validation.hpp>

using namespace l2;
using namespace l2::txtypes;

namespace {

constexpr Hash kKey =
    hash_literal("4646464646464646464646464646464646464646464646464646464646464646");
constexpr Address kTo = address_literal("3535353535353535353535353535353535353535");

Transaction fee_split_tx()
{
    Transaction t;
    t.type = TxType::kFeeSplit;
    t.chain_id = 901;
    t.nonce = 3;
    t.max_priority_fee_per_gas = 2;
    t.max_fee_per_gas = 1'000'000'000;
    t.gas_limit = 50'000;
    t.to = kTo;
    t.value = 12345;
    t.data = from_hex("a9059cbb").value();
    t.access_list = {{kTo, {Hash{}, hash_literal("00000000000000000000000000000000000000000000"
                                                 "00000000000000000001")}}};
    t.max_data_fee = U256{5'000'000'000'000ULL};
    t.max_proof_fee = U256{7};
    EXPECT_TRUE(sign_transaction(t, kKey));
    return t;
}

Transaction deposit_tx()
{
    Transaction t;
    t.type = TxType::kDeposit;
    t.source_hash = keccak256(as_view("l1 block hash || log index"));
    t.from = address_literal("deaddeaddeaddeaddeaddeaddeaddeaddead0001");
    t.to = address_literal("4200000000000000000000000000000000000015");
    t.mint = 0;
    t.value = 0;
    t.gas_limit = 1'000'000;
    t.is_system_tx = false;
    t.data = from_hex("440a5e20").value();
    return t;
}

TEST(Transaction, EIP155ExampleEncoding)
{
    Transaction t;
    t.chain_id = 1;
    t.nonce = 9;
    t.max_fee_per_gas = t.max_priority_fee_per_gas = U256{20'000'000'000ULL};
    t.gas_limit = 21000;
    t.to = kTo;
    t.value = U256{1'000'000'000'000'000'000ULL};
    EXPECT_EQ(to_hex(signing_hash(t)),
              "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
    ASSERT_TRUE(sign_transaction(t, kKey));
    EXPECT_EQ(to_hex(encode_transaction(t)),
              "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7"
              "6400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067"
              "cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
    EXPECT_EQ(legacy_v(t), 37);
    EXPECT_EQ(to_0x_hex(*recover_sender(t)), "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
}

TEST(Transaction, FeeSplitRoundTrip)
{
    const Transaction t = fee_split_tx();
    const Bytes raw = encode_transaction(t);
    EXPECT_EQ(raw[0], 0x7D);
    const auto back = decode_transaction(raw);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, t);
    EXPECT_EQ(encode_transaction(*back), raw);
    EXPECT_EQ(transaction_hash(*back), keccak256(raw));
    EXPECT_EQ(*recover_sender(*back), *address_from_private_key(kKey));
}

TEST(Transaction, FeeSplitFieldOrder)
{
    // [chainId, nonce, tip, maxFee, gas, to, value, data, accessList, maxDataFee, maxProofFee,
    //  misc, yParity, r, s]: 15 fields, the fee caps after the access list.
    const Bytes raw = encode_transaction(fee_split_tx());
    const auto item = rlp::decode_item(ByteView{raw}.substr(1));
    ASSERT_TRUE(item);
    ASSERT_EQ(item->items.size(), 15u);
    EXPECT_TRUE(item->items[8].list);                                // access list
    EXPECT_EQ(from_be_bytes(item->items[9].str), U256{5'000'000'000'000ULL});  // maxDataFee
    EXPECT_EQ(from_be_bytes(item->items[10].str), U256{7});                   // maxProofFee
    EXPECT_TRUE(item->items[11].list);                               // misc
}

TEST(Transaction, FeeSplitCapsAreSigned)
{
    Transaction t = fee_split_tx();
    const Hash before = signing_hash(t);
    t.max_data_fee += 1;
    EXPECT_NE(signing_hash(t), before);
    // A signature over other caps recovers another address: caps cannot be altered in flight.
    EXPECT_NE(*recover_sender(t), *address_from_private_key(kKey));
}

TEST(Transaction, FeeSplitMisc)
{
    Transaction t = fee_split_tx();
    t.misc = {{Bytes{0x01}, Bytes{0xaa}}, {Bytes{0x02}, Bytes{}}};
    ASSERT_TRUE(sign_transaction(t, kKey));
    const Bytes raw = encode_transaction(t);
    const auto back = decode_transaction(raw);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->misc, t.misc);
    // No misc key is defined yet: the tx decodes, but is invalid.
    TxRules l2_rules{Revision::kCancun, 901, true};
    EXPECT_EQ(validate_stateless(*back, l2_rules).error(), TxInvalid::kUnknownMiscKey);

    // Keys out of order have a second encoding of the same set: rejected.
    t.misc = {{Bytes{0x02}, Bytes{}}, {Bytes{0x01}, Bytes{0xaa}}};
    const auto unordered = decode_transaction(encode_transaction(t));
    ASSERT_FALSE(unordered);
    EXPECT_EQ(unordered.error().code, TxErrc::kNotCanonical);
}

TEST(Transaction, FeeSplitOnlyOnL2)
{
    const Transaction t = fee_split_tx();
    EXPECT_EQ(validate_stateless(t, TxRules{Revision::kCancun, 901, false}).error(),
              TxInvalid::kTypeNotSupported);
    EXPECT_TRUE(validate_stateless(t, TxRules{Revision::kCancun, 901, true}));
    EXPECT_EQ(validate_stateless(t, TxRules{Revision::kCancun, 1, true}).error(),
              TxInvalid::kInvalidChainId);
}

TEST(Transaction, DepositRoundTrip)
{
    const Transaction t = deposit_tx();
    const Bytes raw = encode_transaction(t);
    EXPECT_EQ(raw[0], 0x7E);
    const auto back = decode_transaction(raw);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, t);
    EXPECT_EQ(encode_transaction(*back), raw);
    EXPECT_EQ(*recover_sender(*back), t.from);

    Transaction creation = t;
    creation.to.reset();
    creation.mint = U256{1'000'000'000'000'000'000ULL};
    creation.is_system_tx = true;
    const auto c = decode_transaction(encode_transaction(creation));
    ASSERT_TRUE(c);
    EXPECT_EQ(*c, creation);
}

TEST(Transaction, DepositCarriesNoSignature)
{
    // OP Stack layout: [sourceHash, from, to, mint, value, gas, isSystemTx, data], 8 fields.
    Transaction t = deposit_tx();
    const Bytes raw = encode_transaction(t);
    const auto item = rlp::decode_item(ByteView{raw}.substr(1));
    ASSERT_TRUE(item);
    EXPECT_EQ(item->items.size(), 8u);

    // Signature fields set on the struct are not encoded, and signing refuses.
    EXPECT_FALSE(sign_transaction(t, kKey));
    t.signature = Signature{1, 1, 1};
    EXPECT_EQ(encode_transaction(t), raw);
    EXPECT_EQ(signing_hash(t), Hash{});

    // A deposit with yParity, r, s appended is malformed.
    Bytes payload;
    rlp::encode(payload, t.source_hash);
    rlp::encode(payload, t.from);
    rlp::encode(payload, *t.to);
    rlp::encode(payload, t.mint);
    rlp::encode(payload, t.value);
    rlp::encode(payload, t.gas_limit);
    rlp::encode_bool(payload, t.is_system_tx);
    rlp::encode(payload, t.data);
    EXPECT_EQ(Bytes{0x7E} + rlp::wrap_list(payload), raw);
    rlp::encode(payload, uint64_t{1});
    rlp::encode(payload, uint64_t{1});
    rlp::encode(payload, uint64_t{1});
    Bytes forged{0x7E};
    forged += rlp::wrap_list(payload);
    const auto bad = decode_transaction(forged);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, TxErrc::kTooManyFields);
}

TEST(Transaction, DepositValidOnlyOnL2)
{
    const Transaction t = deposit_tx();
    EXPECT_EQ(validate_stateless(t, TxRules{Revision::kCancun, 1, false}).error(),
              TxInvalid::kTypeNotSupported);
    EXPECT_TRUE(validate_stateless(t, TxRules{Revision::kCancun, 901, true}));
    EXPECT_EQ(intrinsic_gas(t, Revision::kCancun), 0u);
}

TEST(Transaction, TypedInListIsWrapped)
{
    const Transaction t = fee_split_tx();
    Bytes list_item;
    encode_transaction_in_list(list_item, t);
    EXPECT_LT(list_item[0], 0xc0);  // an RLP string holding 0x7D || payload
    ByteView in = list_item;
    const auto back = decode_transaction_in_list(in);
    ASSERT_TRUE(back);
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(*back, t);
}

TEST(Transaction, DecodeErrorsAreClear)
{
    EXPECT_EQ(decode_transaction(Bytes{}).error().code, TxErrc::kEmpty);
    EXPECT_EQ(decode_transaction(Bytes{0x05, 0xc0}).error().code, TxErrc::kUnsupportedType);
    const Bytes raw = encode_transaction(fee_split_tx());
    Bytes trailing = raw;
    trailing.push_back(0x00);
    const auto e = decode_transaction(trailing);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().rlp, rlp::RlpError::kTrailingBytes);
    EXPECT_NE(e.error().message().find("trailing"), std::string::npos);
    const auto truncated = decode_transaction(ByteView{raw}.substr(0, raw.size() - 1));
    ASSERT_FALSE(truncated);
    EXPECT_NE(truncated.error().message(), "");
}

TEST(Transaction, IntrinsicGas)
{
    Transaction t = fee_split_tx();
    // 21000 + 4 non-zero bytes * 16 + 1 address * 2400 + 2 keys * 1900
    EXPECT_EQ(intrinsic_gas(t, Revision::kCancun), 21000u + 64 + 2400 + 3800);
    t.to.reset();
    t.access_list.clear();
    // creation: + 32000, + 2 per initcode word (EIP-3860)
    EXPECT_EQ(intrinsic_gas(t, Revision::kCancun), 53000u + 64 + 2);
}

}  // namespace
