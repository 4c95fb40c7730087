#include "scratch_state.hpp"

#include <gtest/gtest.h>

#include <optional>

#include <state/account.hpp>
#include <state/keys.hpp>
#include <txtypes/hex.hpp>
#include <txtypes/keccak.hpp>
#include <txtypes/mpt.hpp>
#include <txtypes/rlp.hpp>

namespace l2::test {

using namespace l2::state;

ScratchState scratch_state_root(const KvStore& kv)
{
    ScratchState out;
    std::vector<std::pair<Bytes, Bytes>> accounts;
    std::optional<Account> account;
    Bytes account_key_bytes;
    std::vector<std::pair<Bytes, Bytes>> storage;

    auto finish_account = [&] {
        if (!account)
            return;
        const std::vector<std::pair<Bytes, Bytes>> slots = storage;
        const Hash storage_root = txtypes::trie_root(std::move(storage));
        storage.clear();
        EXPECT_EQ(account->storage_root, storage_root)
            << "flat account " << to_hex(account_key_bytes) << " records another storage root";
        account->storage_root = storage_root;
        const Bytes leaf = encode_account(*account);
        Address identity;
        std::copy(account_key_bytes.begin() + 1, account_key_bytes.end(), identity.bytes.begin());
        const Hash key = keccak256(identity);
        if (out.account_samples.size() < 8)
            out.account_samples.emplace_back(key, leaf);
        if (!slots.empty() && out.slot_samples.size() < 8)
        {
            Hash slot_key;
            (void)Hash::from_view(slots.front().first, slot_key);
            out.slot_samples.emplace_back(storage_root, slot_key, slots.front().second);
        }
        accounts.emplace_back(Bytes{key.view()}, leaf);
        account.reset();
    };

    scan_prefix(kv, Column::kState, {}, [&](ByteView key, ByteView value) {
        if (key.size() == kAccountKeySize)
        {
            finish_account();
            auto a = decode_account(value);
            EXPECT_TRUE(a) << "undecodable account " << to_hex(key);
            if (!a)
                return false;
            Engine engine;
            EXPECT_TRUE(engine_from_byte(key[0], engine) && engine == a->engine) << to_hex(key);
            account = *a;
            account_key_bytes = Bytes{key};
            ++out.accounts;
            return true;
        }
        // A slot: it sorts right after its account (the account key is its prefix).
        const bool evm = key.size() == kEvmSlotKeySize && key[0] == uint8_t(Engine::kEvm);
        const bool wasm = key.size() == kWasmSlotKeySize && key[0] == uint8_t(Engine::kWasm);
        EXPECT_TRUE(evm || wasm) << "unexpected key " << to_hex(key);
        EXPECT_TRUE(account && key.substr(0, kAccountKeySize) == account_key_bytes)
            << "slot without its account " << to_hex(key);
        if (!(evm || wasm) || !account || key.substr(0, kAccountKeySize) != account_key_bytes)
            return false;
        const U256 slot = from_be_bytes(key.substr(kAccountKeySize));
        const U256 v = decode_storage_value(value);
        EXPECT_NE(v, U256{}) << "zero slot stored at " << to_hex(key);
        Bytes leaf;
        rlp::encode(leaf, ByteView{to_be_bytes_trimmed(v)});
        storage.emplace_back(Bytes{keccak256(trie_slot(slot)).view()}, std::move(leaf));
        ++out.slots;
        return true;
    });
    finish_account();
    out.root = txtypes::trie_root(std::move(accounts));
    return out;
}

}  // namespace l2::test
