#pragma once
/// `l2node sequencer`: the chain on RocksDB, the mempool, the block-production thread, the L2
/// JSON-RPC server and the JWT-protected admin server, wired from a NodeConfig.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <txtypes/result.hpp>

#include "config.hpp"

namespace l2::node {

class RollupNode
{
public:
    /// Opens the database and the configs; nothing listens yet.
    static Result<std::unique_ptr<RollupNode>, std::string> create(const NodeConfig& cfg);
    ~RollupNode();

    /// Starts the RPC servers and the block thread.
    Result<void, std::string> start();
    /// Stops block production and the servers (idempotent); the database stays consistent.
    void stop();

    uint16_t rpc_port() const;
    uint16_t admin_port() const;

    struct Impl;

private:
    explicit RollupNode(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

/// Runs `fn` on a new thread with a `stack_bytes` stack (deep EVM recursion needs more than the
/// 8 MiB default under sanitizers); returns a joinable handle.
class BigStackThread
{
public:
    BigStackThread(size_t stack_bytes, std::function<void()> fn);
    ~BigStackThread();
    void join();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace l2::node
