#include <gtest/gtest.h>

#include <state/account.hpp>
#include <state/keys.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>

using namespace l2;
using namespace l2::state;

namespace {

constexpr Address kAddr = address_literal("00112233445566778899aabbccddeeff00112233");

TEST(Keys, AccountKeyIsEngineThenIdentity)
{
    const AccountKey k = account_key(Engine::kEvm, kAddr);
    EXPECT_EQ(to_hex({k.data(), k.size()}), "01" "00112233445566778899aabbccddeeff00112233");
    const AccountKey w = account_key(Engine::kWasm, kAddr);
    EXPECT_EQ(w[0], 0x02);
}

TEST(Keys, SlotKeysExtendTheAccountKey)
{
    const SlotKey evm = evm_slot_key(kAddr, U256{0x0102});
    ASSERT_EQ(evm.size, 53);
    EXPECT_EQ(to_hex(evm.view()), "01" "00112233445566778899aabbccddeeff00112233" +
                                      std::string(60, '0') + "0102");
    const SlotKey wasm = wasm_slot_key(kAddr, 0x0102);
    ASSERT_EQ(wasm.size, 29);
    EXPECT_EQ(to_hex(wasm.view()),
              "02" "00112233445566778899aabbccddeeff00112233" "0000000000000102");
    const AccountKey ak = account_key(Engine::kEvm, kAddr);
    EXPECT_EQ(evm.view().substr(0, 21), ByteView(ak.data(), ak.size()));
}

TEST(Keys, EnginesAreDisjoint)
{
    EXPECT_NE(evm_slot_key(kAddr, 1).view().substr(0, 1), wasm_slot_key(kAddr, 1).view().substr(0, 1));
    Engine e;
    EXPECT_FALSE(engine_from_byte(0, e));
    EXPECT_FALSE(engine_from_byte(3, e));
    EXPECT_TRUE(engine_from_byte(2, e));
    EXPECT_EQ(e, Engine::kWasm);
}

TEST(Keys, WasmIdentity)
{
    // keccak256(chain_id BE8 || name || version BE8)[0..20]
    Bytes preimage = from_hex("0000000000000385").value();  // 901
    preimage += as_view("counter");
    preimage += from_hex("0000000000000001").value();
    const Hash h = keccak256(preimage);
    const Address id = wasm_identity(901, "counter", 1);
    EXPECT_EQ(to_hex(id), to_hex(h).substr(0, 40));
    EXPECT_NE(wasm_identity(901, "counter", 2), id);
    EXPECT_NE(wasm_identity(902, "counter", 1), id);
}

TEST(Account, EvmEncodingIsEthereums)
{
    Account a;
    a.nonce = 1;
    a.balance = U256{1'000'000'000'000'000'000ULL};
    const Bytes enc = encode_account(a);
    // rlp([1, 1e18, emptyRoot, emptyCodeHash]): 4 fields, no engine byte.
    const auto item = rlp::decode_item(enc);
    ASSERT_TRUE(item);
    EXPECT_EQ(item->items.size(), 4u);
    EXPECT_EQ(*decode_account(enc), a);
}

TEST(Account, WasmCarriesEngine)
{
    Account a;
    a.engine = Engine::kWasm;
    a.code_hash = keccak256(as_view("module"));
    const Bytes enc = encode_account(a);
    EXPECT_EQ(rlp::decode_item(enc)->items.size(), 5u);
    EXPECT_EQ(*decode_account(enc), a);
}

TEST(Account, RejectsNonCanonical)
{
    Account a;
    Bytes p;
    rlp::encode(p, a.nonce);
    rlp::encode(p, a.balance);
    rlp::encode(p, a.storage_root);
    rlp::encode(p, a.code_hash);
    rlp::encode(p, uint64_t{1});  // explicit EVM engine byte: a second encoding, rejected
    EXPECT_EQ(decode_account(rlp::wrap_list(p)).error(), AccountError::kUnknownEngine);
    EXPECT_FALSE(decode_account(Bytes{0xc0}));
}

TEST(Account, StorageValues)
{
    EXPECT_EQ(encode_storage_value(0), Bytes{});
    EXPECT_EQ(to_hex(encode_storage_value(0x1234)), "1234");
    EXPECT_EQ(decode_storage_value(from_hex("1234").value()), 0x1234);
}

}  // namespace
