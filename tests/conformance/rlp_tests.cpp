// ethereum/tests RLPTests: valid cases encode "in" to exactly "out" and decode it back;
// "INVALID" cases must be rejected by the strict decoder; "VALID" ones accepted.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include <txtypes/hex.hpp>
#include <txtypes/rlp.hpp>

#include "json_files.hpp"

namespace fs = std::filesystem;
using namespace l2;
using nlohmann::json;

namespace {

const fs::path kRoot = fs::path{L2_ETHEREUM_TESTS_DIR} / "RLPTests";

/// Minimal big-endian bytes of a decimal integer of any size (fixtures go past 2^256).
Bytes decimal_to_be(std::string_view dec)
{
    Bytes be;  // big-endian, no leading zeros
    for (char c : dec)
    {
        unsigned carry = static_cast<unsigned>(c - '0');
        for (size_t i = be.size(); i-- > 0;)
        {
            const unsigned v = be[i] * 10u + carry;
            be[i] = static_cast<uint8_t>(v & 0xff);
            carry = v >> 8;
        }
        while (carry != 0)
        {
            be.insert(be.begin(), static_cast<uint8_t>(carry & 0xff));
            carry >>= 8;
        }
    }
    return be;
}

/// Encodes a fixture's "in": strings (a leading '#' is a decimal big integer), integers, lists.
Bytes encode_json(const json& in)
{
    Bytes out;
    if (in.is_array())
    {
        Bytes payload;
        for (const auto& item : in)
            payload += encode_json(item);
        return rlp::wrap_list(payload);
    }
    if (in.is_number_unsigned() || in.is_number_integer())
    {
        rlp::encode(out, in.get<uint64_t>());
        return out;
    }
    const auto s = in.get<std::string>();
    if (!s.empty() && s[0] == '#')
    {
        // A big integer is its minimal big-endian bytes as an RLP string.
        rlp::encode(out, decimal_to_be(std::string_view{s}.substr(1)));
        return out;
    }
    rlp::encode(out, as_view(s));
    return out;
}

/// Re-encodes a decoded item (a decode -> encode round trip must give the same bytes).
Bytes reencode(const rlp::Item& item)
{
    Bytes out;
    if (!item.list)
    {
        rlp::encode(out, item.str);
        return out;
    }
    Bytes payload;
    for (const auto& c : item.items)
        payload += reencode(c);
    return rlp::wrap_list(payload);
}

class RlpTests : public testing::TestWithParam<fs::path>
{};

TEST_P(RlpTests, MatchesFixture)
{
    std::ifstream file{GetParam()};
    const json fixture = json::parse(file);
    for (const auto& [name, c] : fixture.items())
    {
        SCOPED_TRACE(name);
        const auto out = from_hex(c.at("out").get<std::string>());
        const json& in = c.at("in");
        bool ok = out.has_value();
        if (ok)
        {
            const auto decoded = rlp::decode_item(*out);
            if (in == "INVALID")
                ok = !decoded.has_value();
            else if (in == "VALID")
                ok = decoded.has_value() && reencode(*decoded) == *out;
            else
                ok = decoded.has_value() && encode_json(in) == *out && reencode(*decoded) == *out;
            if (!ok && decoded.has_value() == (in == "INVALID"))
                ADD_FAILURE() << name << ": decoder said "
                              << (decoded ? "ok" : rlp::to_string(decoded.error()));
        }
        EXPECT_TRUE(ok) << name;
        ok ? test::CaseCounts::pass() : test::CaseCounts::fail();
    }
}

INSTANTIATE_TEST_SUITE_P(ethereum_tests, RlpTests, testing::ValuesIn(test::json_files(kRoot)),
                         [](const auto& p) { return test::test_name(p.param, kRoot); });

}  // namespace
