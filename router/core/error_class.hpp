#pragma once
// Classification of provider errors into retry classes, per provider kind, from config.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "router/core/provider.hpp"

namespace bindery::router {

enum class ErrorClass : std::uint8_t {
    temporary,  // retry with backoff; counts against the provider's breaker
    throttled,  // retry with backoff; the provider is alive (does not trip the breaker)
    permanent,  // no retry: FAILED_PERM; the provider is healthy (not the breaker's business)
};
std::string_view to_string(ErrorClass c) noexcept;

struct CodeRange {
    std::int64_t first = 0;
    std::int64_t last = 0;  // inclusive
    ErrorClass error_class = ErrorClass::temporary;
};

// One table per provider kind. Plain config input: the app fills it from YAML.
struct StatusMapConfig {
    std::string kind;
    std::vector<CodeRange> codes;  // first match wins
    ErrorClass fallback = ErrorClass::temporary;
};

class StatusMap {
public:
    StatusMap() = default;
    explicit StatusMap(std::vector<StatusMapConfig> kinds);

    // Built-in defaults, overridable by config: "smpp" (SMPP 3.4 command_status, gateway practice),
    // "http" (429 throttled, 5xx/408 temporary, other 4xx permanent), "kavenegar" (return.status).
    static std::vector<StatusMapConfig> defaults();

    ErrorClass classify(std::string_view kind, const SendError& error) const noexcept;

private:
    std::map<std::string, StatusMapConfig, std::less<>> kinds_;
};

}  // namespace bindery::router
