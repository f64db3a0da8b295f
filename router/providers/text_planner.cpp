#include "router/providers/text_planner.hpp"

#include "smpp/codec/text/text_error.hpp"

namespace bindery::router {

smpp::EncodeOptions encode_options_for(const smpp::EncodeOptions& base,
                                       std::optional<TextEncoding> forced) noexcept {
    smpp::EncodeOptions o = base;
    if (forced) {
        switch (*forced) {
            case TextEncoding::gsm7: o.force_alphabet = smpp::Alphabet::gsm7; break;
            case TextEncoding::ucs2: o.force_alphabet = smpp::Alphabet::ucs2; break;
            case TextEncoding::latin1: o.force_alphabet = smpp::Alphabet::latin1; break;
            case TextEncoding::ia5: o.force_alphabet = smpp::Alphabet::ia5; break;
            case TextEncoding::binary: o.force_alphabet = smpp::Alphabet::binary; break;
        }
    }
    return o;
}

std::optional<TextEncoding> text_encoding_of(smpp::Alphabet a) noexcept {
    switch (a) {
        case smpp::Alphabet::gsm7: return TextEncoding::gsm7;
        case smpp::Alphabet::ucs2: return TextEncoding::ucs2;
        case smpp::Alphabet::latin1: return TextEncoding::latin1;
        case smpp::Alphabet::ia5: return TextEncoding::ia5;
        case smpp::Alphabet::binary: return TextEncoding::binary;
        default: return std::nullopt;
    }
}

Expected<TextPlan, std::string> SmppTextPlanner::operator()(
    std::string_view utf8, std::optional<TextEncoding> forced) const {
    const auto opts = encode_options_for(options_, forced);
    auto count = smpp::count_segments(utf8, opts);
    if (!count) {
        std::string why(smpp::to_string(count.error().code));
        if (forced) why = "cannot be sent as " + std::string(to_string(*forced)) + ": " + why;
        return Unexpected(std::move(why));
    }
    TextPlan plan;
    // The codec sends only alphabets the router names (decode-only ones never come back here).
    plan.encoding = text_encoding_of(count->alphabet).value_or(TextEncoding::gsm7);
    plan.segments = static_cast<std::uint32_t>(count->segments);
    return plan;
}

}  // namespace bindery::router
