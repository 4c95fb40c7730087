#include "process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace l2::node {

Result<ChildProcess, std::string> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                      const std::filesystem::path& log_file)
{
    if (argv.empty())
        return unexpected(std::string{"spawn: empty command"});
    const int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
        return unexpected("spawn: cannot open " + log_file.string() + ": " + std::strerror(errno));
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
    {
        ::close(log_fd);
        return unexpected(std::string{"spawn: fork failed: "} + std::strerror(errno));
    }
    if (pid == 0)
    {
        // The child dies with the devnet, even on SIGKILL of the parent.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(1);
        ::setpgid(0, 0);  // Ctrl-C reaches the devnet only; it stops children in order
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            ::dup2(devnull, STDIN_FILENO);
        ::execv(args[0], args.data());
        const char msg[] = "exec failed\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::close(log_fd);
    return ChildProcess{pid};
}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept
{
    if (this != &o)
    {
        stop();
        m_pid = o.m_pid;
        o.m_pid = -1;
    }
    return *this;
}

ChildProcess::~ChildProcess()
{
    stop();
}

bool ChildProcess::running()
{
    if (m_pid <= 0)
        return false;
    int status = 0;
    const pid_t r = ::waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid || (r < 0 && errno == ECHILD))
    {
        m_pid = -1;
        return false;
    }
    return true;
}

void ChildProcess::stop(std::chrono::milliseconds grace)
{
    if (!running())
        return;
    ::kill(m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (!running())
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    ::kill(m_pid, SIGKILL);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
    m_pid = -1;
}

Result<uint16_t, std::string> free_loopback_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return unexpected(std::string{"socket: "} + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    {
        ::close(fd);
        return unexpected(std::string{"bind: "} + std::strerror(errno));
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace l2::node
