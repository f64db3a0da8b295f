#include "http-frontend/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>

namespace bindery::http {

KeyDigest sha256(std::string_view data) {
    KeyDigest out{};
    unsigned int len = 0;
    // EVP_Digest is one-shot; it fails only on allocation failure.
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
        len != out.size()) {
        out.fill(0);
    }
    return out;
}

std::string to_hex(const KeyDigest& d) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    s.reserve(d.size() * 2);
    for (auto b : d) {
        s.push_back(kHex[b >> 4U]);
        s.push_back(kHex[b & 0xFU]);
    }
    return s;
}

std::optional<KeyDigest> digest_from_hex(std::string_view hex) noexcept {
    if (hex.size() != 64) return std::nullopt;
    KeyDigest d{};
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < d.size(); ++i) {
        const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        d[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return d;
}

bool ClientInfo::sender_allowed(std::string_view sender) const noexcept {
    for (const auto& s : allowed_senders) {
        if (s == "*" || s == sender) return true;
    }
    return false;
}

void InMemoryClientRegistry::add(const KeyDigest& digest, ClientInfo client) {
    std::lock_guard lock(mutex_);
    clients_.emplace_back(digest, std::move(client));
}

std::optional<ClientInfo> InMemoryClientRegistry::find_by_key_digest(
    const KeyDigest& digest) const {
    std::lock_guard lock(mutex_);
    // Every entry is compared, with CRYPTO_memcmp, so the time taken does not tell which
    // prefix matched or where in the table a key sits.
    const ClientInfo* found = nullptr;
    for (const auto& [d, client] : clients_) {
        if (CRYPTO_memcmp(d.data(), digest.data(), d.size()) == 0) found = &client;
    }
    if (found == nullptr) return std::nullopt;
    return *found;
}

std::string_view presented_api_key(std::string_view authorization,
                                   std::string_view x_api_key) noexcept {
    const auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    authorization = trim(authorization);
    if (!authorization.empty()) {
        constexpr std::string_view kBearer = "bearer ";
        if (authorization.size() <= kBearer.size()) return {};
        for (std::size_t i = 0; i < kBearer.size(); ++i) {
            if (std::tolower(static_cast<unsigned char>(authorization[i])) != kBearer[i]) return {};
        }
        return trim(authorization.substr(kBearer.size()));
    }
    return trim(x_api_key);
}

}  // namespace bindery::http
