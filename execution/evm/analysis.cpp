#include "analysis.hpp"

#include "opcodes.hpp"

namespace l2::execution::evm {

CodeAnalysis analyze(ByteView code)
{
    CodeAnalysis a;
    a.code_size = code.size();
    a.padded.reserve(code.size() + 33);
    a.padded.append(code);
    a.padded.append(33, 0);  // PUSH32 data past the end reads zeros; then STOP
    a.jumpdest_map.assign(code.size(), false);
    for (size_t i = 0; i < code.size(); ++i)
    {
        const uint8_t op = code[i];
        if (op == OP_JUMPDEST)
            a.jumpdest_map[i] = true;
        else if (op >= OP_PUSH1 && op <= OP_PUSH32)
            i += static_cast<size_t>(op - OP_PUSH1 + 1);
    }
    return a;
}

}  // namespace l2::execution::evm
