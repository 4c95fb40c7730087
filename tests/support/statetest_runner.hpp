#pragma once
// Runs ethereum/tests GeneralStateTests-format fixtures through l2node's executor and state:
// pre-state -> StateDb, the indexed transaction -> execute_transaction, post state root and
// logs hash compared with the fixture. Shared by the `statetest` tool and the ctest runner.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <state/state_db.hpp>
#include <txtypes/revision.hpp>

namespace l2::test {

struct StateTestCase
{
    std::string file;
    std::string name;  ///< "<test>/<fork>/d<data>g<gas>v<value>"
    bool passed = false;
    std::string detail;  ///< why it failed
};

struct StateTestOptions
{
    /// Forks to run, by fixture name ("Cancun"); empty runs every fork the runner supports.
    std::vector<std::string> forks{"Cancun"};
    /// Called for every case (progress, printing failures).
    std::function<void(const StateTestCase&)> on_case;
};

struct StateTestSummary
{
    size_t passed = 0;
    size_t failed = 0;
    size_t skipped = 0;
};

/// Writes a fixture's "pre" accounts (balance, nonce, code, storage) into `db` as one block on
/// an empty state and returns the state root (empty on failure).
std::optional<Hash> load_pre_state(const nlohmann::json& pre, state::StateDb& db);

/// Runs every case of one fixture file.
StateTestSummary run_state_test_file(const std::filesystem::path& file,
                                     const StateTestOptions& options);

}  // namespace l2::test
