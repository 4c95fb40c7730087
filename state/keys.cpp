#include "keys.hpp"

#include <cstring>

#include <txtypes/keccak.hpp>

namespace l2::state {

namespace {
void put_be64(uint8_t* out, uint64_t v) noexcept
{
    for (int i = 7; i >= 0; --i, v >>= 8)
        out[i] = static_cast<uint8_t>(v);
}
}  // namespace

AccountKey account_key(Engine engine, const Address& identity) noexcept
{
    AccountKey k;
    k[0] = static_cast<uint8_t>(engine);
    std::memcpy(k.data() + 1, identity.data(), 20);
    return k;
}

SlotKey evm_slot_key(const Address& address, const U256& slot) noexcept
{
    SlotKey k;
    k.bytes[0] = static_cast<uint8_t>(Engine::kEvm);
    std::memcpy(k.bytes.data() + 1, address.data(), 20);
    to_be_bytes(slot, k.bytes.data() + kAccountKeySize);
    k.size = kEvmSlotKeySize;
    return k;
}

SlotKey wasm_slot_key(const Address& identity, uint64_t slot) noexcept
{
    SlotKey k;
    k.bytes[0] = static_cast<uint8_t>(Engine::kWasm);
    std::memcpy(k.bytes.data() + 1, identity.data(), 20);
    put_be64(k.bytes.data() + kAccountKeySize, slot);
    k.size = kWasmSlotKeySize;
    return k;
}

Hash trie_slot(const U256& slot) noexcept
{
    Hash h;
    to_be_bytes(slot, h.data());
    return h;
}

Address wasm_identity(uint64_t chain_id, std::string_view module_name, uint64_t version) noexcept
{
    uint8_t be[8];
    Keccak256 k;
    put_be64(be, chain_id);
    k.update({be, 8});
    k.update(as_view(module_name));
    put_be64(be, version);
    k.update({be, 8});
    const Hash h = k.finish();
    Address a;
    std::memcpy(a.data(), h.data(), 20);
    return a;
}

bool engine_from_byte(uint8_t b, Engine& out) noexcept
{
    if (b != static_cast<uint8_t>(Engine::kEvm) && b != static_cast<uint8_t>(Engine::kWasm))
        return false;
    out = static_cast<Engine>(b);
    return true;
}

}  // namespace l2::state
