#include "deposits.hpp"

#include <algorithm>
#include <cstring>

#include <execution/l1_info.hpp>
#include <txtypes/keccak.hpp>

namespace l2::derivation {

const Hash& transaction_deposited_topic()
{
    static const Hash topic = [] {
        constexpr std::string_view sig = "TransactionDeposited(address,address,uint256,bytes)";
        return keccak256(ByteView{reinterpret_cast<const uint8_t*>(sig.data()), sig.size()});
    }();
    return topic;
}

Hash user_deposit_source_hash(const Hash& l1_block_hash, uint64_t log_index)
{
    return execution::deposit_source_hash(0, l1_block_hash, log_index);
}

namespace {

bool topic_address(const Hash& topic, Address& out) noexcept
{
    for (size_t i = 0; i < 12; ++i)
        if (topic[i] != 0)
            return false;
    std::memcpy(out.data(), topic.data() + 12, 20);
    return true;
}

DepositError error(DepositErrc c, std::string m)
{
    return {c, std::move(m)};
}

}  // namespace

Result<txtypes::Transaction, DepositError> decode_deposit_log(const l1client::L1Log& log,
                                                              const Address& portal) noexcept
{
    if (log.address != portal || log.topics.empty() ||
        log.topics[0] != transaction_deposited_topic())
        return unexpected(error(DepositErrc::kNotADeposit, "not a TransactionDeposited log"));
    if (log.topics.size() != 4)
        return unexpected(error(DepositErrc::kBadTopics, "TransactionDeposited needs 4 topics"));
    txtypes::Transaction t;
    t.type = txtypes::TxType::kDeposit;
    Address to;
    if (!topic_address(log.topics[1], t.from) || !topic_address(log.topics[2], to))
        return unexpected(error(DepositErrc::kBadTopics, "address topic with high bytes set"));
    if (!log.topics[3].is_zero())
        return unexpected(error(DepositErrc::kUnknownVersion, "unknown deposit version"));

    // data = ABI `bytes opaqueData`: offset, length, payload.
    const ByteView d = log.data;
    if (d.size() < 64)
        return unexpected(error(DepositErrc::kBadData, "log data shorter than an ABI bytes"));
    const U256 offset = from_be_bytes(d.substr(0, 32));
    if (offset != U256{32})
        return unexpected(error(DepositErrc::kBadData, "opaqueData offset is not 32"));
    const U256 len = from_be_bytes(d.substr(32, 32));
    if (!fits_u64(len) || low_u64(len) > d.size() - 64)
        return unexpected(error(DepositErrc::kBadData, "opaqueData length beyond the log data"));
    const ByteView opaque = d.substr(64, static_cast<size_t>(low_u64(len)));
    // abi.encodePacked(uint256 mint, uint256 value, uint64 gas, bool isCreation, bytes data)
    constexpr size_t kFixed = 32 + 32 + 8 + 1;
    if (opaque.size() < kFixed)
        return unexpected(error(DepositErrc::kBadData, "opaqueData shorter than 73 bytes"));
    t.mint = from_be_bytes(opaque.substr(0, 32));
    t.value = from_be_bytes(opaque.substr(32, 32));
    t.gas_limit = 0;
    for (size_t i = 0; i < 8; ++i)
        t.gas_limit = (t.gas_limit << 8) | opaque[64 + i];
    const uint8_t is_creation = opaque[72];
    if (is_creation > 1)
        return unexpected(error(DepositErrc::kBadData, "isCreation is not a bool"));
    if (!is_creation)
        t.to = to;
    t.data = Bytes{opaque.substr(kFixed)};
    t.source_hash = user_deposit_source_hash(log.block_hash, log.log_index);
    return t;
}

Result<std::vector<txtypes::Transaction>, DepositError> deposits_from_logs(
    const std::vector<l1client::L1Log>& logs,
    const Address& portal)
{
    std::vector<const l1client::L1Log*> sorted;
    for (const auto& l : logs)
        if (!l.removed && l.address == portal && !l.topics.empty() &&
            l.topics[0] == transaction_deposited_topic())
            sorted.push_back(&l);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->log_index < b->log_index; });
    std::vector<txtypes::Transaction> out;
    out.reserve(sorted.size());
    for (const auto* l : sorted)
    {
        auto t = decode_deposit_log(*l, portal);
        if (!t)
            return unexpected(t.error());
        out.push_back(std::move(*t));
    }
    return out;
}

}  // namespace l2::derivation
