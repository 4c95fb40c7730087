// HS256 JWTs for authenticated RPC endpoints (Engine API rules), on OpenSSL's HMAC and RNG.
#include "jwt.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <nlohmann/json.hpp>
#include <txtypes/hex.hpp>

namespace l2::node {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Longest token looked at; real ones are ~100 bytes.
constexpr size_t kMaxTokenSize = 4096;
/// Largest secret file read; the real content is 66 bytes plus whitespace.
constexpr std::uintmax_t kMaxSecretFileSize = 1024;

int base64url_value(char c) noexcept
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

std::array<unsigned char, 32> hmac_sha256(const JwtSecret& key, std::string_view msg)
{
    std::array<unsigned char, 32> out{};
    unsigned len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out.data(),
             &len) == nullptr ||
        len != out.size())
        throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
    return out;
}

std::string_view as_chars(const std::array<unsigned char, 32>& a)
{
    return {reinterpret_cast<const char*>(a.data()), a.size()};
}

std::string_view trim(std::string_view s)
{
    constexpr std::string_view kSpace = " \t\r\n";
    const auto b = s.find_first_not_of(kSpace);
    if (b == std::string_view::npos)
        return {};
    return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

Result<JwtSecret, std::string> parse_secret(std::string_view text, const fs::path& path)
{
    auto hex = trim(text);
    if (hex.starts_with("0x") || hex.starts_with("0X"))
        hex.remove_prefix(2);
    const auto bytes = from_hex(hex);
    if (hex.size() != 64 || !bytes)
    {
        return unexpected("JWT secret file " + path.string() +
                          " must hold 64 hex digits (32 bytes), optionally 0x-prefixed");
    }
    JwtSecret s{};
    std::memcpy(s.data(), bytes->data(), s.size());
    return s;
}

Result<JwtSecret, std::string> read_secret(const fs::path& path)
{
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec)
        return unexpected("cannot read JWT secret file " + path.string() + ": " + ec.message());
    if (size > kMaxSecretFileSize)
        return unexpected("JWT secret file " + path.string() + " is too large to be a secret");
    std::ifstream in{path, std::ios::binary};
    std::ostringstream text;
    text << in.rdbuf();
    if (!in)
        return unexpected("cannot read JWT secret file " + path.string());
    return parse_secret(text.str(), path);
}

/// Creates `path` exclusively with a fresh secret; unexpected(kExists) if it appeared meanwhile.
constexpr const char* kExists = "exists";
Result<JwtSecret, std::string> create_secret(const fs::path& path)
{
    std::error_code ec;
    if (path.has_parent_path())
    {
        fs::create_directories(path.parent_path(), ec);
        if (ec)
        {
            return unexpected("cannot create directory " + path.parent_path().string() +
                              " for the JWT secret: " + ec.message());
        }
    }
    JwtSecret s{};
    if (RAND_bytes(s.data(), static_cast<int>(s.size())) != 1)
        return unexpected(std::string{"OpenSSL RAND_bytes failed to make a JWT secret"});

    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
    {
        if (errno == EEXIST)
            return unexpected(std::string{kExists});
        return unexpected("cannot create JWT secret file " + path.string() + ": " +
                          std::strerror(errno));
    }
    const std::string text = to_0x_hex(ByteView{s.data(), s.size()}) + "\n";
    const bool ok = ::fchmod(fd, 0600) == 0 &&
                    ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok)
    {
        ::unlink(path.c_str());
        return unexpected("cannot write JWT secret file " + path.string() + ": " +
                          std::strerror(err));
    }
    return s;
}

/// The integer value of a NumericDate claim (RFC 7519 §2), or nullopt.
std::optional<int64_t> numeric_date(const json& v)
{
    if (v.is_number_integer() && !v.is_number_unsigned())
        return v.get<int64_t>();
    if (v.is_number_unsigned())
    {
        const auto u = v.get<uint64_t>();
        if (u > static_cast<uint64_t>(INT64_MAX))
            return std::nullopt;
        return static_cast<int64_t>(u);
    }
    if (v.is_number_float())
    {
        const double d = v.get<double>();
        if (!std::isfinite(d) || std::fabs(d) > 9.0e15)
            return std::nullopt;
        return static_cast<int64_t>(d);
    }
    return std::nullopt;
}

/// base64url-decodes `part` and parses it as a JSON object.
Result<json, std::string> decode_part(std::string_view part, const char* what)
{
    const auto text = base64url_decode(part);
    if (!text)
        return unexpected(std::string{what} + " is not base64url: " + text.error());
    auto j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return unexpected(std::string{what} + " is not a JSON object");
    return j;
}

}  // namespace

std::string base64url_encode(std::string_view data)
{
    std::string out;
    out.reserve((data.size() * 4 + 2) / 3);
    size_t i = 0;
    const auto byte = [&](size_t k) {
        return static_cast<uint32_t>(static_cast<uint8_t>(data[k]));
    };
    for (; i + 3 <= data.size(); i += 3)
    {
        const uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out += kAlphabet[v >> 18 & 63];
        out += kAlphabet[v >> 12 & 63];
        out += kAlphabet[v >> 6 & 63];
        out += kAlphabet[v & 63];
    }
    if (data.size() - i == 1)
    {
        const uint32_t v = byte(i) << 16;
        out += kAlphabet[v >> 18 & 63];
        out += kAlphabet[v >> 12 & 63];
    }
    else if (data.size() - i == 2)
    {
        const uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
        out += kAlphabet[v >> 18 & 63];
        out += kAlphabet[v >> 12 & 63];
        out += kAlphabet[v >> 6 & 63];
    }
    return out;
}

Result<std::string, std::string> base64url_decode(std::string_view text)
{
    if (text.size() % 4 == 1)
        return unexpected(std::string{"bad length"});
    std::string out;
    out.reserve(text.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (const char c : text)
    {
        const int v = base64url_value(c);
        if (v < 0)
            return unexpected(std::string{"bad character"});
        acc = (acc << 6 | static_cast<uint32_t>(v)) & 0xffffff;
        bits += 6;
        if (bits >= 8)
        {
            bits -= 8;
            out += static_cast<char>(acc >> bits & 0xff);
        }
    }
    // Leftover bits (2 or 4) must be zero: one encoding per value.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return unexpected(std::string{"non-canonical final character"});
    return out;
}

Result<JwtSecret, std::string> read_or_create_jwt_secret(const std::filesystem::path& path)
{
    if (path.empty())
        return unexpected(std::string{"JWT secret path is empty"});
    std::error_code ec;
    if (!fs::exists(path, ec))
    {
        if (ec)
            return unexpected("cannot access JWT secret file " + path.string() + ": " +
                              ec.message());
        auto created = create_secret(path);
        if (created || created.error() != kExists)
            return created;
        // Another process created it first: use theirs.
    }
    return read_secret(path);
}

std::string make_jwt(const JwtSecret& secret, int64_t iat)
{
    std::string token = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
    token += '.';
    token += base64url_encode(R"({"iat":)" + std::to_string(iat) + "}");
    const auto sig = hmac_sha256(secret, token);
    token += '.';
    token += base64url_encode(as_chars(sig));
    return token;
}

Result<void, std::string> verify_jwt(std::string_view token,
                                     const JwtSecret& secret,
                                     int64_t now,
                                     int64_t max_skew)
{
    if (token.size() > kMaxTokenSize)
        return unexpected(std::string{"token too long"});
    const auto dot1 = token.find('.');
    const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
        return unexpected(std::string{"token is not header.payload.signature"});

    // Signature first: nothing from an unauthenticated token is parsed.
    const auto expected = base64url_encode(as_chars(hmac_sha256(secret, token.substr(0, dot2))));
    const auto sig = token.substr(dot2 + 1);
    if (sig.size() != expected.size() ||
        CRYPTO_memcmp(sig.data(), expected.data(), expected.size()) != 0)
        return unexpected(std::string{"invalid token signature"});

    const auto header = decode_part(token.substr(0, dot1), "token header");
    if (!header)
        return unexpected(header.error());
    if (const auto alg = header->find("alg"); alg == header->end() || *alg != "HS256")
        return unexpected(std::string{"token alg must be HS256"});

    const auto claims = decode_part(token.substr(dot1 + 1, dot2 - dot1 - 1), "token payload");
    if (!claims)
        return unexpected(claims.error());
    const auto iat_it = claims->find("iat");
    if (iat_it == claims->end())
        return unexpected(std::string{"token has no iat claim"});
    const auto iat = numeric_date(*iat_it);
    if (!iat)
        return unexpected(std::string{"token iat is not a number of seconds"});
    if (*iat > now + max_skew || *iat < now - max_skew)
    {
        return unexpected("token iat " + std::to_string(*iat) + " is more than " +
                          std::to_string(max_skew) + " s from now (" + std::to_string(now) + ")");
    }
    // Foundry/alloy send "exp": null: the same as no exp.
    if (const auto exp_it = claims->find("exp"); exp_it != claims->end() && !exp_it->is_null())
    {
        const auto exp = numeric_date(*exp_it);
        if (!exp || now > *exp)
            return unexpected(std::string{"token expired"});
    }
    return {};
}

}  // namespace l2::node
