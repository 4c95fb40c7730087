#include "module_cache.hpp"

namespace l2::execution::wasm {

std::shared_ptr<const Module> ModuleCache::find(const Hash& code_hash)
{
    const std::lock_guard lock{m_mutex};
    const auto it = m_entries.find(code_hash);
    if (it == m_entries.end())
        return nullptr;
    m_order.splice(m_order.begin(), m_order, it->second.place);
    return it->second.module;
}

std::shared_ptr<const Module> ModuleCache::insert(Module&& m)
{
    auto module = std::make_shared<const Module>(std::move(m));
    const std::lock_guard lock{m_mutex};
    const Hash& hash = module->code_hash();
    if (const auto it = m_entries.find(hash); it != m_entries.end())
    {
        m_order.splice(m_order.begin(), m_order, it->second.place);
        return it->second.module;
    }
    if (module->footprint() > m_budget)
        return module;
    m_order.push_front(hash);
    m_entries.emplace(hash, Entry{module, m_order.begin()});
    m_bytes += module->footprint();
    evict_to(m_budget);
    return module;
}

void ModuleCache::set_budget(size_t byte_budget)
{
    const std::lock_guard lock{m_mutex};
    m_budget = byte_budget;
    evict_to(m_budget);
}

size_t ModuleCache::bytes() const
{
    const std::lock_guard lock{m_mutex};
    return m_bytes;
}

size_t ModuleCache::entries() const
{
    const std::lock_guard lock{m_mutex};
    return m_entries.size();
}

void ModuleCache::evict_to(size_t budget)
{
    while (m_bytes > budget && !m_order.empty())
    {
        const auto it = m_entries.find(m_order.back());
        m_bytes -= it->second.module->footprint();
        m_entries.erase(it);
        m_order.pop_back();
    }
}

}  // namespace l2::execution::wasm
