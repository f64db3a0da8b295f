#include "smpp/codec/receipt/receipt.hpp"

#include <array>
#include <cstdio>

#include "smpp/codec/text/utf8.hpp"

namespace bindery::smpp {

std::string_view to_string(MessageState s) noexcept {
    switch (s) {
        case MessageState::scheduled: return "SCHEDULED";
        case MessageState::enroute: return "ENROUTE";
        case MessageState::delivered: return "DELIVERED";
        case MessageState::expired: return "EXPIRED";
        case MessageState::deleted: return "DELETED";
        case MessageState::undeliverable: return "UNDELIVERABLE";
        case MessageState::accepted: return "ACCEPTED";
        case MessageState::unknown: return "UNKNOWN";
        case MessageState::rejected: return "REJECTED";
        case MessageState::skipped: return "SKIPPED";
    }
    return "UNKNOWN";
}

std::string_view stat_text(MessageState s) noexcept {
    switch (s) {
        case MessageState::scheduled: return "SCHEDUL";
        case MessageState::enroute: return "ENROUTE";
        case MessageState::delivered: return "DELIVRD";
        case MessageState::expired: return "EXPIRED";
        case MessageState::deleted: return "DELETED";
        case MessageState::undeliverable: return "UNDELIV";
        case MessageState::accepted: return "ACCEPTD";
        case MessageState::unknown: return "UNKNOWN";
        case MessageState::rejected: return "REJECTD";
        case MessageState::skipped: return "SKIPPED";
    }
    return "UNKNOWN";
}

std::string_view to_string(ReceiptErrc e) noexcept {
    switch (e) {
        case ReceiptErrc::empty: return "empty";
        case ReceiptErrc::not_a_receipt: return "not_a_receipt";
        case ReceiptErrc::missing_id: return "missing_id";
        case ReceiptErrc::missing_state: return "missing_state";
    }
    return "unknown";
}

namespace {

constexpr bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' || c == '\0';
}
constexpr char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_xdigit(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr unsigned xdigit_value(char c) noexcept {
    return is_digit(c) ? static_cast<unsigned>(c - '0')
                       : static_cast<unsigned>(lower(c) - 'a' + 10);
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string_view first_token(std::string_view s) noexcept {
    s = trim(s);
    std::size_t n = 0;
    while (n < s.size() && !is_space(s[n])) ++n;
    return s.substr(0, n);
}

enum Field : std::uint8_t {
    f_id,
    f_sub,
    f_dlvrd,
    f_submit,
    f_done,
    f_stat,
    f_err,
    f_text,
    f_count
};

// Matches a case-insensitive word at s[p...]; returns the position after it or npos.
std::size_t match_word(std::string_view s, std::size_t p, std::string_view word) noexcept {
    if (s.size() - p < word.size()) return std::string_view::npos;
    return iequals(s.substr(p, word.size()), word) ? p + word.size() : std::string_view::npos;
}

struct LabelMatch {
    Field field = f_count;
    std::size_t value = 0;  // first octet after ':'
};

// A label at p (the caller checked p starts a token): word, optional blanks, ':'.
std::optional<LabelMatch> match_label(std::string_view s, std::size_t p) noexcept {
    constexpr std::size_t npos = std::string_view::npos;
    std::size_t e = npos;
    Field f = f_count;
    auto date_after = [&](std::size_t q) -> std::size_t {
        if (q == npos) return npos;
        while (q < s.size() && (s[q] == ' ' || s[q] == '_' || s[q] == '\t')) ++q;
        return match_word(s, q, "date");
    };
    struct Simple {
        std::string_view word;
        Field field;
    };
    // Longest first so "status" wins over "stat", "error" over "err".
    static constexpr std::array<Simple, 8> kSimple = {{{"dlvrd", f_dlvrd},
                                                       {"status", f_stat},
                                                       {"error", f_err},
                                                       {"stat", f_stat},
                                                       {"text", f_text},
                                                       {"sub", f_sub},
                                                       {"err", f_err},
                                                       {"id", f_id}}};
    if (auto q = date_after(match_word(s, p, "submit")); q != npos) {
        e = q;
        f = f_submit;
    } else if (auto r = date_after(match_word(s, p, "done")); r != npos) {
        e = r;
        f = f_done;
    } else {
        for (const auto& w : kSimple) {
            const std::size_t w_end = match_word(s, p, w.word);
            if (w_end == npos) continue;
            std::size_t c = w_end;
            while (c < s.size() && (s[c] == ' ' || s[c] == '\t')) ++c;
            if (c < s.size() && s[c] == ':') {
                e = w_end;
                f = w.field;
                break;
            }
        }
    }
    if (e == npos) return std::nullopt;
    while (e < s.size() && (s[e] == ' ' || s[e] == '\t')) ++e;
    if (e >= s.size() || s[e] != ':') return std::nullopt;
    return LabelMatch{f, e + 1};
}

std::optional<std::uint32_t> parse_count(std::string_view tok) noexcept {
    if (tok.empty() || tok.size() > 9) return std::nullopt;
    std::uint32_t v = 0;
    for (const char c : tok) {
        if (!is_digit(c)) return std::nullopt;
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return v;
}

unsigned two(std::string_view s, std::size_t i) noexcept {
    return static_cast<unsigned>(s[i] - '0') * 10 + static_cast<unsigned>(s[i + 1] - '0');
}

}  // namespace

std::optional<MessageState> parse_stat(std::string_view word) noexcept {
    struct Name {
        std::string_view text;
        MessageState state;
    };
    static constexpr std::array<Name, 25> kNames = {{
        {"DELIVRD", MessageState::delivered},
        {"DELIVERED", MessageState::delivered},
        {"DELIVER", MessageState::delivered},
        {"EXPIRED", MessageState::expired},
        {"DELETED", MessageState::deleted},
        {"UNDELIV", MessageState::undeliverable},
        {"UNDELIVERABLE", MessageState::undeliverable},
        {"UNDELIVERED", MessageState::undeliverable},
        {"FAILED", MessageState::undeliverable},
        {"FAIL", MessageState::undeliverable},
        {"ACCEPTD", MessageState::accepted},
        {"ACCEPTED", MessageState::accepted},
        {"UNKNOWN", MessageState::unknown},
        {"REJECTD", MessageState::rejected},
        {"REJECTED", MessageState::rejected},
        {"ENROUTE", MessageState::enroute},
        {"EN_ROUTE", MessageState::enroute},
        {"SCHEDUL", MessageState::scheduled},
        {"SCHEDULED", MessageState::scheduled},
        {"SKIPPED", MessageState::skipped},
        {"DELETE", MessageState::deleted},
        {"EXPIRE", MessageState::expired},
        {"REJECT", MessageState::rejected},
        {"ACCEPT", MessageState::accepted},
        {"UNDELIVRD", MessageState::undeliverable},
    }};
    if (word.size() == 1 && is_digit(word[0])) return static_cast<MessageState>(word[0] - '0');
    for (const auto& n : kNames) {
        if (iequals(word, n.text)) return n.state;
    }
    return std::nullopt;
}

namespace {

// `d` (digits only) as a date whose year has `year_digits` digits, with or without seconds.
std::optional<ReceiptDate> read_date(std::string_view d, std::size_t year_digits,
                                     bool seconds) noexcept {
    ReceiptDate r;
    r.year = static_cast<std::uint16_t>(year_digits == 4 ? two(d, 0) * 100 + two(d, 2)
                                                         : 2000 + two(d, 0));
    const std::size_t i = year_digits;
    const unsigned mo = two(d, i), dd = two(d, i + 2), hh = two(d, i + 4), mi = two(d, i + 6);
    if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59) return std::nullopt;
    r.month = static_cast<std::uint8_t>(mo);
    r.day = static_cast<std::uint8_t>(dd);
    r.hour = static_cast<std::uint8_t>(hh);
    r.minute = static_cast<std::uint8_t>(mi);
    if (seconds) {
        const unsigned ss = two(d, i + 8);
        if (ss > 60) return std::nullopt;
        r.second = static_cast<std::uint8_t>(ss);
    }
    return r;
}

}  // namespace

std::optional<ReceiptDate> parse_receipt_date(std::string_view d) noexcept {
    if (d.size() != 10 && d.size() != 12 && d.size() != 14) return std::nullopt;
    for (const char c : d) {
        if (!is_digit(c)) return std::nullopt;
    }
    if (d.size() == 10) return read_date(d, 2, false);
    if (d.size() == 14) return read_date(d, 4, true);
    // 12 digits: YYMMDDhhmmss, or else (some SMSCs, e.g. jasmin issue #195) YYYYMMDDhhmm in
    // 2000-2099, which YYMMDDhhmmss cannot be read as (its "month" would be 20 or more).
    if (auto r = read_date(d, 2, true)) return r;
    if (two(d, 0) == 20) return read_date(d, 4, false);
    return std::nullopt;
}

std::string format_receipt_date(const ReceiptDate& d) {
    char buf[32];
    int n = 0;
    if (d.year < 2000 || d.year > 2099) {
        n = std::snprintf(buf, sizeof buf, "%04u%02u%02u%02u%02u%02u", unsigned{d.year} % 10000U,
                          unsigned{d.month} % 100U, unsigned{d.day} % 100U, unsigned{d.hour} % 100U,
                          unsigned{d.minute} % 100U, unsigned{d.second.value_or(0)} % 100U);
    } else if (d.second) {
        n = std::snprintf(buf, sizeof buf, "%02u%02u%02u%02u%02u%02u", unsigned{d.year} % 100U,
                          unsigned{d.month} % 100U, unsigned{d.day} % 100U, unsigned{d.hour} % 100U,
                          unsigned{d.minute} % 100U, unsigned{*d.second} % 100U);
    } else {
        n = std::snprintf(buf, sizeof buf, "%02u%02u%02u%02u%02u", unsigned{d.year} % 100U,
                          unsigned{d.month} % 100U, unsigned{d.day} % 100U, unsigned{d.hour} % 100U,
                          unsigned{d.minute} % 100U);
    }
    return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0U);
}

std::optional<std::uint32_t> Receipt::error_code() const noexcept {
    if (network_error) return network_error->error_code;
    std::string_view e = err;
    if (e.empty() || e.size() > 10) return std::nullopt;
    bool hex = false;
    if (e.size() > 2 && e[0] == '0' && (e[1] == 'x' || e[1] == 'X')) {
        e.remove_prefix(2);
        hex = true;
    }
    std::uint64_t v = 0;
    for (const char c : e) {
        if (!is_xdigit(c)) return std::nullopt;
        if (!is_digit(c)) hex = true;
    }
    for (const char c : e) v = v * (hex ? 16U : 10U) + xdigit_value(c);
    if (v > 0xFFFFFFFFU) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

Expected<Receipt, ReceiptError> parse_receipt(std::string_view input, const ReceiptTlvs& tlvs) {
    const std::string_view s = trim(input);
    const bool tlv_id = tlvs.receipted_message_id && !trim(*tlvs.receipted_message_id).empty();
    const bool tlv_state = tlvs.message_state && *tlvs.message_state <= 9;
    if (s.empty() && !tlv_id && !tlv_state) return Unexpected(ReceiptError{ReceiptErrc::empty});

    // Label positions: every label occurrence ends the previous value; the first occurrence of a
    // field gives its value; `text:` takes the rest of the input. Unless that leaves no id or no
    // state (and no TLV gives it): then the receipt put `text:` before them (cloudhopper's
    // "fields out of order" receipt) and it ends at the next label like any other field.
    std::array<std::optional<std::size_t>, f_count> value_at{};
    std::array<std::size_t, f_count> value_end{};
    bool any_label = false;
    auto scan = [&](bool text_to_end) {
        value_at = {};
        std::optional<Field> open;  // field whose value is running
        for (std::size_t p = 0; p < s.size(); ++p) {
            if (p != 0 && !is_space(s[p - 1])) continue;
            if (is_space(s[p])) continue;
            const auto m = match_label(s, p);
            if (!m) continue;
            any_label = true;
            if (open) value_end[*open] = p;
            open.reset();
            if (!value_at[m->field]) {
                value_at[m->field] = m->value;
                value_end[m->field] = s.size();
                open = m->field;
            }
            if (text_to_end && m->field == f_text && open) break;
            p = m->value - 1;
        }
    };
    scan(true);
    if (value_at[f_text] && ((!value_at[f_id] && !tlv_id) || (!value_at[f_stat] && !tlv_state)))
        scan(false);
    if (!any_label && !tlv_id && !tlv_state)
        return Unexpected(ReceiptError{ReceiptErrc::not_a_receipt});
    auto value = [&](Field f) -> std::optional<std::string_view> {
        if (!value_at[f]) return std::nullopt;
        return s.substr(*value_at[f], value_end[f] - *value_at[f]);
    };

    Receipt r;
    if (tlv_id) {
        r.id = std::string(trim(*tlvs.receipted_message_id));
        r.id_from_tlv = true;
    } else if (auto v = value(f_id)) {
        r.id = std::string(first_token(*v));
    }
    if (r.id.empty()) return Unexpected(ReceiptError{ReceiptErrc::missing_id});

    std::optional<MessageState> text_state;
    if (auto v = value(f_stat)) {
        r.stat = std::string(first_token(*v));
        if (!r.stat.empty()) text_state = parse_stat(r.stat).value_or(MessageState::unknown);
    }
    if (tlv_state) {
        r.state = static_cast<MessageState>(*tlvs.message_state);
        r.state_from_tlv = true;
    } else if (text_state) {
        r.state = *text_state;
    } else {
        return Unexpected(ReceiptError{ReceiptErrc::missing_state});
    }

    if (auto v = value(f_sub)) r.sub = parse_count(first_token(*v));
    if (auto v = value(f_dlvrd)) r.dlvrd = parse_count(first_token(*v));
    if (auto v = value(f_submit)) r.submit_date = parse_receipt_date(first_token(*v));
    if (auto v = value(f_done)) r.done_date = parse_receipt_date(first_token(*v));
    if (auto v = value(f_err)) r.err = std::string(first_token(*v));
    if (auto v = value(f_text)) r.text = std::string(trim(*v));
    r.network_error = tlvs.network_error_code;
    return r;
}

ReceiptDate receipt_date(std::chrono::system_clock::time_point t) noexcept {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{floor<minutes>(t - day)};
    ReceiptDate d;
    d.year = static_cast<std::uint16_t>(static_cast<int>(ymd.year()));
    d.month = static_cast<std::uint8_t>(static_cast<unsigned>(ymd.month()));
    d.day = static_cast<std::uint8_t>(static_cast<unsigned>(ymd.day()));
    d.hour = static_cast<std::uint8_t>(hms.hours().count());
    d.minute = static_cast<std::uint8_t>(hms.minutes().count());
    return d;
}

std::string_view receipt_text_of(std::string_view text, std::size_t characters) noexcept {
    std::size_t end = 0;
    for (std::size_t c = 0; c < characters && end < text.size(); ++c) {
        const auto step = next_utf8(text, end);
        end += step.valid ? step.length : 1;  // an ill-formed octet is one character
    }
    return text.substr(0, end);
}

std::string build_receipt(const Receipt& r) {
    std::string out;
    out.reserve(160 + r.id.size() + r.text.size());
    char buf[16];
    auto count = [&](std::uint32_t v) {
        const int n = std::snprintf(buf, sizeof buf, "%03u", v);
        out.append(buf, n > 0 ? static_cast<std::size_t>(n) : 0U);
    };
    out += "id:";
    out += r.id;
    if (r.sub) {
        out += " sub:";
        count(*r.sub);
    }
    if (r.dlvrd) {
        out += " dlvrd:";
        count(*r.dlvrd);
    }
    if (r.submit_date) {
        out += " submit date:";
        out += format_receipt_date(*r.submit_date);
    }
    if (r.done_date) {
        out += " done date:";
        out += format_receipt_date(*r.done_date);
    }
    out += " stat:";
    if (!r.stat.empty() && parse_stat(r.stat).value_or(MessageState::unknown) == r.state) {
        out += r.stat;
    } else {
        out += stat_text(r.state);
    }
    if (!r.err.empty()) {
        out += " err:";
        out += r.err;
    } else if (r.network_error) {
        out += " err:";
        count(r.network_error->error_code);
    }
    out += " text:";
    out += r.text;
    return out;
}

namespace {

std::optional<std::uint64_t> read_number(std::string_view s, unsigned base) noexcept {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (base == 10 ? !is_digit(c) : !is_xdigit(c)) return std::nullopt;
        const unsigned d = xdigit_value(c);
        if (v > (UINT64_MAX - d) / base) return std::nullopt;
        v = v * base + d;
    }
    return v;
}

}  // namespace

MessageIdForms normalize_message_id(std::string_view id) {
    MessageIdForms f;
    f.as_is = std::string(id);
    std::string_view t = trim(id);
    std::string low;
    low.reserve(t.size());
    for (const char c : t) low.push_back(lower(c));
    std::size_t z = 0;
    while (z + 1 < low.size() && low[z] == '0') ++z;
    f.normalized = low.substr(z);
    if (auto h = read_number(f.normalized, 16)) f.hex_as_decimal = std::to_string(*h);
    if (auto d = read_number(f.normalized, 10)) {
        char buf[24];
        const int n = std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(*d));
        f.decimal_as_hex = std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0U);
    }
    return f;
}

bool message_ids_match(std::string_view a, std::string_view b) {
    const auto fa = normalize_message_id(a);
    const auto fb = normalize_message_id(b);
    if (fa.normalized.empty() || fb.normalized.empty()) return false;
    if (fa.normalized == fb.normalized) return true;
    return (fa.hex_as_decimal && *fa.hex_as_decimal == fb.normalized) ||
           (fb.hex_as_decimal && *fb.hex_as_decimal == fa.normalized);
}

}  // namespace bindery::smpp
