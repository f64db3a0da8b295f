// Framing: partial PDUs, many PDUs in one buffer, byte-at-a-time feeding, limits.

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "smpp/codec/codec.hpp"
#include "tests/smpp/codec/hex_file.hpp"

namespace bindery::smpp {
namespace {

std::vector<std::uint8_t> all_good_vectors_concatenated(
    std::vector<Pdu>* expected = nullptr,
    std::vector<std::vector<std::uint8_t>>* frames = nullptr) {
    std::vector<std::uint8_t> stream;
    for (const auto& name : test::golden_names("good")) {
        const auto f = test::read_golden("good", name);
        stream.insert(stream.end(), f.bytes.begin(), f.bytes.end());
        if (frames) frames->push_back(f.bytes);
    }
    (void)expected;
    return stream;
}

TEST(ScanFrame, NeedsFourOctetsToReadTheLength) {
    const std::uint8_t three[] = {0, 0, 0};
    EXPECT_EQ(scan_frame(std::span<const std::uint8_t>()).status, FrameStatus::need_more);
    const auto s = scan_frame(three);
    EXPECT_EQ(s.status, FrameStatus::need_more);
    EXPECT_EQ(s.frame_size, 0U);
}

TEST(ScanFrame, ReportsTheTotalSizeNeededForAPartialPdu) {
    const std::uint8_t partial[] = {0, 0, 0, 0x3B, 0, 0, 0, 4, 0};
    const auto s = scan_frame(partial);
    EXPECT_EQ(s.status, FrameStatus::need_more);
    EXPECT_EQ(s.frame_size, 0x3BU);
}

TEST(ScanFrame, RejectsLengthsBelowTheHeaderOrAboveTheLimit) {
    for (std::uint32_t len : {0U, 1U, 15U}) {
        const std::uint8_t b[] = {0, 0, 0, static_cast<std::uint8_t>(len)};
        EXPECT_EQ(scan_frame(b).status, FrameStatus::malformed) << len;
    }
    const std::uint8_t huge[] = {0xFF, 0xFF, 0xFF, 0xFF};
    EXPECT_EQ(scan_frame(huge).status, FrameStatus::malformed);
    const std::uint8_t k[] = {0, 0, 0x04, 0x01};  // 1025
    EXPECT_EQ(scan_frame(k, CodecLimits{1024}).status, FrameStatus::malformed);
    EXPECT_EQ(scan_frame(k, CodecLimits{1025}).status, FrameStatus::need_more);
    const std::uint8_t exactly16[16] = {0, 0, 0, 16, 0, 0, 0, 0x15};
    EXPECT_EQ(scan_frame(exactly16, CodecLimits{16}).status, FrameStatus::complete);
}

// Framing errors as values: what to answer (generic_nack ESME_RINVCMDLEN) and, once the 16-octet
// header is buffered, the sequence_number to answer with; read even when command_length < 16.
TEST(ScanFrame, AnImpossibleLengthIsATypedErrorWithTheSequenceNumberWhenReadable) {
    struct Row {
        const char* what;
        std::vector<std::uint8_t> bytes;
        CodecLimits limits;
        std::optional<std::uint32_t> command_id;
        std::optional<std::uint32_t> sequence_number;
    };
    const std::vector<Row> rows = {
        {"length 8, header buffered",
         {0, 0, 0, 8, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 0x2A},
         {},
         0x15,
         0x2A},
        {"length 8, 8 octets only", {0, 0, 0, 8, 0, 0, 0, 0x15}, {}, std::nullopt, std::nullopt},
        {"length 0, 4 octets only", {0, 0, 0, 0}, {}, std::nullopt, std::nullopt},
        {"length 15, 15 octets",
         {0, 0, 0, 15, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 7},
         {},
         std::nullopt,
         std::nullopt},
        {"length 0x7fffffff, header buffered",
         {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 0, 1, 2, 3, 4, 0xAA},
         {},
         0x04,
         0x01020304},
        {"length 0x7fffffff, 12 octets",
         {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 0},
         {},
         std::nullopt,
         std::nullopt},
        {"1025 over a 1024 limit",
         {0, 0, 4, 1, 0x80, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 9},
         CodecLimits{1024},
         0x80000009,
         9},
    };
    for (const auto& row : rows) {
        SCOPED_TRACE(row.what);
        const auto s = scan_frame(row.bytes, row.limits);
        ASSERT_EQ(s.status, FrameStatus::malformed);
        EXPECT_EQ(s.frame_size, 0U);
        ASSERT_TRUE(s.error.has_value());
        EXPECT_EQ(s.error->command_status, CommandStatus::ESME_RINVCMDLEN);
        EXPECT_EQ(s.error->command_length, s.command_length);
        EXPECT_EQ(s.error->command_id, row.command_id);
        EXPECT_EQ(s.error->sequence_number, row.sequence_number);
        // The answer the net layer writes before closing.
        const auto nack =
            make_generic_nack(s.error->sequence_number.value_or(0), s.error->command_status);
        EXPECT_EQ(nack.command_id(), CommandId::generic_nack);
        EXPECT_EQ(nack.header.sequence_number, row.sequence_number.value_or(0));
    }
    // Frames that are not malformed carry no error.
    const std::uint8_t ok[16] = {0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1};
    EXPECT_FALSE(scan_frame(ok).error.has_value());
    EXPECT_FALSE(scan_frame(std::span<const std::uint8_t>(ok).first(8)).error.has_value());
}

TEST(ScanFrame, SplitsManyPdusInOneBuffer) {
    std::vector<std::vector<std::uint8_t>> frames;
    const auto stream = all_good_vectors_concatenated(nullptr, &frames);
    std::span<const std::uint8_t> rest(stream);
    std::size_t i = 0;
    while (!rest.empty()) {
        const auto s = scan_frame(rest);
        ASSERT_EQ(s.status, FrameStatus::complete);
        ASSERT_LT(i, frames.size());
        const auto frame = rest.first(s.frame_size);
        EXPECT_TRUE(std::equal(frame.begin(), frame.end(), frames[i].begin(), frames[i].end()));
        EXPECT_TRUE(decode(frame));
        rest = rest.subspan(s.frame_size);
        ++i;
    }
    EXPECT_EQ(i, frames.size());
}

TEST(ScanFrame, ByteAtATimeFeedingYieldsEveryPduExactlyOnce) {
    std::vector<std::vector<std::uint8_t>> frames;
    const auto stream = all_good_vectors_concatenated(nullptr, &frames);
    std::vector<std::uint8_t> rx;
    std::size_t got = 0;
    for (const auto octet : stream) {
        rx.push_back(octet);
        for (;;) {
            const auto s = scan_frame(rx);
            ASSERT_NE(s.status, FrameStatus::malformed);
            if (s.status == FrameStatus::need_more) break;
            const auto pdu = decode(std::span<const std::uint8_t>(rx).first(s.frame_size));
            ASSERT_TRUE(pdu);
            ASSERT_LT(got, frames.size());
            EXPECT_EQ(s.frame_size, frames[got].size());
            ++got;
            rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(s.frame_size));
        }
    }
    EXPECT_EQ(got, frames.size());
    EXPECT_TRUE(rx.empty());
}

TEST(ScanFrame, MalformedLengthInTheMiddleOfAStreamStopsFraming) {
    auto stream = test::read_golden("good", "enquire_link").bytes;
    const std::uint8_t bad[] = {0, 0, 0, 8, 1, 2, 3, 4};
    stream.insert(stream.end(), bad, bad + 8);
    const auto first = scan_frame(stream);
    ASSERT_EQ(first.status, FrameStatus::complete);
    EXPECT_EQ(scan_frame(std::span<const std::uint8_t>(stream).subspan(first.frame_size)).status,
              FrameStatus::malformed);
}

TEST(Decode, FrameMustBeExactlyOnePdu) {
    auto bytes = test::read_golden("good", "submit_sm").bytes;
    bytes.push_back(0);
    const auto r = decode(bytes);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, DecodeErrc::length_mismatch);
    EXPECT_TRUE(r.error().needs_generic_nack());
    ASSERT_TRUE(r.error().header);
    EXPECT_EQ(r.error().header->sequence_number, 2U);
}

TEST(Decode, EveryTruncationOfEveryGoodVectorIsRejectedWithoutReadingPastTheEnd) {
    for (const auto& name : test::golden_names("good")) {
        const auto full = test::read_golden("good", name).bytes;
        for (std::size_t n = 0; n < full.size(); ++n) {
            // A copy of exactly n octets, so ASan catches any read past the end.
            std::vector<std::uint8_t> cut(full.begin(),
                                          full.begin() + static_cast<std::ptrdiff_t>(n));
            if (n >= 4) {
                cut[0] = static_cast<std::uint8_t>(n >> 24);
                cut[1] = static_cast<std::uint8_t>(n >> 16);
                cut[2] = static_cast<std::uint8_t>(n >> 8);
                cut[3] = static_cast<std::uint8_t>(n);
            }
            const auto r = decode(cut);
            if (n < 16) {
                EXPECT_FALSE(r) << name << " cut at " << n;
                continue;
            }
            // Legal cuts: a header-only response, or a cut between two TLVs (they are optional).
            // Either way what decodes must be exactly what re-encodes.
            if (r) {
                std::vector<std::uint8_t> again;
                ASSERT_FALSE(encode(*r, again));
                if (!(is_response(r->command_id()) && n == 16)) {
                    EXPECT_EQ(again, cut) << name << " cut at " << n;
                }
            }
        }
    }
}

}  // namespace
}  // namespace bindery::smpp
