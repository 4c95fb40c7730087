#pragma once
/// A small fixed set of threads for data-parallel loops: sender recovery in the mempool
/// (Mempool::add_batch) and in derivation (a batch's transactions).

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace l2 {

class WorkerPool
{
public:
    /// `threads` counts the calling thread too: 1 runs everything inline; 0 = all cores.
    explicit WorkerPool(unsigned threads);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Calls fn(i) for every i in [0, n), spread over the workers and the caller; returns when
    /// all calls are done. `fn` must not throw. When another caller is using the workers, this
    /// one runs its loop inline rather than wait.
    void parallel_for(size_t n, const std::function<void(size_t)>& fn);

    /// Threads a loop may use, the caller included.
    unsigned concurrency() const noexcept { return static_cast<unsigned>(m_threads.size()) + 1; }

private:
    void work(const std::stop_token& stop);
    void drain();

    std::mutex m_run;  ///< one loop at a time on the workers
    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::condition_variable m_done;
    const std::function<void(size_t)>* m_fn = nullptr;
    size_t m_n = 0;
    std::atomic<size_t> m_next{0};
    uint64_t m_generation = 0;
    unsigned m_busy = 0;  ///< workers still inside the current loop
    std::vector<std::jthread> m_threads;
};

}  // namespace l2
