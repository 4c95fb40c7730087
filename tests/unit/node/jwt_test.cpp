#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <node/jwt.hpp>

using namespace l2::node;
namespace fs = std::filesystem;

namespace {

JwtSecret counting_secret()
{
    JwtSecret s{};
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = static_cast<uint8_t>(i);
    return s;
}

/// A token over arbitrary header and payload JSON, signed with HS256 (independent of make_jwt).
std::string sign(const JwtSecret& secret, std::string_view header, std::string_view payload)
{
    std::string input = base64url_encode(header) + "." + base64url_encode(payload);
    unsigned char mac[32];
    unsigned len = 0;
    HMAC(EVP_sha256(), secret.data(), 32, reinterpret_cast<const unsigned char*>(input.data()),
         input.size(), mac, &len);
    return input + "." + base64url_encode({reinterpret_cast<const char*>(mac), len});
}

constexpr std::string_view kHs256 = R"({"alg":"HS256","typ":"JWT"})";

/// A fresh directory under the system temp dir, removed at the end of the test.
struct TempDir
{
    fs::path path;
    TempDir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("l2node-jwt-" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

void write_file(const fs::path& p, std::string_view text)
{
    std::ofstream{p, std::ios::binary} << text;
}

}  // namespace

TEST(Base64Url, RoundTripAndStrictness)
{
    EXPECT_EQ(base64url_encode(""), "");
    EXPECT_EQ(base64url_encode("f"), "Zg");
    EXPECT_EQ(base64url_encode("fo"), "Zm8");
    EXPECT_EQ(base64url_encode("foo"), "Zm9v");
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
    using namespace std::string_literals;
    for (const auto& s : {""s, "a"s, "ab"s, "abc"s, "abcd"s, "\x00\xff\x10\x80"s})
        EXPECT_EQ(base64url_decode(base64url_encode(s)).value(), s);
    EXPECT_FALSE(base64url_decode("Zg=="));  // padding
    EXPECT_FALSE(base64url_decode("Z"));     // impossible length
    EXPECT_FALSE(base64url_decode("Zh"));    // non-zero spare bits
    EXPECT_FALSE(base64url_decode("+/8"));   // standard alphabet
}

TEST(Jwt, MatchesIndependentVector)
{
    // Computed with Python's hmac/base64 over the same header and payload.
    EXPECT_EQ(make_jwt(counting_secret(), 1700000000),
              "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MDAwMDAwMDB9."
              "uAxdaUtr1_HpYPtNDLNlQ_sHMiP5eBV-ra8EjL3ScS8");
}

TEST(Jwt, AcceptsFreshToken)
{
    const auto s = counting_secret();
    EXPECT_TRUE(verify_jwt(make_jwt(s, 1000), s, 1000));
    EXPECT_TRUE(verify_jwt(make_jwt(s, 1060), s, 1000));
    EXPECT_TRUE(verify_jwt(make_jwt(s, 940), s, 1000));
    EXPECT_TRUE(verify_jwt(sign(s, kHs256, R"({"iat":1000,"exp":2000,"id":"x"})"), s, 1000));
    EXPECT_TRUE(verify_jwt(sign(s, R"({"alg":"HS256"})", R"({"iat":1000.5})"), s, 1000));
    // What cast --jwt-secret (alloy) sends.
    EXPECT_TRUE(verify_jwt(sign(s, R"({"typ":"JWT","alg":"HS256"})", R"({"iat":1000,"exp":null})"),
                           s, 1000));
}

TEST(Jwt, RefusesStaleOrFutureIat)
{
    const auto s = counting_secret();
    const auto r = verify_jwt(make_jwt(s, 939), s, 1000);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("iat"), std::string::npos);
    EXPECT_FALSE(verify_jwt(make_jwt(s, 1061), s, 1000));
    EXPECT_TRUE(verify_jwt(make_jwt(s, 1100), s, 1000, 100));
    EXPECT_FALSE(verify_jwt(sign(s, kHs256, R"({"iat":1000,"exp":999})"), s, 1000));
}

TEST(Jwt, RefusesBadSignatures)
{
    const auto s = counting_secret();
    auto other = s;
    other[0] ^= 1;
    EXPECT_EQ(verify_jwt(make_jwt(other, 1000), s, 1000).error(), "invalid token signature");

    auto token = make_jwt(s, 1000);
    token.back() = token.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_jwt(token, s, 1000));

    // A payload swapped under a valid signature.
    const auto a = make_jwt(s, 1000);
    const auto b = make_jwt(s, 1001);
    const auto swapped = a.substr(0, a.rfind('.')) + b.substr(b.rfind('.'));
    EXPECT_FALSE(verify_jwt(swapped, s, 1000));
}

TEST(Jwt, RefusesOtherAlgorithmsAndClaims)
{
    const auto s = counting_secret();
    EXPECT_EQ(verify_jwt(sign(s, R"({"alg":"none"})", R"({"iat":1000})"), s, 1000).error(),
              "token alg must be HS256");
    EXPECT_FALSE(verify_jwt(sign(s, R"({"alg":"HS512"})", R"({"iat":1000})"), s, 1000));
    EXPECT_FALSE(verify_jwt(sign(s, R"({"typ":"JWT"})", R"({"iat":1000})"), s, 1000));
    EXPECT_FALSE(verify_jwt(sign(s, kHs256, R"({})"), s, 1000));
    EXPECT_FALSE(verify_jwt(sign(s, kHs256, R"({"iat":null})"), s, 1000));
    EXPECT_FALSE(verify_jwt(sign(s, kHs256, R"({"iat":"1000"})"), s, 1000));
    EXPECT_FALSE(verify_jwt(sign(s, kHs256, R"({"iat":1e300})"), s, 1000));
    EXPECT_FALSE(verify_jwt(sign(s, kHs256, R"({"iat":18446744073709551615})"), s, 1000));
    EXPECT_FALSE(verify_jwt(sign(s, kHs256, R"([1000])"), s, 1000));
    EXPECT_FALSE(verify_jwt(sign(s, "not json", R"({"iat":1000})"), s, 1000));
}

TEST(Jwt, RefusesMalformedTokens)
{
    const auto s = counting_secret();
    for (const char* t : {"", ".", "..", "abc", "a.b", "a.b.c.d", "a.b.c"})
        EXPECT_FALSE(verify_jwt(t, s, 1000)) << t;
    const auto good = make_jwt(s, 1000);
    EXPECT_FALSE(verify_jwt(good + ".", s, 1000));
    EXPECT_FALSE(verify_jwt(good + "=", s, 1000));
    EXPECT_FALSE(verify_jwt(" " + good, s, 1000));
    EXPECT_FALSE(verify_jwt(std::string(10000, 'a'), s, 1000));
}

TEST(JwtSecretFile, CreatesWith0600AndRereads)
{
    TempDir dir;
    const auto path = dir.path / "sub" / "jwt.hex";
    const auto created = read_or_create_jwt_secret(path);
    ASSERT_TRUE(created) << created.error();
    struct stat st
    {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    std::ifstream in{path};
    std::string text;
    in >> text;
    EXPECT_EQ(text.size(), 66u);
    EXPECT_EQ(text.substr(0, 2), "0x");

    const auto again = read_or_create_jwt_secret(path);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *created);
    EXPECT_NE(*created, JwtSecret{});

    // A second file gets another secret.
    const auto other = read_or_create_jwt_secret(dir.path / "other.hex");
    ASSERT_TRUE(other);
    EXPECT_NE(*other, *created);
}

TEST(JwtSecretFile, ReadsGethFormats)
{
    TempDir dir;
    const std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    for (const std::string& text : {hex, "0x" + hex, "0X" + hex + "\n", "  " + hex + " \r\n"})
    {
        write_file(dir.path / "s", text);
        const auto s = read_or_create_jwt_secret(dir.path / "s");
        ASSERT_TRUE(s) << s.error();
        EXPECT_EQ(*s, counting_secret());
    }
}

TEST(JwtSecretFile, RefusesBadContent)
{
    TempDir dir;
    for (const std::string& text :
         {std::string{}, std::string(62, 'a'), std::string(66, 'a'), std::string(64, 'g'),
          "0x" + std::string(63, 'a'), std::string(64, 'a') + " x", std::string(5000, 'a')})
    {
        write_file(dir.path / "s", text);
        const auto s = read_or_create_jwt_secret(dir.path / "s");
        ASSERT_FALSE(s) << text;
        EXPECT_NE(s.error().find((dir.path / "s").string()), std::string::npos) << s.error();
    }
    EXPECT_FALSE(read_or_create_jwt_secret(""));
    // A directory in the way.
    EXPECT_FALSE(read_or_create_jwt_secret(dir.path));
}
