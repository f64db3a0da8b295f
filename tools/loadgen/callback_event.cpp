#include "tools/loadgen/callback_event.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <cstring>

#include <nlohmann/json.hpp>

namespace bindery::loadgen {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, kCallbackStateCount> kUpper = {
    "DELIVERED",   "UNDELIVERABLE", "EXPIRED", "REJECTED", "FAILED_PERM",
    "DEAD_LETTER", "CANCELLED",     "SENT",    "other"};

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char upper(char c) noexcept { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (upper(a[i]) != upper(b[i])) return false;
    }
    return true;
}

// The SAX events nlohmann's parser calls; every handler here returns true to go on and false to
// stop (a parse error stops it too). Values the readers do not want are skipped without copies.
struct SaxBase {
    bool null() { return value(); }
    bool boolean(bool) { return value(); }
    bool number_integer(json::number_integer_t) { return value(); }
    bool number_unsigned(json::number_unsigned_t) { return value(); }
    bool number_float(json::number_float_t, const json::string_t&) { return value(); }
    bool binary(json::binary_t&) { return value(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
        return false;
    }
    bool start_object(std::size_t) {
        key_wanted = 0;
        ++depth;
        return true;
    }
    bool end_object() {
        --depth;
        return true;
    }
    // A non-string value where a wanted string may be: forget the key.
    bool value() {
        key_wanted = 0;
        return true;
    }
    int depth = 0;
    int key_wanted = 0;  // which wanted key the next value belongs to (0: none)
};

// Top-level "message_id" and "state" of a callback body.
struct CallbackBodySax : SaxBase {
    bool string(json::string_t& s) {
        if (key_wanted == 1) {
            id = parse_message_key(s);
            if (!id) return false;
        } else if (key_wanted == 2) {
            state = parse_callback_state(s);
        }
        key_wanted = 0;
        return true;
    }
    bool start_array(std::size_t) {
        key_wanted = 0;
        if (depth == 0) return false;  // the body must be an object
        ++depth;
        return true;
    }
    bool end_array() {
        --depth;
        return true;
    }
    bool key(json::string_t& k) {
        key_wanted = depth != 1 ? 0 : k == "message_id" ? 1 : k == "state" ? 2 : 0;
        return true;
    }
    std::optional<MessageKey> id;
    CallbackState state = CallbackState::other;
};

// {"messages": [{"id": ...}, ...], ...}: the ids.
struct AcceptedSax : SaxBase {
    explicit AcceptedSax(std::vector<MessageKey>& o) : out(o) {}
    bool string(json::string_t& s) {
        if (key_wanted == 1) {
            const auto k = parse_message_key(s);
            if (!k) return false;
            out.push_back(*k);
        }
        key_wanted = 0;
        return true;
    }
    bool start_array(std::size_t) {
        key_wanted = 0;
        if (depth == 0) return false;
        if (depth == 1) in_messages = top_key_is_messages;
        ++depth;
        return true;
    }
    bool end_array() {
        --depth;
        if (depth == 1) in_messages = false;
        return true;
    }
    bool key(json::string_t& k) {
        if (depth == 1) {
            top_key_is_messages = k == "messages";
            key_wanted = 0;
        } else {
            key_wanted = depth == 3 && in_messages && k == "id" ? 1 : 0;
        }
        return true;
    }
    std::vector<MessageKey>& out;
    bool top_key_is_messages = false;
    bool in_messages = false;
};

template <class Sax>
bool sax_parse(std::string_view text, Sax& sax) noexcept {
    try {
        return json::sax_parse(text.begin(), text.end(), &sax);
    } catch (const std::exception&) {  // allocation failure; the parser reports the rest
        return false;
    }
}

}  // namespace

std::optional<MessageKey> parse_message_key(std::string_view text) noexcept {
    if (text.size() != 36) return std::nullopt;
    MessageKey k;
    unsigned digits = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-') return std::nullopt;
            continue;
        }
        const int v = hex_value(text[i]);
        if (v < 0) return std::nullopt;
        auto& word = digits < 16 ? k.hi : k.lo;
        word = (word << 4U) | static_cast<std::uint64_t>(v);
        ++digits;
    }
    return k;
}

std::string to_string(const MessageKey& k) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (unsigned i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
        const std::uint64_t word = i < 16 ? k.hi : k.lo;
        out.push_back(kHex[(word >> (4U * (15U - i % 16U))) & 0xFU]);
    }
    return out;
}

std::string_view to_string(CallbackState s) noexcept { return kUpper[static_cast<std::size_t>(s)]; }

CallbackState parse_callback_state(std::string_view text) noexcept {
    for (std::size_t i = 0; i + 1 < kUpper.size(); ++i) {
        if (equal_ignoring_case(text, kUpper[i])) return static_cast<CallbackState>(i);
    }
    return CallbackState::other;
}

bool is_final(CallbackState s) noexcept {
    return s != CallbackState::sent && s != CallbackState::other;
}

std::optional<CallbackFields> parse_callback_body(std::string_view body) noexcept {
    CallbackBodySax sax;
    if (!sax_parse(body, sax) || !sax.id) return std::nullopt;
    return CallbackFields{*sax.id, sax.state};
}

std::optional<CallbackFields> parse_event_id(std::string_view header) noexcept {
    if (header.size() < 38 || header[36] != '.') return std::nullopt;
    const auto id = parse_message_key(header.substr(0, 36));
    if (!id) return std::nullopt;
    return CallbackFields{*id, parse_callback_state(header.substr(37))};
}

bool parse_accepted_ids(std::string_view body, std::vector<MessageKey>& out) noexcept {
    const auto before = out.size();
    AcceptedSax sax(out);
    if (sax_parse(body, sax)) return true;
    out.resize(before);
    return false;
}

SignatureCheck verify_signature(std::string_view secret, std::string_view header,
                                std::string_view body, std::int64_t now_unix, std::string& scratch,
                                std::int64_t tolerance_s) noexcept {
    if (header.empty()) return SignatureCheck::missing;
    // "t=<digits>,v1=<64 hex>", parts in any order.
    std::string_view t_text;
    std::string_view v1;
    while (!header.empty()) {
        const auto comma = header.find(',');
        const auto part = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        if (part.starts_with("t="))
            t_text = part.substr(2);
        else if (part.starts_with("v1="))
            v1 = part.substr(3);
    }
    std::int64_t t = 0;
    const auto [end, ec] = std::from_chars(t_text.data(), t_text.data() + t_text.size(), t);
    if (t_text.empty() || ec != std::errc{} || end != t_text.data() + t_text.size() ||
        v1.size() != 64) {
        return SignatureCheck::malformed;
    }
    unsigned char expected[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    try {
        scratch.assign(t_text).append(".").append(body);
    } catch (const std::exception&) { return SignatureCheck::malformed; }
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(scratch.data()), scratch.size(), expected,
             &len) == nullptr ||
        len != 32) {
        return SignatureCheck::mismatch;
    }
    unsigned char got[32];
    for (std::size_t i = 0; i < 32; ++i) {
        const int h = hex_value(v1[2 * i]);
        const int l = hex_value(v1[2 * i + 1]);
        if (h < 0 || l < 0) return SignatureCheck::malformed;
        got[i] = static_cast<unsigned char>((h << 4) | l);
    }
    if (CRYPTO_memcmp(got, expected, 32) != 0) return SignatureCheck::mismatch;
    const auto skew = now_unix > t ? now_unix - t : t - now_unix;
    return skew > tolerance_s ? SignatureCheck::stale : SignatureCheck::good;
}

}  // namespace bindery::loadgen
