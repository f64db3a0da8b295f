#pragma once
// The value half of a `key=value` log field (the convention app/logging.hpp describes): as is when
// it needs no quotes, else "quoted" with \" \\ and \n escaped, so the JSON formatter can lift it
// into a field whatever text it holds. Std only: every module writes fields without app/.
//   spdlog::warn("smpp.bind connect failed bind={} error={}", name, log_value(ec.message()));

#include <string>
#include <string_view>

namespace bindery {

[[nodiscard]] inline bool log_value_needs_quotes(std::string_view v) noexcept {
    if (v.empty()) return true;
    for (const char c : v) {
        if (c == ' ' || c == '"' || c == '\\' || c == '=' || static_cast<unsigned char>(c) < 0x20)
            return true;
    }
    return false;
}

[[nodiscard]] inline std::string log_value(std::string_view v) {
    if (!log_value_needs_quotes(v)) return std::string(v);
    std::string out;
    out.reserve(v.size() + 2);
    out += '"';
    for (const char c : v) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

}  // namespace bindery
