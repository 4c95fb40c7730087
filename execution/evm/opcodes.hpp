#pragma once
/// EVM opcodes (Cancun) and their stack shapes.

#include <array>
#include <cstddef>
#include <cstdint>

namespace l2::execution::evm {

enum Opcode : uint8_t
{
    OP_STOP = 0x00, OP_ADD, OP_MUL, OP_SUB, OP_DIV, OP_SDIV, OP_MOD, OP_SMOD, OP_ADDMOD,
    OP_MULMOD, OP_EXP, OP_SIGNEXTEND,
    OP_LT = 0x10, OP_GT, OP_SLT, OP_SGT, OP_EQ, OP_ISZERO, OP_AND, OP_OR, OP_XOR, OP_NOT,
    OP_BYTE, OP_SHL, OP_SHR, OP_SAR,
    OP_KECCAK256 = 0x20,
    OP_ADDRESS = 0x30, OP_BALANCE, OP_ORIGIN, OP_CALLER, OP_CALLVALUE, OP_CALLDATALOAD,
    OP_CALLDATASIZE, OP_CALLDATACOPY, OP_CODESIZE, OP_CODECOPY, OP_GASPRICE, OP_EXTCODESIZE,
    OP_EXTCODECOPY, OP_RETURNDATASIZE, OP_RETURNDATACOPY, OP_EXTCODEHASH,
    OP_BLOCKHASH = 0x40, OP_COINBASE, OP_TIMESTAMP, OP_NUMBER, OP_PREVRANDAO, OP_GASLIMIT,
    OP_CHAINID, OP_SELFBALANCE, OP_BASEFEE, OP_BLOBHASH, OP_BLOBBASEFEE,
    OP_POP = 0x50, OP_MLOAD, OP_MSTORE, OP_MSTORE8, OP_SLOAD, OP_SSTORE, OP_JUMP, OP_JUMPI,
    OP_PC, OP_MSIZE, OP_GAS, OP_JUMPDEST, OP_TLOAD, OP_TSTORE, OP_MCOPY, OP_PUSH0,
    OP_PUSH1 = 0x60, OP_PUSH32 = 0x7f,
    OP_DUP1 = 0x80, OP_DUP16 = 0x8f,
    OP_SWAP1 = 0x90, OP_SWAP16 = 0x9f,
    OP_LOG0 = 0xa0, OP_LOG4 = 0xa4,
    OP_CREATE = 0xf0, OP_CALL, OP_CALLCODE, OP_RETURN, OP_DELEGATECALL, OP_CREATE2,
    OP_STATICCALL = 0xfa, OP_REVERT = 0xfd, OP_INVALID = 0xfe, OP_SELFDESTRUCT = 0xff,
};

struct StackShape
{
    int8_t required;  ///< items the opcode needs on the stack
    int8_t change;    ///< net change of the stack height
};

/// Stack requirements of every opcode (undefined ones: {0, 0}; the cost table rejects them).
inline constexpr std::array<StackShape, 256> kStackShapes = [] {
    std::array<StackShape, 256> t{};
    auto set = [&](int op, int req, int change) {
        t[static_cast<size_t>(op)] = {static_cast<int8_t>(req), static_cast<int8_t>(change)};
    };
    set(OP_STOP, 0, 0);
    for (int op : {OP_ADD, OP_MUL, OP_SUB, OP_DIV, OP_SDIV, OP_MOD, OP_SMOD, OP_EXP,
                   OP_SIGNEXTEND, OP_LT, OP_GT, OP_SLT, OP_SGT, OP_EQ, OP_AND, OP_OR, OP_XOR,
                   OP_BYTE, OP_SHL, OP_SHR, OP_SAR, OP_KECCAK256})
        set(op, 2, -1);
    set(OP_ADDMOD, 3, -2);
    set(OP_MULMOD, 3, -2);
    set(OP_ISZERO, 1, 0);
    set(OP_NOT, 1, 0);
    for (int op : {OP_ADDRESS, OP_ORIGIN, OP_CALLER, OP_CALLVALUE, OP_CALLDATASIZE, OP_CODESIZE,
                   OP_GASPRICE, OP_RETURNDATASIZE, OP_COINBASE, OP_TIMESTAMP, OP_NUMBER,
                   OP_PREVRANDAO, OP_GASLIMIT, OP_CHAINID, OP_SELFBALANCE, OP_BASEFEE,
                   OP_BLOBBASEFEE, OP_PC, OP_MSIZE, OP_GAS, OP_PUSH0})
        set(op, 0, 1);
    for (int op : {OP_BALANCE, OP_CALLDATALOAD, OP_EXTCODESIZE, OP_EXTCODEHASH, OP_BLOCKHASH,
                   OP_BLOBHASH, OP_MLOAD, OP_SLOAD, OP_TLOAD})
        set(op, 1, 0);
    set(OP_CALLDATACOPY, 3, -3);
    set(OP_CODECOPY, 3, -3);
    set(OP_RETURNDATACOPY, 3, -3);
    set(OP_MCOPY, 3, -3);
    set(OP_EXTCODECOPY, 4, -4);
    set(OP_POP, 1, -1);
    set(OP_MSTORE, 2, -2);
    set(OP_MSTORE8, 2, -2);
    set(OP_SSTORE, 2, -2);
    set(OP_TSTORE, 2, -2);
    set(OP_JUMP, 1, -1);
    set(OP_JUMPI, 2, -2);
    set(OP_JUMPDEST, 0, 0);
    for (int op = OP_PUSH1; op <= OP_PUSH32; ++op)
        set(op, 0, 1);
    for (int n = 1; n <= 16; ++n)
    {
        set(OP_DUP1 + n - 1, n, 1);
        set(OP_SWAP1 + n - 1, n + 1, 0);
    }
    for (int n = 0; n <= 4; ++n)
        set(OP_LOG0 + n, n + 2, -(n + 2));
    set(OP_CREATE, 3, -2);
    set(OP_CREATE2, 4, -3);
    set(OP_CALL, 7, -6);
    set(OP_CALLCODE, 7, -6);
    set(OP_DELEGATECALL, 6, -5);
    set(OP_STATICCALL, 6, -5);
    set(OP_RETURN, 2, -2);
    set(OP_REVERT, 2, -2);
    set(OP_SELFDESTRUCT, 1, -1);
    return t;
}();
static_assert(kStackShapes[OP_SWAP16].required == 17 && kStackShapes[OP_CALL].change == -6);

/// Opcode mnemonics (gas table keys "op.<NAME>", tracing).
const char* opcode_name(uint8_t op) noexcept;

}  // namespace l2::execution::evm
