// The embedded contract artifacts (contracts/artifacts.hpp) against the JSON artifacts of the
// same build and against the interface the node relies on (docs/spec/contracts.md).

#include <contracts/artifacts.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace {

using l2::contracts::all_artifacts;
using l2::contracts::Artifact;
using l2::contracts::find_artifact;
using nlohmann::json;

bool is_0x_hex(std::string_view s)
{
    if (s.size() < 4 || s.size() % 2 != 0 || s.substr(0, 2) != "0x")
        return false;
    return std::all_of(s.begin() + 2, s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

const json* find_abi_entry(const json& abi, std::string_view type, std::string_view name)
{
    for (const auto& e : abi)
    {
        if (e.at("type") == type && e.value("name", "") == name)
            return &e;
    }
    return nullptr;
}

std::vector<std::string> input_types(const json& entry)
{
    std::vector<std::string> out;
    for (const auto& in : entry.at("inputs"))
        out.push_back(in.at("type").get<std::string>());
    return out;
}

}  // namespace

TEST(ContractArtifacts, AllPresentSortedAndFindable)
{
    const auto all = all_artifacts();
    ASSERT_FALSE(all.empty());
    for (size_t i = 1; i < all.size(); ++i)
        EXPECT_LT(all[i - 1].name, all[i].name);
    for (const auto* name :
         {"DepositForwarder", "DepositPortal", "Emitter", "L1Block", "L2OutputOracle", "TestToken"})
    {
        const Artifact* a = find_artifact(name);
        ASSERT_NE(a, nullptr) << name;
        EXPECT_EQ(a->name, name);
        EXPECT_GE(a, all.data());
        EXPECT_LT(a, all.data() + all.size());
    }
    EXPECT_EQ(find_artifact("Nope"), nullptr);
    EXPECT_EQ(find_artifact(""), nullptr);
    EXPECT_EQ(find_artifact("l1block"), nullptr);
}

TEST(ContractArtifacts, WellFormed)
{
    for (const auto& a : all_artifacts())
    {
        SCOPED_TRACE(std::string{a.name});
        EXPECT_TRUE(is_0x_hex(a.creation_hex));
        EXPECT_TRUE(is_0x_hex(a.runtime_hex));
        const auto abi = json::parse(a.abi_json);
        EXPECT_TRUE(abi.is_array());
    }
}

TEST(ContractArtifacts, MatchJsonFilesOfTheBuild)
{
    for (const auto& a : all_artifacts())
    {
        SCOPED_TRACE(std::string{a.name});
        std::ifstream file{std::string{L2_CONTRACT_ARTIFACTS_DIR} + "/" + std::string{a.name} +
                           ".json"};
        ASSERT_TRUE(file.good());
        const auto j = json::parse(file);
        EXPECT_EQ(j.at("contractName"), a.name);
        EXPECT_EQ(j.at("abi"), json::parse(a.abi_json));
        EXPECT_EQ(j.at("bytecode"), a.creation_hex);
        EXPECT_EQ(j.at("deployedBytecode"), a.runtime_hex);
    }
}

TEST(ContractArtifacts, L1BlockIsAGenesisPredeploy)
{
    const Artifact* a = find_artifact("L1Block");
    ASSERT_NE(a, nullptr);
    const auto abi = json::parse(a->abi_json);
    EXPECT_EQ(find_abi_entry(abi, "constructor", ""), nullptr);
    // Without a constructor, creation code is a copy stub followed by the runtime code verbatim.
    const auto runtime = a->runtime_hex.substr(2);
    EXPECT_TRUE(a->creation_hex.ends_with(runtime));

    const json* set = find_abi_entry(abi, "function", "setL1BlockValues");
    ASSERT_NE(set, nullptr);
    // execution/l1_info.cpp encodes this signature.
    EXPECT_EQ(input_types(*set),
              (std::vector<std::string>{"uint64", "uint64", "uint256", "bytes32", "uint64",
                                        "bytes32", "uint256", "uint32", "uint32", "uint256"}));
    for (const auto* getter :
         {"number", "timestamp", "basefee", "hash", "sequenceNumber", "batcherHash", "blobBaseFee",
          "baseFeeScalar", "blobBaseFeeScalar", "proofFeePerGas", "DEPOSITOR_ACCOUNT", "version"})
        EXPECT_NE(find_abi_entry(abi, "function", getter), nullptr) << getter;
}

TEST(ContractArtifacts, DepositPortalEvent)
{
    const Artifact* a = find_artifact("DepositPortal");
    ASSERT_NE(a, nullptr);
    const auto abi = json::parse(a->abi_json);
    const json* ev = find_abi_entry(abi, "event", "TransactionDeposited");
    ASSERT_NE(ev, nullptr);
    EXPECT_EQ(input_types(*ev),
              (std::vector<std::string>{"address", "address", "uint256", "bytes"}));
    const auto& in = ev->at("inputs");
    EXPECT_TRUE(in[0].at("indexed").get<bool>());
    EXPECT_TRUE(in[1].at("indexed").get<bool>());
    EXPECT_TRUE(in[2].at("indexed").get<bool>());
    EXPECT_FALSE(in[3].at("indexed").get<bool>());
    const json* dep = find_abi_entry(abi, "function", "depositTransaction");
    ASSERT_NE(dep, nullptr);
    EXPECT_EQ(input_types(*dep),
              (std::vector<std::string>{"address", "uint256", "uint64", "bool", "bytes"}));
    EXPECT_EQ(dep->at("stateMutability"), "payable");
}
