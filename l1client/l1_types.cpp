#include "l1_types.hpp"

#include <algorithm>

namespace l2::l1client {

std::string BlockTag::to_rpc() const
{
    switch (kind)
    {
    case Kind::kNumber:
        return to_hex(U256{number});
    case Kind::kLatest:
        return "latest";
    case Kind::kSafe:
        return "safe";
    case Kind::kFinalized:
        return "finalized";
    case Kind::kPending:
        return "pending";
    case Kind::kEarliest:
        return "earliest";
    }
    return "latest";
}

bool matches(const LogFilter& filter, const L1Log& log) noexcept
{
    if (!filter.addresses.empty() &&
        std::find(filter.addresses.begin(), filter.addresses.end(), log.address) ==
            filter.addresses.end())
        return false;
    for (size_t i = 0; i < filter.topics.size(); ++i)
    {
        const auto& any_of = filter.topics[i];
        if (any_of.empty())
            continue;
        if (i >= log.topics.size() ||
            std::find(any_of.begin(), any_of.end(), log.topics[i]) == any_of.end())
            return false;
    }
    return true;
}

}  // namespace l2::l1client
