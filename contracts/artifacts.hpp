#pragma once
/// The compiled Solidity contracts of contracts/src, embedded at build time by contracts/build.mjs
/// (npm solc 0.8.30, optimizer 200 runs, EVM version cancun). Interfaces and storage layouts:
/// docs/spec/contracts.md. The same artifacts exist as JSON files in L2_CONTRACT_ARTIFACTS_DIR
/// (`<Name>.json`: {contractName, abi, bytecode, deployedBytecode}) for the JS tests.

#include <span>
#include <string_view>

namespace l2::contracts {

/// One compiled contract. All views point at static storage.
struct Artifact
{
    /// Contract name, e.g. "DepositPortal".
    std::string_view name;
    /// The solc ABI, as compact JSON.
    std::string_view abi_json;
    /// Creation (init) code, "0x"-prefixed lowercase hex (constructor arguments not appended).
    std::string_view creation_hex;
    /// Runtime (deployed) code, "0x"-prefixed lowercase hex; genesis predeploys (L1Block) use it.
    std::string_view runtime_hex;
};

/// The artifact of contract `name`, or nullptr if there is none.
const Artifact* find_artifact(std::string_view name) noexcept;

/// Every artifact, sorted by name.
std::span<const Artifact> all_artifacts() noexcept;

}  // namespace l2::contracts
