#pragma once
/// Errors of the L1 JSON-RPC client. Every failure of a call (network, HTTP, JSON-RPC, decoding
/// the reply) is one of these values: typed, logged with the method and URL, never fatal.

#include <string>

namespace l2::l1client {

/// What went wrong with a JSON-RPC call (docs/spec/l1client.md, "Error kinds").
enum class RpcErrc
{
    kTransport,   ///< could not connect, connection reset, no reply (curl)
    kHttpStatus,  ///< the server answered with a non-2xx HTTP status (`http_status`)
    kRpc,         ///< a JSON-RPC error object (`rpc_code`, `message`, `data`)
    kDecode,      ///< the reply is not JSON / JSON-RPC, too large, or a result has the wrong shape
    kTimeout,     ///< connect or request timeout
};

/// The name of an error kind ("transport", "http", "rpc", "decode", "timeout").
const char* to_string(RpcErrc code) noexcept;

/// One failed call. `url` is redacted (scheme, host and port only: paths of hosted endpoints
/// carry API keys).
struct RpcError
{
    RpcErrc code = RpcErrc::kTransport;
    int rpc_code = 0;     ///< JSON-RPC error code for kRpc (e.g. -32000)
    int http_status = 0;  ///< HTTP status for kHttpStatus
    std::string message;
    std::string data;     ///< JSON-RPC error `data` (e.g. revert data) as JSON text; may be empty
    std::string method;   ///< e.g. "eth_getLogs", or "batch(3)"
    std::string url;

    /// True for kTransport, kTimeout and HTTP 408/429/5xx: failures worth retrying later.
    bool is_transient() const noexcept;

    /// "eth_chainId http://127.0.0.1:8545: rpc error -32601: method not found".
    std::string to_string() const;
};

}  // namespace l2::l1client
