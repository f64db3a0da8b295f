#pragma once
// API-key authentication. Keys are never stored: a ClientRegistry holds SHA-256 digests and
// compares them in constant time. The composition root implements ClientRegistry over the store;
// InMemoryClientRegistry serves tests and static configuration.

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bindery::http {

using KeyDigest = std::array<std::uint8_t, 32>;

// SHA-256 through OpenSSL EVP.
KeyDigest sha256(std::string_view data);
std::string to_hex(const KeyDigest& d);
std::optional<KeyDigest> digest_from_hex(std::string_view hex) noexcept;

struct RateLimit {
    double per_second = 10.0;  // sustained requests per second
    double burst = 20.0;       // bucket size
};

struct ClientInfo {
    std::string name;                          // router::SubmitRequest::client
    std::vector<std::string> allowed_senders;  // exact values; "*" allows any sender
    std::optional<RateLimit> rate;             // absent: the server's default
    std::string default_sender{};  // used when a request omits "from" (or sends ""); empty: none
    bool sender_allowed(std::string_view sender) const noexcept;
};

class ClientRegistry {
public:
    virtual ~ClientRegistry() = default;
    // The client whose key hashes to `digest`; nullopt when none (or disabled).
    virtual std::optional<ClientInfo> find_by_key_digest(const KeyDigest& digest) const = 0;
};

class InMemoryClientRegistry final : public ClientRegistry {
public:
    void add(const KeyDigest& digest, ClientInfo client);
    void add_key(std::string_view api_key, ClientInfo client) {
        add(sha256(api_key), std::move(client));
    }

    // ClientRegistry
    std::optional<ClientInfo> find_by_key_digest(const KeyDigest& digest) const override;

private:
    mutable std::mutex mutex_;
    std::vector<std::pair<KeyDigest, ClientInfo>> clients_;
};

// The presented key: "Authorization: Bearer <key>" wins over "X-API-Key: <key>". Empty when
// neither is present or the Authorization scheme is not Bearer.
std::string_view presented_api_key(std::string_view authorization,
                                   std::string_view x_api_key) noexcept;

}  // namespace bindery::http
