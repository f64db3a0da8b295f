#include "smpp/net/password.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace bindery::smpp {
namespace {

constexpr std::string_view kPrefix = "sha256:";

std::string to_hex(const std::uint8_t* p, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kDigits[p[i] >> 4]);
        out.push_back(kDigits[p[i] & 0x0F]);
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view s) {
    if (s.size() % 2 != 0) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::vector<std::uint8_t> out;
    out.reserve(s.size() / 2);
    for (std::size_t i = 0; i < s.size(); i += 2) {
        const int hi = nibble(s[i]);
        const int lo = nibble(s[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
    }
    return out;
}

bool digest(std::string_view salt, std::string_view password,
            std::array<std::uint8_t, 32>& out) noexcept {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr) return false;
    unsigned len = 0;
    const bool ok = EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, salt.data(), salt.size()) == 1 &&
                    EVP_DigestUpdate(ctx, password.data(), password.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == out.size();
    EVP_MD_CTX_free(ctx);
    return ok;
}

}  // namespace

std::string hash_password(std::string_view password, std::string_view salt) {
    std::array<std::uint8_t, 32> d{};
    if (!digest(salt, password, d)) throw std::runtime_error("sha256 failed");
    return std::string(kPrefix) +
           to_hex(reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size()) + ":" +
           to_hex(d.data(), d.size());
}

std::string hash_password(std::string_view password) {
    std::array<std::uint8_t, 16> salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return hash_password(password,
                         std::string_view(reinterpret_cast<const char*>(salt.data()), salt.size()));
}

bool verify_password(std::string_view stored, std::string_view password) noexcept {
    try {
        if (stored.substr(0, kPrefix.size()) != kPrefix) return false;
        stored.remove_prefix(kPrefix.size());
        // "sha256:<salt hex>:<digest hex>", or "sha256:<digest hex>" (unsalted: what the
        // configuration's password_hash holds, `printf %s PASSWORD | sha256sum`).
        const auto colon = stored.find(':');
        auto salt =
            colon == std::string_view::npos ? from_hex({}) : from_hex(stored.substr(0, colon));
        auto expected =
            from_hex(colon == std::string_view::npos ? stored : stored.substr(colon + 1));
        if (!salt || !expected || expected->size() != 32) return false;
        std::array<std::uint8_t, 32> d{};
        if (!digest(std::string_view(reinterpret_cast<const char*>(salt->data()), salt->size()),
                    password, d)) {
            return false;
        }
        return CRYPTO_memcmp(d.data(), expected->data(), d.size()) == 0;
    } catch (...) {  // allocation failure: refuse
        return false;
    }
}

}  // namespace bindery::smpp
