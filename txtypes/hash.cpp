#include "hash.hpp"

#include "hex.hpp"

namespace l2 {

namespace {
template <typename T>
Result<T, std::string> fixed_from_hex(std::string_view hex, const char* what)
{
    auto b = from_hex(hex);
    if (!b)
        return unexpected(std::string{what} + ": " + to_string(b.error()));
    T out;
    if (!T::from_view(*b, out))
        return unexpected(std::string{what} + ": expected " + std::to_string(T::size()) +
                          " bytes, got " + std::to_string(b->size()));
    return out;
}
}  // namespace

Result<Hash, std::string> hash_from_hex(std::string_view hex)
{
    return fixed_from_hex<Hash>(hex, "hash");
}

Result<Address, std::string> address_from_hex(std::string_view hex)
{
    return fixed_from_hex<Address>(hex, "address");
}

std::string to_0x_hex(const Hash& h)
{
    return to_0x_hex(h.view());
}

std::string to_0x_hex(const Address& a)
{
    return to_0x_hex(a.view());
}

}  // namespace l2
