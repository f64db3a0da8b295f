// callback_body and callback_signature against the construction they replaced
// (callbacks_reference.hpp: nlohmann::ordered_json + dump(), one-shot HMAC()), byte for byte:
// generated events over every state, optional members present and absent, texts with quotes,
// backslashes, every control character, multi-byte UTF-8, emoji and ill-formed UTF-8 (replaced
// by U+FFFD as dump()'s replace handler does), every 1- and 2-byte text and the UTF-8 boundary
// cases of 3- and 4-byte texts; signatures over many secrets (cached per thread, evicted,
// shared by threads), timestamps and bodies.
#include "http-frontend/callbacks.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/http-frontend/callbacks_reference.hpp"

namespace bindery::http {
namespace {

using router::MessageState;

// Pieces texts are made of: plain ASCII, everything JSON escapes, well-formed UTF-8 of every
// length (Persian, euro sign, emoji, a ZWJ sequence, a flag, the largest code point) and
// ill-formed UTF-8 (lone continuation, truncated sequences, overlong forms, surrogates, past
// U+10FFFF, bytes that never occur).
const std::vector<std::string>& fragments() {
    static const std::vector<std::string> k = [] {
        std::vector<std::string> f = {
            "hello",
            " ",
            "+989121234567",
            "ACME",
            "DELIVRD",
            "order-17",
            "carrier-a",
            "\"",
            "\\",
            "\\\"",
            "/",
            "\x7F",
            "{}[]:,",
            "\xC3\xA9",
            "\xE2\x82\xAC",
            "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85",
            "\xF0\x9F\x98\x80",
            "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9",
            "\xF0\x9F\x87\xAE\xF0\x9F\x87\xB7",
            "\xF4\x8F\xBF\xBF",
            "\xEF\xBB\xBF",
            "\xEF\xBF\xBD",
            "\xC2\x80",
            "\xDF\xBF",
            "\xE0\xA0\x80",
            "\xED\x9F\xBF",
            "\xEE\x80\x80",
            "\xF0\x90\x80\x80",
            "\x80",
            "\xBF",
            "\xC0\xAF",
            "\xC1\xBF",
            "\xC2",
            "\xE2\x82",
            "\xE0\x80\x80",
            "\xE0\x9F\xBF",
            "\xED\xA0\x80",
            "\xED\xBF\xBF",
            "\xF0\x80\x80\x80",
            "\xF0\x8F\xBF\xBF",
            "\xF4\x90\x80\x80",
            "\xF5\x80\x80\x80",
            "\xF8\x88\x80\x80\x80",
            "\xFE",
            "\xFF",
            "\xF0\x9F\x98",
            "\xF0\x9F",
            "\xE2\x28\xA1",
            "\xF0\x28\x8C\xBC",
        };
        for (int c = 0; c < 0x20; ++c) f.emplace_back(1, static_cast<char>(c));
        return f;
    }();
    return k;
}

std::string random_text(std::mt19937_64& rng) {
    std::string s;
    const auto pieces = std::uniform_int_distribution<int>(0, 12)(rng);
    for (int i = 0; i < pieces; ++i) {
        if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) {
            // Raw random bytes.
            const auto n = std::uniform_int_distribution<int>(1, 6)(rng);
            for (int k = 0; k < n; ++k) {
                s.push_back(static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng)));
            }
        } else {
            const auto& f = fragments();
            s += f[std::uniform_int_distribution<std::size_t>(0, f.size() - 1)(rng)];
        }
    }
    return s;
}

MessageState random_state(std::mt19937_64& rng) {
    // Every state, and now and then a value past the last one ("UNKNOWN").
    const auto i =
        std::uniform_int_distribution<int>(0, static_cast<int>(router::kMessageStateCount))(rng);
    return i == static_cast<int>(router::kMessageStateCount) ? static_cast<MessageState>(200)
                                                             : static_cast<MessageState>(i);
}

std::uint32_t random_count(std::mt19937_64& rng) {
    switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
        case 0: return 0;
        case 1: return std::numeric_limits<std::uint32_t>::max();
        case 2: return std::uniform_int_distribution<std::uint32_t>(1, 20)(rng);
        default: return static_cast<std::uint32_t>(rng());
    }
}

router::SystemTime random_time(std::mt19937_64& rng) {
    using router::SystemClock;
    switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
        case 0:  // around now
            return router::SystemTime(
                std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(
                    1'700'000'000'000, 1'900'000'000'000)(rng)));
        case 1:  // before 1970
            return router::SystemTime(
                SystemClock::duration(std::uniform_int_distribution<std::int64_t>(
                    std::numeric_limits<std::int64_t>::min() / 2, -1)(rng)));
        case 2: {
            static constexpr std::array<std::int64_t, 6> kEdges = {
                0,
                -1,
                1,
                std::numeric_limits<std::int64_t>::min(),
                std::numeric_limits<std::int64_t>::max(),
                951'868'799'999'999'999};
            return router::SystemTime(SystemClock::duration(
                kEdges[std::uniform_int_distribution<std::size_t>(0, kEdges.size() - 1)(rng)]));
        }
        default:  // the whole range of the clock (years 1677-2262)
            return router::SystemTime(SystemClock::duration(static_cast<std::int64_t>(rng())));
    }
}

CallbackEvent random_event(std::mt19937_64& rng) {
    CallbackEvent e;
    router::MessageId::Bytes b{};
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    e.id = router::MessageId(b);
    e.client = "acme";
    e.from = random_state(rng);
    e.to = random_state(rng);
    e.at = random_time(rng);
    e.destination = random_text(rng);
    e.sender = random_text(rng);
    const auto half = [&] { return (rng() & 1U) != 0; };
    if (half()) e.client_ref = random_text(rng);
    if (half()) e.provider = random_text(rng);
    if (half()) e.detail = random_text(rng);
    e.segments = random_count(rng);
    e.attempts = random_count(rng);
    return e;
}

CallbackEvent plain_event() {
    CallbackEvent e;
    router::MessageId::Bytes b{};
    b[0] = 0x01;
    b[6] = 0x70;
    b[15] = 0x2a;
    e.id = router::MessageId(b);
    e.from = MessageState::sent;
    e.to = MessageState::delivered;
    e.at = router::SystemTime(std::chrono::milliseconds(1'790'000'000'123));
    e.destination = "+989121234567";
    e.sender = "ACME";
    return e;
}

TEST(CallbackBodyDifferential, MatchesTheJsonLibraryOnGeneratedEvents) {
    std::mt19937_64 rng(20261124);
    int mismatches = 0;
    for (int i = 0; i < 20'000 && mismatches < 5; ++i) {
        const auto e = random_event(rng);
        const auto want = reference::callback_body(e);
        const auto got = callback_body(e);
        if (got != want) {
            ++mismatches;
            ADD_FAILURE() << "event " << i << "\n got: " << got << "\nwant: " << want;
        }
    }
    EXPECT_EQ(mismatches, 0);
}

TEST(CallbackBodyDifferential, MatchesForEveryStatePairWithAndWithoutOptionalMembers) {
    for (std::size_t to = 0; to <= router::kMessageStateCount; ++to) {
        for (std::size_t from = 0; from <= router::kMessageStateCount; ++from) {
            for (unsigned mask = 0; mask < 8; ++mask) {
                auto e = plain_event();
                e.to = static_cast<MessageState>(to);
                e.from = static_cast<MessageState>(from);
                if ((mask & 1U) != 0) e.client_ref = "order-17";
                if ((mask & 2U) != 0) e.provider = "carrier-a";
                if ((mask & 4U) != 0) e.detail = "DELIVRD";
                ASSERT_EQ(callback_body(e), reference::callback_body(e))
                    << "to " << to << " from " << from << " mask " << mask;
            }
        }
    }
}

// Each text of `n` bytes set in every string member (the optional ones then present).
void expect_text_matches(const std::string& text) {
    auto e = plain_event();
    e.destination = text;
    e.sender = text;
    e.client_ref = text;
    e.provider = text;
    e.detail = text;
    const auto got = callback_body(e);
    const auto want = reference::callback_body(e);
    ASSERT_EQ(got, want) << "text bytes:" << ::testing::PrintToString(text);
}

TEST(CallbackBodyDifferential, MatchesForEveryOneAndTwoByteText) {
    for (int a = 0; a < 256; ++a) {
        ASSERT_NO_FATAL_FAILURE(expect_text_matches(std::string(1, static_cast<char>(a))));
        for (int b = 0; b < 256; ++b) {
            const char t[2] = {static_cast<char>(a), static_cast<char>(b)};
            ASSERT_NO_FATAL_FAILURE(expect_text_matches(std::string(t, 2)));
        }
    }
}

TEST(CallbackBodyDifferential, MatchesAtTheUtf8BoundariesOfThreeAndFourByteTexts) {
    // Each lead byte that starts a 3- or 4-byte sequence (and a few that start none), followed by
    // bytes at every edge of the continuation ranges (80 8F 90 9F A0 BF) and outside them.
    const std::array<unsigned char, 12> edges = {0x00, 0x22, 0x41, 0x5C, 0x7F, 0x80,
                                                 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0};
    for (int lead = 0xC0; lead <= 0xFF; ++lead) {
        for (const auto b : edges) {
            for (int c = 0; c < 256; ++c) {
                const char t[3] = {static_cast<char>(lead), static_cast<char>(b),
                                   static_cast<char>(c)};
                ASSERT_NO_FATAL_FAILURE(expect_text_matches(std::string(t, 3)));
            }
            if (lead < 0xF0 || lead > 0xF5) continue;
            for (const auto c : edges) {
                for (const auto d : edges) {
                    const char t[4] = {static_cast<char>(lead), static_cast<char>(b),
                                       static_cast<char>(c), static_cast<char>(d)};
                    ASSERT_NO_FATAL_FAILURE(expect_text_matches(std::string(t, 4)));
                }
            }
        }
    }
}

TEST(CallbackBody, EscapesAndReplacesAsTheJsonLibraryDid) {
    // Fixed bytes, independent of the reference: escapes by name, \u00xx in lower case, DEL and
    // UTF-8 copied, one U+FFFD per maximal ill-formed subpart (the breaking byte read again).
    auto e = plain_event();
    e.detail = std::string("a\"b\\c\b\t\n\f\r\x01\x1f\x7f\xC3\xA9\xF0\x9F\x98\x80") + '\0';
    EXPECT_NE(callback_body(e).find(R"("detail":"a\"b\\c\b\t\n\f\r\u0001\u001f)"
                                    "\x7f\xC3\xA9\xF0\x9F\x98\x80"
                                    R"(\u0000"})"),
              std::string::npos)
        << callback_body(e);
    e.detail =
        "\xE2\x82"
        "A\x80\xE0\x80\xF0\x9F\x98";
    EXPECT_NE(callback_body(e).find("\"detail\":\"\xEF\xBF\xBD"
                                    "A\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"}"),
              std::string::npos)
        << callback_body(e);
}

TEST(CallbackBody, IsCompactWithTheMembersInTheirStableOrder) {
    auto e = plain_event();
    EXPECT_EQ(callback_body(e),
              R"({"event":"message.delivered","message_id":"01000000-0000-7000-0000-00000000002a",)"
              R"("state":"DELIVERED","previous_state":"SENT","at":"2026-09-21T14:13:20.123Z",)"
              R"("to":"+989121234567","from":"ACME","client_ref":null,"segments":1,"attempts":0,)"
              R"("provider":null,"detail":null})");
    e.to = MessageState::failed_temp;
    e.client_ref = "r";
    e.provider = "p";
    e.detail = "d";
    e.segments = 4'294'967'295U;
    e.attempts = 12;
    EXPECT_EQ(
        callback_body(e),
        R"({"event":"message.failed_temp","message_id":"01000000-0000-7000-0000-00000000002a",)"
        R"("state":"FAILED_TEMP","previous_state":"SENT","at":"2026-09-21T14:13:20.123Z",)"
        R"("to":"+989121234567","from":"ACME","client_ref":"r","segments":4294967295,)"
        R"("attempts":12,"provider":"p","detail":"d"})");
}

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
}

// Secrets of every interesting length: empty, shorter than, equal to and longer than SHA-256's
// 64-byte block (hashed first), binary bytes included.
std::vector<std::string> make_secrets(std::mt19937_64& rng, std::size_t count) {
    std::vector<std::string> secrets = {
        "", "k", "whsec_test", std::string(64, 'x'), std::string(65, 'y'), random_bytes(rng, 200)};
    while (secrets.size() < count) {
        secrets.push_back(
            random_bytes(rng, std::uniform_int_distribution<std::size_t>(1, 100)(rng)));
    }
    return secrets;
}

std::int64_t random_stamp(std::mt19937_64& rng) {
    switch (std::uniform_int_distribution<int>(0, 4)(rng)) {
        case 0: return 0;
        case 1: return std::numeric_limits<std::int64_t>::min();
        case 2: return std::numeric_limits<std::int64_t>::max();
        case 3: return -std::uniform_int_distribution<std::int64_t>(1, 1'000'000)(rng);
        default:
            return std::uniform_int_distribution<std::int64_t>(1'600'000'000, 2'100'000'000)(rng);
    }
}

TEST(CallbackSignatureDifferential, MatchesOneShotHmacOverManySecretsStampsAndBodies) {
    std::mt19937_64 rng(7);
    // More secrets than a thread keeps contexts for: cycling through them evicts and re-keys.
    const auto secrets = make_secrets(rng, 40);
    int mismatches = 0;
    for (int i = 0; i < 5'000 && mismatches < 5; ++i) {
        // Runs of one secret (kept context reused), then jumps among all of them.
        const auto& secret =
            secrets[i % 3 == 0 ? rng() % secrets.size()
                               : (static_cast<std::size_t>(i) / 50) % secrets.size()];
        const auto t = random_stamp(rng);
        const auto body =
            i % 2 == 0
                ? callback_body(random_event(rng))
                : random_bytes(rng, std::uniform_int_distribution<std::size_t>(0, 3000)(rng));
        const auto got = callback_signature(secret, t, body);
        const auto want = reference::callback_signature(secret, t, body);
        if (got != want) {
            ++mismatches;
            ADD_FAILURE() << "case " << i << ": got " << got << " want " << want;
        }
    }
    EXPECT_EQ(mismatches, 0);
}

TEST(CallbackSignatureDifferential, MatchesOnSeveralThreadsAtOnce) {
    std::mt19937_64 seed_rng(11);
    const auto secrets = make_secrets(seed_rng, 24);
    std::array<int, 4> mismatches{};
    std::vector<std::thread> threads;
    for (std::size_t n = 0; n < mismatches.size(); ++n) {
        threads.emplace_back([&, n] {
            std::mt19937_64 rng(100 + n);
            for (int i = 0; i < 500; ++i) {
                const auto& secret = secrets[rng() % secrets.size()];
                const auto t = random_stamp(rng);
                const auto body = random_bytes(rng, rng() % 600);
                if (callback_signature(secret, t, body) !=
                    reference::callback_signature(secret, t, body)) {
                    ++mismatches[n];
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    for (std::size_t n = 0; n < mismatches.size(); ++n)
        EXPECT_EQ(mismatches[n], 0) << "thread " << n;
}

TEST(CallbackSignature, KeepsItsFormatForEdgeStamps) {
    const auto sig =
        callback_signature("whsec_test", std::numeric_limits<std::int64_t>::min(), "{}");
    EXPECT_TRUE(sig.starts_with("t=-9223372036854775808,v1=")) << sig;
    EXPECT_EQ(sig.size(), std::string_view("t=-9223372036854775808,v1=").size() + 64);
    EXPECT_EQ(callback_signature("", 0, ""), reference::callback_signature("", 0, ""));
}

}  // namespace
}  // namespace bindery::http
