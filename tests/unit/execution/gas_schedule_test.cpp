#include <gtest/gtest.h>

#include <map>
#include <string>

#include <execution/gas_schedule.hpp>

using namespace l2;
using namespace l2::execution;

namespace {

/// Cancun's static costs, opcode by opcode (evmone's gas_costs[EVMC_CANCUN] with l2node's
/// conventions: EIP-2929 access costs and LOG topics are charged dynamically, INVALID is
/// undefined; docs/spec/gas-table.md).
std::map<uint8_t, int32_t> cancun_expected()
{
    std::map<uint8_t, int32_t> m = {
        {0x00, 0},     {0x01, 3},    {0x02, 5}, {0x03, 3},   {0x04, 5},   {0x05, 5},     {0x06, 5},
        {0x07, 5},     {0x08, 8},    {0x09, 8}, {0x0a, 10},  {0x0b, 5},   {0x20, 30},    {0x30, 2},
        {0x31, 0},     {0x32, 2},    {0x33, 2}, {0x34, 2},   {0x35, 3},   {0x36, 2},     {0x37, 3},
        {0x38, 2},     {0x39, 3},    {0x3a, 2}, {0x3b, 0},   {0x3c, 0},   {0x3d, 2},     {0x3e, 3},
        {0x3f, 0},     {0x40, 20},   {0x41, 2}, {0x42, 2},   {0x43, 2},   {0x44, 2},     {0x45, 2},
        {0x46, 2},     {0x47, 5},    {0x48, 2}, {0x49, 3},   {0x4a, 2},   {0x50, 2},     {0x51, 3},
        {0x52, 3},     {0x53, 3},    {0x54, 0}, {0x55, 0},   {0x56, 8},   {0x57, 10},    {0x58, 2},
        {0x59, 2},     {0x5a, 2},    {0x5b, 1}, {0x5c, 100}, {0x5d, 100}, {0x5e, 3},     {0x5f, 2},
        {0xf0, 32000}, {0xf1, 0},    {0xf2, 0}, {0xf3, 0},   {0xf4, 0},   {0xf5, 32000}, {0xfa, 0},
        {0xfd, 0},     {0xff, 5000},
    };
    for (uint8_t op = 0x10; op <= 0x1d; ++op)
        m[op] = 3;  // LT..SAR
    for (unsigned op = 0x60; op <= 0x9f; ++op)
        m[static_cast<uint8_t>(op)] = 3;  // PUSH1-32, DUP, SWAP
    for (uint8_t op = 0xa0; op <= 0xa4; ++op)
        m[op] = 375;  // LOG0-4
    return m;
}

TEST(GasSchedule, CancunEveryOpcode)
{
    const auto expected = cancun_expected();
    const GasSchedule s = cancun_schedule();
    for (unsigned op = 0; op < 256; ++op)
    {
        const auto it = expected.find(static_cast<uint8_t>(op));
        const int32_t want = it == expected.end() ? kUndefinedOp : it->second;
        EXPECT_EQ(s.op_costs[op], want) << "opcode 0x" << std::hex << op;
    }
    EXPECT_EQ(s.op_costs[0xfe], kUndefinedOp);  // INVALID
}

TEST(GasSchedule, CancunDynamicCosts)
{
    const GasSchedule s = cancun_schedule();
    EXPECT_EQ(s.warm_access, 100);
    EXPECT_EQ(s.cold_sload, 2100);
    EXPECT_EQ(s.cold_account_access, 2600);
    EXPECT_EQ(s.sstore_reset, 2900);
    EXPECT_EQ(s.sstore_clears_refund, 4800);
    EXPECT_EQ(s.max_refund_quotient, 5);
    EXPECT_EQ(s.tx_data_nonzero, 16);
    EXPECT_EQ(s.initcode_word, 2);
    EXPECT_EQ(s.exp_byte, 50);
}

TEST(GasSchedule, RevisionsChangeAvailabilityAndCosts)
{
    const auto op = [](Revision r, uint8_t o) { return schedule_for(r).op_costs[o]; };
    // Frontier.
    EXPECT_EQ(op(Revision::kFrontier, 0x54), 50);  // SLOAD
    EXPECT_EQ(op(Revision::kFrontier, 0x31), 20);  // BALANCE
    EXPECT_EQ(op(Revision::kFrontier, 0xf1), 40);  // CALL
    EXPECT_EQ(op(Revision::kFrontier, 0xff), 0);   // SELFDESTRUCT
    EXPECT_EQ(op(Revision::kFrontier, 0xf4), kUndefinedOp);
    EXPECT_EQ(schedule_for(Revision::kFrontier).tx_create, 0);
    EXPECT_EQ(schedule_for(Revision::kFrontier).exp_byte, 10);
    // Homestead: DELEGATECALL.
    EXPECT_EQ(op(Revision::kHomestead, 0xf4), 40);
    EXPECT_EQ(schedule_for(Revision::kHomestead).tx_create, 32000);
    // Tangerine Whistle (EIP-150).
    EXPECT_EQ(op(Revision::kTangerineWhistle, 0x54), 200);
    EXPECT_EQ(op(Revision::kTangerineWhistle, 0x31), 400);
    EXPECT_EQ(op(Revision::kTangerineWhistle, 0x3b), 700);
    EXPECT_EQ(op(Revision::kTangerineWhistle, 0x3c), 700);
    EXPECT_EQ(op(Revision::kTangerineWhistle, 0xf1), 700);
    EXPECT_EQ(op(Revision::kTangerineWhistle, 0xff), 5000);
    EXPECT_EQ(schedule_for(Revision::kTangerineWhistle).exp_byte, 10);
    EXPECT_EQ(schedule_for(Revision::kSpuriousDragon).exp_byte, 50);  // EIP-160
    // Byzantium.
    EXPECT_EQ(op(Revision::kSpuriousDragon, 0xfd), kUndefinedOp);
    EXPECT_EQ(op(Revision::kByzantium, 0xfd), 0);    // REVERT
    EXPECT_EQ(op(Revision::kByzantium, 0xfa), 700);  // STATICCALL
    EXPECT_EQ(op(Revision::kByzantium, 0x3d), 2);    // RETURNDATASIZE
    // Constantinople.
    EXPECT_EQ(op(Revision::kByzantium, 0x1b), kUndefinedOp);
    EXPECT_EQ(op(Revision::kConstantinople, 0x1b), 3);      // SHL
    EXPECT_EQ(op(Revision::kConstantinople, 0x3f), 400);    // EXTCODEHASH
    EXPECT_EQ(op(Revision::kConstantinople, 0xf5), 32000);  // CREATE2
    EXPECT_EQ(op(Revision::kPetersburg, 0x54), 200);
    // Istanbul (EIP-1884, -1344, -2028).
    EXPECT_EQ(op(Revision::kIstanbul, 0x54), 800);
    EXPECT_EQ(op(Revision::kIstanbul, 0x31), 700);
    EXPECT_EQ(op(Revision::kIstanbul, 0x3f), 700);
    EXPECT_EQ(op(Revision::kIstanbul, 0x47), 5);
    EXPECT_EQ(op(Revision::kIstanbul, 0x46), 2);
    EXPECT_EQ(op(Revision::kPetersburg, 0x46), kUndefinedOp);
    EXPECT_EQ(schedule_for(Revision::kPetersburg).tx_data_nonzero, 68);
    EXPECT_EQ(schedule_for(Revision::kIstanbul).tx_data_nonzero, 16);
    EXPECT_EQ(schedule_for(Revision::kIstanbul).warm_access, 800);  // EIP-2200's SLOAD_GAS
    EXPECT_EQ(schedule_for(Revision::kIstanbul).sstore_reset, 5000);
    // Berlin: access costs move to warm_access / cold_*.
    for (const int o : {0x31, 0x3b, 0x3c, 0x3f, 0x54, 0xf1, 0xf2, 0xf4, 0xfa})
        EXPECT_EQ(op(Revision::kBerlin, static_cast<uint8_t>(o)), 0) << o;
    EXPECT_EQ(schedule_for(Revision::kBerlin).sstore_reset, 2900);
    EXPECT_EQ(schedule_for(Revision::kBerlin).sstore_clears_refund, 15000);
    EXPECT_EQ(schedule_for(Revision::kBerlin).max_refund_quotient, 2);
    // London (EIP-3198, -3529).
    EXPECT_EQ(op(Revision::kBerlin, 0x48), kUndefinedOp);
    EXPECT_EQ(op(Revision::kLondon, 0x48), 2);
    EXPECT_EQ(schedule_for(Revision::kLondon).sstore_clears_refund, 4800);
    // Shanghai (EIP-3855, -3860).
    EXPECT_EQ(op(Revision::kParis, 0x5f), kUndefinedOp);
    EXPECT_EQ(op(Revision::kShanghai, 0x5f), 2);
    EXPECT_EQ(schedule_for(Revision::kParis).initcode_word, 0);
    EXPECT_EQ(schedule_for(Revision::kShanghai).initcode_word, 2);
    // Cancun.
    for (const int o : {0x49, 0x4a, 0x5c, 0x5d, 0x5e})
    {
        EXPECT_EQ(op(Revision::kShanghai, static_cast<uint8_t>(o)), kUndefinedOp) << o;
        EXPECT_NE(op(Revision::kCancun, static_cast<uint8_t>(o)), kUndefinedOp) << o;
    }
    // Prague = Cancun for now.
    EXPECT_EQ(schedule_for(Revision::kPrague).op_costs, cancun_schedule().op_costs);
}

TEST(GasSchedule, OpcodeSetOnlyGrows)
{
    for (auto r = Revision::kHomestead; r <= kLatestRevision;
         r = static_cast<Revision>(static_cast<int>(r) + 1))
    {
        const auto prev = schedule_for(static_cast<Revision>(static_cast<int>(r) - 1));
        const auto cur = schedule_for(r);
        for (size_t op = 0; op < 256; ++op)
        {
            if (prev.op_costs[op] != kUndefinedOp)
            {
                EXPECT_NE(cur.op_costs[op], kUndefinedOp) << to_string(r) << " op " << op;
            }
        }
    }
}

// ---- GasTable ----

TEST(GasTable, DefaultIsCancunFromBlockZero)
{
    const GasTable t;
    ASSERT_EQ(t.entries().size(), 1u);
    EXPECT_EQ(t.entries()[0].from_block, 0u);
    EXPECT_EQ(t.at(0).op_costs, cancun_schedule().op_costs);
    EXPECT_EQ(t.at(UINT64_MAX).cold_sload, 2100);
}

TEST(GasTable, FromJsonWithRepricing)
{
    const auto t = GasTable::from_json(R"({
        "base": "Cancun",
        "overrides": {"cold_sload": 2500, "op.ADD": 4, "p256verify": 6900},
        "repricings": [
            {"block": 5000, "overrides": {"op.ADD": 6}},
            {"block": 1000, "overrides": {"cold_sload": 3000, "op.PUSH32": 5, "op.TLOAD": null}}
        ]
    })");
    ASSERT_TRUE(t) << t.error();
    ASSERT_EQ(t->entries().size(), 3u);
    EXPECT_EQ(t->entries()[1].from_block, 1000u);  // sorted
    EXPECT_EQ(t->entries()[2].from_block, 5000u);

    const GasSchedule& before = t->at(999);
    const GasSchedule& after = t->at(1000);
    EXPECT_EQ(before.cold_sload, 2500);
    EXPECT_EQ(after.cold_sload, 3000);
    EXPECT_EQ(before.op_costs[0x7f], 3);
    EXPECT_EQ(after.op_costs[0x7f], 5);
    EXPECT_EQ(before.op_costs[0x5c], 100);
    EXPECT_EQ(after.op_costs[0x5c], kUndefinedOp);
    // Overrides carry over from the base and from earlier repricings.
    EXPECT_EQ(after.op_costs[0x01], 4);
    EXPECT_EQ(after.p256verify, 6900);
    const GasSchedule& latest = t->at(1'000'000);
    EXPECT_EQ(latest.op_costs[0x01], 6);
    EXPECT_EQ(latest.cold_sload, 3000);
    EXPECT_EQ(latest.op_costs[0x7f], 5);
    EXPECT_EQ(t->at(4999).op_costs[0x01], 4);
    EXPECT_EQ(t->at(0).op_costs[0x02], 5);  // untouched
}

TEST(GasTable, FromJsonBaseRevisionAndDefaults)
{
    auto t = GasTable::from_json(R"({"base": "Istanbul"})");
    ASSERT_TRUE(t) << t.error();
    EXPECT_EQ(t->at(0).op_costs[0x54], 800);
    t = GasTable::from_json(R"({"base": "EIP150"})");  // ethereum/tests names work
    ASSERT_TRUE(t) << t.error();
    EXPECT_EQ(t->at(0).op_costs[0x54], 200);
    t = GasTable::from_json("{}");
    ASSERT_TRUE(t) << t.error();
    EXPECT_EQ(t->at(0).op_costs, cancun_schedule().op_costs);
    // Every mnemonic family parses.
    t = GasTable::from_json(
        R"({"overrides": {"op.PUSH0": 1, "op.PUSH1": 1, "op.DUP16": 1, "op.SWAP1": 1,
                          "op.LOG4": 1, "op.KECCAK256": 1, "op.PREVRANDAO": 1}})");
    ASSERT_TRUE(t) << t.error();
    for (const int o : {0x5f, 0x60, 0x8f, 0x90, 0xa4, 0x20, 0x44})
        EXPECT_EQ(t->at(0).op_costs[static_cast<size_t>(o)], 1) << o;
}

TEST(GasTable, FromJsonErrorsNameTheKey)
{
    struct Case
    {
        const char* json;
        const char* error_contains;
    };
    const Case cases[] = {
        {"not json", "not valid JSON"},
        {"[]", "must be an object"},
        {R"({"bsae": "Cancun"})", "bsae: unknown key"},
        {R"({"base": "Cancoon"})", "base:"},
        {R"({"base": 12})", "base:"},
        {R"({"overrides": {"sload_cold": 2100}})", "overrides.sload_cold: unknown key"},
        {R"({"overrides": {"op.ADDD": 3}})", "overrides.op.ADDD: unknown opcode"},
        {R"({"overrides": {"op.PUSH33": 3}})", "overrides.op.PUSH33"},
        {R"({"overrides": {"op.PUSH01": 3}})", "overrides.op.PUSH01"},
        {R"({"overrides": {"op.INVALID": 0}})", "overrides.op.INVALID"},
        {R"({"overrides": {"cold_sload": -1}})", "overrides.cold_sload: must be an integer"},
        {R"({"overrides": {"cold_sload": 1.5}})", "overrides.cold_sload"},
        {R"({"overrides": {"cold_sload": "2100"}})", "overrides.cold_sload"},
        {R"({"overrides": {"cold_sload": 4294967296}})", "overrides.cold_sload"},
        {R"({"overrides": {"modexp_divisor": 0}})", "overrides.modexp_divisor"},
        {R"({"overrides": {"cold_sload": null}})", "overrides.cold_sload"},
        {R"({"overrides": []})", "overrides: must be an object"},
        {R"({"repricings": {}})", "repricings: must be an array"},
        {R"({"repricings": [{"overrides": {}}]})", "repricings[0].block"},
        {R"({"repricings": [{"block": 0, "overrides": {}}]})", "repricings[0].block"},
        {R"({"repricings": [{"block": -5, "overrides": {}}]})", "repricings[0].block"},
        {R"({"repricings": [{"block": 10}]})", "repricings[0].overrides: missing"},
        {R"({"repricings": [{"block": 10, "overrides": {}, "note": 1}]})",
         "repricings[0].note: unknown key"},
        {R"({"repricings": [{"block": 10, "overrides": {}}, {"block": 7, "overrides": {"x": 1}}]})",
         "repricings[1].overrides.x: unknown key"},
        {R"({"repricings": [{"block": 10, "overrides": {}}, {"block": 10, "overrides": {}}]})",
         "appears twice"},
    };
    for (const auto& c : cases)
    {
        const auto t = GasTable::from_json(c.json);
        ASSERT_FALSE(t) << c.json;
        EXPECT_NE(t.error().find(c.error_contains), std::string::npos)
            << c.json << " -> " << t.error();
    }
}

TEST(GasTable, EveryScheduleFieldIsAKey)
{
    // Each GasSchedule field, by its C++ name, overrides that field.
    const char* const fields[] = {
        "memory_word",
        "memory_quad_divisor",
        "copy_word",
        "keccak_word",
        "log_topic",
        "log_data_byte",
        "exp_byte",
        "warm_access",
        "cold_sload",
        "cold_account_access",
        "sstore_set",
        "sstore_reset",
        "sstore_clears_refund",
        "sstore_sentry",
        "call_value",
        "call_stipend",
        "new_account",
        "selfdestruct_new_account",
        "code_deposit_byte",
        "initcode_word",
        "create_hash_word",
        "max_refund_quotient",
        "tx_base",
        "tx_create",
        "tx_data_zero",
        "tx_data_nonzero",
        "tx_access_list_address",
        "tx_access_list_key",
        "ecrecover",
        "sha256_base",
        "sha256_word",
        "ripemd160_base",
        "ripemd160_word",
        "identity_base",
        "identity_word",
        "modexp_min",
        "modexp_divisor",
        "bn254_add",
        "bn254_mul",
        "bn254_pairing_base",
        "bn254_pairing_pair",
        "blake2f_round",
        "point_evaluation",
        "p256verify",
        "l1sload_base",
        "l1sload_per_key",
        "wasm_read_u64",
    };
    for (const char* f : fields)
    {
        const auto t = GasTable::from_json(std::string{R"({"overrides": {")"} + f + R"(": 7}})");
        EXPECT_TRUE(t) << f << ": " << (t ? "" : t.error());
    }
    const auto t =
        GasTable::from_json(R"({"overrides": {"l1sload_per_key": 7, "wasm_read_u64": 9}})");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->at(0).l1sload_per_key, 7);
    EXPECT_EQ(t->at(0).wasm_read_u64, 9);
}

}  // namespace
