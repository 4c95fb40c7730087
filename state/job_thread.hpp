#pragma once
/// One background thread that runs one job at a time: StateDb's trie checkpoint writer and its
/// flat-state writer. submit() hands a job over, wait() blocks until it has run. The first
/// failed job's error stays: every later wait() returns it (the node stops on it). Internal to
/// state/.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <txtypes/result.hpp>

#include "kv_store.hpp"

namespace l2::state {

class JobThread
{
public:
    using Job = std::function<Result<void, KvError>()>;

    /// `name`: the thread's, for top -H and perf (at most 15 characters).
    explicit JobThread(std::string name) noexcept : m_name{std::move(name)} {}
    /// Waits for the job in flight.
    ~JobThread();
    JobThread(const JobThread&) = delete;
    JobThread& operator=(const JobThread&) = delete;

    /// Runs `job` on the thread, started at the first job. The thread must be idle (wait()).
    /// Throws std::system_error (and runs nothing) if the thread cannot start.
    void submit(Job job);
    /// Blocks until no job is in flight; the first failed job's error.
    Result<void, KvError> wait();
    /// The first failed job's error, without waiting.
    Result<void, KvError> failed() const;
    /// Makes every later wait() and failed() return `error` (unless one failed before).
    void fail(KvError error);

private:
    void run();

    const std::string m_name;
    mutable std::mutex m_mutex;
    std::condition_variable m_work;
    std::condition_variable m_idle;
    Job m_job;
    std::optional<KvError> m_error;
    bool m_stop = false;
    std::thread m_thread;
};

}  // namespace l2::state
