#include "http-frontend/query_string.hpp"

namespace bindery::http {

Expected<std::string, ApiError> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    const auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            const int hi = i + 2 < s.size() ? hex(s[i + 1]) : -1;
            const int lo = i + 2 < s.size() ? hex(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return Unexpected(
                    bad_request("invalid_query", "bad percent escape in the query string"));
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

Expected<QueryParams, ApiError> parse_query(std::string_view query) {
    QueryParams out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (part.empty()) continue;
        const auto eq = part.find('=');
        auto name = percent_decode(part.substr(0, eq), true);
        if (!name) return Unexpected(std::move(name).error());
        auto value = percent_decode(
            eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), true);
        if (!value) return Unexpected(std::move(value).error());
        for (const auto& [n, v] : out) {
            if (n == *name)
                return Unexpected(
                    bad_request("invalid_query", "parameter '" + n + "' given twice", n));
        }
        out.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

}  // namespace bindery::http
