#include "router/core/phone_metadata.hpp"

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <phonenumbers/region_code.h>

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

constexpr std::uint16_t digit_bit(char c) {
    return static_cast<std::uint16_t>(1u << (c - '0'));
}
constexpr bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Recursive descent over the pattern; every step that meets syntax it does not know fails, and a
// failure means "any digit". first: digits a non-empty match can begin with; nullable: the part
// can match the empty string (then what follows it can begin the match too).
class FirstDigits {
public:
    explicit FirstDigits(std::string_view pattern) : p_(pattern) {}

    std::uint16_t run() {
        Part whole;
        if (!alternation(whole, 0) || pos_ != p_.size()) return kAllDigits;
        return whole.first;
    }

private:
    struct Part {
        std::uint16_t first = 0;
        bool nullable = true;
    };
    static constexpr int kMaxDepth = 32;

    bool more() const { return pos_ < p_.size(); }
    char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < p_.size() ? p_[pos_ + ahead] : '\0';
    }

    bool alternation(Part& out, int depth) {
        if (depth > kMaxDepth || !sequence(out, depth)) return false;
        while (more() && peek() == '|') {
            ++pos_;
            Part branch;
            if (!sequence(branch, depth)) return false;
            out.first |= branch.first;
            out.nullable = out.nullable || branch.nullable;
        }
        return true;
    }

    bool sequence(Part& out, int depth) {
        out = Part{};
        while (more() && peek() != '|' && peek() != ')') {
            Part atom;
            if (!single(atom, depth) || !quantifier(atom)) return false;
            if (out.nullable) out.first |= atom.first;
            out.nullable = out.nullable && atom.nullable;
        }
        return true;
    }

    bool single(Part& out, int depth) {
        const char c = p_[pos_++];
        if (is_digit(c)) {
            out = {digit_bit(c), false};
            return true;
        }
        if (c == '^' || c == '$') {  // assertions: at most as permissive as the empty string
            out = {0, true};
            return true;
        }
        if (c == '\\') {
            if (peek() != 'd') return false;
            ++pos_;
            out = {kAllDigits, false};
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
    bool digit_class(Part& out) {
        out = {0, false};
        bool any = false;
        while (more() && peek() != ']') {
            if (peek() == '\\') {
                if (peek(1) != 'd') return false;
                pos_ += 2;
                out.first |= kAllDigits;
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
            for (char d = lo; d <= hi; ++d) out.first |= digit_bit(d);
            any = true;
        }
        if (!more() || !any) return false;
        ++pos_;
        return true;
    }

    // ?, *, +, {n}, {n,}, {n,m}, each optionally lazy or possessive. A quantifier never widens the
    // first digits; one that allows zero repetitions makes the part nullable.
    bool quantifier(Part& atom) {
        const char c = peek();
        if (c == '?' || c == '*') {
            ++pos_;
            atom.nullable = true;
        } else if (c == '+') {
            ++pos_;
        } else if (c == '{') {
            ++pos_;
            if (!is_digit(peek())) return false;
            bool zero = true;
            while (is_digit(peek())) {
                if (p_[pos_++] != '0') zero = false;
            }
            if (peek() == ',') {
                ++pos_;
                while (is_digit(peek())) ++pos_;
            }
            if (peek() != '}') return false;
            ++pos_;
            if (zero) atom.nullable = true;
        } else {
            return true;
        }
        if (peek() == '?' || peek() == '+') ++pos_;
        return true;
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
                    info.national_prefix_digits = prefix.empty() ? 0 : pattern_first_digits(prefix);
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

std::uint16_t pattern_first_digits(std::string_view pattern) noexcept {
    return FirstDigits(pattern).run();
}

const std::array<CallingCodeInfo, 1000>& calling_codes() {
    static const CallingCodeTable* const table = new CallingCodeTable();
    return table->codes;
}

}  // namespace bindery::router
