#pragma once
/// The gas schedule: every cost the EVM, the precompiles, L1SLOAD and the WASM engine charge,
/// loaded from the chain config (JSON), with repricings at block heights (docs/spec/gas-table.md).
/// The interpreter reads static opcode costs from one flat array per block (`op_costs`), so being
/// configurable costs nothing on the hot path. Defaults are Cancun's.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <txtypes/result.hpp>
#include <txtypes/revision.hpp>

namespace l2::execution {

/// Marks an opcode undefined in a schedule (executing it is an invalid instruction).
inline constexpr int32_t kUndefinedOp = -1;
using OpCostTable = std::array<int32_t, 256>;

struct GasSchedule
{
    /// Static (base) cost of every opcode; kUndefinedOp where the opcode is not defined.
    OpCostTable op_costs{};

    // ---- dynamic EVM costs (YP Appendix G, EIP-2929/2930/3529/3860/1153/5656) ----
    int64_t memory_word = 3;           ///< G_memory, linear part
    int64_t memory_quad_divisor = 512; ///< quadratic part: words^2 / divisor
    int64_t copy_word = 3;             ///< *COPY, per word
    int64_t keccak_word = 6;
    int64_t log_topic = 375;
    int64_t log_data_byte = 8;
    int64_t exp_byte = 50;
    int64_t warm_access = 100;          ///< EIP-2929 warm storage/account read
    int64_t cold_sload = 2100;
    int64_t cold_account_access = 2600;
    int64_t sstore_set = 20000;
    int64_t sstore_reset = 2900;        ///< 5000 - cold_sload
    int64_t sstore_clears_refund = 4800;  ///< EIP-3529
    int64_t sstore_sentry = 2300;       ///< EIP-2200: SSTORE fails with gas left <= this
    int64_t call_value = 9000;
    int64_t call_stipend = 2300;
    int64_t new_account = 25000;
    int64_t selfdestruct_new_account = 25000;
    int64_t code_deposit_byte = 200;
    int64_t initcode_word = 2;          ///< EIP-3860
    int64_t create_hash_word = 6;       ///< CREATE2 hashing of the initcode
    int64_t max_refund_quotient = 5;    ///< EIP-3529: refund <= gas_used / 5

    // ---- intrinsic (transaction) costs ----
    int64_t tx_base = 21000;
    int64_t tx_create = 32000;
    int64_t tx_data_zero = 4;
    int64_t tx_data_nonzero = 16;
    int64_t tx_access_list_address = 2400;
    int64_t tx_access_list_key = 1900;

    // ---- precompiles ----
    int64_t ecrecover = 3000;
    int64_t sha256_base = 60;
    int64_t sha256_word = 12;
    int64_t ripemd160_base = 600;
    int64_t ripemd160_word = 120;
    int64_t identity_base = 15;
    int64_t identity_word = 3;
    int64_t modexp_min = 200;           ///< EIP-2565
    int64_t modexp_divisor = 3;
    int64_t bn254_add = 150;            ///< EIP-1108
    int64_t bn254_mul = 6000;
    int64_t bn254_pairing_base = 45000;
    int64_t bn254_pairing_pair = 34000;
    int64_t blake2f_round = 1;
    int64_t point_evaluation = 50000;   ///< EIP-4844
    int64_t p256verify = 3450;          ///< RIP-7212
    int64_t l1sload_base = 2000;        ///< RIP-7728 (issue 8)
    int64_t l1sload_per_key = 2000;
    int64_t wasm_read_u64 = 2100;       ///< EVM -> WASM readU64 precompile (issue 7)

    // ---- WASM engine (issue 7; docs/spec/wasm-host.md) ----
    // Priced to cost about what the EVM costs per second of CPU (docs/performance.md, "WASM
    // engine": ~400 Mgas/s for fib, the metering's worst case and an empty call).
    int64_t wasm_instruction = 4;       ///< per executed WASM instruction
    int64_t wasm_segment = 48;          ///< per straight-line segment entered (its metering)
    int64_t wasm_call_base = 6000;      ///< per call into a WASM module (its instantiation)
    int64_t wasm_call_function = 150;   ///< per call, per function the module defines
    int64_t wasm_call_page = 1000;      ///< per call, per page of the memory's declared maximum
    int64_t wasm_host_call = 10;        ///< env.* calls without a cost of their own below
    int64_t wasm_copy_word = 3;         ///< per 32-byte word copied between memory and host
    int64_t wasm_storage_read = 2100;   ///< env.storage_read
    int64_t wasm_storage_write = 20000; ///< env.storage_write
    int64_t wasm_log_base = 375;        ///< env.emit_log: base + topic * n + data_byte * len
    int64_t wasm_log_topic = 375;
    int64_t wasm_log_data_byte = 8;
    int64_t wasm_keccak_base = 30;      ///< env.keccak256: base + word * ceil(len / 32)
    int64_t wasm_keccak_word = 6;
    int64_t wasm_evm_storage_read = 2100;  ///< env.evm_storage_read (WASM -> EVM)
    int64_t wasm_deploy_base = 32000;   ///< deployer precompile 0x20001: base + byte * input size
    int64_t wasm_deploy_byte = 200;
};

/// Cancun's schedule (the default).
GasSchedule cancun_schedule();

/// The schedule of an Ethereum revision (for the ethereum/tests runners).
GasSchedule schedule_for(Revision rev);

/// Schedules by activation block: `at(block)` is the last entry whose `from_block` <= block.
class GasTable
{
public:
    struct Entry
    {
        uint64_t from_block;
        GasSchedule schedule;
    };

    /// One schedule from block 0.
    explicit GasTable(GasSchedule base = cancun_schedule());

    /// Parses the chain config's "gasTable" object (docs/spec/gas-table.md): a base (by
    /// revision name and/or overrides) plus repricings at block heights. Errors name the key.
    static Result<GasTable, std::string> from_json(std::string_view json);

    const GasSchedule& at(uint64_t block_num) const noexcept;
    const std::vector<Entry>& entries() const noexcept { return m_entries; }

private:
    std::vector<Entry> m_entries;  // sorted by from_block, first from 0
};

}  // namespace l2::execution
