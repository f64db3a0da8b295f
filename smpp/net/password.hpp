#pragma once
// Account passwords at rest: "sha256:<salt hex>:<digest hex>" where digest = SHA-256(salt ||
// password) (OpenSSL EVP). verify_password() compares digests in constant time and also accepts
// the unsalted "sha256:<digest hex>" (SHA-256 of the password alone) that configuration files hold.

#include <string>
#include <string_view>

namespace bindery::smpp {

// Hashes `password` with a fresh 16-octet random salt.
[[nodiscard]] std::string hash_password(std::string_view password);
// Same, with a given salt (tests, reproducible fixtures).
[[nodiscard]] std::string hash_password(std::string_view password, std::string_view salt);
// True when `stored` is a well-formed hash of `password`. Malformed `stored` values never match.
[[nodiscard]] bool verify_password(std::string_view stored, std::string_view password) noexcept;

}  // namespace bindery::smpp
