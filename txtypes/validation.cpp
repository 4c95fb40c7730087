#include "validation.hpp"

#include <array>

namespace l2 {

namespace {
struct RevisionName
{
    std::string_view name;
    Revision rev;
};
constexpr std::array<RevisionName, 17> kRevisionNames{{
    {"Frontier", Revision::kFrontier},
    {"Homestead", Revision::kHomestead},
    {"EIP150", Revision::kTangerineWhistle},
    {"TangerineWhistle", Revision::kTangerineWhistle},
    {"EIP158", Revision::kSpuriousDragon},
    {"SpuriousDragon", Revision::kSpuriousDragon},
    {"Byzantium", Revision::kByzantium},
    {"Constantinople", Revision::kConstantinople},
    {"ConstantinopleFix", Revision::kPetersburg},
    {"Petersburg", Revision::kPetersburg},
    {"Istanbul", Revision::kIstanbul},
    {"Berlin", Revision::kBerlin},
    {"London", Revision::kLondon},
    {"Paris", Revision::kParis},
    {"Merge", Revision::kParis},
    {"Shanghai", Revision::kShanghai},
    {"Cancun", Revision::kCancun},
}};
}  // namespace

std::optional<Revision> revision_from_name(std::string_view name) noexcept
{
    if (name == "Prague")
        return Revision::kPrague;
    for (const auto& [n, r] : kRevisionNames)
        if (n == name)
            return r;
    return std::nullopt;
}

const char* to_string(Revision r) noexcept
{
    switch (r)
    {
    case Revision::kFrontier:
        return "Frontier";
    case Revision::kHomestead:
        return "Homestead";
    case Revision::kTangerineWhistle:
        return "TangerineWhistle";
    case Revision::kSpuriousDragon:
        return "SpuriousDragon";
    case Revision::kByzantium:
        return "Byzantium";
    case Revision::kConstantinople:
        return "Constantinople";
    case Revision::kPetersburg:
        return "Petersburg";
    case Revision::kIstanbul:
        return "Istanbul";
    case Revision::kBerlin:
        return "Berlin";
    case Revision::kLondon:
        return "London";
    case Revision::kParis:
        return "Paris";
    case Revision::kShanghai:
        return "Shanghai";
    case Revision::kCancun:
        return "Cancun";
    case Revision::kPrague:
        return "Prague";
    }
    return "unknown";
}

}  // namespace l2

namespace l2::txtypes {

const char* to_string(TxInvalid e) noexcept
{
    switch (e)
    {
    case TxInvalid::kTypeNotSupported:
        return "transaction type not supported";
    case TxInvalid::kInvalidChainId:
        return "invalid chain id";
    case TxInvalid::kInvalidSignature:
        return "invalid signature values";
    case TxInvalid::kIntrinsicGasTooLow:
        return "intrinsic gas too low";
    case TxInvalid::kGasLimitPriceOverflow:
        return "gas limit * max fee per gas overflows 256 bits";
    case TxInvalid::kPriorityAboveMaxFee:
        return "max priority fee per gas higher than max fee per gas";
    case TxInvalid::kInitcodeTooLarge:
        return "initcode larger than 49152 bytes (EIP-3860)";
    case TxInvalid::kNonceMax:
        return "nonce is 2^64-1 (EIP-2681)";
    case TxInvalid::kUnknownMiscKey:
        return "0x7D misc carries a key no active fork defines";
    case TxInvalid::kSenderRecoveryFailed:
        return "sender could not be recovered from the signature";
    }
    return "invalid transaction";
}

uint64_t intrinsic_gas(const Transaction& txn, Revision rev) noexcept
{
    if (txn.type == TxType::kDeposit)
        return 0;  // Deposits buy their gas on L1.
    uint64_t gas = 21000;
    if (txn.is_creation() && rev >= Revision::kHomestead)
        gas += 32000;  // EIP-2
    const uint64_t nonzero_cost = rev >= Revision::kIstanbul ? 16 : 68;  // EIP-2028
    for (uint8_t b : txn.data)
        gas += b == 0 ? 4 : nonzero_cost;
    if (txn.is_creation() && rev >= Revision::kShanghai)
        gas += 2 * ((txn.data.size() + 31) / 32);  // EIP-3860 initcode word cost
    for (const auto& e : txn.access_list)
        gas += 2400 + 1900 * e.storage_keys.size();  // EIP-2930
    return gas;
}

Result<void, TxInvalid> validate_stateless(const Transaction& txn, const TxRules& rules) noexcept
{
    const Revision rev = rules.revision;
    switch (txn.type)
    {
    case TxType::kLegacy:
        break;
    case TxType::kAccessList:
        if (rev < Revision::kBerlin)
            return unexpected(TxInvalid::kTypeNotSupported);
        break;
    case TxType::kDynamicFee:
        if (rev < Revision::kLondon)
            return unexpected(TxInvalid::kTypeNotSupported);
        break;
    case TxType::kFeeSplit:
    case TxType::kDeposit:
        if (!rules.l2_types || rev < Revision::kLondon)
            return unexpected(TxInvalid::kTypeNotSupported);
        break;
    }
    if (txn.type == TxType::kDeposit)
        return {};  // No signature, no fee caps: the L1 portal vetted it.

    if (txn.chain_id)
    {
        // Legacy txs may carry an EIP-155 chain id from Spurious Dragon on.
        if (txn.type == TxType::kLegacy && rev < Revision::kSpuriousDragon)
            return unexpected(TxInvalid::kInvalidChainId);
        if (*txn.chain_id != rules.chain_id)
            return unexpected(TxInvalid::kInvalidChainId);
    }
    const Signature& sig = txn.signature;
    if (!is_valid_signature(sig.r, sig.s, sig.y_parity, rev >= Revision::kHomestead))
        return unexpected(TxInvalid::kInvalidSignature);
    if (txn.max_priority_fee_per_gas > txn.max_fee_per_gas)
        return unexpected(TxInvalid::kPriorityAboveMaxFee);
    // gasLimit * maxFeePerGas must fit in 256 bits.
    if (txn.gas_limit != 0 && txn.max_fee_per_gas > ~U256{0} / U256{txn.gas_limit})
        return unexpected(TxInvalid::kGasLimitPriceOverflow);
    if (txn.is_creation() && rev >= Revision::kShanghai && txn.data.size() > kMaxInitcodeSize)
        return unexpected(TxInvalid::kInitcodeTooLarge);
    if (txn.gas_limit < intrinsic_gas(txn, rev))
        return unexpected(TxInvalid::kIntrinsicGasTooLow);
    if (txn.nonce == UINT64_MAX)
        return unexpected(TxInvalid::kNonceMax);
    if (!txn.misc.empty())
        return unexpected(TxInvalid::kUnknownMiscKey);
    return {};
}

}  // namespace l2::txtypes
