#pragma once
// Interpreter internals shared by interpreter.cpp and instructions.cpp (not a public header).

#include <memory>

#include "analysis.hpp"
#include "evm.hpp"

namespace l2::execution::evm {

struct Evm::FrameBuffers
{
    std::unique_ptr<U256[]> stack{new U256[kStackLimit]};
    Bytes memory;
    Bytes return_data;
};

/// One executing frame. The hot loop keeps `sp` and `gas` here; helpers take the frame.
struct Frame
{
    Evm& evm;
    const Message& msg;
    const CodeAnalysis& code;
    U256* stack_base;
    U256* sp;  ///< one past the top
    int64_t gas;
    int64_t refund = 0;
    Bytes& memory;
    Bytes& return_data;  ///< output of the last nested call
    Status status = Status::kSuccess;
    Bytes output;

    U256& top(size_t i = 0) noexcept { return sp[-1 - static_cast<ptrdiff_t>(i)]; }
    U256 pop() noexcept { return *--sp; }
    void push(const U256& v) noexcept { *sp++ = v; }
};

/// Largest memory offset + size considered before gas makes it unaffordable anyway.
inline constexpr uint64_t kMaxMemory = 1ull << 32;

/// Charges memory expansion to cover [offset, offset + size); false on out of gas.
bool expand_memory(Frame& f, const U256& offset, const U256& size) noexcept;

inline uint64_t words(uint64_t bytes) noexcept
{
    return (bytes + 31) / 32;
}

/// Out-of-line instructions (calls, creates, storage, logs, copies, environment).
bool op_sload(Frame& f) noexcept;
bool op_sstore(Frame& f) noexcept;
bool op_balance(Frame& f) noexcept;
bool op_extcodesize(Frame& f) noexcept;
bool op_extcodehash(Frame& f) noexcept;
bool op_extcodecopy(Frame& f) noexcept;
bool op_copy(Frame& f, ByteView source) noexcept;  ///< CALLDATACOPY, CODECOPY
bool op_returndatacopy(Frame& f) noexcept;
bool op_mcopy(Frame& f) noexcept;
bool op_keccak(Frame& f) noexcept;
bool op_log(Frame& f, int topics) noexcept;
bool op_call(Frame& f, uint8_t op) noexcept;
bool op_create(Frame& f, bool create2) noexcept;
bool op_selfdestruct(Frame& f) noexcept;
bool op_blockhash(Frame& f) noexcept;
bool op_exp(Frame& f) noexcept;
/// RETURN / REVERT: sets f.output; false on out of gas.
bool op_return(Frame& f) noexcept;

}  // namespace l2::execution::evm
