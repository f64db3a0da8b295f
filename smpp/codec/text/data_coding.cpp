#include "smpp/codec/text/data_coding.hpp"

#include "smpp/codec/text/charset.hpp"
#include "smpp/codec/text/gsm7.hpp"

namespace bindery::smpp {

std::string_view to_string(Alphabet a) noexcept {
    switch (a) {
        case Alphabet::gsm7: return "gsm7";
        case Alphabet::ia5: return "ia5";
        case Alphabet::latin1: return "latin1";
        case Alphabet::binary: return "binary";
        case Alphabet::ucs2: return "ucs2";
        case Alphabet::cyrillic: return "cyrillic";
        case Alphabet::hebrew: return "hebrew";
        case Alphabet::unsupported: return "unsupported";
    }
    return "unsupported";
}

Alphabet default_alphabet(SmscDefaultAlphabet d) noexcept {
    switch (d) {
        case SmscDefaultAlphabet::gsm7: return Alphabet::gsm7;
        case SmscDefaultAlphabet::ia5: return Alphabet::ia5;
        case SmscDefaultAlphabet::latin1: return Alphabet::latin1;
    }
    return Alphabet::gsm7;
}

namespace {

// TP-DCS general data coding groups 00xx / 01xx: bits 3-2 alphabet, bit 4 class meaningful.
DataCodingInfo general_group(std::uint8_t dc) noexcept {
    DataCodingInfo info;
    info.compressed = (dc & 0x20U) != 0;
    if ((dc & 0x10U) != 0) info.message_class = static_cast<std::uint8_t>(dc & 0x03U);
    if (info.compressed) return info;  // alphabet stays unsupported
    switch ((dc >> 2) & 0x03U) {
        case 0: info.alphabet = Alphabet::gsm7; break;
        case 1: info.alphabet = Alphabet::binary; break;
        case 2: info.alphabet = Alphabet::ucs2; break;
        default: info.alphabet = Alphabet::unsupported; break;
    }
    return info;
}

}  // namespace

DataCodingInfo classify_data_coding(std::uint8_t dc, SmscDefaultAlphabet smsc_default) noexcept {
    switch (dc) {
        case 0x00: return {default_alphabet(smsc_default), std::nullopt, false};
        case 0x01: return {Alphabet::ia5, std::nullopt, false};
        case 0x02:
        case 0x04: return {Alphabet::binary, std::nullopt, false};
        case 0x03: return {Alphabet::latin1, std::nullopt, false};
        case 0x06: return {Alphabet::cyrillic, std::nullopt, false};
        case 0x07: return {Alphabet::hebrew, std::nullopt, false};
        case 0x08: return {Alphabet::ucs2, std::nullopt, false};
        default: break;
    }
    if (dc < 0x10) return {};                 // JIS, pictograms, KS C 5601, reserved
    if (dc < 0x80) return general_group(dc);  // 00xx and 01xx groups
    if (dc < 0xC0) return {};                 // reserved groups
    if (dc < 0xE0) return {Alphabet::gsm7, std::nullopt, false};  // MWI discard / store, 7-bit
    if (dc < 0xF0) return {Alphabet::ucs2, std::nullopt, false};  // MWI store, UCS-2
    DataCodingInfo info;  // 1111: data coding / message class
    info.alphabet = (dc & 0x04U) != 0 ? Alphabet::binary : Alphabet::gsm7;
    info.message_class = static_cast<std::uint8_t>(dc & 0x03U);
    return info;
}

std::uint8_t data_coding_for(Alphabet a, SmscDefaultAlphabet smsc_default) noexcept {
    if (a == default_alphabet(smsc_default)) return 0x00;
    switch (a) {
        case Alphabet::gsm7: return 0x00;
        case Alphabet::ia5: return 0x01;
        case Alphabet::latin1: return 0x03;
        case Alphabet::binary: return 0x04;
        case Alphabet::ucs2: return 0x08;
        case Alphabet::cyrillic: return 0x06;
        case Alphabet::hebrew: return 0x07;
        case Alphabet::unsupported: return 0x04;
    }
    return 0x04;
}

DecodedText decode_text(std::uint8_t data_coding, std::span<const std::uint8_t> user_data,
                        const DecodeOptions& options, unsigned fill_bits) {
    DecodedText r;
    r.alphabet = classify_data_coding(data_coding, options.smsc_default).alphabet;
    r.utf8.reserve(user_data.size() + user_data.size() / 2);
    bool clean = true;
    switch (r.alphabet) {
        case Alphabet::gsm7:
            if (options.gsm7_packing == Gsm7Packing::packed) {
                clean = decode_gsm7(unpack_septets(user_data, fill_bits), r.utf8);
            } else {
                clean = decode_gsm7(user_data, r.utf8);
            }
            break;
        case Alphabet::ia5: clean = decode_ia5(user_data, r.utf8); break;
        case Alphabet::latin1: clean = decode_latin1(user_data, r.utf8); break;
        case Alphabet::ucs2: clean = decode_ucs2(user_data, r.utf8); break;
        case Alphabet::cyrillic: clean = decode_iso8859_5(user_data, r.utf8); break;
        case Alphabet::hebrew: clean = decode_iso8859_8(user_data, r.utf8); break;
        case Alphabet::binary:
        case Alphabet::unsupported: clean = decode_utf8_lossy(user_data, r.utf8); break;
    }
    r.lossy = !clean;
    return r;
}

Expected<DecodedUserData, UdhError> decode_user_data(std::uint8_t data_coding,
                                                     std::span<const std::uint8_t> short_message,
                                                     bool udhi, const DecodeOptions& options) {
    DecodedUserData r;
    if (!udhi) {
        r.text = decode_text(data_coding, short_message, options);
        return r;
    }
    auto udh = parse_udh(short_message);
    if (!udh) return Unexpected(udh.error());
    r.text = decode_text(data_coding, udh->payload, options, udh->fill_bits());
    r.udh = std::move(*udh);
    return r;
}

}  // namespace bindery::smpp
