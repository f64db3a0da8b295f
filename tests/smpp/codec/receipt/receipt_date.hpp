#pragma once
// Test support: a ReceiptDate from its fields (seconds only when given), and the fields a table of
// receipts expects parse_receipt to read, checked in one place.

#include "smpp/codec/receipt/receipt.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace bindery::smpp::test {

inline ReceiptDate date(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                        std::optional<unsigned> s = std::nullopt) {
    ReceiptDate r;
    r.year = static_cast<std::uint16_t>(y);
    r.month = static_cast<std::uint8_t>(mo);
    r.day = static_cast<std::uint8_t>(d);
    r.hour = static_cast<std::uint8_t>(h);
    r.minute = static_cast<std::uint8_t>(mi);
    if (s) r.second = static_cast<std::uint8_t>(*s);
    return r;
}

// What a receipt must be read as.
struct ReceiptFields {
    std::string id;
    MessageState state;
    std::optional<std::uint32_t> sub, dlvrd;
    std::optional<ReceiptDate> submit, done;
    std::string err;
    std::string body;  // the text: field
};

inline void expect_fields(const Receipt& r, const ReceiptFields& want) {
    EXPECT_EQ(r.id, want.id);
    EXPECT_EQ(r.state, want.state);
    EXPECT_EQ(r.sub, want.sub);
    EXPECT_EQ(r.dlvrd, want.dlvrd);
    EXPECT_EQ(r.submit_date, want.submit);
    EXPECT_EQ(r.done_date, want.done);
    EXPECT_EQ(r.err, want.err);
    EXPECT_EQ(r.text, want.body);
}

}  // namespace bindery::smpp::test
