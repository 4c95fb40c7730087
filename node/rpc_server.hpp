#pragma once
/// The L2 JSON-RPC HTTP server: HTTP/1.1 (keep-alive) on Boost.Beast, served by a few threads.
/// Routes: POST / (JSON-RPC 2.0, single or batch), GET /health ("ok"), GET /metrics (when a
/// metrics source is set), OPTIONS (CORS preflight); 404 otherwise. See docs/rpc-server.md.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <txtypes/result.hpp>

#include "rpc_types.hpp"

namespace l2::node {

/// How an RpcServer listens and what it accepts.
struct RpcServerOptions
{
    std::string host = "127.0.0.1";
    uint16_t port = 0;  ///< 0 = pick a free port (RpcServer::port() tells which).
    size_t max_body_bytes = 5 * 1024 * 1024;  ///< Larger bodies are refused with 413.
    size_t max_batch = 1000;                  ///< Longer batches get one -32600 error.
    /// Gas eth_call / eth_estimateGas may run per HTTP request, batch included (request_gas).
    uint64_t max_request_gas = 1'000'000'000;
    unsigned threads = 2;                     ///< Threads running the io_context (min 1).
    /// Set => every request (but CORS preflight) needs `Authorization: Bearer <HS256 JWT>`
    /// valid for this secret (see jwt.hpp); otherwise 401 with a JSON-RPC error body.
    std::optional<std::array<uint8_t, 32>> jwt_secret;
    /// Set => GET /metrics serves what it returns (Prometheus text format 0.0.4).
    std::function<std::string()> metrics;
    std::string name = "rpc";  ///< Prefix of this server's log lines.
    /// A keep-alive connection with no new request for this long is closed.
    std::chrono::milliseconds idle_timeout{60'000};
    /// Once a request's header has arrived, its body (and the reply's write) must complete
    /// within this time: slow clients do not hold a connection forever.
    std::chrono::milliseconds read_timeout{30'000};
};

/// An HTTP JSON-RPC server over a method table. The table must outlive the server.
class RpcServer
{
public:
    RpcServer(const RpcMethods& methods, RpcServerOptions options);
    ~RpcServer();  ///< Calls stop().
    RpcServer(const RpcServer&) = delete;
    RpcServer& operator=(const RpcServer&) = delete;

    /// Binds, listens and starts the threads; returns the bound port or a clear error (bad
    /// host, port in use, ...). Call once.
    Result<uint16_t, std::string> start();

    /// Stops accepting, closes every connection and joins the threads. A handler already
    /// running is waited for. Idempotent.
    void stop();

    /// The bound port (0 before start()).
    [[nodiscard]] uint16_t port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace l2::node
