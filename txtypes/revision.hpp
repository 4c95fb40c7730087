#pragma once
/// Ethereum protocol revisions, in activation order (names as ethereum/tests use them).

#include <cstdint>
#include <optional>
#include <string_view>

namespace l2 {

enum class Revision : uint8_t
{
    kFrontier,
    kHomestead,
    kTangerineWhistle,  ///< "EIP150"
    kSpuriousDragon,    ///< "EIP158"
    kByzantium,
    kConstantinople,
    kPetersburg,  ///< "ConstantinopleFix"
    kIstanbul,
    kBerlin,
    kLondon,
    kParis,  ///< "Merge"
    kShanghai,
    kCancun,
    kPrague,
};

inline constexpr Revision kLatestRevision = Revision::kPrague;

/// Parses the fork names used by ethereum/tests ("EIP150", "ConstantinopleFix", "Merge", ...).
std::optional<Revision> revision_from_name(std::string_view name) noexcept;
const char* to_string(Revision r) noexcept;

}  // namespace l2
