// Per-revision opcode cost tables and the chain config's gas table (docs/spec/gas-table.md).

#include "gas_schedule.hpp"

#include "evm/opcodes.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

namespace l2::execution {

namespace {

// Opcodes whose cost or availability differs between revisions (YP Appendix H and the EIPs).
enum Op : uint8_t
{
    kOpBalance = 0x31,
    kOpExtcodesize = 0x3b,
    kOpExtcodecopy = 0x3c,
    kOpReturndatasize = 0x3d,
    kOpReturndatacopy = 0x3e,
    kOpExtcodehash = 0x3f,
    kOpChainid = 0x46,
    kOpSelfbalance = 0x47,
    kOpBasefee = 0x48,
    kOpBlobhash = 0x49,
    kOpBlobbasefee = 0x4a,
    kOpSload = 0x54,
    kOpTload = 0x5c,
    kOpTstore = 0x5d,
    kOpMcopy = 0x5e,
    kOpPush0 = 0x5f,
    kOpLog0 = 0xa0,
    kOpLog4 = 0xa4,
    kOpCall = 0xf1,
    kOpCallcode = 0xf2,
    kOpDelegatecall = 0xf4,
    kOpCreate2 = 0xf5,
    kOpStaticcall = 0xfa,
    kOpRevert = 0xfd,
    kOpInvalid = 0xfe,
    kOpSelfdestruct = 0xff,
};

/// The opcode of "ADD", "PUSH32", "DUP16", "SWAP1", "LOG4", ... (the interpreter's own names,
/// evm/opcodes.cpp); empty when unknown. INVALID (0xfe) is never a key: it is the designated
/// invalid instruction (EIP-141) and cannot be priced.
std::optional<uint8_t> opcode_from_mnemonic(std::string_view name) noexcept
{
    for (unsigned op = 0; op < 256; ++op)
    {
        const char* n = evm::opcode_name(static_cast<uint8_t>(op));
        if (n != nullptr && op != 0xfe && name == n)
            return static_cast<uint8_t>(op);
    }
    return std::nullopt;
}

constexpr size_t kNumRevisions = static_cast<size_t>(kLatestRevision) + 1;
using RevisionTables = std::array<OpCostTable, kNumRevisions>;

constexpr size_t idx(Revision r) noexcept
{
    return static_cast<size_t>(r);
}

/// Static opcode costs per revision, built as evmone's `gas_costs` (instructions_traits.hpp):
/// each revision copies the previous one and applies its EIPs. Two conventions differ from
/// evmone, because the GasSchedule holds those costs in their own fields:
/// - From Berlin, BALANCE, EXT*, SLOAD and the CALLs cost 0 here (evmone: 100, the warm cost);
///   the interpreter charges `warm_access` or `cold_*` for them (EIP-2929).
/// - LOGn costs 375 for every n (evmone: 375 * (n + 1)); the interpreter charges n * `log_topic`.
/// INVALID (0xfe) is undefined (evmone: defined with cost 0); both abort with all gas consumed.
constexpr RevisionTables kOpCosts = [] {
    RevisionTables tables{};
    auto& t = tables[idx(Revision::kFrontier)];
    t.fill(kUndefinedOp);
    t[0x00] = 0;   // STOP
    t[0x01] = 3;   // ADD
    t[0x02] = 5;   // MUL
    t[0x03] = 3;   // SUB
    t[0x04] = 5;   // DIV
    t[0x05] = 5;   // SDIV
    t[0x06] = 5;   // MOD
    t[0x07] = 5;   // SMOD
    t[0x08] = 8;   // ADDMOD
    t[0x09] = 8;   // MULMOD
    t[0x0a] = 10;  // EXP (+ exp_byte per exponent byte)
    t[0x0b] = 5;   // SIGNEXTEND
    for (size_t op = 0x10; op <= 0x1a; ++op)
        t[op] = 3;  // LT GT SLT SGT EQ ISZERO AND OR XOR NOT BYTE
    t[0x20] = 30;   // KECCAK256 (+ keccak_word)
    t[0x30] = 2;    // ADDRESS
    t[0x31] = 20;   // BALANCE
    for (size_t op = 0x32; op <= 0x34; ++op)
        t[op] = 2;  // ORIGIN CALLER CALLVALUE
    t[0x35] = 3;    // CALLDATALOAD
    t[0x36] = 2;    // CALLDATASIZE
    t[0x37] = 3;    // CALLDATACOPY (+ copy_word)
    t[0x38] = 2;    // CODESIZE
    t[0x39] = 3;    // CODECOPY
    t[0x3a] = 2;    // GASPRICE
    t[0x3b] = 20;   // EXTCODESIZE
    t[0x3c] = 20;   // EXTCODECOPY
    t[0x40] = 20;   // BLOCKHASH
    for (size_t op = 0x41; op <= 0x45; ++op)
        t[op] = 2;  // COINBASE TIMESTAMP NUMBER PREVRANDAO GASLIMIT
    t[0x50] = 2;    // POP
    t[0x51] = 3;    // MLOAD
    t[0x52] = 3;    // MSTORE
    t[0x53] = 3;    // MSTORE8
    t[0x54] = 50;   // SLOAD
    t[0x55] = 0;    // SSTORE (dynamic: sstore_*)
    t[0x56] = 8;    // JUMP
    t[0x57] = 10;   // JUMPI
    t[0x58] = 2;    // PC
    t[0x59] = 2;    // MSIZE
    t[0x5a] = 2;    // GAS
    t[0x5b] = 1;    // JUMPDEST
    for (size_t op = 0x60; op <= 0x9f; ++op)
        t[op] = 3;  // PUSH1-32 DUP1-16 SWAP1-16
    for (size_t op = kOpLog0; op <= kOpLog4; ++op)
        t[op] = 375;  // LOGn (+ n * log_topic + log_data_byte per byte)
    t[0xf0] = 32000;  // CREATE
    t[kOpCall] = 40;
    t[kOpCallcode] = 40;
    t[0xf3] = 0;  // RETURN
    t[kOpSelfdestruct] = 0;

    auto next = [&tables](Revision r) -> OpCostTable& {
        tables[idx(r)] = tables[idx(r) - 1];
        return tables[idx(r)];
    };

    next(Revision::kHomestead)[kOpDelegatecall] = 40;  // EIP-7

    auto& tw = next(Revision::kTangerineWhistle);  // EIP-150
    tw[kOpBalance] = 400;
    tw[kOpExtcodesize] = 700;
    tw[kOpExtcodecopy] = 700;
    tw[kOpSload] = 200;
    tw[kOpCall] = 700;
    tw[kOpCallcode] = 700;
    tw[kOpDelegatecall] = 700;
    tw[kOpSelfdestruct] = 5000;

    next(Revision::kSpuriousDragon);

    auto& byz = next(Revision::kByzantium);
    byz[kOpReturndatasize] = 2;  // EIP-211
    byz[kOpReturndatacopy] = 3;
    byz[kOpStaticcall] = 700;  // EIP-214
    byz[kOpRevert] = 0;        // EIP-140

    auto& con = next(Revision::kConstantinople);
    con[0x1b] = 3;  // SHL, SHR, SAR: EIP-145
    con[0x1c] = 3;
    con[0x1d] = 3;
    con[kOpExtcodehash] = 400;  // EIP-1052
    con[kOpCreate2] = 32000;    // EIP-1014

    next(Revision::kPetersburg);

    auto& ist = next(Revision::kIstanbul);
    ist[kOpBalance] = 700;  // EIP-1884
    ist[kOpChainid] = 2;    // EIP-1344
    ist[kOpExtcodehash] = 700;
    ist[kOpSelfbalance] = 5;
    ist[kOpSload] = 800;

    // EIP-2929: the access cost (warm_access or cold_*) is the whole charge (see above).
    auto& ber = next(Revision::kBerlin);
    for (const uint8_t op : {kOpBalance, kOpExtcodesize, kOpExtcodecopy, kOpExtcodehash, kOpSload,
                             kOpCall, kOpCallcode, kOpDelegatecall, kOpStaticcall})
        ber[op] = 0;

    next(Revision::kLondon)[kOpBasefee] = 2;  // EIP-3198
    next(Revision::kParis);
    next(Revision::kShanghai)[kOpPush0] = 2;  // EIP-3855

    auto& can = next(Revision::kCancun);
    can[kOpBlobhash] = 3;     // EIP-4844
    can[kOpBlobbasefee] = 2;  // EIP-7516
    can[kOpTload] = 100;      // EIP-1153
    can[kOpTstore] = 100;
    can[kOpMcopy] = 3;  // EIP-5656

    next(Revision::kPrague);  // = Cancun until Prague's opcode changes land
    return tables;
}();

constexpr const OpCostTable& kCancunCosts = kOpCosts[idx(Revision::kCancun)];
static_assert(kCancunCosts[0x01] == 3 && kCancunCosts[0x0c] == kUndefinedOp);
static_assert(kCancunCosts[kOpSload] == 0 && kCancunCosts[kOpTload] == 100);
static_assert(kCancunCosts[kOpLog4] == 375 && kCancunCosts[kOpInvalid] == kUndefinedOp);
static_assert(kOpCosts[idx(Revision::kIstanbul)][kOpSload] == 800);
static_assert(kOpCosts[idx(Revision::kPetersburg)][kOpSload] == 200);
static_assert(kOpCosts[idx(Revision::kFrontier)][kOpDelegatecall] == kUndefinedOp);
static_assert(kOpCosts[idx(Revision::kParis)][kOpPush0] == kUndefinedOp);
static_assert(kOpCosts[idx(kLatestRevision)] == kCancunCosts);

// ---- the gas table's JSON ----

/// Largest value any key may take: far above every real cost, and small enough that the
/// interpreter's int64 arithmetic on costs times sizes cannot overflow on its own.
constexpr int64_t kMaxCost = std::numeric_limits<int32_t>::max();

struct Field
{
    std::string_view name;
    int64_t GasSchedule::*member;
    int64_t min;  ///< 1 for divisors, else 0
};

// clang-format off
#define L2_GAS_FIELD(name) Field{#name, &GasSchedule::name, 0}
#define L2_GAS_DIVISOR(name) Field{#name, &GasSchedule::name, 1}
// clang-format on

/// Every GasSchedule field, by its C++ name (the JSON keys are these names).
constexpr Field kFields[] = {
    L2_GAS_FIELD(memory_word),
    L2_GAS_DIVISOR(memory_quad_divisor),
    L2_GAS_FIELD(copy_word),
    L2_GAS_FIELD(keccak_word),
    L2_GAS_FIELD(log_topic),
    L2_GAS_FIELD(log_data_byte),
    L2_GAS_FIELD(exp_byte),
    L2_GAS_FIELD(warm_access),
    L2_GAS_FIELD(cold_sload),
    L2_GAS_FIELD(cold_account_access),
    L2_GAS_FIELD(sstore_set),
    L2_GAS_FIELD(sstore_reset),
    L2_GAS_FIELD(sstore_clears_refund),
    L2_GAS_FIELD(sstore_sentry),
    L2_GAS_FIELD(call_value),
    L2_GAS_FIELD(call_stipend),
    L2_GAS_FIELD(new_account),
    L2_GAS_FIELD(selfdestruct_new_account),
    L2_GAS_FIELD(code_deposit_byte),
    L2_GAS_FIELD(initcode_word),
    L2_GAS_FIELD(create_hash_word),
    L2_GAS_DIVISOR(max_refund_quotient),
    L2_GAS_FIELD(tx_base),
    L2_GAS_FIELD(tx_create),
    L2_GAS_FIELD(tx_data_zero),
    L2_GAS_FIELD(tx_data_nonzero),
    L2_GAS_FIELD(tx_access_list_address),
    L2_GAS_FIELD(tx_access_list_key),
    L2_GAS_FIELD(ecrecover),
    L2_GAS_FIELD(sha256_base),
    L2_GAS_FIELD(sha256_word),
    L2_GAS_FIELD(ripemd160_base),
    L2_GAS_FIELD(ripemd160_word),
    L2_GAS_FIELD(identity_base),
    L2_GAS_FIELD(identity_word),
    L2_GAS_FIELD(modexp_min),
    L2_GAS_DIVISOR(modexp_divisor),
    L2_GAS_FIELD(bn254_add),
    L2_GAS_FIELD(bn254_mul),
    L2_GAS_FIELD(bn254_pairing_base),
    L2_GAS_FIELD(bn254_pairing_pair),
    L2_GAS_FIELD(blake2f_round),
    L2_GAS_FIELD(point_evaluation),
    L2_GAS_FIELD(p256verify),
    L2_GAS_FIELD(l1sload_base),
    L2_GAS_FIELD(l1sload_per_key),
    L2_GAS_FIELD(wasm_read_u64),
    L2_GAS_FIELD(wasm_instruction),
    L2_GAS_FIELD(wasm_segment),
    L2_GAS_FIELD(wasm_call_base),
    L2_GAS_FIELD(wasm_call_function),
    L2_GAS_FIELD(wasm_call_page),
    L2_GAS_FIELD(wasm_host_call),
    L2_GAS_FIELD(wasm_copy_word),
    L2_GAS_FIELD(wasm_storage_read),
    L2_GAS_FIELD(wasm_storage_write),
    L2_GAS_FIELD(wasm_log_base),
    L2_GAS_FIELD(wasm_log_topic),
    L2_GAS_FIELD(wasm_log_data_byte),
    L2_GAS_FIELD(wasm_keccak_base),
    L2_GAS_FIELD(wasm_keccak_word),
    L2_GAS_FIELD(wasm_evm_storage_read),
    L2_GAS_FIELD(wasm_deploy_base),
    L2_GAS_FIELD(wasm_deploy_byte),
};

#undef L2_GAS_FIELD
#undef L2_GAS_DIVISOR

using Json = nlohmann::json;

/// The integer value of `v` in [min, kMaxCost], or an error naming `path`.
Result<int64_t, std::string> cost_value(const Json& v, const std::string& path, int64_t min)
{
    // nlohmann stores non-negative integers as unsigned: negatives, floats, strings and the
    // rest all fail here.
    if (v.is_number_unsigned())
    {
        const auto u = v.get<uint64_t>();
        if (u <= static_cast<uint64_t>(kMaxCost) && static_cast<int64_t>(u) >= min)
            return static_cast<int64_t>(u);
    }
    return unexpected(path + ": must be an integer in [" + std::to_string(min) + ", " +
                      std::to_string(kMaxCost) + "]");
}

/// Applies an "overrides" object to `s`. `path` prefixes the keys in error messages.
Result<void, std::string> apply_overrides(GasSchedule& s,
                                          const Json& overrides,
                                          const std::string& path)
{
    if (!overrides.is_object())
        return unexpected(path + ": must be an object");
    for (const auto& item : overrides.items())
    {
        // Named copies, not structured bindings: clang 14 cannot capture those in a lambda.
        const std::string& key = item.key();
        const Json& value = item.value();
        const std::string key_path = path + "." + key;
        if (std::string_view{key}.starts_with("op."))
        {
            const auto op = opcode_from_mnemonic(std::string_view{key}.substr(3));
            if (!op)
                return unexpected(key_path + ": unknown opcode mnemonic");
            if (value.is_null())  // null undefines the opcode
            {
                s.op_costs[*op] = kUndefinedOp;
                continue;
            }
            const auto cost = cost_value(value, key_path, 0);
            if (!cost)
                return unexpected(cost.error());
            s.op_costs[*op] = static_cast<int32_t>(*cost);
            continue;
        }
        const auto* field = std::find_if(std::begin(kFields), std::end(kFields),
                                         [&key](const Field& f) { return f.name == key; });
        if (field == std::end(kFields))
            return unexpected(key_path + ": unknown key");
        const auto cost = cost_value(value, key_path, field->min);
        if (!cost)
            return unexpected(cost.error());
        s.*(field->member) = *cost;
    }
    return {};
}

}  // namespace

GasSchedule cancun_schedule()
{
    return schedule_for(Revision::kCancun);
}

GasSchedule schedule_for(Revision rev)
{
    GasSchedule s;  // the header's defaults are Cancun's dynamic costs
    s.op_costs = kOpCosts[idx(rev)];

    // Each block undoes, for revisions before it, what one fork changed.
    if (rev < Revision::kShanghai)
        s.initcode_word = 0;  // EIP-3860
    if (rev < Revision::kLondon)
    {
        s.sstore_clears_refund = 15000;  // EIP-3529
        s.max_refund_quotient = 2;
    }
    if (rev < Revision::kBerlin)
    {
        // EIP-2929: no warm/cold accounting. `warm_access` keeps the meaning SSTORE's net
        // metering gives "SLOAD_GAS" (EIP-1283 in Constantinople, EIP-2200 from Istanbul).
        s.sstore_reset = 5000;
        s.warm_access = s.op_costs[kOpSload];
    }
    if (rev < Revision::kIstanbul)
        s.tx_data_nonzero = 68;  // EIP-2028
    if (rev < Revision::kSpuriousDragon)
        s.exp_byte = 10;  // EIP-160
    if (rev < Revision::kTangerineWhistle)
        s.selfdestruct_new_account = 0;  // EIP-150
    if (rev < Revision::kHomestead)
        s.tx_create = 0;  // EIP-2: contract-creating transactions cost 53000 from Homestead
    return s;
}

GasTable::GasTable(GasSchedule base) : m_entries{Entry{0, std::move(base)}} {}

const GasSchedule& GasTable::at(uint64_t block_num) const noexcept
{
    // The last entry with from_block <= block_num; the first entry starts at block 0.
    const auto it = std::upper_bound(m_entries.begin(), m_entries.end(), block_num,
                                     [](uint64_t b, const Entry& e) { return b < e.from_block; });
    return std::prev(it)->schedule;
}

Result<GasTable, std::string> GasTable::from_json(std::string_view json)
{
    const Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded())
        return unexpected(std::string{"gasTable: not valid JSON"});
    if (!doc.is_object())
        return unexpected(std::string{"gasTable: must be an object"});
    for (const auto& [key, value] : doc.items())
        if (key != "base" && key != "overrides" && key != "repricings")
            return unexpected(key + ": unknown key");

    GasSchedule base = cancun_schedule();
    if (const auto it = doc.find("base"); it != doc.end())
    {
        const auto rev =
            it->is_string() ? revision_from_name(it->get<std::string>()) : std::nullopt;
        if (!rev)
            return unexpected(std::string{"base: must be a revision name such as \"Cancun\""});
        base = schedule_for(*rev);
    }
    if (const auto it = doc.find("overrides"); it != doc.end())
        if (auto r = apply_overrides(base, *it, "overrides"); !r)
            return unexpected(r.error());

    GasTable table{base};
    const auto it = doc.find("repricings");
    if (it == doc.end())
        return table;
    if (!it->is_array())
        return unexpected(std::string{"repricings: must be an array"});

    struct Repricing
    {
        uint64_t block_num;
        const Json* overrides;
        std::string path;
    };
    std::vector<Repricing> repricings;
    for (size_t i = 0; i < it->size(); ++i)
    {
        const Json& r = (*it)[i];
        const std::string path = "repricings[" + std::to_string(i) + "]";
        if (!r.is_object())
            return unexpected(path + ": must be an object");
        for (const auto& [key, value] : r.items())
            if (key != "block" && key != "overrides")
                return unexpected(path + "." + key + ": unknown key");
        const auto block = r.find("block");
        if (block == r.end() || !block->is_number_unsigned() || block->get<uint64_t>() == 0)
            return unexpected(path + ".block: must be an integer >= 1");
        const auto overrides = r.find("overrides");
        if (overrides == r.end())
            return unexpected(path + ".overrides: missing");
        repricings.push_back({block->get<uint64_t>(), &*overrides, path + ".overrides"});
    }
    std::stable_sort(repricings.begin(), repricings.end(),
                     [](const auto& a, const auto& b) { return a.block_num < b.block_num; });
    for (size_t i = 1; i < repricings.size(); ++i)
        if (repricings[i].block_num == repricings[i - 1].block_num)
            return unexpected(repricings[i].path.substr(0, repricings[i].path.rfind('.')) +
                              ".block: " + std::to_string(repricings[i].block_num) +
                              " appears twice");

    // Each repricing builds on the schedule in force just before it.
    for (const auto& r : repricings)
    {
        GasSchedule s = table.m_entries.back().schedule;
        if (auto applied = apply_overrides(s, *r.overrides, r.path); !applied)
            return unexpected(applied.error());
        table.m_entries.push_back({r.block_num, s});
    }
    return table;
}

}  // namespace l2::execution
