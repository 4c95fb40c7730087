#include "l1_info.hpp"

#include <cstring>

#include <txtypes/keccak.hpp>

#include "predeploys.hpp"

namespace l2::execution {

namespace {

constexpr size_t kWords = 10;

const std::array<uint8_t, 4>& selector()
{
    static const std::array<uint8_t, 4> sel = [] {
        constexpr std::string_view sig =
            "setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint32,uint32,"
            "uint256)";
        const Hash h =
            keccak256(ByteView{reinterpret_cast<const uint8_t*>(sig.data()), sig.size()});
        return std::array<uint8_t, 4>{h[0], h[1], h[2], h[3]};
    }();
    return sel;
}

void put_word(Bytes& out, const U256& v)
{
    out += to_be_word(v);
}

void put_word(Bytes& out, const Hash& h)
{
    out.append(h.data(), 32);
}

Hash to_hash(const U256& v)
{
    Hash h;
    to_be_bytes(v, h.data());
    return h;
}

}  // namespace

Bytes encode_l1_info_calldata(const L1Info& info)
{
    Bytes out;
    out.reserve(4 + 32 * kWords);
    out.append(selector().data(), 4);
    put_word(out, U256{info.number});
    put_word(out, U256{info.timestamp});
    put_word(out, info.base_fee);
    put_word(out, info.hash);
    put_word(out, U256{info.sequence_number});
    put_word(out, info.batcher_hash);
    put_word(out, info.blob_base_fee);
    put_word(out, U256{info.base_fee_scalar});
    put_word(out, U256{info.blob_base_fee_scalar});
    put_word(out, info.proof_fee_per_gas);
    return out;
}

std::optional<L1Info> decode_l1_info_calldata(ByteView data) noexcept
{
    if (data.size() != 4 + 32 * kWords || std::memcmp(data.data(), selector().data(), 4) != 0)
        return std::nullopt;
    auto word = [&](size_t i) { return from_be_bytes(data.substr(4 + 32 * i, 32)); };
    auto u64 = [&](size_t i, uint64_t& out) {
        const U256 v = word(i);
        if (!fits_u64(v))
            return false;
        out = low_u64(v);
        return true;
    };
    auto u32 = [&](size_t i, uint32_t& out) {
        uint64_t v = 0;
        if (!u64(i, v) || v > UINT32_MAX)
            return false;
        out = static_cast<uint32_t>(v);
        return true;
    };
    L1Info info;
    if (!u64(0, info.number) || !u64(1, info.timestamp) || !u64(4, info.sequence_number) ||
        !u32(7, info.base_fee_scalar) || !u32(8, info.blob_base_fee_scalar))
        return std::nullopt;
    info.base_fee = word(2);
    info.hash = to_hash(word(3));
    info.batcher_hash = to_hash(word(5));
    info.blob_base_fee = word(6);
    info.proof_fee_per_gas = word(9);
    return info;
}

std::optional<L1Info> block_l1_info(const txtypes::Block& block) noexcept
{
    if (block.transactions.empty())
        return std::nullopt;
    const auto& first = block.transactions.front();
    if (first.type != txtypes::TxType::kDeposit || first.to != predeploys::kL1Block)
        return std::nullopt;
    return decode_l1_info_calldata(first.data);
}

Hash deposit_source_hash(uint64_t domain, const Hash& l1_hash, uint64_t index)
{
    uint8_t inner[64]{};
    std::memcpy(inner, l1_hash.data(), 32);
    to_be_bytes(U256{index}, inner + 32);
    const Hash deposit_id = keccak256(ByteView{inner, 64});
    uint8_t outer[64]{};
    to_be_bytes(U256{domain}, outer);
    std::memcpy(outer + 32, deposit_id.data(), 32);
    return keccak256(ByteView{outer, 64});
}

Hash l1_info_source_hash(const Hash& l1_hash, uint64_t sequence_number)
{
    return deposit_source_hash(1, l1_hash, sequence_number);
}

txtypes::Transaction make_l1_info_transaction(const L1Info& info)
{
    txtypes::Transaction t;
    t.type = txtypes::TxType::kDeposit;
    t.source_hash = l1_info_source_hash(info.hash, info.sequence_number);
    t.from = predeploys::kDepositorAccount;
    t.to = predeploys::kL1Block;
    t.gas_limit = predeploys::kL1InfoGas;
    t.is_system_tx = false;  // Regolith: the L1-info deposit is an ordinary deposit
    t.data = encode_l1_info_calldata(info);
    return t;
}

namespace {

/// L1Info from the L1Block slots, read through `get(slot)`.
template <typename SlotFn>
L1Info l1_info_from_slots(SlotFn get)
{
    namespace slot = predeploys::l1block_slot;
    L1Info info;
    info.number = low_u64(get(slot::kNumber));
    info.timestamp = low_u64(get(slot::kTimestamp));
    info.base_fee = get(slot::kBaseFee);
    info.hash = to_hash(get(slot::kHash));
    info.sequence_number = low_u64(get(slot::kSequenceNumber));
    info.batcher_hash = to_hash(get(slot::kBatcherHash));
    info.blob_base_fee = get(slot::kBlobBaseFee);
    info.base_fee_scalar = static_cast<uint32_t>(low_u64(get(slot::kBaseFeeScalar)));
    info.blob_base_fee_scalar = static_cast<uint32_t>(low_u64(get(slot::kBlobBaseFeeScalar)));
    info.proof_fee_per_gas = get(slot::kProofFeePerGas);
    return info;
}

}  // namespace

L1Info read_l1_info(state::JournaledState& st)
{
    return l1_info_from_slots(
        [&](uint64_t s) { return st.storage(predeploys::kL1Block, U256{s}); });
}

L1Info read_l1_info(const state::StateReader& st)
{
    return l1_info_from_slots(
        [&](uint64_t s) { return st.storage(state::Engine::kEvm, predeploys::kL1Block, U256{s}); });
}

}  // namespace l2::execution
