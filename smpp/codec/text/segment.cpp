#include "smpp/codec/text/segment.hpp"

#include "smpp/codec/text/charset.hpp"
#include "smpp/codec/text/gsm7.hpp"
#include "smpp/codec/text/udh.hpp"
#include "smpp/codec/text/utf8.hpp"

#include <algorithm>

namespace bindery::smpp {

namespace {

constexpr std::size_t kMaxPayload = 65535;
constexpr std::size_t kMaxSegments = 255;

struct Char {
    char32_t cp = 0;
    std::uint32_t offset = 0;     // in the UTF-8 input
    std::uint8_t length = 0;      // UTF-8 octets
    std::uint8_t cost = 0;        // units in the chosen alphabet
    bool joins_previous = false;  // keep_clusters: no break before this char
};

struct Analysis {
    std::vector<Char> chars;
    std::optional<std::size_t> first_non_gsm, first_non_latin1, first_non_ascii;  // offsets
};

bool is_regional_indicator(char32_t c) noexcept { return c >= 0x1F1E6 && c <= 0x1F1FF; }

bool is_extender(char32_t c) noexcept {
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x0483 && c <= 0x0489) ||
           (c >= 0x0591 && c <= 0x05BD) || (c >= 0x0610 && c <= 0x061A) ||
           (c >= 0x064B && c <= 0x065F) || c == 0x0670 || (c >= 0x06D6 && c <= 0x06ED) ||
           (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) || c == 0x200C ||
           c == 0x200D || (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE00 && c <= 0xFE0F) ||
           (c >= 0xFE20 && c <= 0xFE2F) || (c >= 0x1F3FB && c <= 0x1F3FF) ||
           (c >= 0xE0020 && c <= 0xE007F) || (c >= 0xE0100 && c <= 0xE01EF);
}

Expected<Analysis, TextError> analyse(std::string_view utf8) {
    if (utf8.size() > 0xFFFFFFFFU) return Unexpected(TextError{TextErrc::too_long, 0});
    Analysis a;
    a.chars.reserve(utf8.size());
    std::size_t ri_run = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto st = next_utf8(utf8, i);
        if (!st.valid) return Unexpected(TextError{TextErrc::invalid_utf8, i});
        Char c;
        c.cp = st.code_point;
        c.offset = static_cast<std::uint32_t>(i);
        c.length = static_cast<std::uint8_t>(st.length);
        if (!a.first_non_gsm && gsm7_septets(c.cp) == 0) a.first_non_gsm = i;
        if (!a.first_non_latin1 && c.cp > 0xFF) a.first_non_latin1 = i;
        if (!a.first_non_ascii && c.cp > 0x7F) a.first_non_ascii = i;
        if (!a.chars.empty()) {
            const char32_t prev = a.chars.back().cp;
            c.joins_previous = is_extender(c.cp) || prev == 0x200D ||
                               (is_regional_indicator(c.cp) && ri_run % 2 == 1);
        }
        ri_run = is_regional_indicator(c.cp) ? ri_run + 1 : 0;
        a.chars.push_back(c);
        i += st.length;
    }
    return a;
}

std::uint8_t unit_cost(Alphabet alphabet, const Char& c) noexcept {
    switch (alphabet) {
        case Alphabet::gsm7: return static_cast<std::uint8_t>(gsm7_septets(c.cp));
        case Alphabet::ucs2: return c.cp >= 0x10000 ? 2 : 1;
        case Alphabet::binary: return c.length;
        default: return 1;
    }
}

// Start index of each segment, greedy within `cap` units.
std::vector<std::size_t> split(const std::vector<Char>& chars, std::size_t cap,
                               bool keep_clusters) {
    std::vector<std::size_t> starts;
    std::size_t start = 0;
    const std::size_t n = chars.size();
    while (start < n) {
        starts.push_back(start);
        std::size_t used = 0;
        std::size_t i = start;
        std::size_t last_break = start;
        while (i < n && used + chars[i].cost <= cap) {
            if (i > start && !chars[i].joins_previous) last_break = i;
            used += chars[i].cost;
            ++i;
        }
        if (i < n && keep_clusters && chars[i].joins_previous && last_break > start) i = last_break;
        start = i;
    }
    return starts;
}

// Parts on the air for the text in `alphabet` (sets each char's cost).
std::size_t segments_in(std::vector<Char>& chars, Alphabet alphabet, const EncodeOptions& o) {
    std::size_t units = 0;
    for (auto& c : chars) {
        c.cost = unit_cost(alphabet, c);
        units += c.cost;
    }
    const Capacity cap = capacity(alphabet, o.concatenation);
    return units <= cap.single ? 1 : split(chars, cap.per_segment, o.keep_clusters).size();
}

Expected<Alphabet, TextError> pick(Analysis& a, const EncodeOptions& o) {
    if (o.force_alphabet) {
        switch (*o.force_alphabet) {
            case Alphabet::gsm7:
                if (a.first_non_gsm)
                    return Unexpected(TextError{TextErrc::unrepresentable, *a.first_non_gsm});
                break;
            case Alphabet::latin1:
                if (a.first_non_latin1)
                    return Unexpected(TextError{TextErrc::unrepresentable, *a.first_non_latin1});
                break;
            case Alphabet::ia5:
                if (a.first_non_ascii)
                    return Unexpected(TextError{TextErrc::unrepresentable, *a.first_non_ascii});
                break;
            case Alphabet::ucs2:
            case Alphabet::binary: break;
            default: return Unexpected(TextError{TextErrc::unsupported_alphabet, 0});
        }
        return *o.force_alphabet;
    }
    // Candidates in tie order. GSM 7-bit has no data_coding but 0, so only a carrier whose
    // default it is takes it.
    const Alphabet dflt = default_alphabet(o.smsc_default);
    const auto fits = [&a](Alphabet x) {
        switch (x) {
            case Alphabet::gsm7: return !a.first_non_gsm;
            case Alphabet::ia5: return !a.first_non_ascii;
            default: return !a.first_non_latin1;
        }
    };
    const auto allowed = [&](Alphabet x) {
        return x == dflt || (x == Alphabet::ia5 && o.allow_ia5) ||
               (x == Alphabet::latin1 && o.allow_latin1);
    };
    Alphabet candidates[4]{};
    std::size_t count = 0;
    for (const Alphabet x : {dflt, Alphabet::gsm7, Alphabet::ia5, Alphabet::latin1}) {
        if (allowed(x) && fits(x) &&
            std::find(candidates, candidates + count, x) == candidates + count) {
            candidates[count++] = x;
        }
    }
    if (count == 0) return Alphabet::ucs2;
    if (count == 1) return candidates[0];  // the usual case: nothing to weigh
    Alphabet best = candidates[0];
    std::size_t best_segments = segments_in(a.chars, best, o);
    for (std::size_t i = 1; i < count; ++i) {
        const std::size_t n = segments_in(a.chars, candidates[i], o);
        if (n < best_segments) {  // strictly fewer: ties stay with the earlier alphabet
            best = candidates[i];
            best_segments = n;
        }
    }
    return best;
}

struct Plan {
    Alphabet alphabet = Alphabet::gsm7;
    std::uint8_t data_coding = 0;
    std::size_t units = 0;
    std::vector<std::size_t> starts;  // empty: one plain segment
    bool as_payload = false;
    std::size_t air_segments = 1;
};

Expected<Plan, TextError> plan(std::vector<Char>& chars, Alphabet alphabet,
                               const EncodeOptions& o) {
    Plan p;
    p.alphabet = alphabet;
    p.data_coding = alphabet == Alphabet::binary ? std::uint8_t{0x04}
                                                 : data_coding_for(alphabet, o.smsc_default);
    for (auto& c : chars) {
        c.cost = unit_cost(alphabet, c);
        p.units += c.cost;
    }
    const Capacity cap = capacity(alphabet, o.concatenation);
    if (p.units <= cap.single) return p;
    const auto starts = split(chars, cap.per_segment, o.keep_clusters);
    p.air_segments = starts.size();
    const std::size_t max = std::min(o.max_segments, kMaxSegments);
    if (p.air_segments > max) return Unexpected(TextError{TextErrc::too_many_segments, 0});
    if (o.concatenation == Concatenation::payload) {
        p.as_payload = true;
    } else {
        p.starts = starts;
    }
    return p;
}

void append_body(std::vector<std::uint8_t>& out, std::string_view utf8,
                 const std::vector<Char>& chars, std::size_t from, std::size_t to,
                 Alphabet alphabet, const EncodeOptions& o, std::vector<std::uint8_t>& scratch) {
    switch (alphabet) {
        case Alphabet::gsm7:
            if (o.gsm7_packing == Gsm7Packing::packed) {
                scratch.clear();
                for (std::size_t i = from; i < to; ++i) append_gsm7(scratch, chars[i].cp);
                pack_septets(scratch, out, udh_fill_bits(out.size()));
            } else {
                for (std::size_t i = from; i < to; ++i) append_gsm7(out, chars[i].cp);
            }
            break;
        case Alphabet::ucs2:
            for (std::size_t i = from; i < to; ++i) append_ucs2(out, chars[i].cp);
            break;
        case Alphabet::binary:
            if (from < to) {
                const std::size_t b = chars[from].offset;
                const std::size_t e = chars[to - 1].offset + chars[to - 1].length;
                const auto* p = reinterpret_cast<const std::uint8_t*>(utf8.data());
                out.insert(out.end(), p + b, p + e);
            }
            break;
        default:  // ia5, latin1: one octet per code point (checked by pick)
            for (std::size_t i = from; i < to; ++i)
                out.push_back(static_cast<std::uint8_t>(chars[i].cp));
            break;
    }
}

EncodedMessage assemble(const Plan& p, std::string_view utf8, const std::vector<Char>& chars,
                        std::uint16_t reference, const EncodeOptions& o) {
    EncodedMessage m;
    m.alphabet = p.alphabet;
    m.data_coding = p.data_coding;
    m.units = p.units;
    std::vector<std::uint8_t> scratch;
    if (p.as_payload) {
        std::vector<std::uint8_t> body;
        append_body(body, utf8, chars, 0, chars.size(), p.alphabet, o, scratch);
        m.message_payload = std::move(body);
        return m;
    }
    if (p.starts.empty()) {
        Segment s;
        s.units = p.units;
        append_body(s.short_message, utf8, chars, 0, chars.size(), p.alphabet, o, scratch);
        m.segments.push_back(std::move(s));
        return m;
    }
    const auto total = static_cast<std::uint8_t>(p.starts.size());
    m.segments.reserve(p.starts.size());
    for (std::size_t k = 0; k < p.starts.size(); ++k) {
        const std::size_t from = p.starts[k];
        const std::size_t to = k + 1 < p.starts.size() ? p.starts[k + 1] : chars.size();
        const auto seq = static_cast<std::uint8_t>(k + 1);
        Segment s;
        switch (o.concatenation) {
            case Concatenation::udh8: {
                const auto h = concat_udh8(static_cast<std::uint8_t>(reference & 0xFF), total, seq);
                s.short_message.assign(h.begin(), h.end());
                s.udhi = true;
                break;
            }
            case Concatenation::udh16: {
                const auto h = concat_udh16(reference, total, seq);
                s.short_message.assign(h.begin(), h.end());
                s.udhi = true;
                break;
            }
            case Concatenation::sar:
            case Concatenation::payload: s.sar = Sar{reference, total, seq}; break;
        }
        for (std::size_t i = from; i < to; ++i) s.units += chars[i].cost;
        append_body(s.short_message, utf8, chars, from, to, p.alphabet, o, scratch);
        m.segments.push_back(std::move(s));
    }
    return m;
}

// Replacement for typographic characters; nullptr = no replacement, "" = drop.
const char* gsm_replacement(char32_t c) noexcept {
    switch (c) {
        case 0x201C:
        case 0x201D:
        case 0x201E:
        case 0x201F:
        case 0x00AB:
        case 0x00BB:
        case 0x2033: return "\"";
        case 0x2018:
        case 0x2019:
        case 0x201A:
        case 0x201B:
        case 0x0060:
        case 0x00B4:
        case 0x2032: return "'";
        case 0x2010:
        case 0x2011:
        case 0x2012:
        case 0x2013:
        case 0x2014:
        case 0x2015:
        case 0x2212: return "-";
        case 0x2026: return "...";
        case 0x00A0:
        case 0x2002:
        case 0x2003:
        case 0x2004:
        case 0x2005:
        case 0x2006:
        case 0x2007:
        case 0x2008:
        case 0x2009:
        case 0x200A:
        case 0x202F:
        case 0x205F:
        case 0x3000: return " ";
        case 0x200B:
        case 0xFEFF: return "";
        default: return nullptr;
    }
}

// Re-analyses the transliterated text when the options ask for it and it helps.
struct Prepared {
    std::string storage;  // transliterated text, when used
    std::string_view original;
    Analysis analysis;
    bool transliterated = false;
    // Computed on use: a view into `storage` would dangle after a move (short-string buffer).
    [[nodiscard]] std::string_view text() const noexcept {
        return transliterated ? std::string_view(storage) : original;
    }
};

Expected<Prepared, TextError> prepare(std::string_view utf8, const EncodeOptions& o) {
    auto a = analyse(utf8);
    if (!a) return Unexpected(a.error());
    Prepared p;
    p.original = utf8;
    if (o.transliterate && !o.force_alphabet && o.smsc_default == SmscDefaultAlphabet::gsm7 &&
        a->first_non_gsm) {
        if (auto t = transliterate_to_gsm7(utf8)) {
            p.storage = std::move(*t);
            auto b = analyse(p.storage);
            if (!b) return Unexpected(b.error());
            p.analysis = std::move(*b);
            p.transliterated = true;
            return p;
        }
    }
    p.analysis = std::move(*a);
    return p;
}

}  // namespace

std::optional<std::string> transliterate_to_gsm7(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    bool changed = false;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto st = next_utf8(utf8, i);
        if (!st.valid) return std::nullopt;
        if (gsm7_septets(st.code_point) != 0) {
            out.append(utf8.substr(i, st.length));
        } else if (const char* r = gsm_replacement(st.code_point)) {
            out += r;
            changed = true;
        } else {
            return std::nullopt;
        }
        i += st.length;
    }
    if (!changed) return std::nullopt;
    return out;
}

Capacity capacity(Alphabet a, Concatenation c) noexcept {
    const bool wide = c == Concatenation::udh16;
    switch (a) {
        case Alphabet::gsm7: return {160, wide ? 152U : 153U};
        case Alphabet::ucs2: return {70, wide ? 66U : 67U};
        default: return {140, wide ? 133U : 134U};
    }
}

Expected<Alphabet, TextError> choose_alphabet(std::string_view utf8, const EncodeOptions& options) {
    auto p = prepare(utf8, options);
    if (!p) return Unexpected(p.error());
    return pick(p->analysis, options);
}

Expected<SegmentCount, TextError> count_segments(std::string_view utf8,
                                                 const EncodeOptions& options) {
    auto a = prepare(utf8, options);
    if (!a) return Unexpected(a.error());
    auto alphabet = pick(a->analysis, options);
    if (!alphabet) return Unexpected(alphabet.error());
    auto p = plan(a->analysis.chars, *alphabet, options);
    if (!p) return Unexpected(p.error());
    if (p->as_payload) {
        std::size_t octets = p->units * (p->alphabet == Alphabet::ucs2 ? 2U : 1U);
        if (p->alphabet == Alphabet::gsm7 && options.gsm7_packing == Gsm7Packing::packed) {
            octets = packed_size(p->units);
        }
        if (octets > kMaxPayload) return Unexpected(TextError{TextErrc::too_long, 0});
    }
    return SegmentCount{p->alphabet, p->data_coding, p->units, p->air_segments, a->transliterated};
}

Expected<EncodedMessage, TextError> encode_message(std::string_view utf8, std::uint16_t reference,
                                                   const EncodeOptions& options) {
    auto a = prepare(utf8, options);
    if (!a) return Unexpected(a.error());
    auto alphabet = pick(a->analysis, options);
    if (!alphabet) return Unexpected(alphabet.error());
    auto p = plan(a->analysis.chars, *alphabet, options);
    if (!p) return Unexpected(p.error());
    EncodedMessage m = assemble(*p, a->text(), a->analysis.chars, reference, options);
    m.transliterated = a->transliterated;
    if (m.message_payload && m.message_payload->size() > kMaxPayload) {
        return Unexpected(TextError{TextErrc::too_long, 0});
    }
    return m;
}

Expected<EncodedMessage, TextError> encode_binary(std::span<const std::uint8_t> data,
                                                  std::uint16_t reference,
                                                  const EncodeOptions& options) {
    if (data.size() > 0xFFFFFFFFU) return Unexpected(TextError{TextErrc::too_long, 0});
    // Each octet is one "char" of cost 1 whose UTF-8 slice is the octet itself.
    std::vector<Char> chars(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
        chars[i].cp = data[i];
        chars[i].offset = static_cast<std::uint32_t>(i);
        chars[i].length = 1;
    }
    EncodeOptions o = options;
    o.keep_clusters = false;
    auto p = plan(chars, Alphabet::binary, o);
    if (!p) return Unexpected(p.error());
    const std::string_view bytes =
        data.empty() ? std::string_view{}
                     : std::string_view(reinterpret_cast<const char*>(data.data()), data.size());
    EncodedMessage m = assemble(*p, bytes, chars, reference, o);
    if (m.message_payload && m.message_payload->size() > kMaxPayload) {
        return Unexpected(TextError{TextErrc::too_long, 0});
    }
    return m;
}

}  // namespace bindery::smpp
