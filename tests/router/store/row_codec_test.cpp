// messages.history (row_codec.cpp): records appended one by one decode back to the same events,
// whatever bytes the texts hold; a blob cut anywhere or with a stray byte is refused, never read
// past its end.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "router/core/random.hpp"
#include "router/store/row_codec.hpp"

namespace bindery::router::sqlite {
namespace {

MessageEvent random_event(std::mt19937_64& rng, const MessageId& id) {
    auto text = [&](std::size_t max) {
        std::string s(static_cast<std::size_t>(rng() % (max + 1)), '\0');
        for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
        return s;
    };
    MessageEvent e;
    e.id = id;
    e.from = static_cast<MessageState>(rng() % kMessageStateCount);
    e.to = static_cast<MessageState>(rng() % kMessageStateCount);
    // Any time, also before the epoch and at the extremes of the 64-bit range.
    const std::int64_t times[] = {0, -1, INT64_MIN, INT64_MAX, static_cast<std::int64_t>(rng())};
    e.at = from_nanos(times[rng() % std::size(times)]);
    e.attempt = rng() % 3 == 0 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(rng() % 10);
    e.provider = text(rng() % 4 == 0 ? 300 : 12);
    e.detail = text(rng() % 4 == 0 ? 2000 : 40);
    return e;
}

void expect_equal(const MessageEvent& a, const MessageEvent& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.from, b.from);
    EXPECT_EQ(a.to, b.to);
    EXPECT_EQ(to_nanos(a.at), to_nanos(b.at));
    EXPECT_EQ(a.attempt, b.attempt);
    EXPECT_EQ(a.provider, b.provider);
    EXPECT_EQ(a.detail, b.detail);
}

TEST(History, AppendedRecordsDecodeToTheSameEvents) {
    std::mt19937_64 rng(14);
    MessageIdGenerator ids(14);
    for (int round = 0; round < 500; ++round) {
        const auto id = ids.next(SystemTime{});
        std::vector<MessageEvent> events;
        std::string blob;
        for (auto n = rng() % 8; n > 0; --n) {
            events.push_back(random_event(rng, id));
            append_history(blob, events.back());
        }
        std::vector<MessageEvent> back;
        ASSERT_TRUE(decode_history(blob, id, back)) << round;
        ASSERT_EQ(back.size(), events.size());
        for (std::size_t i = 0; i < events.size(); ++i) expect_equal(back[i], events[i]);
    }
}

TEST(History, ABlobCutOrExtendedAnywhereIsRefused) {
    std::mt19937_64 rng(15);
    MessageIdGenerator ids(15);
    const auto id = ids.next(SystemTime{});
    std::string blob;
    std::vector<std::size_t> ends;  // where each whole record ends
    for (int i = 0; i < 4; ++i) {
        append_history(blob, random_event(rng, id));
        ends.push_back(blob.size());
    }
    for (std::size_t cut = 0; cut < blob.size(); ++cut) {
        // A copy of exactly `cut` bytes: ASan sees any read past it.
        const std::string prefix = blob.substr(0, cut);
        std::vector<MessageEvent> out;
        const bool whole = cut == 0 || std::find(ends.begin(), ends.end(), cut) != ends.end();
        EXPECT_EQ(decode_history(prefix, id, out), whole) << cut;
    }
    for (const char stray : {'\0', '\x01', '\x02', '\xFF'}) {
        std::vector<MessageEvent> out;
        EXPECT_FALSE(decode_history(blob + stray, id, out)) << int(stray);
    }
    std::string bad_state = blob.substr(0, ends[0]);
    std::vector<MessageEvent> first;
    ASSERT_TRUE(decode_history(bad_state, id, first));
    // The from state's name, spelled wrong ("queued" in lower case is not a state name).
    std::string renamed;
    MessageEvent e = first.front();
    e.from = MessageState::queued;
    append_history(renamed, e);
    const auto at = renamed.find("QUEUED");
    ASSERT_NE(at, std::string::npos);
    renamed.replace(at, 6, "queued");
    std::vector<MessageEvent> out;
    EXPECT_FALSE(decode_history(renamed, id, out));
}

}  // namespace
}  // namespace bindery::router::sqlite
