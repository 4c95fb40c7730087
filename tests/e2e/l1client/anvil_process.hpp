#pragma once
/// One anvil process on a free loopback port, for e2e tests and benchmarks: started by the
/// constructor (ready() once it answers eth_chainId), killed by the destructor, and by the
/// kernel if the parent dies (PR_SET_PDEATHSIG).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <l1client/rpc_client.hpp>

#include <tests/support/free_port.hpp>

namespace l2::l1client::test {

class AnvilProcess
{
public:
    /// Starts `anvil_path` (e.g. node_modules/.bin/anvil) with `extra` arguments. When the
    /// binary is absent or does not come up within 20 s, ready() is false.
    explicit AnvilProcess(const std::string& anvil_path, std::vector<std::string> extra = {})
    {
        using namespace std::chrono_literals;
        if (!std::filesystem::exists(anvil_path))
            return;
        const auto port = std::to_string(free_port());
        std::vector<std::string> args = {anvil_path, "--port",    port,
                                         "--host",   "127.0.0.1", "--silent"};
        args.insert(args.end(), extra.begin(), extra.end());
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        const pid_t parent = ::getpid();
        m_pid = ::fork();
        if (m_pid == 0)
        {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent)
                ::_exit(1);
            const int devnull = ::open("/dev/null", O_WRONLY);
            ::dup2(devnull, STDOUT_FILENO);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        m_url = "http://127.0.0.1:" + port;
        RpcClientOptions o;
        o.max_retries = 0;
        o.connect_timeout = 200ms;
        o.request_timeout = 1000ms;
        o.log_failures = false;
        RpcClient probe{m_url, o};
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < deadline)
        {
            if (probe.call("eth_chainId", nullptr))
            {
                m_ready = true;
                break;
            }
            int status = 0;
            if (::waitpid(m_pid, &status, WNOHANG) == m_pid)
            {
                m_pid = -1;  // Exited (e.g. the port was taken).
                break;
            }
            std::this_thread::sleep_for(50ms);
        }
    }

    ~AnvilProcess()
    {
        using namespace std::chrono_literals;
        if (m_pid <= 0)
            return;
        ::kill(m_pid, SIGTERM);
        for (int i = 0; i < 100; ++i)
        {
            if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid)
                return;
            std::this_thread::sleep_for(20ms);
        }
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }

    AnvilProcess(const AnvilProcess&) = delete;
    AnvilProcess& operator=(const AnvilProcess&) = delete;

    bool ready() const noexcept { return m_ready; }
    const std::string& url() const noexcept { return m_url; }

    /// A loopback port nothing listens on (bound once, then released).
    static uint16_t free_port() { return l2::test::free_loopback_port(); }

private:
    pid_t m_pid = -1;
    std::string m_url;
    bool m_ready = false;
};

}  // namespace l2::l1client::test
