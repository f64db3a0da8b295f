#include "smpp/codec/text/reassembler.hpp"

#include "smpp/codec/text/data_coding.hpp"
#include "smpp/codec/text/segment.hpp"
#include "smpp/codec/text/udh.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bindery::smpp {
namespace {

using Bytes = std::vector<std::uint8_t>;
using std::chrono::seconds;

const TimePoint t0{};

ConcatPart part(std::string src, std::uint16_t ref, std::uint8_t total, std::uint8_t seq,
                std::string data, std::uint8_t dc = 0) {
    return ConcatPart{ConcatKey{std::move(src), "100", ref}, total, seq, dc,
                      Bytes(data.begin(), data.end())};
}

std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

TEST(Reassembler, JoinsPartsArrivingOutOfOrder) {
    Reassembler r;
    EXPECT_EQ(r.add(part("a", 7, 3, 3, "C"), t0).status, PartStatus::stored);
    EXPECT_EQ(r.add(part("a", 7, 3, 1, "A"), t0).status, PartStatus::stored);
    EXPECT_EQ(r.pending_messages(), 1U);
    EXPECT_EQ(r.pending_parts(), 2U);
    auto res = r.add(part("a", 7, 3, 2, "B"), t0 + seconds(1));
    EXPECT_EQ(res.status, PartStatus::completed);
    ASSERT_TRUE(res.message);
    EXPECT_EQ(text(res.message->user_data), "ABC");
    EXPECT_EQ(res.message->total, 3);
    EXPECT_EQ(res.message->key, (ConcatKey{"a", "100", 7}));
    EXPECT_EQ(r.pending_messages(), 0U);
    EXPECT_EQ(r.pending_parts(), 0U);
}

TEST(Reassembler, IgnoresDuplicatesAndInvalidParts) {
    Reassembler r;
    EXPECT_EQ(r.add(part("a", 1, 2, 1, "A"), t0).status, PartStatus::stored);
    EXPECT_EQ(r.add(part("a", 1, 2, 1, "X"), t0).status, PartStatus::duplicate);
    EXPECT_EQ(r.add(part("a", 1, 2, 3, "X"), t0).status, PartStatus::invalid);
    EXPECT_EQ(r.add(part("a", 1, 2, 0, "X"), t0).status, PartStatus::invalid);
    EXPECT_EQ(r.add(part("a", 1, 0, 0, "X"), t0).status, PartStatus::invalid);
    const auto res = r.add(part("a", 1, 2, 2, "B"), t0);
    ASSERT_TRUE(res.message);
    EXPECT_EQ(text(res.message->user_data), "AB");  // the first copy of part 1 kept
}

TEST(Reassembler, KeysBySourceDestinationAndReference) {
    Reassembler r;
    r.add(part("a", 1, 2, 1, "a1"), t0);
    r.add(part("b", 1, 2, 1, "b1"), t0);
    r.add(part("a", 2, 2, 1, "x1"), t0);
    EXPECT_EQ(r.pending_messages(), 3U);
    const auto res = r.add(part("b", 1, 2, 2, "b2"), t0);
    ASSERT_TRUE(res.message);
    EXPECT_EQ(text(res.message->user_data), "b1b2");
    EXPECT_EQ(r.pending_messages(), 2U);
}

TEST(Reassembler, SinglePartMessageCompletesAtOnce) {
    Reassembler r;
    const auto res = r.add(part("a", 1, 1, 1, "only"), t0);
    EXPECT_EQ(res.status, PartStatus::completed);
    ASSERT_TRUE(res.message);
    EXPECT_EQ(text(res.message->user_data), "only");
    EXPECT_EQ(r.pending_messages(), 0U);
}

TEST(Reassembler, HandsBackIncompleteMessagesAfterTheTimeout) {
    Reassembler r(ReassemblyLimits{seconds(60), 10, 1000});
    r.add(part("a", 1, 3, 2, "B"), t0);
    r.add(part("b", 1, 2, 1, "X"), t0 + seconds(30));
    EXPECT_EQ(r.next_deadline(), t0 + seconds(60));
    EXPECT_TRUE(r.take_expired(t0 + seconds(59)).empty());
    auto expired = r.take_expired(t0 + seconds(60));
    ASSERT_EQ(expired.size(), 1U);
    EXPECT_EQ(expired[0].key.source_addr, "a");
    EXPECT_EQ(expired[0].reason, DropReason::timed_out);
    EXPECT_EQ(expired[0].total, 3);
    ASSERT_EQ(expired[0].parts.size(), 1U);
    EXPECT_EQ(expired[0].parts[0].first, 2);
    EXPECT_EQ(text(expired[0].parts[0].second), "B");
    EXPECT_EQ(r.pending_messages(), 1U);
    EXPECT_EQ(r.pending_parts(), 1U);
    // A late part of the expired message starts a new entry.
    EXPECT_EQ(r.add(part("a", 1, 3, 1, "A"), t0 + seconds(61)).status, PartStatus::stored);
    EXPECT_EQ(r.take_expired(t0 + seconds(90)).size(), 1U);
    EXPECT_EQ(r.pending_messages(), 1U);
}

TEST(Reassembler, EvictsTheOldestWhenTooManyMessagesArePending) {
    Reassembler r(ReassemblyLimits{seconds(60), 2, 1000});
    r.add(part("a", 1, 2, 1, "a"), t0);
    r.add(part("b", 1, 2, 1, "b"), t0 + seconds(1));
    auto res = r.add(part("c", 1, 2, 1, "c"), t0 + seconds(2));
    EXPECT_EQ(res.status, PartStatus::stored);
    ASSERT_EQ(res.dropped.size(), 1U);
    EXPECT_EQ(res.dropped[0].key.source_addr, "a");
    EXPECT_EQ(res.dropped[0].reason, DropReason::evicted_messages);
    EXPECT_EQ(r.pending_messages(), 2U);
    // Adding to an existing message evicts nothing.
    EXPECT_TRUE(r.add(part("b", 1, 2, 2, "b2"), t0 + seconds(3)).dropped.empty());
}

TEST(Reassembler, EvictsTheOldestWhenTooManyPartsAreHeld) {
    Reassembler r(ReassemblyLimits{seconds(60), 100, 1});  // raised to 255 parts
    for (std::uint8_t i = 1; i <= 200; ++i) r.add(part("a", 1, 255, i, "x"), t0);
    for (std::uint8_t i = 1; i <= 55; ++i)
        EXPECT_TRUE(r.add(part("b", 1, 255, i, "y"), t0).dropped.empty());
    EXPECT_EQ(r.pending_parts(), 255U);
    auto res = r.add(part("b", 1, 255, 56, "y"), t0);
    ASSERT_EQ(res.dropped.size(), 1U);
    EXPECT_EQ(res.dropped[0].key.source_addr, "a");
    EXPECT_EQ(res.dropped[0].reason, DropReason::evicted_parts);
    EXPECT_EQ(res.dropped[0].parts.size(), 200U);
    EXPECT_EQ(r.pending_parts(), 56U);
}

TEST(Reassembler, AnotherTotalUnderTheSameKeySupersedesTheOldMessage) {
    Reassembler r;
    r.add(part("a", 9, 3, 1, "old"), t0);
    auto res = r.add(part("a", 9, 2, 1, "new"), t0);
    ASSERT_EQ(res.dropped.size(), 1U);
    EXPECT_EQ(res.dropped[0].reason, DropReason::superseded);
    EXPECT_EQ(text(res.dropped[0].parts[0].second), "old");
    const auto done = r.add(part("a", 9, 2, 2, "!"), t0);
    ASSERT_TRUE(done.message);
    EXPECT_EQ(text(done.message->user_data), "new!");
}

TEST(Reassembler, DrainReturnsEverythingPending) {
    Reassembler r;
    r.add(part("a", 1, 2, 1, "a"), t0);
    r.add(part("b", 1, 2, 1, "b"), t0);
    const auto all = r.drain();
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].reason, DropReason::drained);
    EXPECT_EQ(r.pending_messages(), 0U);
    EXPECT_FALSE(r.next_deadline());
}

TEST(Reassembler, RebuildsAUcs2MessageWhoseSenderSplitASurrogatePair) {
    // Segment our own encoder's output, feed it back as MO parts through parse_udh, decode.
    const std::string msg =
        "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85 \xF0\x9F\x98\x80 " + std::string(80, 'x');
    const auto enc = encode_message(msg, 77, {});
    ASSERT_TRUE(enc);
    ASSERT_EQ(enc->segments.size(), 2U);
    Reassembler r;
    std::optional<CompleteMessage> done;
    for (auto it = enc->segments.rbegin(); it != enc->segments.rend(); ++it) {
        const auto udh = parse_udh(it->short_message);
        ASSERT_TRUE(udh && udh->concat);
        auto res = r.add(ConcatPart{{"989121234567", "3000", udh->concat->reference},
                                    udh->concat->total,
                                    udh->concat->seqnum,
                                    enc->data_coding,
                                    Bytes(udh->payload.begin(), udh->payload.end())},
                         t0);
        if (res.message) done = std::move(res.message);
    }
    ASSERT_TRUE(done);
    EXPECT_EQ(decode_text(done->data_coding, done->user_data).utf8, msg);
    // A broken sender that cuts between the surrogates still reassembles cleanly.
    const Bytes p1{0x00, 0x41, 0xD8, 0x3D}, p2{0xDE, 0x00};
    r.add(ConcatPart{{"x", "y", 1}, 2, 1, 8, p1}, t0);
    const auto res = r.add(ConcatPart{{"x", "y", 1}, 2, 2, 8, p2}, t0);
    ASSERT_TRUE(res.message);
    EXPECT_EQ(decode_text(8, res.message->user_data).utf8, "A\xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace bindery::smpp

namespace bindery::smpp {
namespace {

TEST(Reassembler, BoundsTheOctetsHeld) {
    ReassemblyLimits limits;
    limits.max_pending_bytes = 10;
    Reassembler r(limits);
    EXPECT_EQ(r.add(part("a", 1, 2, 1, "aaaa"), t0).status, PartStatus::stored);
    EXPECT_EQ(r.add(part("b", 1, 2, 1, "bbbb"), t0).status, PartStatus::stored);
    EXPECT_EQ(r.pending_bytes(), 8U);
    // Part of the newer message: the oldest other message goes.
    auto res = r.add(part("b", 1, 3, 1, "x"), t0);  // superseded first (other total)
    ASSERT_EQ(res.dropped.size(), 1U);
    EXPECT_EQ(res.dropped[0].reason, DropReason::superseded);
    res = r.add(part("c", 1, 2, 1, "cccccc"), t0);
    ASSERT_EQ(res.dropped.size(), 1U);
    EXPECT_EQ(res.dropped[0].key.source_addr, "a");
    EXPECT_EQ(res.dropped[0].reason, DropReason::evicted_bytes);
    EXPECT_EQ(r.pending_bytes(), 7U);
    EXPECT_EQ(r.add(part("d", 1, 2, 1, std::string(11, 'd')), t0).status, PartStatus::too_large);
    // A single message that cannot grow within the bound is given up.
    res = r.add(part("c", 1, 2, 2, "cccccc"), t0);
    EXPECT_EQ(res.status, PartStatus::too_large);
    ASSERT_EQ(res.dropped.size(), 2U);
    EXPECT_EQ(res.dropped[0].key.source_addr, "b");
    EXPECT_EQ(res.dropped[1].key.source_addr, "c");
    EXPECT_EQ(r.pending_bytes(), 0U);
    EXPECT_EQ(r.pending_messages(), 0U);
    // Single-part messages are never stored, so never too large.
    EXPECT_EQ(r.add(part("e", 1, 1, 1, std::string(50, 'e')), t0).status, PartStatus::completed);
}

}  // namespace
}  // namespace bindery::smpp
