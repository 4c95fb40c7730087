#include "random_block.hpp"

#include <map>
#include <utility>

#include "test_identity.hpp"

namespace l2::test {

using namespace l2::state;

StateDiff random_block(std::mt19937_64& rng, uint64_t block)
{
    std::map<std::pair<Engine, Address>, AccountChange> changes;
    for (size_t i = 0; i < 60; ++i)
    {
        const bool wasm = rng() % 4 == 0;
        AccountChange ch;
        ch.engine = wasm ? Engine::kWasm : Engine::kEvm;
        ch.identity = tagged_identity(rng() % kRandomBlockIdentities, wasm ? 0x77 : 0x11);
        ch.account = Account{};
        ch.account->nonce = block;
        ch.account->balance = U256{rng() % 1000 + 1};
        if (rng() % 3 == 0)
            for (size_t s = 0; s < 1 + rng() % 12; ++s)
                ch.storage.push_back({U256{rng() % kRandomBlockSlots},
                                      rng() % 4 == 0 ? U256{0} : U256{rng() % 100 + 1}});
        if (!ch.storage.empty() && rng() % 10 == 0)
            ch.storage_cleared = true;
        else if (rng() % 25 == 0)
        {
            ch.account.reset();
            ch.storage.clear();
        }
        changes[{ch.engine, ch.identity}] = std::move(ch);
    }
    StateDiff diff;
    for (auto& [k, ch] : changes)
        diff.accounts.push_back(std::move(ch));
    return diff;
}

}  // namespace l2::test
