#pragma once
// Plain helpers of SmppCarrierProvider that need no socket: TON/NPI rules for the addresses of a
// submit_sm, the SMPP validity_period string, and the receipt mapping (smpp receipt -> router
// Receipt). Kept apart from the provider so each rule is testable on its own.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "router/core/provider.hpp"
#include "smpp/base/expected.hpp"
#include "smpp/codec/receipt/receipt.hpp"

namespace bindery::router {

// TON/NPI rules. Defaults: E.164 destinations ("+98912...") go as TON 1 (international) NPI 1
// (E.164) without the "+"; alphanumeric senders as TON 5 NPI 0; numeric senders as international
// (a leading "+" stripped). A sender of at most `short_code_max_digits` digits without "+" goes as
// a short code (TON 3 network specific, NPI 0 by default); 0 disables that rule.
struct AddressRules {
    std::uint8_t international_ton = 1;
    std::uint8_t international_npi = 1;
    std::uint8_t alphanumeric_ton = 5;
    std::uint8_t alphanumeric_npi = 0;
    std::size_t short_code_max_digits = 0;
    std::uint8_t short_code_ton = 3;
    std::uint8_t short_code_npi = 0;
    // Carrier insists on fixed values (e.g. TON 0 NPI 1 with national numbers): applied last.
    std::optional<std::uint8_t> force_source_ton, force_source_npi;
    std::optional<std::uint8_t> force_dest_ton, force_dest_npi;
    bool keep_plus = false;  // send "+9891..." as is (a few carriers want it)
};

struct SmppAddress {
    std::uint8_t ton = 0;
    std::uint8_t npi = 0;
    std::string addr;
    friend bool operator==(const SmppAddress&, const SmppAddress&) = default;
};

[[nodiscard]] SmppAddress source_address(std::string_view sender, const AddressRules& rules);
[[nodiscard]] SmppAddress destination_address(std::string_view e164, const AddressRules& rules);

enum class ValidityFormat : std::uint8_t {
    none,      // empty validity_period: the SMSC default
    relative,  // "YYMMDDhhmmss000R" (time left, from now)
    absolute,  // "YYMMDDhhmmss000+" in UTC
};

// The validity_period for a message that expires at `expires_at`, evaluated at `now`. Empty for
// ValidityFormat::none or when `expires_at` is unset (epoch). A past expiry gives the smallest
// relative period (one second) / the absolute time as is: the SMSC rejects or expires it.
[[nodiscard]] std::string validity_period(SystemTime expires_at, SystemTime now,
                                          ValidityFormat format);

// How a carrier's receipt ids relate to the ids its submit_sm_resp gave (config
// message_id_format; Kannel's msg-id-type, Jasmin's dlr_msgid).
enum class MessageIdFormat : std::uint8_t {
    automatic,  // not known: the router tries the id, its hex->decimal and decimal->hex readings
    as_is,      // the same id (blanks, letter case and leading zeros aside)
    hex,        // submit_sm_resp ids are hex, receipts carry them in decimal
    decimal,    // submit_sm_resp ids are decimal, receipts carry them in hex
};

// Puts a mapped receipt's id in the form of the carrier's submit_sm_resp ids and tells the router
// how to match it: automatic leaves the id as is for ReceiptIdMatch::any_reading; the others match
// exactly, hex after converting a decimal id to hex ("0439041101" -> "1a2b3c4d"), decimal after
// converting a hex id to decimal ("ff" -> "255"). An id that is not a number in the receipt's base
// (or does not fit 64 bits) has no other reading and is matched as written.
void apply_message_id_format(Receipt& receipt, MessageIdFormat format);

// Parses a receipt (`text`: short_message or message_payload; the TLVs win over the text) into
// the router's vocabulary. `utc_offset` is the
// SMSC's clock offset from UTC: receipt dates carry no zone. Error: why it is not a receipt.
[[nodiscard]] Expected<Receipt, std::string> map_receipt(std::string_view provider,
                                                         std::string_view text,
                                                         const smpp::ReceiptTlvs& tlvs,
                                                         std::chrono::minutes utc_offset = {});

}  // namespace bindery::router
