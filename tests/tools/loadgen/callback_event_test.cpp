// What the load generator reads from the gateway for --callbacks, checked against the gateway's
// own writers (http::callback_body, http::callback_signature) so a format change on either side
// fails here: message ids, callback bodies, X-Bindery-Event-Id, the ids of a 202, the signature.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http-frontend/callbacks.hpp"
#include "router/api/types.hpp"
#include "tools/loadgen/callback_event.hpp"

namespace bindery::loadgen {
namespace {

constexpr std::string_view kId = "0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5b";

http::CallbackEvent gateway_event(router::MessageState to) {
    http::CallbackEvent e;
    e.id = *router::MessageId::parse(kId);
    e.client = "acme";
    e.client_ref = "order-17";
    e.destination = "+989121234567";
    e.sender = "ACME";
    e.from = router::MessageState::sent;
    e.to = to;
    e.at = router::SystemClock::now();
    e.provider = "carrier-a";
    e.detail = R"(id:1 stat:DELIVRD "quoted" {"message_id":"x"})";
    return e;
}

TEST(MessageKey, ParsesTheCanonicalFormInEitherCaseAndRoundTrips) {
    const auto k = parse_message_key(kId);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->hi, 0x0190a0b05c1e7a3bULL);
    EXPECT_EQ(k->lo, 0x9f003c2d1e0f4a5bULL);
    EXPECT_EQ(to_string(*k), kId);
    EXPECT_EQ(parse_message_key("0190A0B0-5C1E-7A3B-9F00-3C2D1E0F4A5B"), k);
    EXPECT_FALSE(parse_message_key(""));
    EXPECT_FALSE(parse_message_key(kId.substr(1)));
    EXPECT_FALSE(parse_message_key("0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5bb"));
    EXPECT_FALSE(parse_message_key("0190a0b05-c1e-7a3b-9f00-3c2d1e0f4a5b"));  // dash moved
    EXPECT_FALSE(parse_message_key("0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5g"));  // not hex
    EXPECT_NE(MessageKeyHash{}(*k),
              MessageKeyHash{}(*parse_message_key("0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5c")));
}

TEST(CallbackStateNames, FinalStatesAreTheGatewaysAndSentIsNot) {
    for (const auto s : {router::MessageState::delivered, router::MessageState::undeliverable,
                         router::MessageState::expired, router::MessageState::rejected,
                         router::MessageState::failed_perm, router::MessageState::dead_letter,
                         router::MessageState::cancelled}) {
        const auto mine = parse_callback_state(router::to_string(s));
        EXPECT_NE(mine, CallbackState::other) << router::to_string(s);
        EXPECT_TRUE(is_final(mine)) << router::to_string(s);
        EXPECT_EQ(to_string(mine), router::to_string(s));
        EXPECT_TRUE(router::is_final(s));
    }
    EXPECT_EQ(parse_callback_state("SENT"), CallbackState::sent);
    EXPECT_FALSE(is_final(CallbackState::sent));
    EXPECT_EQ(parse_callback_state("delivered"), CallbackState::delivered);
    EXPECT_EQ(parse_callback_state("QUEUED"), CallbackState::other);
    EXPECT_FALSE(is_final(CallbackState::other));
}

TEST(CallbackBody, ReadsTheIdAndStateOfTheGatewaysBody) {
    for (const auto s : {router::MessageState::delivered, router::MessageState::expired,
                         router::MessageState::sent}) {
        const auto body = http::callback_body(gateway_event(s));
        const auto f = parse_callback_body(body);
        ASSERT_TRUE(f) << body;
        EXPECT_EQ(to_string(f->id), kId);
        EXPECT_EQ(to_string(f->state), router::to_string(s));
    }
}

TEST(CallbackBody, RefusesBodiesWithoutAMessageIdAndSkipsNestedKeys) {
    EXPECT_FALSE(parse_callback_body(""));
    EXPECT_FALSE(parse_callback_body("not json"));
    EXPECT_FALSE(parse_callback_body(R"([{"message_id":"0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5b"}])"));
    EXPECT_FALSE(parse_callback_body(R"({"state":"DELIVERED"})"));
    EXPECT_FALSE(parse_callback_body(R"({"message_id":42,"state":"DELIVERED"})"));
    EXPECT_FALSE(parse_callback_body(R"({"message_id":"nope","state":"DELIVERED"})"));
    EXPECT_FALSE(parse_callback_body(R"({"message_id":"0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5b")"));
    // Only top-level members count.
    const auto f = parse_callback_body(
        R"({"x":{"message_id":"ffffffff-5c1e-7a3b-9f00-3c2d1e0f4a5b","state":"SENT"},)"
        R"("message_id":"0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5b","list":[1,{"state":"SENT"}]})");
    ASSERT_TRUE(f);
    EXPECT_EQ(to_string(f->id), kId);
    EXPECT_EQ(f->state, CallbackState::other);  // no top-level state
}

TEST(CallbackEventId, IsTheMessageIdDotTheLowerCaseState) {
    const auto f = parse_event_id(std::string(kId) + ".undeliverable");
    ASSERT_TRUE(f);
    EXPECT_EQ(to_string(f->id), kId);
    EXPECT_EQ(f->state, CallbackState::undeliverable);
    EXPECT_FALSE(parse_event_id(kId));
    EXPECT_FALSE(parse_event_id(std::string(kId) + "."));
    EXPECT_FALSE(parse_event_id(std::string(kId) + "-delivered"));
    EXPECT_FALSE(parse_event_id("x.delivered"));
}

TEST(AcceptedIds, AreTheIdsOfTheMessagesListOnly) {
    // The documented partial answer: two stored, one refused.
    const std::string body =
        R"({"messages": [
          {"id": "0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5b", "to": "+989121234567", "segments": 1,
           "encoding": "gsm7", "cost": 400, "state": "ACCEPTED", "client_ref": null},
          {"id": "0190a0b0-5c1e-7a3c-8e11-77aa00b1c2d3", "to": "+989351234567", "segments": 1,
           "encoding": "gsm7", "cost": 450, "state": "ACCEPTED", "client_ref": "order-4711"}],
          "cost": 850,
          "rejected": [{"index": 2, "to": "+98", "id": "ffffffff-5c1e-7a3c-8e11-77aa00b1c2d3",
                        "error": {"code": "invalid_destination", "id": "x"}}]})";
    std::vector<MessageKey> ids;
    ASSERT_TRUE(parse_accepted_ids(body, ids));
    ASSERT_EQ(ids.size(), 2U);
    EXPECT_EQ(to_string(ids[0]), kId);
    EXPECT_EQ(to_string(ids[1]), "0190a0b0-5c1e-7a3c-8e11-77aa00b1c2d3");

    ids.clear();
    EXPECT_TRUE(parse_accepted_ids(R"({"messages":[]})", ids));
    EXPECT_TRUE(ids.empty());
    EXPECT_FALSE(parse_accepted_ids("", ids));
    EXPECT_FALSE(parse_accepted_ids(R"([{"id":"0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5b"}])", ids));
    EXPECT_FALSE(parse_accepted_ids(R"({"messages":[{"id":"short"}]})", ids));
    EXPECT_FALSE(
        parse_accepted_ids(R"({"messages":[{"id":"0190a0b0-5c1e-7a3b-9f00-3c2d1e0f4a5b"})", ids));
    EXPECT_TRUE(ids.empty());
}

TEST(CallbackSignatureCheck, AcceptsAnIndependentlyComputedSignature) {
    // RFC 4231 test case 2's key and data, signed as the gateway does, "<t>.<data>". python3:
    // hmac.new(b'Jefe', b'1789000000.what do ya want for nothing?', hashlib.sha256).hexdigest()
    const std::string header =
        "t=1789000000,v1=3fd4071ca18b6777962b7d6a1763bcc1eec6cb5d240722b3e3d038c6e25dea3e";
    EXPECT_EQ(http::callback_signature("Jefe", 1'789'000'000, "what do ya want for nothing?"),
              header);
    std::string scratch;
    EXPECT_EQ(
        verify_signature("Jefe", header, "what do ya want for nothing?", 1'789'000'000, scratch),
        SignatureCheck::good);
}

TEST(CallbackSignatureCheck, AcceptsTheGatewaysSignatureAndNothingElse) {
    const std::string secret = "whsec-loadgen-1";
    const std::string body = http::callback_body(gateway_event(router::MessageState::delivered));
    const std::int64_t t = 1'789'000'000;
    const std::string header = http::callback_signature(secret, t, body);
    // The gateway's header is "t=<t>,v1=<64 hex>" (its HMAC is checked against an independent
    // one above).
    EXPECT_TRUE(header.starts_with("t=1789000000,v1=")) << header;
    EXPECT_EQ(header.size(), std::string_view("t=1789000000,v1=").size() + 64);
    std::string scratch;
    EXPECT_EQ(verify_signature(secret, header, body, t, scratch), SignatureCheck::good);
    EXPECT_EQ(verify_signature(secret, header, body, t + 299, scratch), SignatureCheck::good);
    // Parts in the other order.
    const auto comma = header.find(',');
    EXPECT_EQ(verify_signature(secret, header.substr(comma + 1) + "," + header.substr(0, comma),
                               body, t, scratch),
              SignatureCheck::good);

    EXPECT_EQ(verify_signature("other", header, body, t, scratch), SignatureCheck::mismatch);
    EXPECT_EQ(verify_signature(secret, header, body + " ", t, scratch), SignatureCheck::mismatch);
    EXPECT_EQ(
        verify_signature(secret, http::callback_signature(secret, t + 1, body), body, t, scratch),
        SignatureCheck::good);  // a second of skew is fine
    std::string forged = header;
    forged.replace(forged.find("t=") + 2, 10, "1789000001");  // timestamp changed, same MAC
    EXPECT_EQ(verify_signature(secret, forged, body, t, scratch), SignatureCheck::mismatch);
    EXPECT_EQ(verify_signature(secret, header, body, t + 301, scratch), SignatureCheck::stale);
    EXPECT_EQ(verify_signature(secret, "", body, t, scratch), SignatureCheck::missing);
    EXPECT_EQ(verify_signature(secret, "t=1789000000", body, t, scratch),
              SignatureCheck::malformed);
    EXPECT_EQ(verify_signature(secret, "v1=" + std::string(64, 'a'), body, t, scratch),
              SignatureCheck::malformed);
    EXPECT_EQ(verify_signature(secret, "t=12x,v1=" + std::string(64, 'a'), body, t, scratch),
              SignatureCheck::malformed);
    EXPECT_EQ(verify_signature(secret, "t=1789000000,v1=" + std::string(64, 'z'), body, t, scratch),
              SignatureCheck::malformed);
    EXPECT_EQ(verify_signature(secret, "t=1789000000,v1=abc", body, t, scratch),
              SignatureCheck::malformed);
}

}  // namespace
}  // namespace bindery::loadgen
