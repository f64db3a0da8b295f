#pragma once
// The construction of the callback body and signature that http::callback_body and
// http::callback_signature replaced, kept verbatim as the reference they must match byte for
// byte: nlohmann::ordered_json then dump() for the body (and the timestamp written by
// snprintf, as format_rfc3339 did), the one-shot HMAC() over "<t>.<body>" for the signature.
// Used by tests/http-frontend/callbacks_differential_test.cpp and bench/callbacks_bench.cpp.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http-frontend/callbacks.hpp"

namespace bindery::http::reference {

inline std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

inline std::string format_rfc3339(router::SystemTime t) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    const std::int64_t in_day = ms - days * 86400000;
    // civil_from_days
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y0 = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = y0 + (m <= 2 ? 1 : 0);
    char buf[64];  // 40 before: the same text, without g++'s -Wformat-truncation warning
    std::snprintf(
        buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y),
        m, d, static_cast<long long>(in_day / 3600000), static_cast<long long>(in_day / 60000 % 60),
        static_cast<long long>(in_day / 1000 % 60), static_cast<long long>(in_day % 1000));
    return buf;
}

inline std::string callback_body(const CallbackEvent& e) {
    nlohmann::ordered_json j;
    j["event"] = "message." + lower(router::to_string(e.to));
    j["message_id"] = e.id.to_string();
    j["state"] = router::to_string(e.to);
    j["previous_state"] = router::to_string(e.from);
    j["at"] = format_rfc3339(e.at);
    j["to"] = e.destination;
    j["from"] = e.sender;
    j["client_ref"] = e.client_ref.empty() ? nlohmann::ordered_json(nullptr)
                                           : nlohmann::ordered_json(e.client_ref);
    j["segments"] = e.segments;
    j["attempts"] = e.attempts;
    j["provider"] =
        e.provider.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.provider);
    j["detail"] =
        e.detail.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.detail);
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

inline std::string callback_signature(std::string_view secret, std::int64_t unix_seconds,
                                      std::string_view body) {
    const std::string t = std::to_string(unix_seconds);
    std::string signed_payload;
    signed_payload.reserve(t.size() + 1 + body.size());
    signed_payload.append(t).append(".").append(body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(signed_payload.data()), signed_payload.size(),
             mac, &len) == nullptr) {
        len = 0;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "t=" + t + ",v1=";
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(kHex[mac[i] >> 4U]);
        out.push_back(kHex[mac[i] & 0xFU]);
    }
    return out;
}

}  // namespace bindery::http::reference
