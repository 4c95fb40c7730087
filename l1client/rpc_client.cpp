#include "rpc_client.hpp"

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>

#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace l2::l1client {

using json = nlohmann::json;

const char* to_string(RpcErrc code) noexcept
{
    switch (code)
    {
    case RpcErrc::kTransport:
        return "transport";
    case RpcErrc::kHttpStatus:
        return "http";
    case RpcErrc::kRpc:
        return "rpc";
    case RpcErrc::kDecode:
        return "decode";
    case RpcErrc::kTimeout:
        return "timeout";
    }
    return "unknown";
}

bool RpcError::is_transient() const noexcept
{
    switch (code)
    {
    case RpcErrc::kTransport:
    case RpcErrc::kTimeout:
        return true;
    case RpcErrc::kHttpStatus:
        return http_status == 408 || http_status == 429 || http_status >= 500;
    case RpcErrc::kRpc:
    case RpcErrc::kDecode:
        return false;
    }
    return false;
}

std::string RpcError::to_string() const
{
    std::string s = method + " " + url + ": " + l1client::to_string(code) + " error";
    if (code == RpcErrc::kRpc)
        s += " " + std::to_string(rpc_code);
    else if (code == RpcErrc::kHttpStatus)
        s += " " + std::to_string(http_status);
    s += ": " + message;
    if (!data.empty())
        s += " (data: " + data + ")";
    return s;
}

std::string redact_url(std::string_view url)
{
    size_t host_begin = 0;
    if (const auto p = url.find("://"); p != std::string_view::npos)
        host_begin = p + 3;
    const auto host_end = std::min(url.find_first_of("/?#", host_begin), url.size());
    auto authority = url.substr(host_begin, host_end - host_begin);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);  // user:password@
    return std::string{url.substr(0, host_begin)} + std::string{authority};
}

namespace {

/// What the write callback appends to, with the size cap.
struct Sink
{
    std::string body;
    size_t limit = 0;
    bool too_large = false;
};

size_t write_cb(char* ptr, size_t size, size_t nmemb, void* userdata)
{
    auto& sink = *static_cast<Sink*>(userdata);
    const size_t n = size * nmemb;
    if (sink.body.size() + n > sink.limit)
    {
        sink.too_large = true;
        return 0;  // Makes curl fail with CURLE_WRITE_ERROR.
    }
    sink.body.append(ptr, n);
    return n;
}

std::string excerpt(std::string_view s)
{
    constexpr size_t kMax = 200;
    return s.size() <= kMax ? std::string{s} : std::string{s.substr(0, kMax)} + "...";
}

std::string dump(const json& j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// The error of a JSON-RPC error object, or a kDecode error when it is malformed.
RpcError rpc_error_from(const json& err)
{
    RpcError e;
    e.code = RpcErrc::kRpc;
    if (!err.is_object())
    {
        e.message = "error is not an object: " + excerpt(dump(err));
        return e;
    }
    if (const auto c = err.find("code"); c != err.end() && c->is_number_integer())
        e.rpc_code = static_cast<int>(c->get<int64_t>());
    if (const auto m = err.find("message"); m != err.end() && m->is_string())
        e.message = m->get<std::string>();
    else
        e.message = "(no message)";
    if (const auto d = err.find("data"); d != err.end() && !d->is_null())
        e.data = d->is_string() ? d->get<std::string>() : excerpt(dump(*d));
    return e;
}

/// Interprets one JSON-RPC response object: its `result`, or its error.
Result<json, RpcError> take_response(json& resp)
{
    if (!resp.is_object())
        return unexpected(RpcError{.code = RpcErrc::kDecode,
                                   .message = "response is not an object: " + excerpt(dump(resp))});
    if (const auto err = resp.find("error"); err != resp.end() && !err->is_null())
        return unexpected(rpc_error_from(*err));
    const auto res = resp.find("result");
    if (res == resp.end())
        return unexpected(RpcError{.code = RpcErrc::kDecode,
                                   .message = "response has neither result nor error"});
    return std::move(*res);
}

json make_request(std::string_view method, json params, uint64_t id)
{
    if (params.is_null())
        params = json::array();
    return json{{"jsonrpc", "2.0"},
                {"id", id},
                {"method", std::string{method}},
                {"params", std::move(params)}};
}

std::chrono::milliseconds backoff_delay(const RpcClientOptions& o, unsigned retry)
{
    auto d = o.backoff_initial;
    for (unsigned i = 0; i < retry && d < o.backoff_max; ++i)
        d *= 2;
    d = std::min(d, o.backoff_max);
    const auto half = static_cast<uint64_t>(d.count()) / 2;
    thread_local std::minstd_rand rng{std::random_device{}()};
    return std::chrono::milliseconds{static_cast<int64_t>(half + rng() % (half + 1))};
}

}  // namespace

struct RpcClient::Impl
{
    std::mutex mutex;
    CURL* curl = nullptr;
    curl_slist* headers = nullptr;
    char errbuf[CURL_ERROR_SIZE]{};
    uint64_t next_id = 1;
    std::mutex id_mutex;

    uint64_t take_ids(size_t n)
    {
        std::lock_guard lock{id_mutex};
        const auto first = next_id;
        next_id += n;
        return first;
    }
};

RpcClient::RpcClient(std::string url, RpcClientOptions options)
  : m_url{std::move(url)},
    m_redacted_url{redact_url(m_url)},
    m_options{options},
    m_impl{std::make_unique<Impl>()}
{
    static std::once_flag curl_init;
    std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

    auto* h = curl_easy_init();
    if (h == nullptr)
        return;  // Every call reports kTransport.
    m_impl->curl = h;
    m_impl->headers = curl_slist_append(nullptr, "Content-Type: application/json");
    // No "Expect: 100-continue" round trip for larger bodies.
    m_impl->headers = curl_slist_append(m_impl->headers, "Expect:");
    for (const auto& header : m_options.extra_headers)
        m_impl->headers = curl_slist_append(m_impl->headers, header.c_str());
    curl_easy_setopt(h, CURLOPT_URL, m_url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, m_impl->headers);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // Threads: no SIGALRM for DNS timeouts.
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // Whatever curl can decompress.
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, m_impl->errbuf);
}

RpcClient::~RpcClient()
{
    if (m_impl->curl != nullptr)
        curl_easy_cleanup(m_impl->curl);
    curl_slist_free_all(m_impl->headers);
}

Result<std::string, RpcError> RpcClient::post(const std::string& body, const std::string& method)
{
    const auto attempt = [&]() -> Result<std::string, RpcError> {
        std::lock_guard lock{m_impl->mutex};
        auto* h = m_impl->curl;
        if (h == nullptr)
            return unexpected(
                RpcError{.code = RpcErrc::kTransport, .message = "curl_easy_init failed"});
        Sink sink{.limit = m_options.max_response_bytes};
        m_impl->errbuf[0] = '\0';
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
        const auto rc = curl_easy_perform(h);
        if (sink.too_large)
            return unexpected(RpcError{
                .code = RpcErrc::kDecode,
                .message = "reply exceeds " + std::to_string(m_options.max_response_bytes) +
                           " bytes"});
        if (rc != CURLE_OK)
        {
            RpcError e{.code = rc == CURLE_OPERATION_TIMEDOUT ? RpcErrc::kTimeout
                                                              : RpcErrc::kTransport,
                       .message = curl_easy_strerror(rc)};
            if (m_impl->errbuf[0] != '\0')
                e.message += std::string{" ("} + m_impl->errbuf + ")";
            return unexpected(std::move(e));
        }
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status >= 300)
            return unexpected(RpcError{.code = RpcErrc::kHttpStatus,
                                       .http_status = static_cast<int>(status),
                                       .message = "HTTP " + std::to_string(status) + ": " +
                                                  excerpt(sink.body)});
        return std::move(sink.body);
    };

    for (unsigned retry = 0;; ++retry)
    {
        auto r = attempt();
        if (r)
            return r;
        RpcError e = r.error();
        e.method = method;
        e.url = m_redacted_url;
        if (!e.is_transient() || retry >= m_options.max_retries)
        {
            if (m_options.log_failures)
                spdlog::warn("L1 RPC failed: {}{}", e.to_string(),
                             retry > 0 ? " (after " + std::to_string(retry) + " retries)" : "");
            return unexpected(std::move(e));
        }
        const auto delay = backoff_delay(m_options, retry);
        if (m_options.log_failures)
            spdlog::warn("L1 RPC attempt {} failed: {}; retrying in {} ms", retry + 1,
                         e.to_string(), delay.count());
        std::this_thread::sleep_for(delay);
    }
}

Result<json, RpcError> RpcClient::call(std::string_view method, json params)
{
    const auto id = m_impl->take_ids(1);
    const std::string name{method};
    auto body = post(dump(make_request(method, std::move(params), id)), name);
    if (!body)
        return unexpected(body.error());

    const auto fail = [&](RpcError e) {
        e.method = name;
        e.url = m_redacted_url;
        if (e.code == RpcErrc::kRpc)
            spdlog::info("L1 RPC error: {}", e.to_string());
        else
            spdlog::warn("L1 RPC failed: {}", e.to_string());
        return unexpected(std::move(e));
    };
    auto resp = json::parse(*body, nullptr, false);
    if (resp.is_discarded())
        return fail({.code = RpcErrc::kDecode, .message = "reply is not JSON: " + excerpt(*body)});
    auto result = take_response(resp);
    if (!result)
        return fail(result.error());
    if (const auto rid = resp.find("id"); rid == resp.end() || *rid != json(id))
        return fail({.code = RpcErrc::kDecode, .message = "reply id does not match request id"});
    return result;
}

Result<std::vector<Result<json, RpcError>>, RpcError> RpcClient::batch(
    const std::vector<RpcRequest>& requests)
{
    std::vector<Result<json, RpcError>> out;
    if (requests.empty())
        return out;
    const auto first_id = m_impl->take_ids(requests.size());
    json body = json::array();
    for (size_t i = 0; i < requests.size(); ++i)
        body.push_back(make_request(requests[i].first, requests[i].second, first_id + i));
    const auto name = "batch(" + std::to_string(requests.size()) + ")";
    auto reply = post(dump(body), name);
    if (!reply)
        return unexpected(reply.error());

    const auto fail = [&](RpcError e) {
        e.method = name;
        e.url = m_redacted_url;
        spdlog::warn("L1 RPC failed: {}", e.to_string());
        return unexpected(std::move(e));
    };
    auto resp = json::parse(*reply, nullptr, false);
    if (resp.is_discarded())
        return fail({.code = RpcErrc::kDecode, .message = "reply is not JSON: " + excerpt(*reply)});
    if (resp.is_object())  // A server without batches answers with one error object.
    {
        auto r = take_response(resp);
        return fail(r ? RpcError{.code = RpcErrc::kDecode, .message = "batch reply is not an array"}
                      : r.error());
    }
    if (!resp.is_array())
        return fail({.code = RpcErrc::kDecode, .message = "batch reply is not an array"});

    std::vector<json*> by_index(requests.size(), nullptr);
    for (auto& item : resp)
    {
        if (!item.is_object())
            continue;
        const auto rid = item.find("id");
        if (rid == item.end() || !rid->is_number_unsigned())
            continue;
        const auto id = rid->get<uint64_t>();
        if (id >= first_id && id - first_id < requests.size() && by_index[id - first_id] == nullptr)
            by_index[id - first_id] = &item;
    }
    out.reserve(requests.size());
    for (size_t i = 0; i < requests.size(); ++i)
    {
        auto r = by_index[i] != nullptr
                     ? take_response(*by_index[i])
                     : Result<json, RpcError>{unexpected(RpcError{
                           .code = RpcErrc::kDecode, .message = "no reply with this id in batch"})};
        if (!r)
        {
            RpcError e = r.error();
            e.method = requests[i].first;
            e.url = m_redacted_url;
            spdlog::debug("L1 RPC batch item failed: {}", e.to_string());
            out.emplace_back(unexpected(std::move(e)));
        }
        else
            out.emplace_back(std::move(*r));
    }
    return out;
}

}  // namespace l2::l1client
