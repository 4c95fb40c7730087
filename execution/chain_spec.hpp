#pragma once
/// The execution side of an L2 chain's config (chain.json, docs/config.md): chain id, gas table,
/// EIP-1559 parameters and the genesis (allocations including the predeploys' code). Sequencer
/// and follower read the same file, so they build the same genesis block.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <state/state_db.hpp>
#include <txtypes/block.hpp>
#include <txtypes/result.hpp>

#include "gas_schedule.hpp"

namespace l2::execution {

struct GenesisAccount
{
    U256 balance;
    uint64_t nonce = 0;
    Bytes code;
    std::map<U256, U256> storage;
};

struct ChainSpec
{
    uint64_t chain_id = 0;
    GasTable gas_table;
    /// EIP-1559 with OP Stack's Canyon parameters by default.
    uint64_t eip1559_denominator = 250;
    uint64_t eip1559_elasticity = 6;
    /// Every block's gas limit (OP: the SystemConfig's; fixed per chain here).
    uint64_t gas_limit = 30'000'000;

    uint64_t genesis_timestamp = 0;
    U256 genesis_base_fee{1'000'000'000};
    Bytes genesis_extra_data;
    std::map<Address, GenesisAccount> alloc;

    /// Parses chain.json. Errors name the offending key.
    static Result<ChainSpec, std::string> from_json(std::string_view json);
    /// The inverse (devnet writes it).
    std::string to_json() const;
};

/// A config quantity: a JSON number or a "0x"-hex / decimal string. Errors name `key`.
Result<U256, std::string> json_quantity(const nlohmann::json& j, const std::string& key);

/// Writes the genesis allocations into an empty state and returns the genesis block header
/// (number 0, Cancun-shaped: withdrawals root, blob gas fields, zero parent beacon root).
/// `prepared` receives the state writes: the caller adds the block and commits once.
Result<txtypes::BlockHeader, std::string> build_genesis(const ChainSpec& spec, state::StateDb& db,
                                                        state::PreparedState& prepared);

/// EIP-1559 base fee of the child of `parent` (denominator and elasticity from the spec).
U256 next_base_fee(const ChainSpec& spec, const txtypes::BlockHeader& parent) noexcept;

}  // namespace l2::execution
