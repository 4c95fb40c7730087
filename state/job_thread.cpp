#include "job_thread.hpp"

#include <pthread.h>

namespace l2::state {

JobThread::~JobThread()
{
    {
        std::unique_lock lock{m_mutex};
        m_idle.wait(lock, [&] { return !m_job; });
        m_stop = true;
    }
    m_work.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void JobThread::submit(Job job)
{
    {
        std::lock_guard lock{m_mutex};
        // The thread first: if it cannot start (std::system_error), no job is left pending.
        if (!m_thread.joinable())
            m_thread = std::thread{[this] {
                pthread_setname_np(pthread_self(), m_name.c_str());
                run();
            }};
        m_job = std::move(job);
    }
    m_work.notify_all();
}

Result<void, KvError> JobThread::wait()
{
    std::unique_lock lock{m_mutex};
    m_idle.wait(lock, [&] { return !m_job; });
    if (m_error)
        return unexpected(*m_error);
    return {};
}

Result<void, KvError> JobThread::failed() const
{
    std::lock_guard lock{m_mutex};
    if (m_error)
        return unexpected(*m_error);
    return {};
}

void JobThread::fail(KvError error)
{
    std::lock_guard lock{m_mutex};
    if (!m_error)
        m_error = std::move(error);
}

void JobThread::run()
{
    std::unique_lock lock{m_mutex};
    for (;;)
    {
        m_work.wait(lock, [&] { return m_stop || m_job; });
        if (!m_job)
            return;  // stopping, nothing left
        const Job job = m_job;
        lock.unlock();
        auto done = job();
        lock.lock();
        if (!done && !m_error)
            m_error = std::move(done.error());
        m_job = nullptr;
        m_idle.notify_all();
    }
}

}  // namespace l2::state
