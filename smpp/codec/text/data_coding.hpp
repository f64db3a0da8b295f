#pragma once
// data_coding -> alphabet (SMPP 3.4 5.2.19 plus the GSM TP-DCS groups many SMSCs pass through) and
// decoding of incoming short_message / message_payload to UTF-8. Decoding never fails on content:
// what cannot be read becomes U+FFFD and `lossy` is set.

#include "smpp/base/expected.hpp"
#include "smpp/codec/text/udh.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bindery::smpp {

enum class Alphabet : std::uint8_t {
    gsm7,         // GSM 03.38 default alphabet + extension
    ia5,          // IA5 / ASCII (data_coding 1)
    latin1,       // ISO-8859-1 (data_coding 3)
    binary,       // 8-bit data (data_coding 2, 4, TP-DCS 8-bit)
    ucs2,         // UCS-2, read and written as UTF-16BE (data_coding 8)
    cyrillic,     // ISO-8859-5 (data_coding 6), decode only
    hebrew,       // ISO-8859-8 (data_coding 7), decode only
    unsupported,  // JIS, KS C 5601, pictograms, compressed TP-DCS, reserved values
};

[[nodiscard]] std::string_view to_string(Alphabet a) noexcept;

// What a carrier means by data_coding 0 ("SMSC default alphabet"): usually GSM 7-bit.
enum class SmscDefaultAlphabet : std::uint8_t { gsm7, ia5, latin1 };
// The alphabet data_coding 0 stands for.
[[nodiscard]] Alphabet default_alphabet(SmscDefaultAlphabet d) noexcept;
// How GSM 7-bit text travels in short_message: one septet per octet (most SMSCs) or packed.
enum class Gsm7Packing : std::uint8_t { unpacked, packed };

struct DataCodingInfo {
    Alphabet alphabet = Alphabet::unsupported;
    std::optional<std::uint8_t> message_class;  // TP-DCS class 0-3 (0 = flash) when coded
    bool compressed = false;                    // TP-DCS compression bit (not decodable here)
    friend bool operator==(const DataCodingInfo&, const DataCodingInfo&) = default;
};

[[nodiscard]] DataCodingInfo classify_data_coding(
    std::uint8_t data_coding,
    SmscDefaultAlphabet smsc_default = SmscDefaultAlphabet::gsm7) noexcept;

// The data_coding to send text of an alphabet with (gsm7 -> 0, ia5 -> 1, latin1 -> 3, binary -> 4,
// ucs2 -> 8, cyrillic -> 6, hebrew -> 7); for the alphabet the carrier calls its default, 0.
[[nodiscard]] std::uint8_t data_coding_for(
    Alphabet a, SmscDefaultAlphabet smsc_default = SmscDefaultAlphabet::gsm7) noexcept;

struct DecodeOptions {
    SmscDefaultAlphabet smsc_default = SmscDefaultAlphabet::gsm7;
    Gsm7Packing gsm7_packing = Gsm7Packing::unpacked;
};

struct DecodedText {
    std::string utf8;
    Alphabet alphabet = Alphabet::unsupported;
    bool lossy = false;  // something was replaced by U+FFFD or dropped
};

// User data (UDH already removed) -> UTF-8. `fill_bits` matter only for packed 7-bit after a UDH.
// Binary and unsupported alphabets are read as UTF-8 with replacement (keep the raw octets if
// you need them).
[[nodiscard]] DecodedText decode_text(std::uint8_t data_coding,
                                      std::span<const std::uint8_t> user_data,
                                      const DecodeOptions& options = {}, unsigned fill_bits = 0);

struct DecodedUserData {
    DecodedText text;
    std::optional<Udh> udh;  // when udhi was set
};

// A whole short_message (or message_payload): strips and parses the UDH when `udhi`
// (esm_class & 0x40), then decodes the rest. Fails only on a malformed UDH.
[[nodiscard]] Expected<DecodedUserData, UdhError> decode_user_data(
    std::uint8_t data_coding, std::span<const std::uint8_t> short_message, bool udhi,
    const DecodeOptions& options = {});

}  // namespace bindery::smpp
