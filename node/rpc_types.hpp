#pragma once
/// JSON-RPC 2.0 vocabulary of the L2 RPC server (https://www.jsonrpc.org/specification):
/// error objects, handler results, the method table and the socket-free request processor.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <txtypes/result.hpp>

namespace l2::node {

/// A JSON-RPC 2.0 error object (spec §5.1).
struct RpcError
{
    int code = -32603;
    std::string message;
    std::optional<nlohmann::json> data;
};

/// What a handler returns: the `result` member, or the `error` object.
using RpcResult = l2::Result<nlohmann::json, RpcError>;

/// A method implementation. `params` is what the request sent: an array or an object; an absent
/// or null `params` arrives as an empty array. Handlers may run concurrently on several threads
/// and should not throw (a std::exception becomes -32603 with its message).
using RpcHandler = std::function<RpcResult(const nlohmann::json& params)>;

/// JSON-RPC 2.0 reserved error codes (spec §5.1).
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

/// Requests nested deeper than this (arrays/objects) are refused as parse errors, so that no
/// later recursive walk (copy, dump) of a hostile body can exhaust the stack.
inline constexpr size_t kMaxJsonDepth = 128;

/// `return rpc_error(kInvalidParams, "...");` from a handler.
inline l2::Unexpected<RpcError> rpc_error(int code,
                                          std::string message,
                                          std::optional<nlohmann::json> data = std::nullopt)
{
    return l2::unexpected(RpcError{code, std::move(message), std::move(data)});
}

/// The method table: built at startup, then read-only and shared by the server threads.
class RpcMethods
{
public:
    /// Registers `name`. A name registered twice is a wiring bug: throws std::logic_error.
    void add(std::string name, RpcHandler h);

    /// The handler for `name`, or nullptr.
    [[nodiscard]] const RpcHandler* find(std::string_view name) const;

    /// Registered names in sorted order (e.g. for rpc_modules or docs).
    [[nodiscard]] std::vector<std::string> names() const;

    [[nodiscard]] size_t size() const noexcept { return m_handlers.size(); }

private:
    std::map<std::string, RpcHandler, std::less<>> m_handlers;
};

/// The gas one HTTP request (a single call or a whole batch) may execute in eth_call and
/// eth_estimateGas together (`rpc.max_request_gas`, docs/config.md). Each call is capped on its
/// own, but a batch of thousands of calls at that cap would otherwise hold an RPC thread for
/// hours. handle_rpc_body opens the budget for the request it serves; handlers on that thread
/// draw from it (batches run in order on the calling thread). Outside a request nothing is
/// limited.
namespace request_gas {
/// Takes `gas`; false, and nothing taken, when less is left.
bool take(uint64_t gas) noexcept;
/// Returns gas taken and not executed.
void give_back(uint64_t gas) noexcept;
/// Charges gas executed beyond what was taken: the budget may end at 0, never below.
void charge(uint64_t gas) noexcept;
}  // namespace request_gas

/// Processes one HTTP request body (a single request or a batch) without sockets: returns the
/// response body, or "" when nothing is to be answered (only notifications). Never throws.
/// Batches run in order on the calling thread; an empty batch or one longer than `max_batch`
/// is answered by a single -32600 error object. `max_request_gas` is the request's gas budget
/// (request_gas).
std::string handle_rpc_body(const RpcMethods& methods,
                            std::string_view body,
                            size_t max_batch,
                            uint64_t max_request_gas = UINT64_MAX);

/// The serialized error response `{"jsonrpc":"2.0","id":null,"error":{...}}` (id null), for
/// replies the server makes itself (e.g. 401).
std::string rpc_error_body(int code, std::string_view message);

}  // namespace l2::node
