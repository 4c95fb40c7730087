#pragma once
/// JSON-RPC 2.0 over HTTP(S) with libcurl: one kept-alive connection per client, timeouts,
/// retries with exponential backoff for transient failures, batches (docs/spec/l1client.md).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <txtypes/result.hpp>

#include "rpc_error.hpp"

namespace l2::l1client {

/// Timeouts and retry policy of one RpcClient.
struct RpcClientOptions
{
    std::chrono::milliseconds connect_timeout{2000};
    /// Whole request (connect + send + wait + receive) of one attempt.
    std::chrono::milliseconds request_timeout{10000};
    /// Extra attempts after the first, for transient failures only (RpcError::is_transient).
    unsigned max_retries = 3;
    /// The wait before retry k (k = 0, 1, ...) is min(backoff_initial * 2^k, backoff_max),
    /// of which a random half is taken off (jitter): in [d/2, d].
    std::chrono::milliseconds backoff_initial{100};
    std::chrono::milliseconds backoff_max{2000};
    /// Replies larger than this fail with kTransport (bounded memory on hostile servers).
    size_t max_response_bytes = size_t{128} << 20;
    /// Extra HTTP headers sent with every request, e.g. "Authorization: Bearer <jwt>".
    std::vector<std::string> extra_headers;
    /// Log transport failures (off for callers that poll a server that is still starting).
    bool log_failures = true;
};

/// One request of a batch: method and params (a JSON array, or null for none).
using RpcRequest = std::pair<std::string, nlohmann::json>;

/// A JSON-RPC client for one URL. Thread-safe: calls from several threads share one curl
/// handle (and so one kept-alive connection) under a mutex; backoff waits do not hold it.
class RpcClient
{
public:
    explicit RpcClient(std::string url, RpcClientOptions options = {});
    ~RpcClient();
    RpcClient(const RpcClient&) = delete;
    RpcClient& operator=(const RpcClient&) = delete;

    /// Calls `method` with `params` (a JSON array; null sends []) and returns its `result`.
    /// JSON-RPC errors come back at once (never retried); transient failures are retried.
    Result<nlohmann::json, RpcError> call(std::string_view method, nlohmann::json params);

    /// Sends all requests as one JSON-RPC batch. The outer error is for the batch as a whole
    /// (transport, HTTP, a reply that is not a batch reply); otherwise one result per request,
    /// in request order, matched by id. An empty batch sends nothing.
    Result<std::vector<Result<nlohmann::json, RpcError>>, RpcError> batch(
        const std::vector<RpcRequest>& requests);

    /// The URL as given (may hold an API key: log `redacted_url()` instead).
    const std::string& url() const noexcept { return m_url; }
    /// Scheme, host and port of the URL: what errors and logs show.
    const std::string& redacted_url() const noexcept { return m_redacted_url; }
    const RpcClientOptions& options() const noexcept { return m_options; }

private:
    struct Impl;
    Result<std::string, RpcError> post(const std::string& body, const std::string& method);

    std::string m_url;
    std::string m_redacted_url;
    RpcClientOptions m_options;
    std::unique_ptr<Impl> m_impl;
};

/// The URL without user info, path, query or fragment: "https://host:port".
std::string redact_url(std::string_view url);

}  // namespace l2::l1client
