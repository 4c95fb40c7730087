#pragma once
/// A small blocking HTTP/1.1 server on 127.0.0.1 for RpcClient tests: keep-alive, one thread
/// per connection, replies from a handler (status, body, delay, or closing without a reply).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <tests/support/free_port.hpp>

namespace l2::l1client::test {

class FakeHttpServer
{
public:
    struct Reply
    {
        int status = 200;
        std::string body;
        std::chrono::milliseconds delay{0};
        bool close_without_reply = false;
    };
    using Handler = std::function<Reply(const std::string& body)>;

    /// Listens on `port` (0 = any free port).
    explicit FakeHttpServer(Handler handler, uint16_t port = 0) : m_handler{std::move(handler)}
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(port);
        if (::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
            ::listen(m_listen, 16) != 0)
            throw std::runtime_error("FakeHttpServer: cannot listen");
        socklen_t len = sizeof(addr);
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        m_accept = std::thread{[this] { accept_loop(); }};
    }

    ~FakeHttpServer()
    {
        m_stop = true;
        m_accept.join();
        for (auto& t : m_conns)
            t.join();
        ::close(m_listen);
    }

    uint16_t port() const noexcept { return m_port; }
    std::string url(const std::string& path = "/") const
    {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }
    int requests() const noexcept { return m_requests; }
    int connections() const noexcept { return m_connections; }

    /// A port nothing listens on (bound once, then released).
    static uint16_t free_port() { return l2::test::free_loopback_port(); }

private:
    /// Waits until `fd` is readable or the server stops; false on stop.
    bool wait_readable(int fd) const
    {
        while (!m_stop)
        {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 20) > 0)
                return true;
        }
        return false;
    }

    void accept_loop()
    {
        while (wait_readable(m_listen))
        {
            const int fd = ::accept(m_listen, nullptr, nullptr);
            if (fd < 0)
                continue;
            ++m_connections;
            m_conns.emplace_back([this, fd] { serve(fd); });
        }
    }

    void serve(int fd)
    {
        serve_requests(fd);
        ::close(fd);
    }

    void serve_requests(int fd)
    {
        std::string buf;
        for (;;)
        {
            // Headers.
            size_t header_end;
            while ((header_end = buf.find("\r\n\r\n")) == std::string::npos)
                if (!read_more(fd, buf))
                    return;
            size_t content_length = 0;
            std::string headers = buf.substr(0, header_end);
            for (auto& c : headers)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (const auto p = headers.find("content-length:"); p != std::string::npos)
                content_length = std::stoul(headers.substr(p + 15));
            buf.erase(0, header_end + 4);
            while (buf.size() < content_length)
                if (!read_more(fd, buf))
                    return;
            const std::string body = buf.substr(0, content_length);
            buf.erase(0, content_length);

            ++m_requests;
            const Reply reply = m_handler(body);
            if (reply.close_without_reply)
                return;
            const auto until = std::chrono::steady_clock::now() + reply.delay;
            while (!m_stop && std::chrono::steady_clock::now() < until)
                std::this_thread::sleep_for(std::chrono::milliseconds{5});
            const std::string out = "HTTP/1.1 " + std::to_string(reply.status) +
                                    " X\r\nContent-Type: application/json\r\nContent-Length: " +
                                    std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
            if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) < 0)
                return;
        }
    }

    bool read_more(int fd, std::string& buf) const
    {
        if (!wait_readable(fd))
            return false;
        char tmp[4096];
        const auto n = ::recv(fd, tmp, sizeof(tmp), 0);
        if (n <= 0)
            return false;
        buf.append(tmp, static_cast<size_t>(n));
        return true;
    }

    Handler m_handler;
    int m_listen = -1;
    uint16_t m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_requests{0};
    std::atomic<int> m_connections{0};
    std::thread m_accept;
    std::vector<std::thread> m_conns;  ///< only the accept thread adds, joined after it ends
};

}  // namespace l2::l1client::test
