#pragma once
/// Mempool internals shared by its .cpp files.

#include <memory>

#include "mempool.hpp"

namespace l2::sequencer {

/// A tx that passed every lock-free check, with the head values it was checked against.
struct Mempool::Prepared
{
    std::shared_ptr<PooledTx> ptx;
    uint64_t account_nonce = 0;
    U256 balance;
};

}  // namespace l2::sequencer
