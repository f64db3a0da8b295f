#pragma once
// Choosing an encoding for a UTF-8 text and cutting it into SMS segments per carrier setting:
// UDH concatenation (8- or 16-bit reference), SAR TLV values, or one message_payload.
//
// Capacities (sms-encoding.md 1): GSM 7-bit 160 / 153 / 152 septets (no UDH / IE 0x00 / IE 0x08),
// octet alphabets 140 / 134 / 133, UCS-2 70 / 67 / 66 UTF-16 units. SAR parts are sized like 8-bit
// UDH parts because the SMSC adds that header on the air. A text that fits one SMS is always a
// single plain segment (no UDH, no SAR) whatever the mode. Splits never cut a GSM escape pair, a
// surrogate pair or (binary alphabet) a UTF-8 sequence.

#include "smpp/base/expected.hpp"
#include "smpp/codec/text/data_coding.hpp"
#include "smpp/codec/text/text_error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bindery::smpp {

enum class Concatenation : std::uint8_t {
    udh8,     // UDH IE 0x00, 8-bit reference (most compatible)
    udh16,    // UDH IE 0x08, 16-bit reference
    sar,      // sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs, no UDH
    payload,  // one message_payload TLV with the whole text; the SMSC splits
};

struct EncodeOptions {
    Concatenation concatenation = Concatenation::udh8;
    SmscDefaultAlphabet smsc_default = SmscDefaultAlphabet::gsm7;  // what data_coding 0 means
    Gsm7Packing gsm7_packing = Gsm7Packing::unpacked;
    // Alphabets the carrier takes besides its default (smsc_default, data_coding 0). The choice is
    // the representable alphabet with the fewest segments; ties go to the default, then GSM 7-bit,
    // IA5, Latin-1; UCS-2 only when none of them represents the text (docs/text-encoding.md).
    // Latin-1: data_coding 3, 140 per SMS (a text of GSM extension characters such as {}[]~ costs
    // 2 septets each in GSM and 1 octet in Latin-1). Off by default: many handsets/SMSCs
    // mishandle data_coding 3.
    bool allow_latin1 = false;
    // IA5 (ASCII, data_coding 1, 140 per SMS). Off by default for the same reason; it can win only
    // over GSM extension characters, and Latin-1 does that for a superset of texts.
    bool allow_ia5 = false;
    // Carrier insists on one alphabet (gsm7, ia5, latin1, ucs2, or binary = the UTF-8 octets).
    std::optional<Alphabet> force_alphabet;
    // Lossy: when a text is not all-GSM only because of typographic punctuation, replace it
    // (“ ” „ « » -> ", ‘ ’ ‚ ` ´ -> ', – — ‒ − -> -, … -> ..., no-break and thin spaces -> space,
    // zero-width space / BOM dropped) and send GSM 7-bit. Off by default.
    bool transliterate = false;
    // Keep combining marks, variation selectors, ZWJ sequences and flag pairs in one segment when
    // possible (cosmetic; may cost an extra segment).
    bool keep_clusters = false;
    std::size_t max_segments = 255;  // carrier cap; never above 255
};

// The SAR TLV values of one segment.
struct Sar {
    std::uint16_t msg_ref_num = 0;
    std::uint8_t total_segments = 0;
    std::uint8_t segment_seqnum = 0;
    friend bool operator==(const Sar&, const Sar&) = default;
};

struct Segment {
    std::vector<std::uint8_t> short_message;  // UDH included when udhi
    bool udhi = false;                        // set esm_class |= 0x40
    std::optional<Sar> sar;
    std::size_t units = 0;  // text units carried (septets / octets / UTF-16 units)
};

struct EncodedMessage {
    Alphabet alphabet = Alphabet::gsm7;
    std::uint8_t data_coding = 0;
    std::size_t units = 0;          // of the whole text
    std::vector<Segment> segments;  // empty when message_payload is used
    std::optional<std::vector<std::uint8_t>> message_payload;
    bool transliterated = false;  // EncodeOptions::transliterate changed the text
};

struct SegmentCount {
    Alphabet alphabet = Alphabet::gsm7;
    std::uint8_t data_coding = 0;
    std::size_t units = 0;
    // Parts on the air; for Concatenation::payload, what the SMSC will produce with 8-bit UDHs.
    std::size_t segments = 0;
    bool transliterated = false;
    friend bool operator==(const SegmentCount&, const SegmentCount&) = default;
};

struct Capacity {
    std::size_t single = 0;       // units in one SMS without UDH
    std::size_t per_segment = 0;  // units per part of a concatenated message
};
[[nodiscard]] Capacity capacity(Alphabet a, Concatenation c) noexcept;

// The GSM-only form of `utf8` per EncodeOptions::transliterate, or nothing when some code point
// has no GSM form even after replacement (or the text is already GSM, or not valid UTF-8).
[[nodiscard]] std::optional<std::string> transliterate_to_gsm7(std::string_view utf8);

// The alphabet the options select for this text: of the carrier's default alphabet and the allowed
// ones, the one that represents every code point in the fewest segments (ties: default, GSM 7-bit,
// IA5, Latin-1); else UCS-2. A forced alphabet is returned if it represents the text.
[[nodiscard]] Expected<Alphabet, TextError> choose_alphabet(std::string_view utf8,
                                                            const EncodeOptions& options = {});

// Pure: the same decisions as encode_message, without producing octets.
[[nodiscard]] Expected<SegmentCount, TextError> count_segments(std::string_view utf8,
                                                               const EncodeOptions& options = {});

// Encodes and splits. `reference` is the concatenation reference the caller allocated (per
// destination); UDH 8-bit uses its low octet.
[[nodiscard]] Expected<EncodedMessage, TextError> encode_message(std::string_view utf8,
                                                                 std::uint16_t reference,
                                                                 const EncodeOptions& options = {});

// 8-bit data (data_coding 4): split on octets (140 / 134 / 133).
[[nodiscard]] Expected<EncodedMessage, TextError> encode_binary(std::span<const std::uint8_t> data,
                                                                std::uint16_t reference,
                                                                const EncodeOptions& options = {});

}  // namespace bindery::smpp
