#pragma once
/// Child processes for `l2node devnet` (anvil, the sequencer): spawned with their output to a
/// log file, killed with the parent (PR_SET_PDEATHSIG), stopped with SIGTERM then SIGKILL.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

#include <txtypes/result.hpp>

namespace l2::node {

class ChildProcess
{
public:
    /// Starts `argv[0]` (a path) with `argv`, stdout and stderr appended to `log_file`.
    static Result<ChildProcess, std::string> spawn(const std::vector<std::string>& argv,
                                                   const std::filesystem::path& log_file);
    ChildProcess() = default;
    ChildProcess(ChildProcess&& o) noexcept : m_pid{o.m_pid} { o.m_pid = -1; }
    ChildProcess& operator=(ChildProcess&& o) noexcept;
    ~ChildProcess();

    pid_t pid() const noexcept { return m_pid; }
    /// True while running; reaps it once it has exited.
    bool running();
    /// SIGTERM, then SIGKILL after `grace`; waits for it.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{3000});

private:
    explicit ChildProcess(pid_t pid) noexcept : m_pid{pid} {}
    pid_t m_pid = -1;
};

/// A TCP port on 127.0.0.1 free at the time of the call (bind to port 0, read, close).
Result<uint16_t, std::string> free_loopback_port();

}  // namespace l2::node
