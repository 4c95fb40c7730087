#include "worker_pool.hpp"

namespace l2 {

WorkerPool::WorkerPool(unsigned threads)
{
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    m_threads.reserve(threads - 1);
    for (unsigned i = 1; i < threads; ++i)
        m_threads.emplace_back([this](std::stop_token stop) { work(stop); });
}

WorkerPool::~WorkerPool()
{
    for (auto& t : m_threads)
        t.request_stop();
    m_wake.notify_all();
    // The jthreads join here.
}

void WorkerPool::drain()
{
    for (size_t i = m_next.fetch_add(1, std::memory_order_relaxed); i < m_n;
         i = m_next.fetch_add(1, std::memory_order_relaxed))
        (*m_fn)(i);
}

void WorkerPool::work(const std::stop_token& stop)
{
    uint64_t seen = 0;
    while (true)
    {
        {
            std::unique_lock lock{m_mutex};
            if (!m_wake.wait(lock, stop, [&] { return m_generation != seen; }))
                return;  // Stop requested.
            seen = m_generation;
        }
        drain();
        {
            std::lock_guard lock{m_mutex};
            --m_busy;
        }
        m_done.notify_one();
    }
}

void WorkerPool::parallel_for(size_t n, const std::function<void(size_t)>& fn)
{
    std::unique_lock run{m_run, std::try_to_lock};
    // Inline when alone, when the loop is too short to share, or when the workers are taken.
    if (m_threads.empty() || n < 2 || !run.owns_lock())
    {
        for (size_t i = 0; i < n; ++i)
            fn(i);
        return;
    }
    {
        std::lock_guard lock{m_mutex};
        m_fn = &fn;
        m_n = n;
        m_next.store(0, std::memory_order_relaxed);
        m_busy = static_cast<unsigned>(m_threads.size());
        ++m_generation;
    }
    m_wake.notify_all();
    drain();
    std::unique_lock lock{m_mutex};
    m_done.wait(lock, [&] { return m_busy == 0; });
    m_fn = nullptr;
}

}  // namespace l2
