#include "http-frontend/auth.hpp"

#include <gtest/gtest.h>

#include "http-frontend/idempotency.hpp"
#include "http-frontend/query_string.hpp"
#include "http-frontend/rate_limiter.hpp"
#include "http-frontend/routes.hpp"

namespace bindery::http {
namespace {

using namespace std::chrono_literals;

TEST(Sha256, MatchesTheStandardVectors) {
    EXPECT_EQ(to_hex(sha256("")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(sha256("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const auto d =
        digest_from_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, sha256("abc"));
    EXPECT_FALSE(digest_from_hex("ba78"));
    EXPECT_FALSE(digest_from_hex(std::string(64, 'g')));
}

TEST(ClientRegistry, FindsTheClientByKeyDigestOnly) {
    InMemoryClientRegistry reg;
    reg.add_key("key-one", ClientInfo{"one", {"ACME"}, std::nullopt});
    reg.add(sha256("key-two"), ClientInfo{"two", {"*"}, RateLimit{1, 1}});
    ASSERT_TRUE(reg.find_by_key_digest(sha256("key-one")));
    EXPECT_EQ(reg.find_by_key_digest(sha256("key-one"))->name, "one");
    EXPECT_EQ(reg.find_by_key_digest(sha256("key-two"))->name, "two");
    EXPECT_FALSE(reg.find_by_key_digest(sha256("key-three")));
    EXPECT_FALSE(reg.find_by_key_digest(sha256("key-one ")));
}

TEST(ClientInfo, AllowsListedSendersOrAnyWithStar) {
    const ClientInfo c{"c", {"ACME", "12345"}, std::nullopt};
    EXPECT_TRUE(c.sender_allowed("ACME"));
    EXPECT_TRUE(c.sender_allowed("12345"));
    EXPECT_FALSE(c.sender_allowed("acme"));
    EXPECT_FALSE(ClientInfo{}.sender_allowed("ACME"));
    EXPECT_TRUE((ClientInfo{"c", {"*"}, std::nullopt}.sender_allowed("ANY")));
}

TEST(PresentedApiKey, PrefersBearerAndRejectsOtherSchemes) {
    EXPECT_EQ(presented_api_key("Bearer abc", ""), "abc");
    EXPECT_EQ(presented_api_key("bearer   abc  ", "zzz"), "abc");
    EXPECT_EQ(presented_api_key("", "  xyz "), "xyz");
    EXPECT_EQ(presented_api_key("Basic dXNlcjpwYXNz", "xyz"), "");
    EXPECT_EQ(presented_api_key("Bearer", ""), "");
    EXPECT_EQ(presented_api_key("", ""), "");
}

TEST(RateLimiter, RefillsAtTheConfiguredRateAndReportsRetryAfter) {
    RateLimiter limiter(RateLimit{2.0, 3.0});
    const TimePoint t0{};
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.acquire("a", std::nullopt, t0).allowed);
    const auto refused = limiter.acquire("a", std::nullopt, t0);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after, 1s);
    EXPECT_TRUE(limiter.acquire("b", std::nullopt, t0).allowed) << "buckets are per client";
    EXPECT_TRUE(limiter.acquire("a", std::nullopt, t0 + 500ms).allowed);
    EXPECT_FALSE(limiter.acquire("a", std::nullopt, t0 + 500ms).allowed);
    // A client's own limit overrides the default: 0.1/s -> 10 s to the next token.
    const auto slow = RateLimit{0.1, 1.0};
    EXPECT_TRUE(limiter.acquire("c", slow, t0).allowed);
    EXPECT_EQ(limiter.acquire("c", slow, t0).retry_after, 10s);
}

TEST(InMemoryIdempotencyStore, ReservesReplaysDetectsMismatchAndExpires) {
    InMemoryIdempotencyStore store(24h);
    const router::SystemTime t0{std::chrono::seconds(1'800'000'000)};
    EXPECT_EQ(store.begin("c", "k", "f1", t0).state, IdempotencyState::reserved);
    EXPECT_EQ(store.begin("c", "k", "f1", t0).state, IdempotencyState::in_progress);
    EXPECT_EQ(store.begin("c", "k", "f2", t0).state, IdempotencyState::mismatch);
    EXPECT_EQ(store.begin("other", "k", "f2", t0).state, IdempotencyState::reserved)
        << "keys are per client";
    store.complete("c", "k", {202, "application/json", "{}"}, t0);
    const auto replay = store.begin("c", "k", "f1", t0 + 23h);
    EXPECT_EQ(replay.state, IdempotencyState::replay);
    EXPECT_EQ(replay.response.status, 202U);
    EXPECT_EQ(replay.response.body, "{}");
    EXPECT_EQ(store.begin("c", "k", "f1", t0 + 24h + 1s).state, IdempotencyState::reserved)
        << "expired after the retention";
    store.release("c", "k");
    EXPECT_EQ(store.begin("c", "k", "f9", t0 + 25h).state, IdempotencyState::reserved);
}

TEST(QueryString, DecodesAndRefusesRepeatsAndBadEscapes) {
    auto q = parse_query("state=queued&client_ref=a%20b+c&&limit=5");
    ASSERT_TRUE(q);
    ASSERT_EQ(q->size(), 3U);
    EXPECT_EQ((*q)[1].second, "a b c");
    EXPECT_FALSE(parse_query("a=1&a=2"));
    EXPECT_FALSE(parse_query("a=%zz"));
    EXPECT_FALSE(parse_query("a=%4"));
}

TEST(Routes, MatchTemplatesAndReportAllowedMethods) {
    auto m = match_route("GET", "/v1/messages/0190a0b0-0000-7000-8000-000000000000");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->id, RouteId::get_message);
    EXPECT_EQ(m.path_param, "0190a0b0-0000-7000-8000-000000000000");
    m = match_route("DELETE", "/v1/messages");
    EXPECT_EQ(m.route, nullptr);
    EXPECT_TRUE(m.path_exists);
    EXPECT_EQ(m.allow, "POST, GET");
    m = match_route("GET", "/v1/messages/a/b");
    EXPECT_FALSE(m.path_exists);
    m = match_route("GET", "/v1/messages/");
    EXPECT_FALSE(m.path_exists);
}

}  // namespace
}  // namespace bindery::http
