// The HTTP side of the RPC server on Boost.Beast / Boost.Asio (header-only, kept out of every
// header: they are heavy to compile). One io_context run by `threads` threads; each connection
// is a Session on its own strand that reads a request, answers it, and reads the next
// (keep-alive). stop() stops the io_context and destroys it, which closes every connection.
#include "rpc_server.hpp"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "jwt.hpp"

namespace l2::node {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Response = http::response<http::string_body>;

/// Request line + headers larger than this are refused (431).
constexpr uint32_t kMaxHeaderBytes = 16 * 1024;
/// After an error reply with `Connection: close`, the rest of the request is read and dropped
/// for at most this long, so that closing does not reset the connection before the client has
/// read the reply.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr int kUnauthorized = -32000;

/// What every Session of one server shares (read-only while running).
struct ServerCore
{
    const RpcMethods& methods;
    RpcServerOptions opts;
};

bool is_disconnect(const beast::error_code& ec)
{
    return ec == http::error::end_of_stream || ec == http::error::partial_message ||
           ec == beast::error::timeout || ec == net::error::eof ||
           ec == net::error::operation_aborted || ec == net::error::connection_reset ||
           ec == net::error::broken_pipe;
}

std::string_view path_of(std::string_view target)
{
    return target.substr(0, target.find('?'));
}

int64_t unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Checks `Authorization: Bearer <jwt>`; the reason it is refused otherwise.
Result<void, std::string> check_auth(const http::request<http::string_body>& req,
                                     const JwtSecret& secret)
{
    const auto auth = req[http::field::authorization];
    if (auth.empty())
        return unexpected(std::string{"missing Authorization: Bearer token"});
    const beast::string_view kBearer = "bearer ";
    if (auth.size() <= kBearer.size() || !beast::iequals(auth.substr(0, kBearer.size()), kBearer))
        return unexpected(std::string{"Authorization is not a Bearer token"});
    auto token = auth.substr(kBearer.size());
    while (!token.empty() && token.front() == ' ')
        token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ')
        token.remove_suffix(1);
    return verify_jwt({token.data(), token.size()}, secret, unix_now());
}

class Session : public std::enable_shared_from_this<Session>
{
public:
    Session(tcp::socket&& socket, const ServerCore& core)
        : m_stream{std::move(socket)}, m_core{core}
    {}

    void run()
    {
        net::dispatch(m_stream.get_executor(),
                      beast::bind_front_handler(&Session::read_header, shared_from_this()));
    }

private:
    void read_header()
    {
        m_parser.emplace();
        m_parser->header_limit(kMaxHeaderBytes);
        m_parser->body_limit(m_core.opts.max_body_bytes);
        m_stream.expires_after(m_core.opts.idle_timeout);
        http::async_read_header(m_stream, m_buffer, *m_parser,
                                beast::bind_front_handler(&Session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, size_t /*bytes*/)
    {
        if (ec)
            return on_read_error(ec);
        m_stream.expires_after(m_core.opts.read_timeout);
        const auto& req = m_parser->get();
        if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue"))
        {
            // curl sends this for bodies over 1 KiB and waits a second unless told to go on.
            net::async_write(
                m_stream, net::buffer(kContinue.data(), kContinue.size()),
                beast::bind_front_handler(&Session::on_continue_sent, shared_from_this()));
            return;
        }
        read_body();
    }

    void on_continue_sent(beast::error_code ec, size_t /*bytes*/)
    {
        if (ec)
            return;
        read_body();
    }

    void read_body()
    {
        http::async_read(m_stream, m_buffer, *m_parser,
                         beast::bind_front_handler(&Session::on_body, shared_from_this()));
    }

    void on_body(beast::error_code ec, size_t /*bytes*/)
    {
        if (ec)
            return on_read_error(ec);
        send(handle(m_parser->get()));
    }

    void on_read_error(const beast::error_code& ec)
    {
        if (is_disconnect(ec))
            return;  // Closed, idle or too slow: drop the connection.
        auto status = http::status::bad_request;
        std::string what = "bad request: " + ec.message();
        if (ec == http::error::body_limit)
        {
            status = http::status::payload_too_large;
            what = "request body exceeds " + std::to_string(m_core.opts.max_body_bytes) + " bytes";
        }
        else if (ec == http::error::header_limit)
        {
            status = http::status::request_header_fields_too_large;
            what = "request header exceeds " + std::to_string(kMaxHeaderBytes) + " bytes";
        }
        spdlog::debug("{}: {} from {}: {}", m_core.opts.name, static_cast<unsigned>(status),
                      remote(), what);
        Response res{status, 11};
        res.set(http::field::content_type, "application/json");
        res.body() = rpc_error_body(kInvalidRequest, what);
        res.keep_alive(false);
        send(std::move(res));
    }

    Response handle(const http::request<http::string_body>& req)
    {
        Response res{http::status::ok, req.version()};
        res.keep_alive(req.keep_alive());
        res.set(http::field::server, "l2node");
        res.set(http::field::access_control_allow_origin, "*");

        if (req.method() == http::verb::options)
        {
            // CORS preflight (browsers send it before a cross-origin JSON POST, without tokens).
            res.result(http::status::no_content);
            res.set(http::field::access_control_allow_methods, "POST, GET, OPTIONS");
            const auto asked = req[http::field::access_control_request_headers];
            res.set(http::field::access_control_allow_headers,
                    asked.empty() ? beast::string_view{"Content-Type, Authorization"} : asked);
            res.set(http::field::access_control_max_age, "600");
            return res;
        }
        if (m_core.opts.jwt_secret)
        {
            if (auto ok = check_auth(req, *m_core.opts.jwt_secret); !ok)
            {
                spdlog::debug("{}: 401 from {}: {}", m_core.opts.name, remote(), ok.error());
                res.result(http::status::unauthorized);
                res.set(http::field::www_authenticate, "Bearer");
                res.set(http::field::content_type, "application/json");
                res.body() = rpc_error_body(kUnauthorized, "unauthorized: " + ok.error());
                return res;
            }
        }

        const auto path = path_of({req.target().data(), req.target().size()});
        const auto method = req.method();
        if (path == "/" && method == http::verb::post)
        {
            res.set(http::field::content_type, "application/json");
            res.body() = handle_rpc_body(m_core.methods, req.body(), m_core.opts.max_batch,
                                         m_core.opts.max_request_gas);
        }
        else if (path == "/" && method != http::verb::post)
        {
            res.result(http::status::method_not_allowed);
            res.set(http::field::allow, "POST, OPTIONS");
            res.set(http::field::content_type, "text/plain");
            res.body() = "JSON-RPC takes POST\n";
        }
        else if (path == "/health" && method == http::verb::get)
        {
            res.set(http::field::content_type, "text/plain");
            res.body() = "ok";
        }
        else if (path == "/metrics" && method == http::verb::get && m_core.opts.metrics)
        {
            try
            {
                res.body() = m_core.opts.metrics();
                res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
            }
            catch (const std::exception& e)
            {
                spdlog::warn("{}: metrics source failed: {}", m_core.opts.name, e.what());
                res.result(http::status::internal_server_error);
                res.set(http::field::content_type, "text/plain");
                res.body() = "metrics unavailable\n";
            }
        }
        else
        {
            res.result(http::status::not_found);
            res.set(http::field::content_type, "text/plain");
            res.body() = "not found\n";
        }
        return res;
    }

    void send(Response&& res)
    {
        if (res.count(http::field::access_control_allow_origin) == 0)
            res.set(http::field::access_control_allow_origin, "*");
        res.prepare_payload();
        if (res.result() == http::status::no_content)
            res.erase(http::field::content_length);  // RFC 9110 §8.6: not in a 204.
        m_res = std::move(res);
        m_stream.expires_after(m_core.opts.read_timeout);
        http::async_write(m_stream, m_res,
                          beast::bind_front_handler(&Session::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, size_t /*bytes*/)
    {
        if (ec)
            return;
        const bool keep_alive = m_res.keep_alive();
        m_res = Response{};
        if (keep_alive)
            return read_header();
        beast::error_code ignored;
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        if (m_parser && m_parser->is_done())
            return;  // Nothing left unread: the socket closes with this Session.
        m_stream.expires_after(kLingerTime);
        drain();
    }

    /// Reads and drops what the client still sends, until it closes or the linger time ends.
    void drain()
    {
        if (!m_drain)
            m_drain = std::make_unique<std::array<char, 4096>>();
        m_stream.async_read_some(net::buffer(*m_drain),
                                 [self = shared_from_this()](beast::error_code ec, size_t) {
                                     if (!ec)
                                         self->drain();
                                 });
    }

    std::string remote() const
    {
        beast::error_code ec;
        const auto ep = m_stream.socket().remote_endpoint(ec);
        return ec ? std::string{"?"} : ep.address().to_string() + ":" + std::to_string(ep.port());
    }

    beast::tcp_stream m_stream;
    const ServerCore& m_core;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    Response m_res;
    std::unique_ptr<std::array<char, 4096>> m_drain;
};

}  // namespace

struct RpcServer::Impl : ServerCore
{
    std::unique_ptr<net::io_context> ioc;
    std::optional<tcp::acceptor> acceptor;
    std::optional<net::steady_timer> retry_timer;
    std::vector<std::thread> threads;
    std::atomic<uint16_t> port{0};
    std::mutex mutex;
    bool started = false;
    bool stopped = false;

    Impl(const RpcMethods& m, RpcServerOptions o) : ServerCore{m, std::move(o)} {}

    void accept()
    {
        acceptor->async_accept(
            net::make_strand(*ioc), [this](beast::error_code ec, tcp::socket socket) {
                if (ec == net::error::operation_aborted)
                    return;
                if (ec)
                {
                    // E.g. out of file descriptors: log and try again shortly.
                    spdlog::warn("{}: accept failed: {}", opts.name, ec.message());
                    retry_timer->expires_after(std::chrono::milliseconds{100});
                    retry_timer->async_wait([this](beast::error_code e) {
                        if (!e)
                            accept();
                    });
                    return;
                }
                beast::error_code ignored;
                socket.set_option(tcp::no_delay{true}, ignored);
                std::make_shared<Session>(std::move(socket), *this)->run();
                accept();
            });
    }

    Result<tcp::endpoint, std::string> endpoint()
    {
        beast::error_code ec;
        const auto addr = net::ip::make_address(opts.host, ec);
        if (!ec)
            return tcp::endpoint{addr, opts.port};
        tcp::resolver resolver{*ioc};
        const auto found = resolver.resolve(opts.host, std::to_string(opts.port), ec);
        if (ec || found.empty())
            return unexpected("cannot resolve RPC host " + opts.host + ": " + ec.message());
        return found.begin()->endpoint();
    }

    Result<uint16_t, std::string> listen()
    {
        ioc = std::make_unique<net::io_context>(static_cast<int>(std::max(1u, opts.threads)));
        const auto ep = endpoint();
        if (!ep)
            return unexpected(ep.error());
        const auto where = opts.host + ":" + std::to_string(opts.port);
        beast::error_code ec;
        acceptor.emplace(net::make_strand(*ioc));
        acceptor->open(ep->protocol(), ec);
        if (!ec)
            acceptor->set_option(net::socket_base::reuse_address{true}, ec);
        if (!ec)
            acceptor->bind(*ep, ec);
        if (!ec)
            acceptor->listen(net::socket_base::max_listen_connections, ec);
        if (ec)
        {
            acceptor.reset();
            return unexpected(opts.name + ": cannot listen on " + where + ": " + ec.message());
        }
        port = acceptor->local_endpoint(ec).port();
        retry_timer.emplace(acceptor->get_executor());
        return port.load();
    }

    void run_thread()
    {
        for (;;)
        {
            try
            {
                ioc->run();
                return;
            }
            catch (const std::exception& e)
            {
                // Only resource exhaustion can get here; the Session concerned is dropped.
                spdlog::error("{}: connection failed: {}", opts.name, e.what());
            }
        }
    }
};

RpcServer::RpcServer(const RpcMethods& methods, RpcServerOptions options)
    : m_impl{std::make_unique<Impl>(methods, std::move(options))}
{}

RpcServer::~RpcServer()
{
    stop();
}

Result<uint16_t, std::string> RpcServer::start()
{
    auto& s = *m_impl;
    const std::lock_guard lock{s.mutex};
    if (s.started)
        return unexpected(s.opts.name + ": already started");
    auto bound = s.listen();
    if (!bound)
    {
        s.ioc.reset();
        return bound;
    }
    s.started = true;
    s.accept();
    const unsigned n = std::max(1u, s.opts.threads);
    for (unsigned i = 0; i < n; ++i)
        s.threads.emplace_back([&s] { s.run_thread(); });
    spdlog::info("{}: listening on http://{}:{} ({} threads{})", s.opts.name, s.opts.host, *bound,
                 n, s.opts.jwt_secret ? ", JWT auth" : "");
    return bound;
}

void RpcServer::stop()
{
    auto& s = *m_impl;
    const std::lock_guard lock{s.mutex};
    if (!s.started || s.stopped)
        return;
    s.stopped = true;
    s.ioc->stop();
    for (auto& t : s.threads)
        t.join();
    s.threads.clear();
    // Destroying the io_context destroys the pending handlers, hence every Session and socket.
    s.retry_timer.reset();
    s.acceptor.reset();
    s.ioc.reset();
    spdlog::info("{}: stopped", s.opts.name);
}

uint16_t RpcServer::port() const
{
    return m_impl->port.load();
}

}  // namespace l2::node
