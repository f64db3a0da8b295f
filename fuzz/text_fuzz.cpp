// Text layer: every data_coding decoder, the UDH parser, and (when the input is valid UTF-8)
// encode -> segment -> parse UDH -> reassemble -> decode, which must give the text back.
// Byte 0 picks options; the rest is the payload.
#include "smpp/codec/text/data_coding.hpp"
#include "smpp/codec/text/gsm7.hpp"
#include "smpp/codec/text/reassembler.hpp"
#include "smpp/codec/text/segment.hpp"
#include "smpp/codec/text/udh.hpp"
#include "smpp/codec/text/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace bindery::smpp;

void check(bool ok) {
    if (!ok) std::abort();
}

// What decoding gives back for text the encoder accepted: ç is sent as GSM 0x09 and read as Ç.
std::string expected_after_gsm7(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i + 1 < s.size() && s[i] == '\xC3' && s[i + 1] == '\xA7') {
            out += "\xC3\x87";
            ++i;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

void round_trip(std::string_view text, std::uint8_t sel) {
    EncodeOptions o;
    o.concatenation = static_cast<Concatenation>(sel & 0x03);
    o.gsm7_packing = (sel & 0x04) != 0 ? Gsm7Packing::packed : Gsm7Packing::unpacked;
    o.allow_latin1 = (sel & 0x08) != 0;
    o.keep_clusters = (sel & 0x10) != 0;
    if ((sel & 0x20) != 0) o.force_alphabet = Alphabet::ucs2;
    o.transliterate = (sel & 0x40) != 0;
    o.allow_ia5 = (sel & 0x80) != 0;
    const auto count = count_segments(text, o);
    const auto m = encode_message(text, static_cast<std::uint16_t>(sel * 257U), o);
    check(count.has_value() == m.has_value());
    if (!m) return;
    // Packed 7-bit cannot tell a final CR from padding (TS 23.038), so skip texts with CR there.
    if (m->alphabet == Alphabet::gsm7 && o.gsm7_packing == Gsm7Packing::packed &&
        text.find('\r') != std::string_view::npos) {
        return;
    }
    check(count->transliterated == m->transliterated);
    std::string sent(text);
    if (m->transliterated) {
        const auto t = transliterate_to_gsm7(text);
        check(t.has_value());
        sent = *t;
        if (sent.find('\r') != std::string::npos && o.gsm7_packing == Gsm7Packing::packed) return;
    }
    const std::string want = m->alphabet == Alphabet::gsm7 ? expected_after_gsm7(sent) : sent;
    const DecodeOptions d{SmscDefaultAlphabet::gsm7, o.gsm7_packing};
    if (m->message_payload) {
        check(decode_text(m->data_coding, *m->message_payload, d).utf8 == want);
        return;
    }
    check(count->segments == m->segments.size());
    Reassembler r;
    std::string joined;
    std::optional<CompleteMessage> done;
    for (std::size_t i = m->segments.size(); i-- > 0;) {
        const auto& s = m->segments[i];
        check(s.short_message.size() <= 140 ||
              (o.gsm7_packing == Gsm7Packing::unpacked && s.short_message.size() <= 167));
        std::vector<std::uint8_t> user;
        ConcatInfo ci{0, 1, 1, false};
        if (s.udhi) {
            const auto udh = parse_udh(s.short_message);
            check(udh.has_value() && udh->concat.has_value());
            ci = *udh->concat;
            if (m->alphabet == Alphabet::gsm7 && o.gsm7_packing == Gsm7Packing::packed) {
                user = unpack_septets(udh->payload, udh->fill_bits(), s.units);
            } else {
                user.assign(udh->payload.begin(), udh->payload.end());
            }
        } else {
            if (s.sar)
                ci = ConcatInfo{s.sar->msg_ref_num, s.sar->total_segments, s.sar->segment_seqnum,
                                true};
            if (m->alphabet == Alphabet::gsm7 && o.gsm7_packing == Gsm7Packing::packed) {
                user = unpack_septets(s.short_message, 0, s.units);
            } else {
                user = s.short_message;
            }
        }
        auto res = r.add(
            ConcatPart{
                {"src", "dst", ci.reference}, ci.total, ci.seqnum, m->data_coding, std::move(user)},
            {});
        if (res.message) done = std::move(res.message);
    }
    check(done.has_value());
    check(decode_text(m->data_coding, done->user_data, DecodeOptions{}).utf8 == want);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 4096) return 0;
    const std::uint8_t sel = data[0];
    const std::span<const std::uint8_t> body(data + 1, size - 1);

    static constexpr std::uint8_t kCodings[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
                                                0x06, 0x07, 0x08, 0x10, 0x18, 0x24,
                                                0x48, 0xC0, 0xE0, 0xF0, 0xF4};
    for (const std::uint8_t dc : kCodings) {
        for (const auto packing : {Gsm7Packing::unpacked, Gsm7Packing::packed}) {
            const auto t = decode_text(dc, body, {SmscDefaultAlphabet::gsm7, packing}, sel % 7U);
            check(is_valid_utf8(t.utf8));
            const auto u = decode_user_data(dc, body, true, {SmscDefaultAlphabet::gsm7, packing});
            if (u) check(is_valid_utf8(u->text.utf8));
        }
    }
    (void)decode_text(sel, body, {SmscDefaultAlphabet::latin1, Gsm7Packing::packed}, sel);
    if (const auto udh = parse_udh(body)) {
        check(udh->header.size() + udh->payload.size() == body.size());
        if (udh->concat)
            check(udh->concat->seqnum >= 1 && udh->concat->seqnum <= udh->concat->total);
    }

    const std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
    if (is_valid_utf8(text)) {
        round_trip(text, sel);
    } else {
        check(!encode_message(text, 1, {}).has_value());
        check(is_valid_utf8(sanitize_utf8(text)));
    }
    return 0;
}
