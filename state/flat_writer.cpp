#include "flat_writer.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>

namespace l2::state {

namespace {

constexpr uint8_t kRedoVersion = 1;
constexpr uint8_t kRedoPut = 0;
constexpr uint8_t kRedoDelete = 1;

size_t hash_key(ByteView key) noexcept
{
    return std::hash<std::string_view>{}(
        std::string_view{reinterpret_cast<const char*>(key.data()), key.size()});
}

}  // namespace

Bytes encode_flat_redo(const WriteBatch& flat)
{
    size_t size = 1;
    for (const WriteBatch::Op& op : flat.ops())
        if (op.column == Column::kState)
            size += 2 + op.key.size() + (op.is_delete ? 0 : 4 + op.value.size());
    Bytes out;
    out.reserve(size);
    out.push_back(kRedoVersion);
    for (const WriteBatch::Op& op : flat.ops())
    {
        if (op.column != Column::kState)
            continue;
        // Flat keys are at most 53 bytes (engine, identity, 32-byte slot): a longer one is a
        // bug, never to be written truncated.
        if (op.key.size() > 0xff)
            throw std::length_error{"flat redo record: a flat key of " +
                                    std::to_string(op.key.size()) + " bytes"};
        out.push_back(op.is_delete ? kRedoDelete : kRedoPut);
        out.push_back(static_cast<uint8_t>(op.key.size()));
        out.append(op.key);
        if (op.is_delete)
            continue;
        const auto n = static_cast<uint32_t>(op.value.size());
        const uint8_t be[4] = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                               static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
        out.append(be, 4);
        out.append(op.value);
    }
    return out;
}

Result<void, KvError> decode_flat_redo(ByteView record, WriteBatch& out)
{
    if (record.empty() || record[0] != kRedoVersion)
        return unexpected(KvError{"flat redo record: unknown version"});
    size_t at = 1;
    while (at < record.size())
    {
        const uint8_t kind = record[at];
        if (kind != kRedoPut && kind != kRedoDelete)
            return unexpected(
                KvError{"flat redo record: bad write kind at byte " + std::to_string(at)});
        if (record.size() - at < 2 || record.size() - at - 2 < record[at + 1])
            return unexpected(
                KvError{"flat redo record: key runs past the end at byte " + std::to_string(at)});
        const ByteView key = record.substr(at + 2, record[at + 1]);
        at += 2 + key.size();
        if (kind == kRedoDelete)
        {
            out.del(Column::kState, key);
            continue;
        }
        if (record.size() - at < 4)
            return unexpected(
                KvError{"flat redo record: value size past the end at byte " + std::to_string(at)});
        const uint32_t n = (uint32_t{record[at]} << 24) | (uint32_t{record[at + 1]} << 16) |
                           (uint32_t{record[at + 2]} << 8) | uint32_t{record[at + 3]};
        at += 4;
        if (record.size() - at < n)
            return unexpected(
                KvError{"flat redo record: value runs past the end at byte " + std::to_string(at)});
        out.put(Column::kState, key, record.substr(at, n));
        at += n;
    }
    return {};
}

PendingFlat::PendingFlat(WriteBatch batch) : m_batch{std::move(batch)}
{
    size_t flat = 0;
    for (const WriteBatch::Op& op : m_batch.ops())
    {
        WriteBatch& to = op.column == Column::kState ? m_flat : m_now;
        flat += op.column == Column::kState ? 1 : 0;
        if (op.is_delete)
            to.del(op.column, op.key);
        else if (op.is_add)
            to.add(op.column, op.key, decode_counter(op.value));
        else
            to.put_borrowed(op.column, op.key, op.value);
    }
    m_redo = encode_flat_redo(m_flat);
    m_now.put_borrowed(Column::kMeta, as_view(kFlatRedoKey), m_redo);
    m_flat.del(Column::kMeta, as_view(kFlatRedoKey));

    // Half full at most; the last write of a key wins (a cleared slot written again).
    m_cells.assign(std::bit_ceil(std::max<size_t>(2 * flat, 16)), 0);
    m_mask = m_cells.size() - 1;
    const auto& ops = m_flat.ops();
    for (size_t i = 0; i < ops.size(); ++i)
    {
        if (ops[i].column != Column::kState)
            continue;
        for (size_t c = hash_key(ops[i].key) & m_mask;; c = (c + 1) & m_mask)
        {
            if (m_cells[c] == 0 || ops[m_cells[c] - 1].key == ops[i].key)
            {
                m_cells[c] = static_cast<uint32_t>(i + 1);
                break;
            }
        }
    }
}

PendingFlat::Lookup PendingFlat::find(ByteView key, Bytes& out) const
{
    const auto& ops = m_flat.ops();
    for (size_t c = hash_key(key) & m_mask;; c = (c + 1) & m_mask)
    {
        if (m_cells[c] == 0)
            return Lookup::kNotWritten;
        const WriteBatch::Op& op = ops[m_cells[c] - 1];
        if (op.key == key)
        {
            if (op.is_delete)
                return Lookup::kDeleted;
            out.assign(op.value);
            return Lookup::kFound;
        }
    }
}

void FlatWriter::submit(std::shared_ptr<const PendingFlat> job)
{
    {
        std::lock_guard lock{m_mutex};
        m_pending = job;
    }
    m_thread.submit([this, job = std::move(job)]() -> Result<void, KvError> {
        // A failed write's values stay readable; the next commit reports the error and the
        // redo record applies them at the next open.
        if (auto written = m_kv.write(job->flat(), false); !written)
            return unexpected(KvError{"flat state write failed: " + written.error().message});
        std::lock_guard lock{m_mutex};
        if (m_pending == job)
            m_pending.reset();  // on disk: readers go to the store
        return {};
    });
}

std::shared_ptr<const PendingFlat> FlatWriter::pending() const
{
    std::lock_guard lock{m_mutex};
    return m_pending;
}

}  // namespace l2::state
