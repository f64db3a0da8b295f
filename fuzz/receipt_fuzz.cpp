// Delivery-receipt parser. Invariants: never crashes; a receipt that parses, rebuilt with
// build_receipt, parses to the same Receipt, and rebuilding that gives the same text.
#include "smpp/codec/receipt/receipt.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace bindery::smpp;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const auto r = parse_receipt(text);
    if (r) {
        const std::string built = build_receipt(*r);
        const auto again = parse_receipt(built);
        if (!again || !(*again == *r)) std::abort();
        if (build_receipt(*again) != built) std::abort();
    }

    // The TLV path: values taken from the input's first octets.
    if (size >= 2) {
        ReceiptTlvs tlvs;
        tlvs.message_state = data[0];
        tlvs.network_error_code =
            NetworkErrorCode{data[1], static_cast<std::uint16_t>(data[0] << 8 | data[1])};
        tlvs.receipted_message_id = text.substr(2, data[1] % 16);
        const auto t = parse_receipt(text.substr(2), tlvs);
        if (t) {
            (void)build_receipt(*t);
            (void)t->error_code();
        }
    }

    const auto forms = normalize_message_id(text.substr(0, 80));
    (void)forms;
    (void)message_ids_match(text.substr(0, size / 2), text.substr(size / 2));
    (void)parse_receipt_date(text.substr(0, 14));
    (void)parse_stat(text.substr(0, 16));
    return 0;
}
