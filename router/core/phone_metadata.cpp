#include "router/core/phone_metadata.hpp"

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <phonenumbers/region_code.h>

#include <algorithm>
#include <cstddef>
#include <list>

// libphonenumber's compiled-in metadata (the PhoneMetadataCollection its PhoneNumberUtil loads),
// exported by the shared library and declared in its metadata.h, which Debian does not install.
// Should a release drop them, linking fails; it cannot silently read something else.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace bindery::router {
namespace {

constexpr std::uint16_t digit_bit(char c) { return static_cast<std::uint16_t>(1u << (c - '0')); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A set of strings of digits cut to their first two characters: the empty string, one-digit
// strings, and the first two digits of longer ones.
struct Starts {
    bool empty = false;                   // "" is in the set
    std::uint16_t one = 0;                // bit d: "d"
    std::array<std::uint16_t, 10> two{};  // two[d] bit e: "de..."

    bool operator==(const Starts&) const = default;
    std::uint16_t firsts() const {
        std::uint16_t f = one;
        for (std::size_t d = 0; d < 10; ++d) {
            if (two[d] != 0) f = static_cast<std::uint16_t>(f | 1u << d);
        }
        return f;
    }
};

Starts unite(const Starts& a, const Starts& b) {
    Starts r;
    r.empty = a.empty || b.empty;
    r.one = static_cast<std::uint16_t>(a.one | b.one);
    for (std::size_t d = 0; d < 10; ++d) r.two[d] = static_cast<std::uint16_t>(a.two[d] | b.two[d]);
    return r;
}

// Every string of a followed by every string of b, cut to two characters.
Starts concat(const Starts& a, const Starts& b) {
    Starts r;
    r.empty = a.empty && b.empty;
    r.one = static_cast<std::uint16_t>((a.empty ? b.one : 0u) | (b.empty ? a.one : 0u));
    const std::uint16_t b_firsts = b.firsts();
    for (std::size_t d = 0; d < 10; ++d) {
        r.two[d] = static_cast<std::uint16_t>(a.two[d] | (a.empty ? b.two[d] : 0u) |
                                              ((a.one >> d & 1u) != 0 ? b_firsts : 0u));
    }
    return r;
}

// a* (a finite lattice: the union grows until it stops).
Starts closure(const Starts& a) {
    Starts r;
    r.empty = true;
    for (;;) {
        const Starts next = unite(r, concat(r, a));
        if (next == r) return r;
        r = next;
    }
}

// Recursive descent over the pattern, giving the cut set of the strings it matches. Every step
// that meets syntax it does not know fails, and a failure means "anything".
class PrefixReader {
public:
    explicit PrefixReader(std::string_view pattern) : p_(pattern) {}

    PrefixStarts run() {
        Starts whole;
        if (!alternation(whole, 0) || pos_ != p_.size()) return kAnyPrefix;
        PrefixStarts out{};
        for (std::size_t d = 0; d < 10; ++d) {
            out[d] = static_cast<std::uint16_t>(whole.two[d] |
                                                ((whole.one >> d & 1u) != 0 ? kOneDigitMatch : 0u));
        }
        return out;
    }

private:
    static constexpr int kMaxDepth = 32;
    static constexpr long kMaxRepeat = 40;

    bool more() const { return pos_ < p_.size(); }
    char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < p_.size() ? p_[pos_ + ahead] : '\0';
    }

    bool alternation(Starts& out, int depth) {
        if (depth > kMaxDepth || !sequence(out, depth)) return false;
        while (more() && peek() == '|') {
            ++pos_;
            Starts branch;
            if (!sequence(branch, depth)) return false;
            out = unite(out, branch);
        }
        return true;
    }

    bool sequence(Starts& out, int depth) {
        out = Starts{};
        out.empty = true;
        while (more() && peek() != '|' && peek() != ')') {
            Starts atom;
            if (!single(atom, depth) || !quantifier(atom)) return false;
            out = concat(out, atom);
        }
        return true;
    }

    bool single(Starts& out, int depth) {
        out = Starts{};
        const char c = p_[pos_++];
        if (is_digit(c)) {
            out.one = digit_bit(c);
            return true;
        }
        if (c == '^' || c == '$') {  // assertions: at most as permissive as the empty string
            out.empty = true;
            return true;
        }
        if (c == '\\') {
            if (peek() != 'd') return false;
            ++pos_;
            out.one = kAllDigits;
            return true;
        }
        if (c == '[') return digit_class(out);
        if (c == '(') {
            if (peek() == '?') {
                if (peek(1) != ':') return false;  // lookaround, named group, flags: unknown
                pos_ += 2;
            }
            if (!alternation(out, depth + 1) || peek() != ')') return false;
            ++pos_;
            return true;
        }
        return false;
    }

    // [0-9], [2-57], [\d]: digits and digit ranges only (no negation, no other members).
    bool digit_class(Starts& out) {
        bool any = false;
        while (more() && peek() != ']') {
            if (peek() == '\\') {
                if (peek(1) != 'd') return false;
                pos_ += 2;
                out.one = kAllDigits;
                any = true;
                continue;
            }
            const char lo = peek();
            if (!is_digit(lo)) return false;
            ++pos_;
            char hi = lo;
            if (peek() == '-' && peek(1) != ']') {
                hi = peek(1);
                if (!is_digit(hi) || hi < lo) return false;
                pos_ += 2;
            }
            for (char d = lo; d <= hi; ++d)
                out.one = static_cast<std::uint16_t>(out.one | digit_bit(d));
            any = true;
        }
        if (!more() || !any) return false;
        ++pos_;
        return true;
    }

    bool number(long& value) {
        if (!is_digit(peek())) return false;
        value = 0;
        while (is_digit(peek())) {
            value = value * 10 + (p_[pos_++] - '0');
            if (value > 1000) return false;
        }
        return true;
    }

    // ?, *, +, {n}, {n,}, {n,m}, each optionally lazy or possessive.
    bool quantifier(Starts& atom) {
        long min = 0;
        long max = -1;  // unbounded
        const char c = peek();
        if (c == '?') {
            max = 1;
        } else if (c == '*') {
        } else if (c == '+') {
            min = 1;
        } else if (c == '{') {
            ++pos_;
            if (!number(min)) return false;
            max = min;
            if (peek() == ',') {
                ++pos_;
                max = -1;
                if (is_digit(peek()) && (!number(max) || max < min)) return false;
            }
            if (peek() != '}') return false;
        } else {
            return true;
        }
        ++pos_;
        if (peek() == '?' || peek() == '+') ++pos_;
        atom = repeat(atom, min, max);
        return true;
    }

    // a{min,max}; past kMaxRepeat repetitions the rest counts as a* (a superset).
    static Starts repeat(const Starts& a, long min, long max) {
        Starts r;
        r.empty = true;
        for (long i = 0; i < std::min(min, kMaxRepeat); ++i) r = concat(r, a);
        if (min > kMaxRepeat || max < 0 || max - min > kMaxRepeat) return concat(r, closure(a));
        Starts power = r;
        for (long i = min; i < max; ++i) {
            power = concat(power, a);
            r = unite(r, power);
        }
        return r;
    }

    std::string_view p_;
    std::size_t pos_ = 0;
};

// Built once and never freed: the entries point into the collection.
struct CallingCodeTable {
    i18n::phonenumbers::PhoneMetadataCollection collection;
    std::array<CallingCodeInfo, 1000> codes{};

    CallingCodeTable() {
        using i18n::phonenumbers::PhoneNumberUtil;
        const auto& util = *PhoneNumberUtil::GetInstance();
        const bool have_metadata = collection.ParseFromArray(i18n::phonenumbers::metadata_get(),
                                                             i18n::phonenumbers::metadata_size());
        for (int code = 1; code < 1000; ++code) {
            std::string region;
            util.GetRegionCodeForCountryCode(code, &region);
            if (region == i18n::phonenumbers::RegionCode::GetUnknown()) continue;
            auto& info = codes[static_cast<std::size_t>(code)];
            info.known = true;
            std::list<std::string> regions;
            util.GetRegionCodesForCountryCallingCode(code, &regions);
            info.single_region = regions.size() == 1 && regions.front() == region;
            // Parse strips the national prefix with the metadata of the code's main region
            // ("001": the non-geographic entity of that code), whatever the default region.
            if (have_metadata) {
                for (const auto& metadata : collection.metadata()) {
                    if (metadata.id() != region || metadata.country_code() != code) continue;
                    const auto& prefix = metadata.national_prefix_for_parsing();
                    info.national_prefix_starts =
                        prefix.empty() ? PrefixStarts{} : pattern_starts(prefix);
                    info.metadata = &metadata;
                    info.main_has_leading_digits = metadata.has_leading_digits();
                    break;
                }
            }
            info.region = std::move(region);
        }
    }
};

}  // namespace

PrefixStarts pattern_starts(std::string_view pattern) noexcept {
    return PrefixReader(pattern).run();
}

const std::array<CallingCodeInfo, 1000>& calling_codes() {
    static const CallingCodeTable* const table = new CallingCodeTable();
    return table->codes;
}

}  // namespace bindery::router
