#pragma once
/// l2::Result<T, E>: an expected-shaped result for decoders of outside bytes (STYLE.md §2.4).
/// Until C++23's std::expected: has_value(), operator bool, *, ->, value(), error(), and
/// `return unexpected(e);` from a function returning Result.

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace l2 {

template <typename E>
struct Unexpected
{
    E error;
};

template <typename E>
constexpr Unexpected<std::decay_t<E>> unexpected(E&& e) noexcept
{
    return {std::forward<E>(e)};
}

template <typename T, typename E>
class [[nodiscard]] Result
{
public:
    Result(const T& v) : m_v{std::in_place_index<0>, v} {}
    Result(T&& v) : m_v{std::in_place_index<0>, std::move(v)} {}
    template <typename U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Result> &&
             !std::is_same_v<std::decay_t<U>, Unexpected<E>>)
    Result(U&& v) : m_v{std::in_place_index<0>, std::forward<U>(v)}
    {}
    template <typename G>
    Result(Unexpected<G> u) : m_v{std::in_place_index<1>, E(std::move(u.error))}
    {}

    [[nodiscard]] bool has_value() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & noexcept { return assert(has_value()), *std::get_if<0>(&m_v); }
    const T& value() const& noexcept { return assert(has_value()), *std::get_if<0>(&m_v); }
    T&& value() && noexcept { return assert(has_value()), std::move(*std::get_if<0>(&m_v)); }
    T& operator*() & noexcept { return value(); }
    const T& operator*() const& noexcept { return value(); }
    T&& operator*() && noexcept { return std::move(*this).value(); }
    T* operator->() noexcept { return &value(); }
    const T* operator->() const noexcept { return &value(); }

    const E& error() const noexcept { return assert(!has_value()), *std::get_if<1>(&m_v); }

    template <typename U>
    T value_or(U&& fallback) const&
    {
        return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

private:
    std::variant<T, E> m_v;
};

/// Result<void, E>: success carries nothing.
template <typename E>
class [[nodiscard]] Result<void, E>
{
public:
    Result() noexcept = default;
    template <typename G>
    Result(Unexpected<G> u) : m_ok{false}, m_err(E(std::move(u.error)))
    {}

    [[nodiscard]] bool has_value() const noexcept { return m_ok; }
    explicit operator bool() const noexcept { return m_ok; }
    const E& error() const noexcept { return assert(!m_ok), m_err; }

private:
    bool m_ok = true;
    E m_err{};
};

}  // namespace l2
