// The JSON-RPC server: a real server on 127.0.0.1:0 driven by a small blocking HTTP/1.1 client
// over POSIX sockets (request processing alone: rpc_body_test.cpp).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>
#include <node/jwt.hpp>
#include <node/rpc_server.hpp>

using namespace l2::node;
using nlohmann::json;
using namespace std::chrono_literals;
#include "rpc_test_methods.hpp"

using namespace rpc_test;

namespace {

struct HttpReply
{
    int status = 0;
    std::map<std::string, std::string> headers;  ///< Names lowercased.
    std::string body;

    std::string header(const std::string& name) const
    {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string{} : it->second;
    }
};

std::string lower(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// A blocking HTTP/1.1 client on one connection (Content-Length replies only, as Beast sends).
class Client
{
public:
    explicit Client(uint16_t port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("connect failed");
        set_timeout(10s);
    }
    ~Client() { ::close(m_fd); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    bool send(std::string_view data)
    {
        while (!data.empty())
        {
            const auto n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            data.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }

    /// The next reply; 1xx interim replies are returned too.
    std::optional<HttpReply> read_reply()
    {
        size_t end;
        while ((end = m_buf.find("\r\n\r\n")) == std::string::npos)
        {
            if (!fill())
                return std::nullopt;
        }
        HttpReply r;
        const auto head = m_buf.substr(0, end);
        m_buf.erase(0, end + 4);
        size_t line_end = head.find("\r\n");
        const auto status_line = head.substr(0, line_end);
        r.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
        while (line_end != std::string::npos)
        {
            const size_t start = line_end + 2;
            line_end = head.find("\r\n", start);
            const auto line = head.substr(
                start, line_end == std::string::npos ? std::string::npos : line_end - start);
            const auto colon = line.find(':');
            auto value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            r.headers[lower(line.substr(0, colon))] = value;
        }
        const auto len_text = r.header("content-length");
        const size_t len = len_text.empty() ? 0 : std::stoul(len_text);
        while (m_buf.size() < len)
        {
            if (!fill())
                return std::nullopt;
        }
        r.body = m_buf.substr(0, len);
        m_buf.erase(0, len);
        return r;
    }

    std::optional<HttpReply> request(std::string_view verb,
                                     std::string_view target,
                                     std::string_view body = {},
                                     std::string_view extra = {})
    {
        std::string req{verb};
        req += " ";
        req += target;
        req += " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        req += extra;
        req += "\r\n";
        req += body;
        if (!send(req))
            return std::nullopt;
        return read_reply();
    }

    /// A JSON-RPC call; the parsed reply body (null if none / not JSON).
    json rpc(const json& req, std::string_view extra = {})
    {
        const auto r = request("POST", "/", req.dump(), extra);
        if (!r || r->status != 200)
            return nullptr;
        return json::parse(r->body, nullptr, false);
    }

    /// True if the server closes the connection (EOF or reset) within `timeout`.
    bool closed_within(std::chrono::milliseconds timeout)
    {
        set_timeout(timeout);
        char tmp[4096];
        for (;;)
        {
            const auto n = ::recv(m_fd, tmp, sizeof tmp, 0);
            if (n == 0)
                return true;
            if (n < 0)
                return errno == ECONNRESET;
        }
    }

private:
    void set_timeout(std::chrono::milliseconds t)
    {
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(t.count() / 1000);
        tv.tv_usec = static_cast<suseconds_t>(t.count() % 1000 * 1000);
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }

    bool fill()
    {
        char tmp[65536];
        const auto n = ::recv(m_fd, tmp, sizeof tmp, 0);
        if (n <= 0)
            return false;
        m_buf.append(tmp, static_cast<size_t>(n));
        return true;
    }

    int m_fd = -1;
    std::string m_buf;
};

json request_json(int id, std::string method, json params = json::array())
{
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", std::move(method)}, {"params", params}};
}

int64_t unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class RpcServerTest : public testing::Test
{
protected:
    uint16_t start(RpcServerOptions opts = {})
    {
        server = std::make_unique<RpcServer>(methods, std::move(opts));
        const auto port = server->start();
        EXPECT_TRUE(port) << port.error();
        return port ? *port : uint16_t{0};
    }

    Rendezvous rendezvous{2};
    RpcMethods methods = test_methods(nullptr, &rendezvous);
    std::unique_ptr<RpcServer> server;
};

}  // namespace

TEST_F(RpcServerTest, CallsBatchesAndKeepAlive)
{
    const auto port = start();
    ASSERT_NE(port, 0);
    EXPECT_EQ(server->port(), port);

    Client c{port};
    const auto r = c.request("POST", "/", request_json(1, "add", {2, 3}).dump());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("content-type"), "application/json");
    EXPECT_EQ(r->header("access-control-allow-origin"), "*");
    EXPECT_EQ(json::parse(r->body), json::parse(R"({"jsonrpc":"2.0","id":1,"result":5})"));

    // More requests on the same connection.
    const auto batch = c.rpc(json::array(
        {request_json(2, "add", {1, 1}), request_json(3, "nope"), request_json(4, "echo", {"x"})}));
    ASSERT_TRUE(batch.is_array());
    ASSERT_EQ(batch.size(), 3u);
    EXPECT_EQ(batch[0].at("result"), 2);
    EXPECT_EQ(batch[1].at("error").at("code"), kMethodNotFound);
    EXPECT_EQ(batch[2].at("result"), json::array({"x"}));

    const auto notify = c.request("POST", "/", R"({"jsonrpc":"2.0","method":"echo"})");
    ASSERT_TRUE(notify);
    EXPECT_EQ(notify->status, 200);
    EXPECT_EQ(notify->body, "");

    const auto bad = c.request("POST", "/", "{oops");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 200);
    EXPECT_EQ(json::parse(bad->body).at("error").at("code"), kParseError);

    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(c.rpc(request_json(i, "add", {i, 1})).at("result"), i + 1);

    // Pipelined: two requests in one write, two replies in order.
    const auto body = request_json(7, "echo").dump();
    const std::string one =
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    ASSERT_TRUE(c.send(one + one));
    EXPECT_EQ(c.read_reply().value().status, 200);
    EXPECT_EQ(c.read_reply().value().status, 200);
}

TEST_F(RpcServerTest, Routes)
{
    const auto port = start();
    Client c{port};
    auto r = c.request("GET", "/health");
    EXPECT_EQ(r.value().status, 200);
    EXPECT_EQ(r->body, "ok");
    EXPECT_EQ(c.request("GET", "/metrics").value().status, 404);
    EXPECT_EQ(c.request("GET", "/nope").value().status, 404);
    EXPECT_EQ(c.request("POST", "/nope", "{}").value().status, 404);
    r = c.request("GET", "/");
    EXPECT_EQ(r.value().status, 405);
    EXPECT_EQ(r->header("access-control-allow-origin"), "*");
    // Query strings and a missing content type are fine.
    r = c.request("POST", "/?x=1", request_json(1, "echo").dump());
    EXPECT_EQ(r.value().status, 200);

    r = c.request("OPTIONS", "/", {},
                  "Origin: http://wallet.example\r\nAccess-Control-Request-Method: POST\r\n"
                  "Access-Control-Request-Headers: content-type\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 204);
    EXPECT_EQ(r->header("access-control-allow-origin"), "*");
    EXPECT_NE(r->header("access-control-allow-methods").find("POST"), std::string::npos);
    EXPECT_EQ(r->header("access-control-allow-headers"), "content-type");
    EXPECT_EQ(r->header("content-length"), "");
    // The connection is still usable.
    EXPECT_EQ(c.rpc(request_json(1, "add", {1, 2})).at("result"), 3);
}

TEST_F(RpcServerTest, Metrics)
{
    RpcServerOptions o;
    o.metrics = [] { return std::string{"# TYPE l2_up gauge\nl2_up 1\n"}; };
    Client c{start(std::move(o))};
    const auto r = c.request("GET", "/metrics");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "# TYPE l2_up gauge\nl2_up 1\n");
    EXPECT_NE(r->header("content-type").find("version=0.0.4"), std::string::npos);
}

TEST_F(RpcServerTest, BodyLimit)
{
    RpcServerOptions o;
    o.max_body_bytes = 1024;
    const auto port = start(std::move(o));

    auto body = request_json(1, "echo").dump();
    body += std::string(1024 - body.size(), ' ');
    {
        Client c{port};
        EXPECT_EQ(c.request("POST", "/", body).value().status, 200);
    }
    {
        Client c{port};
        const auto r = c.request("POST", "/", body + " ");
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 413);
        EXPECT_EQ(json::parse(r->body).at("error").at("code"), kInvalidRequest);
        EXPECT_TRUE(c.closed_within(3s));
    }
    {
        // Without Content-Length: the chunked body is counted as it arrives.
        Client c{port};
        std::string req = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 3; ++i)
            req += "200\r\n" + std::string(512, ' ') + "\r\n";
        req += "0\r\n\r\n";
        ASSERT_TRUE(c.send(req));
        EXPECT_EQ(c.read_reply().value().status, 413);
    }
    {
        // A large declared length is refused from the header alone.
        Client c{port};
        ASSERT_TRUE(c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n"));
        EXPECT_EQ(c.read_reply().value().status, 413);
    }
    Client c{port};
    EXPECT_EQ(c.rpc(request_json(1, "add", {1, 2})).at("result"), 3);
}

TEST_F(RpcServerTest, ExpectContinue)
{
    Client c{start()};
    const auto body = request_json(5, "add", {2, 2}).dump();
    ASSERT_TRUE(c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n"));
    EXPECT_EQ(c.read_reply().value().status, 100);
    ASSERT_TRUE(c.send(body));
    const auto r = c.read_reply();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(json::parse(r->body).at("result"), 4);
}

TEST_F(RpcServerTest, ConnectionCloseAndMalformedHttp)
{
    const auto port = start();
    {
        Client c{port};
        const auto body = request_json(1, "echo").dump();
        ASSERT_TRUE(c.send("POST / HTTP/1.0\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\n\r\n" + body));
        EXPECT_EQ(c.read_reply().value().status, 200);
        EXPECT_TRUE(c.closed_within(3s));
    }
    {
        Client c{port};
        ASSERT_TRUE(c.send("THIS IS NOT HTTP\r\n\r\n"));
        EXPECT_EQ(c.read_reply().value().status, 400);
        EXPECT_TRUE(c.closed_within(3s));
    }
    {
        Client c{port};
        ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n"));
        EXPECT_EQ(c.read_reply().value().status, 431);
    }
}

TEST_F(RpcServerTest, Jwt)
{
    JwtSecret secret{};
    secret[5] = 42;
    RpcServerOptions o;
    o.jwt_secret = secret;
    const auto port = start(std::move(o));
    Client c{port};
    const auto body = request_json(1, "add", {1, 2}).dump();
    const auto bearer = [](const std::string& token) {
        return "Authorization: Bearer " + token + "\r\n";
    };

    auto r = c.request("POST", "/", body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(json::parse(r->body).at("error").at("message"),
              "unauthorized: missing Authorization: Bearer token");

    JwtSecret other = secret;
    other[0] = 1;
    EXPECT_EQ(c.request("POST", "/", body, bearer(make_jwt(other, unix_now()))).value().status,
              401);
    EXPECT_EQ(
        c.request("POST", "/", body, bearer(make_jwt(secret, unix_now() - 120))).value().status,
        401);
    EXPECT_EQ(c.request("POST", "/", body, bearer("garbage")).value().status, 401);
    EXPECT_EQ(c.request("POST", "/", body, "Authorization: Basic dXNlcjpwYXNz\r\n").value().status,
              401);
    EXPECT_EQ(c.request("GET", "/health").value().status, 401);

    r = c.request("POST", "/", body, bearer(make_jwt(secret, unix_now())));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(json::parse(r->body).at("result"), 3);
    r = c.request("POST", "/", body,
                  "authorization: bearer  " + make_jwt(secret, unix_now() + 30) + "\r\n");
    EXPECT_EQ(r.value().status, 200);

    // Preflight needs no token.
    EXPECT_EQ(c.request("OPTIONS", "/").value().status, 204);
}

TEST_F(RpcServerTest, ConcurrentClients)
{
    RpcServerOptions o;
    o.threads = 3;
    const auto port = start(std::move(o));

    // Two handlers run at the same time on two server threads.
    std::atomic<int> met{0};
    {
        std::vector<std::thread> pair;
        for (int i = 0; i < 2; ++i)
        {
            pair.emplace_back([&] {
                Client c{port};
                if (c.rpc(request_json(1, "rendezvous")).at("result") == true)
                    ++met;
            });
        }
        for (auto& t : pair)
            t.join();
    }
    EXPECT_EQ(met, 2);

    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 6; ++t)
    {
        clients.emplace_back([&, t] {
            Client c{port};
            for (int i = 0; i < 100; ++i)
            {
                const auto batch = c.rpc(json::array(
                    {request_json(i, "add", {t, i}), request_json(i + 1, "echo", {t})}));
                if (batch.is_array() && batch.size() == 2 && batch[0].at("result") == t + i &&
                    batch[1].at("result") == json::array({t}))
                    ++ok;
            }
        });
    }
    for (auto& t : clients)
        t.join();
    EXPECT_EQ(ok, 600);
}

TEST_F(RpcServerTest, IdleAndSlowClientsAreDropped)
{
    RpcServerOptions o;
    o.idle_timeout = 300ms;
    o.read_timeout = 300ms;
    const auto port = start(std::move(o));

    Client idle{port};
    EXPECT_EQ(idle.rpc(request_json(1, "echo")).at("id"), 1);
    EXPECT_TRUE(idle.closed_within(3s));

    Client slow{port};
    ASSERT_TRUE(slow.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\""));
    EXPECT_TRUE(slow.closed_within(3s));

    Client fresh{port};
    EXPECT_EQ(fresh.rpc(request_json(2, "echo")).at("id"), 2);
}

TEST_F(RpcServerTest, StopIsPromptWithOpenConnections)
{
    const auto port = start();
    Client idle{port};
    Client used{port};
    EXPECT_EQ(used.rpc(request_json(1, "echo")).at("id"), 1);
    Client partial{port};
    ASSERT_TRUE(partial.send("POST / HTTP/1.1\r\nContent-Length: 50\r\n\r\n{"));
    std::this_thread::sleep_for(50ms);

    const auto t0 = std::chrono::steady_clock::now();
    server->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
    EXPECT_TRUE(idle.closed_within(2s));
    EXPECT_TRUE(used.closed_within(2s));
    EXPECT_TRUE(partial.closed_within(2s));
    server->stop();  // Idempotent.
    EXPECT_THROW(Client{port}, std::runtime_error);
}

TEST_F(RpcServerTest, PortInUseIsAClearError)
{
    const auto port = start();
    RpcServerOptions o;
    o.port = port;
    RpcServer second{methods, o};
    const auto r = second.start();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find(std::to_string(port)), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("in use"), std::string::npos) << r.error();
    EXPECT_FALSE(server->start());  // Already started.
}
