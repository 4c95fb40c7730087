#pragma once
/// Code analysis done once per code hash: the code padded so that PUSH data past the end reads
/// as zeros and execution runs into STOP, and a bitmap of valid JUMPDESTs.

#include <vector>

#include <txtypes/bytes.hpp>

namespace l2::execution::evm {

struct CodeAnalysis
{
    Bytes padded;                    ///< code + 33 zero bytes (a PUSH32 at the end, then STOP)
    std::vector<bool> jumpdest_map;  ///< true where a JUMPDEST opcode (not PUSH data) stands
    size_t code_size = 0;

    bool is_jumpdest(uint64_t pc) const noexcept
    {
        return pc < code_size && jumpdest_map[static_cast<size_t>(pc)];
    }
};

CodeAnalysis analyze(ByteView code);

}  // namespace l2::execution::evm
