// JSON-RPC 2.0 request processing, independent of the transport (fuzzed by
// tests/fuzz/rpc_request_fuzz.cpp). Responses are assembled as text: the members come out in
// the customary order (jsonrpc, id, result|error) without building a DOM for every reply.
#include "rpc_types.hpp"

#include <chrono>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace l2::node {

namespace {

using nlohmann::json;

/// Longest method name quoted back in an error message or a log line.
constexpr size_t kMaxQuotedName = 96;

void append_json(std::string& out, const json& j)
{
    // Handlers may put arbitrary bytes into strings: replace invalid UTF-8 instead of throwing.
    out += j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void append_error(std::string& out, const json& id, const RpcError& e)
{
    out += R"({"jsonrpc":"2.0","id":)";
    append_json(out, id);
    out += R"(,"error":{"code":)";
    out += std::to_string(e.code);
    out += R"(,"message":)";
    append_json(out, json(e.message));
    if (e.data)
    {
        out += R"(,"data":)";
        append_json(out, *e.data);
    }
    out += "}}";
}

void append_result(std::string& out, const json& id, const json& result)
{
    out += R"({"jsonrpc":"2.0","id":)";
    append_json(out, id);
    out += R"(,"result":)";
    append_json(out, result);
    out += '}';
}

/// A method name fit for a message or a log line: truncated, control bytes replaced.
std::string quoted_name(std::string_view name)
{
    std::string s{name.substr(0, kMaxQuotedName)};
    for (auto& c : s)
    {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    }
    if (name.size() > kMaxQuotedName)
        s += "...";
    return s;
}

/// True if the arrays/objects of `body` nest deeper than `max_depth` (strings skipped). Exact for
/// valid JSON; for invalid JSON the parser fails anyway.
bool nests_deeper_than(std::string_view body, size_t max_depth) noexcept
{
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < body.size(); ++i)
    {
        const char c = body[i];
        if (in_string)
        {
            if (c == '\\')
                ++i;  // The escaped character cannot end the string.
            else if (c == '"')
                in_string = false;
            continue;
        }
        switch (c)
        {
            case '"':
                in_string = true;
                break;
            case '[':
            case '{':
                if (++depth > max_depth)
                    return true;
                break;
            case ']':
            case '}':
                if (depth > 0)
                    --depth;
                break;
            default:
                break;
        }
    }
    return false;
}

/// Calls the handler; exceptions become -32603 (the server must survive a throwing handler).
RpcResult call_handler(const RpcHandler& h, const json& params, std::string_view method)
{
    try
    {
        return h(params);
    }
    catch (const std::exception& e)
    {
        spdlog::warn("rpc: handler of {} threw: {}", quoted_name(method), e.what());
        return rpc_error(kInternalError, e.what());
    }
    catch (...)
    {
        spdlog::warn("rpc: handler of {} threw a non-std exception", quoted_name(method));
        return rpc_error(kInternalError, "internal error");
    }
}

/// Processes one request object, appending its response to `out`. Returns false if nothing was
/// appended (a notification).
bool handle_one(std::string& out, const RpcMethods& methods, const json& req, bool log_debug)
{
    const json null_id;
    if (!req.is_object())
    {
        append_error(out, null_id, {kInvalidRequest, "invalid request: not a JSON object", {}});
        return true;
    }

    // A request without "id" is a notification (spec §4.1); "id": null is a request.
    const auto id_it = req.find("id");
    const bool notification = id_it == req.end();
    if (!notification && !id_it->is_null() && !id_it->is_number() && !id_it->is_string())
    {
        append_error(out, null_id,
                     {kInvalidRequest, "invalid request: id must be a number, string or null", {}});
        return true;
    }
    const json& id = notification ? null_id : *id_it;

    // Lenient like geth: a missing "jsonrpc" member is accepted, a wrong one is not.
    if (const auto v = req.find("jsonrpc"); v != req.end() && *v != "2.0")
    {
        append_error(out, id, {kInvalidRequest, R"(invalid request: "jsonrpc" must be "2.0")", {}});
        return true;
    }

    const auto m = req.find("method");
    if (m == req.end() || !m->is_string())
    {
        append_error(out, id, {kInvalidRequest, "invalid request: method must be a string", {}});
        return true;
    }
    const auto& method = m->get_ref<const std::string&>();

    static const json kNoParams = json::array();
    const json* params = &kNoParams;
    if (const auto p = req.find("params"); p != req.end() && !p->is_null())
    {
        if (!p->is_array() && !p->is_object())
        {
            append_error(
                out, id,
                {kInvalidRequest, "invalid request: params must be an array or object", {}});
            return true;
        }
        params = &*p;
    }

    const RpcHandler* h = methods.find(method);
    if (h == nullptr)
    {
        if (log_debug)
            spdlog::debug("rpc: {} not found", quoted_name(method));
        if (notification)
            return false;
        append_error(out, id,
                     {kMethodNotFound,
                      "the method " + quoted_name(method) + " does not exist/is not available",
                      {}});
        return true;
    }

    const auto t0 =
        log_debug ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    const RpcResult r = call_handler(*h, *params, method);
    if (log_debug)
    {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count();
        if (r)
            spdlog::debug("rpc: {} ok in {} us", method, us);
        else
            spdlog::debug("rpc: {} error {} in {} us: {}", method, r.error().code, us,
                          r.error().message);
    }
    if (notification)
        return false;
    if (r)
        append_result(out, id, *r);
    else
        append_error(out, id, r.error());
    return true;
}

std::string single_error(int code, std::string message)
{
    std::string out;
    append_error(out, json{}, {code, std::move(message), {}});
    return out;
}

std::string handle_body(const RpcMethods& methods, std::string_view body, size_t max_batch)
{
    if (nests_deeper_than(body, kMaxJsonDepth))
    {
        return single_error(kParseError, "parse error: JSON nested deeper than " +
                                             std::to_string(kMaxJsonDepth) + " levels");
    }
    json doc;
    try
    {
        doc = json::parse(body);
    }
    catch (const json::exception& e)
    {
        // nlohmann's message says where and why; the token it quotes may be long.
        std::string what = e.what();
        if (what.size() > 200)
            what = what.substr(0, 200) + "...";
        return single_error(kParseError, "parse error: " + what);
    }

    const bool log_debug = spdlog::should_log(spdlog::level::debug);
    std::string out;
    if (!doc.is_array())
    {
        handle_one(out, methods, doc, log_debug);
        return out;
    }
    if (doc.empty())
        return single_error(kInvalidRequest, "invalid request: empty batch");
    if (doc.size() > max_batch)
    {
        return single_error(kInvalidRequest,
                            "invalid request: batch of " + std::to_string(doc.size()) +
                                " requests exceeds the limit of " + std::to_string(max_batch));
    }
    out.reserve(doc.size() * 64);
    out += '[';
    for (const auto& req : doc)
    {
        const size_t mark = out.size();
        if (mark > 1)
            out += ',';
        if (!handle_one(out, methods, req, log_debug))
            out.resize(mark);
    }
    if (out.size() == 1)
        return {};  // Only notifications: no response at all (spec §6).
    out += ']';
    return out;
}

}  // namespace

void RpcMethods::add(std::string name, RpcHandler h)
{
    if (!h)
        throw std::logic_error("RpcMethods::add: empty handler for " + name);
    const auto [it, inserted] = m_handlers.emplace(std::move(name), std::move(h));
    if (!inserted)
        throw std::logic_error("RpcMethods::add: " + it->first + " registered twice");
}

const RpcHandler* RpcMethods::find(std::string_view name) const
{
    const auto it = m_handlers.find(name);
    return it == m_handlers.end() ? nullptr : &it->second;
}

std::vector<std::string> RpcMethods::names() const
{
    std::vector<std::string> out;
    out.reserve(m_handlers.size());
    for (const auto& [name, h] : m_handlers)
        out.push_back(name);
    return out;
}

namespace {
/// The budget of the request this thread is serving (UINT64_MAX: none).
thread_local uint64_t t_request_gas = UINT64_MAX;

/// Opens a request's budget for the scope of handle_rpc_body.
class RequestGasScope
{
public:
    explicit RequestGasScope(uint64_t budget) noexcept : m_saved{t_request_gas}
    {
        t_request_gas = budget;
    }
    ~RequestGasScope() { t_request_gas = m_saved; }
    RequestGasScope(const RequestGasScope&) = delete;
    RequestGasScope& operator=(const RequestGasScope&) = delete;

private:
    uint64_t m_saved;
};
}  // namespace

namespace request_gas {
bool take(uint64_t gas) noexcept
{
    if (t_request_gas == UINT64_MAX)
        return true;
    if (gas > t_request_gas)
        return false;
    t_request_gas -= gas;
    return true;
}
void give_back(uint64_t gas) noexcept
{
    if (t_request_gas != UINT64_MAX)
        t_request_gas = gas > UINT64_MAX - 1 - t_request_gas ? UINT64_MAX - 1 : t_request_gas + gas;
}
void charge(uint64_t gas) noexcept
{
    if (t_request_gas != UINT64_MAX)
        t_request_gas = gas >= t_request_gas ? 0 : t_request_gas - gas;
}
}  // namespace request_gas

std::string handle_rpc_body(const RpcMethods& methods,
                            std::string_view body,
                            size_t max_batch,
                            uint64_t max_request_gas)
{
    const RequestGasScope scope{max_request_gas};
    try
    {
        return handle_body(methods, body, max_batch);
    }
    catch (const std::exception& e)
    {
        // Only resource exhaustion (bad_alloc) can get here.
        spdlog::warn("rpc: request failed: {}", e.what());
    }
    return R"({"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error"}})";
}

std::string rpc_error_body(int code, std::string_view message)
{
    return single_error(code, std::string{message});
}

}  // namespace l2::node
