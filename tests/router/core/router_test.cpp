#include "router/core/router.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace bindery::router {
namespace {

using namespace std::chrono_literals;

const SystemTime kT0 = SystemTime(std::chrono::milliseconds(1'790'000'000'000));

class FakeProvider final : public Provider {
public:
    struct Pending {
        OutboundMessage message;
        std::function<void(SendResult)> done;
    };

    explicit FakeProvider(std::string name, std::string kind = "smpp")
        : name_(std::move(name)), kind_(std::move(kind)) {}

    // router::Provider
    std::string_view name() const override { return name_; }
    std::string_view kind() const override { return kind_; }
    bool ready() const override { return up; }
    ProviderHealth health() const override {
        return {up, static_cast<std::uint32_t>(pending.size()), up ? 100u : 0u};
    }
    void send(OutboundMessage message, std::function<void(SendResult)> done) override {
        ++sends;
        log.push_back(message);
        if (auto_reply) {
            done(auto_reply(message));  // synchronously, inside send()
            return;
        }
        pending.push_back({std::move(message), std::move(done)});
    }

    void complete_front(SendResult result) {
        ASSERT_FALSE(pending.empty());
        auto p = std::move(pending.front());
        pending.pop_front();
        p.done(std::move(result));
    }
    void ok_front(std::vector<std::string> ids) { complete_front(SendResult{std::move(ids), {}}); }
    void fail_front(SendErrorKind kind, std::int64_t code = 0) {
        complete_front(SendResult{{}, SendError{kind, code, "test"}});
    }

    bool up = true;
    int sends = 0;
    std::deque<Pending> pending;
    std::vector<OutboundMessage> log;
    std::function<SendResult(const OutboundMessage&)> auto_reply;

private:
    std::string name_;
    std::string kind_;
};

// 160 GSM characters per segment (153 when split); any byte >= 0x80 makes it UCS-2 (70 / 67).
Expected<TextPlan, std::string> plan_text(std::string_view text,
                                          std::optional<TextEncoding> forced) {
    const bool non_gsm = std::any_of(text.begin(), text.end(),
                                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (forced == TextEncoding::gsm7 && non_gsm) {
        return Unexpected(std::string("cannot be sent as gsm7"));
    }
    const bool ucs2 = non_gsm || forced == TextEncoding::ucs2;
    if (text.find('\x01') != std::string_view::npos) return Unexpected(std::string("bad byte"));
    const std::size_t single = ucs2 ? 70 : 160;
    const std::size_t part = ucs2 ? 67 : 153;
    const std::size_t n = text.size() <= single ? 1 : (text.size() + part - 1) / part;
    return TextPlan{ucs2 ? TextEncoding::ucs2 : TextEncoding::gsm7, static_cast<std::uint32_t>(n)};
}

RouterConfig base_config() {
    RouterConfig c;
    c.acceptance.numbers.default_region = "IR";
    c.acceptance.default_validity = 1h;
    c.routing.routes = {{"main", {{"smsc-a", 1}}, {"smsc-b"}}};
    c.routing.default_route = "main";
    c.retry.max_attempts = 3;
    c.retry.base = 1000ms;
    c.retry.cap = 60s;
    c.retry.jitter = 0.5;
    c.breaker.consecutive_timeouts = 3;
    c.breaker.min_samples = 100;
    c.breaker.open_for = 30s;
    c.breaker.probes = 1;
    c.breaker.probe_successes = 2;
    c.pending_receipts = {100, 5min};
    c.seed = 1234;
    return c;
}

struct RouterTest : ::testing::Test {
    InMemoryStore store;
    FakeProvider a{"smsc-a"};
    FakeProvider b{"smsc-b"};
    TimePoint now{};
    SystemTime wall = kT0;
    std::vector<MessageEvent> transitions;
    std::vector<Receipt> unknown;
    std::unique_ptr<Router> router;

    void build(RouterConfig config = base_config()) {
        RouterHooks hooks;
        hooks.on_transition = [this](const Message&, const MessageEvent& e) {
            transitions.push_back(e);
        };
        hooks.on_unknown_receipt = [this](const Receipt& r) { unknown.push_back(r); };
        router = std::make_unique<Router>(std::move(config), store, plan_text, std::move(hooks));
        router->add_provider(a);
        router->add_provider(b);
    }
    void advance(Duration d) {
        now += d;
        wall += std::chrono::duration_cast<SystemClock::duration>(d);
    }
    void poll() { router->poll(now, wall); }

    SubmitRequest request(std::string destination = "09123456789", std::string client = "acme") {
        SubmitRequest r;
        r.client = std::move(client);
        r.sender = "Bindery";
        r.destination = std::move(destination);
        r.text = "hello";
        return r;
    }
    SubmitOutcome submit_one(const SubmitRequest& r) {
        auto out = router->submit(std::span<const SubmitRequest>(&r, 1), now, wall);
        return std::move(out.front());
    }
    MessageId submit_ok(const SubmitRequest& r) {
        auto out = submit_one(r);
        EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().reason);
        return out ? out->id : MessageId{};
    }
    Message stored(const MessageId& id) { return **store.get(id); }
    MessageState state(const MessageId& id) { return stored(id).state; }
    void receipt(std::string provider, std::string id, ReceiptStatus status, std::string err = "") {
        router->on_receipt(
            Receipt{std::move(provider), std::move(id), status, std::move(err), {}, {}});
    }
    // A receipt matched by its own id alone (message_id_format as_is, hex or decimal).
    void exact_receipt(std::string id) {
        Receipt r{"smsc-a", std::move(id), ReceiptStatus::delivered, {}, {}, {}};
        r.id_match = ReceiptIdMatch::exact;
        router->on_receipt(std::move(r));
    }
    // One message submitted and SENT at smsc-a, which answered with `provider_id`.
    MessageId sent_as(std::string provider_id) {
        const auto id = submit_ok(request());
        poll();
        a.ok_front({std::move(provider_id)});
        poll();
        return id;
    }
};

TEST_F(RouterTest, AcceptsNormalizesStoresAndQueues) {
    build();
    auto r = request("0912 345 6789");
    r.text = std::string(200, 'x');
    r.client_ref = "ref-1";
    const auto out = submit_one(r);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->destination, "+989123456789");
    EXPECT_EQ(out->segments, 2u);
    EXPECT_EQ(out->encoding, TextEncoding::gsm7);
    const Message m = stored(out->id);
    EXPECT_EQ(m.state, MessageState::queued);
    EXPECT_EQ(m.region, "IR");
    EXPECT_EQ(m.expires_at, kT0 + 1h);
    EXPECT_EQ(m.client_ref, "ref-1");
    const auto events = *store.events(out->id);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].from, MessageState::accepted);
    EXPECT_EQ(events[0].to, MessageState::queued);
    EXPECT_EQ(router->backpressure().backlog, 1u);
}

TEST_F(RouterTest, RefusesInvalidInputWithTypedReasons) {
    build();
    auto bad_number = request("+98 199 999 9999");
    auto out = submit_one(bad_number);
    ASSERT_FALSE(out.has_value());
    EXPECT_EQ(out.error().code, SubmitErrc::invalid_destination);
    EXPECT_NE(out.error().reason.find("destination"), std::string::npos);

    auto bad_text = request();
    bad_text.text = "a\x01";
    EXPECT_EQ(submit_one(bad_text).error().code, SubmitErrc::invalid_text);
    bad_text.text = std::string(153 * 11, 'x');  // 11 segments > 10
    EXPECT_EQ(submit_one(bad_text).error().code, SubmitErrc::invalid_text);

    auto no_sender = request();
    no_sender.sender.clear();
    EXPECT_EQ(submit_one(no_sender).error().code, SubmitErrc::invalid_sender);

    auto long_alpha = request();
    long_alpha.sender = "TwelveChars!";
    EXPECT_EQ(submit_one(long_alpha).error().code, SubmitErrc::invalid_sender);
    long_alpha.sender = "+989121234567890";  // numeric senders may be longer
    EXPECT_TRUE(submit_one(long_alpha).has_value());

    auto long_validity = request();
    long_validity.validity = std::chrono::hours(100);
    EXPECT_EQ(submit_one(long_validity).error().code, SubmitErrc::invalid_request);

    auto bad_callback = request();
    bad_callback.callback_url = "ftp://example.invalid/cb";
    EXPECT_EQ(submit_one(bad_callback).error().code, SubmitErrc::invalid_request);
    EXPECT_EQ(router->stats().refused, 7u);
    EXPECT_EQ(router->backpressure().backlog, 1u);
}

TEST_F(RouterTest, AForcedEncodingIsPlannedAndPassedToTheProvider) {
    build();
    auto r = request();
    r.text = std::string(100, 'x');
    r.encoding = TextEncoding::ucs2;
    const auto out = submit_one(r);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->encoding, TextEncoding::ucs2);
    EXPECT_EQ(out->segments, 2u);  // 100 characters > 70
    poll();
    ASSERT_EQ(a.log.size(), 1u);
    EXPECT_EQ(a.log[0].encoding, TextEncoding::ucs2);

    auto plain = request();
    ASSERT_TRUE(submit_one(plain).has_value());
    poll();
    ASSERT_EQ(a.log.size(), 2u);
    EXPECT_FALSE(a.log[1].encoding.has_value());  // the provider chooses

    auto impossible = request();
    impossible.text = "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85";  // Persian: not GSM 7-bit
    impossible.encoding = TextEncoding::gsm7;
    const auto refused = submit_one(impossible);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, SubmitErrc::invalid_text);
    EXPECT_NE(refused.error().reason.find("gsm7"), std::string::npos);
}

TEST_F(RouterTest, NoMatchingRouteIsRefusedAtAcceptance) {
    auto c = base_config();
    c.routing.default_route.clear();
    c.routing.rules = {{"ir-only", {}, {"IR"}, {}, {}, {}, {}, "main"}};
    build(c);
    EXPECT_TRUE(submit_one(request()).has_value());
    const auto out = submit_one(request("+447911123456"));
    ASSERT_FALSE(out.has_value());
    EXPECT_EQ(out.error().code, SubmitErrc::invalid_destination);
    EXPECT_NE(out.error().reason.find("no route"), std::string::npos);
}

TEST_F(RouterTest, BatchOutcomesKeepOrderAndOneBadRequestDoesNotFailOthers) {
    build();
    std::vector<SubmitRequest> batch = {request(), request("nope"), request("09351234567")};
    const auto out = router->submit(batch, now, wall);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_TRUE(out[0].has_value());
    EXPECT_FALSE(out[1].has_value());
    EXPECT_TRUE(out[2].has_value());
    EXPECT_LT(out[0]->id, out[2]->id);  // time-ordered ids
}

TEST_F(RouterTest, StoreOutageRefusesTheBatchAsUnavailable) {
    build();
    store.set_unavailable(true);
    const auto out = submit_one(request());
    ASSERT_FALSE(out.has_value());
    EXPECT_EQ(out.error().code, SubmitErrc::unavailable);
    EXPECT_EQ(router->stats().store_errors, 1u);
    EXPECT_EQ(router->backpressure().backlog, 0u);
}

TEST_F(RouterTest, DispatchesAndRecordsTheProviderIds) {
    build();
    const auto id = submit_ok(request());
    poll();
    ASSERT_EQ(a.pending.size(), 1u);
    EXPECT_EQ(a.log[0].destination, "+989123456789");
    EXPECT_EQ(a.log[0].text, "hello");
    EXPECT_EQ(a.log[0].attempt, 1u);
    EXPECT_EQ(state(id), MessageState::sending);
    a.ok_front({"abc123"});
    EXPECT_EQ(state(id), MessageState::sending);  // results land in the inbox...
    poll();                                       // ...and apply on the next poll
    const Message m = stored(id);
    EXPECT_EQ(m.state, MessageState::sent);
    EXPECT_EQ(m.provider, "smsc-a");
    EXPECT_EQ(m.attempts, 1u);
    ASSERT_EQ(m.segments.size(), 1u);
    EXPECT_EQ(m.segments[0].provider_id, "abc123");
    EXPECT_EQ(router->backpressure().backlog, 0u);
}

TEST_F(RouterTest, SynchronousCompletionInsideSendIsSafe) {
    build();
    a.auto_reply = [](const OutboundMessage&) { return SendResult{{"42"}, {}}; };
    std::vector<MessageId> ids;
    for (int i = 0; i < 20; ++i) ids.push_back(submit_ok(request()));
    poll();
    poll();
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::sent);
}

TEST_F(RouterTest, APerProviderBreakerConfigReplacesTheRoutersForThatProviderOnly) {
    RouterHooks hooks;
    router = std::make_unique<Router>(base_config(), store, plan_text, std::move(hooks));
    BreakerConfig quick = base_config().breaker;
    quick.consecutive_timeouts = 1;
    quick.open_for = 2s;
    router->add_provider(a, quick);
    router->add_provider(b);
    // One timeout opens smsc-a (its own threshold), not three.
    submit_ok(request());
    poll();
    ASSERT_EQ(a.pending.size(), 1u);
    a.fail_front(SendErrorKind::timeout);
    poll();
    EXPECT_EQ(router->breaker_state("smsc-a", now), BreakerState::open);
    // Its own cool-down: half-open after 2 s, where the router's default would wait 30 s.
    advance(1900ms);
    EXPECT_EQ(router->breaker_state("smsc-a", now), BreakerState::open);
    advance(100ms);
    EXPECT_EQ(router->breaker_state("smsc-a", now), BreakerState::half_open);
    // One probe goes to smsc-a; the other message (the due retry and a new one) to smsc-b, which
    // keeps the router's thresholds: one timeout leaves it closed.
    submit_ok(request());
    poll();
    ASSERT_EQ(a.pending.size(), 1u);
    ASSERT_EQ(b.pending.size(), 1u);
    b.fail_front(SendErrorKind::timeout);
    poll();
    EXPECT_EQ(router->breaker_state("smsc-b", now), BreakerState::closed);
}

TEST_F(RouterTest, FailsOverWhenTheBreakerOpensAndRecoversThroughHalfOpenProbes) {
    build();
    // Three timeouts in a row open smsc-a's breaker.
    for (int i = 0; i < 3; ++i) {
        submit_ok(request());
        poll();
        ASSERT_EQ(a.pending.size(), 1u) << i;
        a.fail_front(SendErrorKind::timeout);
        poll();
    }
    EXPECT_EQ(router->breaker_state("smsc-a", now), BreakerState::open);
    const int a_sends = a.sends;

    // New traffic (and the retries) fail over to smsc-b.
    const auto id = submit_ok(request());
    poll();
    EXPECT_EQ(a.sends, a_sends);
    ASSERT_FALSE(b.pending.empty());
    while (!b.pending.empty()) b.ok_front({"b-" + std::to_string(b.sends)});
    poll();
    EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(stored(id).provider, "smsc-b");

    // After the cool-down one probe goes to smsc-a; two successes close the breaker.
    advance(30s);
    submit_ok(request());
    submit_ok(request());
    poll();
    EXPECT_EQ(router->breaker_state("smsc-a", now), BreakerState::half_open);
    // One probe at a time: the two new messages and the three retries now due share the rest.
    ASSERT_EQ(a.pending.size(), 1u);
    EXPECT_EQ(b.pending.size(), 4u);
    a.ok_front({"a-1"});
    while (!b.pending.empty()) b.ok_front({"b-" + std::to_string(b.pending.size())});
    poll();
    submit_ok(request());
    poll();
    ASSERT_EQ(a.pending.size(), 1u);
    a.ok_front({"a-2"});
    poll();
    EXPECT_EQ(router->breaker_state("smsc-a", now), BreakerState::closed);
    const int before = a.sends;
    for (int i = 0; i < 5; ++i) submit_ok(request());
    poll();
    EXPECT_EQ(a.sends, before + 5);  // back in rotation
}

TEST_F(RouterTest, AllProvidersDownKeepsMessagesQueuedUntilValidityEnds) {
    build();
    a.up = false;
    b.up = false;
    auto r = request();
    r.validity = 10min;
    const auto waits = submit_ok(r);
    auto r2 = request();
    r2.validity = 30min;
    const auto recovers = submit_ok(r2);
    for (int i = 0; i < 9; ++i) {
        advance(1min);
        poll();
        EXPECT_EQ(state(waits), MessageState::queued);
    }
    EXPECT_EQ(a.sends + b.sends, 0);
    advance(1min);
    poll();
    const Message dead = stored(waits);
    EXPECT_EQ(dead.state, MessageState::dead_letter);
    EXPECT_NE(dead.last_error.find("validity"), std::string::npos);
    EXPECT_EQ(state(recovers), MessageState::queued);

    b.up = true;  // the failover provider comes back
    advance(1min);
    poll();
    EXPECT_EQ(state(recovers), MessageState::sending);
    EXPECT_EQ(b.sends, 1);
}

TEST_F(RouterTest, RetriesTemporaryFailuresWithBackoffThenDeadLetters) {
    build();
    const auto id = submit_ok(request());
    b.up = false;  // keep it on smsc-a
    poll();
    a.fail_front(SendErrorKind::status, 0x08);  // ESME_RSYSERR
    poll();
    Message m = stored(id);
    EXPECT_EQ(m.state, MessageState::failed_temp);
    ASSERT_TRUE(m.next_attempt_at.has_value());
    // Attempt 1 failed: delay within [base/2, base].
    EXPECT_GE(*m.next_attempt_at, wall + 500ms);
    EXPECT_LE(*m.next_attempt_at, wall + 1000ms);
    const auto first_due = *m.next_attempt_at;

    advance(499ms);
    poll();
    EXPECT_EQ(a.sends, 1);  // not before the backoff
    advance(501ms);
    poll();
    EXPECT_EQ(a.sends, 2);
    EXPECT_GE(wall, first_due);
    EXPECT_EQ(a.log[1].attempt, 2u);
    a.fail_front(SendErrorKind::timeout);
    poll();
    m = stored(id);
    EXPECT_EQ(m.state, MessageState::failed_temp);
    EXPECT_GE(*m.next_attempt_at, wall + 1000ms);  // attempt 2: [1 s, 2 s]
    EXPECT_LE(*m.next_attempt_at, wall + 2000ms);

    advance(2s);
    poll();
    ASSERT_EQ(a.sends, 3);
    a.fail_front(SendErrorKind::status, 0x08);
    poll();
    m = stored(id);
    EXPECT_EQ(m.state, MessageState::dead_letter);
    EXPECT_EQ(m.attempts, 3u);
    EXPECT_NE(m.last_error.find("attempts exhausted"), std::string::npos);
    EXPECT_NE(m.last_error.find("status 8"), std::string::npos);  // keeps the last error

    // History: QUEUED, then SENDING/FAILED_TEMP x3 with the retries between, then DEAD_LETTER.
    std::vector<MessageState> path;
    const auto events = store.events(id);
    ASSERT_TRUE(events.has_value());
    for (const auto& e : *events) path.push_back(e.to);
    using S = MessageState;
    EXPECT_EQ(path, (std::vector<S>{S::queued, S::sending, S::failed_temp, S::queued, S::sending,
                                    S::failed_temp, S::queued, S::sending, S::failed_temp,
                                    S::dead_letter}));
    EXPECT_EQ(router->stats().dead_lettered, 1u);
}

TEST_F(RouterTest, PermanentFailuresAreNotRetried) {
    build();
    const auto id = submit_ok(request());
    poll();
    a.fail_front(SendErrorKind::status, 0x0B);  // ESME_RINVDSTADR
    poll();
    advance(10min);
    poll();
    EXPECT_EQ(state(id), MessageState::failed_perm);
    EXPECT_EQ(a.sends + b.sends, 1);
    EXPECT_EQ(router->breaker_state("smsc-a", now), BreakerState::closed);
}

TEST_F(RouterTest, ThrottlingDoesNotTripTheBreakerAndBacksOffLonger) {
    auto c = base_config();
    c.retry.max_attempts = 10;
    c.retry.throttle_base = 4s;
    build(c);
    const auto id = submit_ok(request());
    b.up = false;
    for (int i = 0; i < 5; ++i) {
        poll();
        ASSERT_EQ(a.pending.size(), 1u) << i;
        a.fail_front(SendErrorKind::status, 0x58);  // ESME_RTHROTTLED
        poll();
        const auto m = stored(id);
        ASSERT_EQ(m.state, MessageState::failed_temp);
        EXPECT_GE(*m.next_attempt_at, wall + 2s);
        advance(60s);
    }
    EXPECT_EQ(router->breaker_state("smsc-a", now), BreakerState::closed);
}

TEST_F(RouterTest, HandedBackUntriedIsRequeuedWithoutCountingAnAttempt) {
    build();
    const auto id = submit_ok(request());
    poll();
    a.fail_front(SendErrorKind::not_sent);
    poll();  // applies the result and dispatches again
    const auto m = stored(id);
    EXPECT_EQ(m.state, MessageState::sending);
    EXPECT_EQ(m.attempts, 1u);
}

TEST_F(RouterTest, ValidityEndingBeforeTheNextRetryDeadLetters) {
    build();
    auto r = request();
    r.validity = 1s;
    const auto id = submit_ok(r);
    poll();
    advance(900ms);
    a.fail_front(SendErrorKind::timeout);
    poll();
    EXPECT_EQ(state(id), MessageState::dead_letter);
}

TEST_F(RouterTest, BackPressureAboveTheHighWatermarkUntilTheLowOne) {
    auto c = base_config();
    c.backpressure.high_watermark = 5;
    c.backpressure.low_watermark = 2;
    c.backpressure.retry_after = 7s;
    build(c);
    for (int i = 0; i < 5; ++i) submit_ok(request());
    const auto refused = submit_one(request());
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, SubmitErrc::backlog_full);
    EXPECT_EQ(refused.error().retry_after, 7s);
    EXPECT_FALSE(router->backpressure().accepting);
    EXPECT_EQ(router->backpressure().backlog, 5u);

    poll();  // 5 sending
    a.ok_front({"1"});
    a.ok_front({"2"});
    poll();  // backlog 3: still above the low watermark
    EXPECT_EQ(submit_one(request()).error().code, SubmitErrc::backlog_full);
    a.ok_front({"3"});
    poll();  // backlog 2
    EXPECT_TRUE(router->backpressure().accepting);
    EXPECT_TRUE(submit_one(request()).has_value());
    EXPECT_EQ(router->stats().backpressured, 2u);
}

TEST_F(RouterTest, ReceiptBeforeTheSendResultIsHeldAndApplied) {
    build();
    const auto id = submit_ok(request());
    poll();
    receipt("smsc-a", "77", ReceiptStatus::delivered);
    poll();  // no message has id 77 yet: held
    EXPECT_EQ(state(id), MessageState::sending);
    EXPECT_EQ(router->stats().receipts_held, 1u);
    a.ok_front({"77"});
    poll();
    EXPECT_EQ(state(id), MessageState::delivered);
    EXPECT_TRUE(unknown.empty());
    EXPECT_EQ(router->stats().unknown_receipts, 0u);
}

TEST_F(RouterTest, MultiSegmentMessageIsDeliveredWhenEverySegmentIs) {
    build();
    auto r = request();
    r.text = std::string(400, 'x');
    const auto id = submit_ok(r);
    poll();
    a.ok_front({"s1", "s2", "s3"});
    poll();
    receipt("smsc-a", "s1", ReceiptStatus::delivered);
    receipt("smsc-a", "s3", ReceiptStatus::delivered);
    receipt("smsc-a", "s2", ReceiptStatus::enroute);  // intermediate: no change
    poll();
    EXPECT_EQ(state(id), MessageState::sent);
    receipt("smsc-a", "s2", ReceiptStatus::delivered);
    poll();
    const auto m = stored(id);
    EXPECT_EQ(m.state, MessageState::delivered);
    for (const auto& seg : m.segments) EXPECT_EQ(seg.state, SegmentState::delivered);
    // History: the two early segment verdicts as SENT -> SENT, then the deciding one.
    const auto events = store.events(id);
    ASSERT_TRUE(events.has_value());
    ASSERT_EQ(events->size(), 6u);
    EXPECT_EQ((*events)[3].from, MessageState::sent);
    EXPECT_EQ((*events)[3].to, MessageState::sent);
    EXPECT_EQ((*events)[3].detail, "segment 1/3 DELIVRD");
    EXPECT_EQ((*events)[5].to, MessageState::delivered);
    EXPECT_EQ((*events)[5].detail, "segment 2/3 DELIVRD");
}

TEST_F(RouterTest, OneUndeliverableSegmentMakesTheMessageUndeliverable) {
    build();
    auto r = request();
    r.text = std::string(400, 'x');
    const auto id = submit_ok(r);
    poll();
    a.ok_front({"s1", "s2", "s3"});
    poll();
    receipt("smsc-a", "s1", ReceiptStatus::delivered);
    receipt("smsc-a", "s2", ReceiptStatus::undeliverable, "012");
    poll();
    auto m = stored(id);
    EXPECT_EQ(m.state, MessageState::undeliverable);
    EXPECT_NE(m.last_error.find("UNDELIV"), std::string::npos);
    EXPECT_NE(m.last_error.find("012"), std::string::npos);
    receipt("smsc-a", "s3", ReceiptStatus::rejected);  // recorded on the segment only
    poll();
    m = stored(id);
    EXPECT_EQ(m.state, MessageState::undeliverable);
    EXPECT_EQ(m.segments[2].state, SegmentState::rejected);
    EXPECT_TRUE(unknown.empty());
}

TEST_F(RouterTest, HexResponseIdMatchesDecimalReceiptId) {
    build();
    const auto hex = submit_ok(request());
    const auto dec = submit_ok(request());
    poll();
    a.ok_front({"1A2B3C4D"});    // hex in submit_sm_resp
    a.ok_front({"0000012345"});  // decimal with zero padding
    poll();
    receipt("smsc-a", "439041101", ReceiptStatus::delivered);  // decimal of 0x1a2b3c4d
    receipt("smsc-a", "3039", ReceiptStatus::expired);         // hex of 12345
    poll();
    EXPECT_EQ(state(hex), MessageState::delivered);
    EXPECT_EQ(state(dec), MessageState::expired);
}

// Receipt id "10" with segments sent as "10", "16" (0x10) and "a" (10) in flight: an any_reading
// receipt takes the first key that finds one ("10" itself, else the reading "16"); an exact one
// (the provider has put the id in its send form) only "10", and nothing when "10" is not in flight.
TEST_F(RouterTest, ExactReceiptIdMatchesOnlyItsOwnIdAnyReadingFallsBackToReadings) {
    build();
    std::map<std::string, MessageId> by_id;
    for (const std::string sid : {"16", "a", "10"}) by_id[sid] = submit_ok(request());
    poll();
    for (const std::string sid : {"16", "a", "10"}) a.ok_front({sid});
    poll();
    exact_receipt("10");
    poll();
    EXPECT_EQ(state(by_id["10"]), MessageState::delivered);
    EXPECT_EQ(state(by_id["16"]), MessageState::sent);
    EXPECT_EQ(state(by_id["a"]), MessageState::sent);
    exact_receipt("10");  // a duplicate: never another segment's reading
    exact_receipt("0A");  // "a", written with case and a leading zero
    poll();
    EXPECT_EQ(state(by_id["16"]), MessageState::sent);
    EXPECT_EQ(state(by_id["a"]), MessageState::delivered);
}

// What any_reading (message_id_format: auto) does with the same receipt when no segment is "10":
// it takes the first reading that finds one, "16" (0x10 in decimal).
TEST_F(RouterTest, AnyReadingReceiptIdFindsAnotherIdByItsReading) {
    build();
    const auto sixteen = sent_as("16");
    receipt("smsc-a", "10", ReceiptStatus::delivered);
    poll();
    EXPECT_EQ(state(sixteen), MessageState::delivered);
}

TEST_F(RouterTest, ExactReceiptWithoutItsOwnIdIsHeldNotMatchedByAReading) {
    build();
    const auto sixteen = submit_ok(request());
    const auto ten = submit_ok(request());
    poll();
    a.ok_front({"16"});
    poll();
    exact_receipt("10");
    poll();
    EXPECT_EQ(state(sixteen), MessageState::sent);  // "16" reads as decimal 16 = hex "10"
    EXPECT_EQ(router->stats().receipts_held, 1u);
    a.ok_front({"10"});  // its own id arrives: the held receipt applies to it alone
    poll();
    EXPECT_EQ(state(ten), MessageState::delivered);
    EXPECT_EQ(state(sixteen), MessageState::sent);
    EXPECT_TRUE(unknown.empty());
}

TEST_F(RouterTest, ExactReceiptHeldBeforeItsSendResultIsNotReleasedByAReadingOfAnotherId) {
    build();
    const auto sixteen = submit_ok(request());
    const auto ten = submit_ok(request());
    poll();
    exact_receipt("10");
    poll();  // neither is SENT yet: held
    EXPECT_EQ(router->stats().receipts_held, 1u);
    a.ok_front({"16"});  // one of "16"'s keys is "10": an exact receipt does not take it
    poll();
    EXPECT_EQ(state(sixteen), MessageState::sent);
    EXPECT_TRUE(unknown.empty());
    a.ok_front({"10"});
    poll();
    EXPECT_EQ(state(ten), MessageState::delivered);
    EXPECT_EQ(state(sixteen), MessageState::sent);
    EXPECT_TRUE(unknown.empty());
}

TEST_F(RouterTest, ReceiptsForUnknownIdsAreCountedNeverFatal) {
    build();
    receipt("smsc-a", "nobody", ReceiptStatus::delivered);
    receipt("smsc-a", "", ReceiptStatus::delivered);
    receipt("no-such-provider", "1", ReceiptStatus::delivered);
    poll();
    EXPECT_EQ(router->stats().unknown_receipts, 1u);  // the empty id: at once
    advance(5min);
    poll();  // the held ones expire
    EXPECT_EQ(router->stats().unknown_receipts, 3u);
    ASSERT_EQ(unknown.size(), 3u);
    EXPECT_EQ(unknown[1].provider_id, "nobody");
}

TEST_F(RouterTest, SameIdFromAnotherProviderDoesNotMatch) {
    build();
    const auto id = sent_as("555");
    receipt("smsc-b", "555", ReceiptStatus::delivered);
    poll();
    EXPECT_EQ(state(id), MessageState::sent);
}

TEST_F(RouterTest, StatsCountQueuedMessagesByLaneWhileWaitingAndParked) {
    auto c = base_config();
    c.dispatch_budget = 2;
    build(c);
    const auto lanes = [this] { return router->stats().queued_by_lane; };
    using Lanes = std::array<std::uint64_t, kPriorityCount>;  // express, normal, bulk
    for (const auto& [priority, n] :
         {std::pair{Priority::express, 1}, {Priority::normal, 3}, {Priority::bulk, 2}}) {
        for (int i = 0; i < n; ++i) {
            auto r = request();
            r.priority = priority;
            submit_ok(r);
        }
    }
    EXPECT_EQ(lanes(), (Lanes{1, 3, 2}));
    poll();  // two dispatched: express first, then normal
    EXPECT_EQ(lanes(), (Lanes{0, 2, 2}));
    EXPECT_EQ(a.sends, 2);

    a.up = false;  // every provider down: what waits is parked, still counted in its lane
    b.up = false;
    for (int i = 0; i < 4; ++i) poll();
    EXPECT_EQ(lanes(), (Lanes{0, 2, 2}));
    auto alert = request();
    alert.priority = Priority::express;
    submit_ok(alert);
    poll();
    EXPECT_EQ(lanes(), (Lanes{1, 2, 2}));
    EXPECT_EQ(router->stats().queued_in_store_only, 0u);

    a.up = true;
    for (int i = 0; i < 10; ++i) poll();
    EXPECT_EQ(lanes(), (Lanes{0, 0, 0}));
    EXPECT_EQ(a.sends, 7);
}

TEST_F(RouterTest, ExpressGoesFirstAndClientsShareALane) {
    auto c = base_config();
    c.dispatch_budget = 8;
    build(c);
    for (int i = 0; i < 50; ++i) submit_ok(request("09123456789", "big"));
    for (int i = 0; i < 3; ++i) submit_ok(request("09123456789", "small"));
    auto alert = request("09123456789", "ops");
    alert.priority = Priority::express;
    submit_ok(alert);
    poll();
    ASSERT_EQ(a.log.size(), 8u);
    EXPECT_EQ(a.log[0].client, "ops");
    int small = 0;
    for (const auto& m : a.log) small += m.client == "small" ? 1 : 0;
    EXPECT_EQ(small, 3);  // not stuck behind big's 50
}

TEST_F(RouterTest, ScheduledMessagesWaitForTheirTime) {
    build();
    auto r = request();
    r.schedule_at = wall + 10min;
    const auto id = submit_ok(r);
    EXPECT_EQ(stored(id).expires_at, wall + 10min + 1h);  // validity counts from the schedule
    EXPECT_EQ(router->backpressure().backlog, 0u);        // not backlog until due
    poll();
    advance(9min);
    poll();
    EXPECT_EQ(a.sends, 0);
    EXPECT_EQ(router->next_due(), kT0 + 10min);
    advance(1min);
    poll();
    EXPECT_EQ(a.sends, 1);
    EXPECT_EQ(state(id), MessageState::sending);
    EXPECT_EQ(router->backpressure().backlog, 1u);
}

TEST_F(RouterTest, SpillsPastTheMemoryQueueAndRefillsFromTheStore) {
    auto c = base_config();
    c.scheduler.capacity = 3;
    c.dispatch_budget = 2;
    build(c);
    a.auto_reply = [](const OutboundMessage& m) { return SendResult{{m.id.to_string()}, {}}; };
    std::vector<MessageId> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(submit_ok(request()));
    EXPECT_EQ(router->backpressure().backlog, 10u);
    for (int i = 0; i < 10; ++i) poll();
    for (const auto& id : ids) EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(a.sends, 10);
    EXPECT_EQ(router->backpressure().backlog, 0u);
}

TEST_F(RouterTest, WaitingForDownProvidersStaysWithinTheMemoryBound) {
    auto c = base_config();
    c.scheduler.capacity = 3;
    c.routing.routes.push_back({"other", {{"smsc-b", 1}}, {}});
    c.routing.rules = {{"uk", {"+44"}, {}, {}, {}, {}, {}, "other"}};
    c.routing.routes[0].failover.clear();  // "main" is smsc-a only
    build(c);
    a.up = false;
    a.auto_reply = [](const OutboundMessage& m) { return SendResult{{m.id.to_string()}, {}}; };
    b.auto_reply = a.auto_reply;
    std::vector<MessageId> waiting;
    for (int i = 0; i < 10; ++i) waiting.push_back(submit_ok(request()));
    std::vector<MessageId> uk;
    for (int i = 0; i < 4; ++i) {
        uk.push_back(submit_ok(request("+447911123456")));
        poll();
    }
    for (int i = 0; i < 5; ++i) poll();
    for (const auto& id : uk) EXPECT_EQ(state(id), MessageState::sent);  // not blocked
    for (const auto& id : waiting) EXPECT_EQ(state(id), MessageState::queued);
    EXPECT_EQ(router->backpressure().backlog, 10u);
    a.up = true;
    for (int i = 0; i < 10; ++i) poll();
    for (const auto& id : waiting) EXPECT_EQ(state(id), MessageState::sent);
    EXPECT_EQ(a.sends, 10);
    EXPECT_EQ(router->backpressure().backlog, 0u);
}

TEST_F(RouterTest, RecoversUnfinishedMessagesAfterARestart) {
    build();
    b.up = false;
    const auto sending = submit_ok(request());
    poll();  // SENDING at smsc-a, never answered
    const auto queued = submit_ok(request());
    const auto sent = submit_ok(request());
    // The old router "crashes" with `sending` in flight and `queued` waiting; `sent` got out.
    {
        Message m = stored(sent);
        Message next = m;
        next.state = MessageState::sending;
        ASSERT_TRUE(store.transition(next, MessageState::queued, std::nullopt).has_value());
        m = next;
        next.state = MessageState::sent;
        next.provider = "smsc-a";
        next.segments = {{"900", {}, {}}};
        ASSERT_TRUE(store.transition(next, MessageState::sending, std::nullopt).has_value());
    }
    router.reset();
    FakeProvider a2{"smsc-a"};
    RouterHooks hooks;
    router = std::make_unique<Router>(base_config(), store, plan_text, hooks);
    router->add_provider(a2);
    ASSERT_TRUE(router->recover(now, wall).has_value());
    EXPECT_EQ(state(sending), MessageState::failed_temp);
    poll();
    EXPECT_EQ(a2.sends, 2);  // the unknown-outcome one retried and the queued one
    EXPECT_EQ(stored(sending).attempts, 2u);
    EXPECT_EQ(state(queued), MessageState::sending);
    router->on_receipt({"smsc-a", "900", ReceiptStatus::delivered, {}, {}, {}});
    poll();
    EXPECT_EQ(state(sent), MessageState::delivered);  // found through the store's id index
}

TEST_F(RouterTest, GatewayApiReportsStatusHistoryAndLists) {
    build();
    RouterGateway gateway(
        *router, [this] { return now; }, [this] { return wall; });
    auto r = request();
    r.client_ref = "order-9";
    std::vector<SubmitRequest> batch = {r, request("09351234567", "globex")};
    const auto out = gateway.submit(batch);
    ASSERT_TRUE(out[0].has_value());
    poll();
    a.ok_front({"1"});
    poll();

    const auto s = gateway.status(out[0]->id, "acme");
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->state, MessageState::sent);
    EXPECT_EQ(s->client_ref, "order-9");
    EXPECT_EQ(s->provider, "smsc-a");
    ASSERT_EQ(s->history.size(), 3u);
    EXPECT_EQ(s->history[2].to, MessageState::sent);
    EXPECT_EQ(gateway.status(out[0]->id, "globex").error().code, QueryErrc::not_found);

    MessageQuery q;
    q.client = "globex";
    const auto page = gateway.list(q);
    ASSERT_TRUE(page.has_value());
    ASSERT_EQ(page->messages.size(), 1u);
    EXPECT_EQ(page->messages[0].destination, "+989351234567");
    EXPECT_TRUE(gateway.backpressure().accepting);
}

// Providers complete from their own thread while clients submit from several threads and one
// thread polls: every message ends SENT exactly once.
class ThreadedProvider final : public Provider {
public:
    ThreadedProvider() : worker_([this] { run(); }) {}
    ~ThreadedProvider() override {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        worker_.join();
    }
    std::string_view name() const override { return "smsc-a"; }
    std::string_view kind() const override { return "smpp"; }
    bool ready() const override { return true; }
    ProviderHealth health() const override { return {true, 0, 100}; }
    void send(OutboundMessage m, std::function<void(SendResult)> done) override {
        std::lock_guard lock(mutex_);
        queue_.push_back({std::move(m), std::move(done)});
    }
    std::atomic<int> completed{0};

private:
    void run() {
        for (;;) {
            std::deque<FakeProvider::Pending> batch;
            {
                std::lock_guard lock(mutex_);
                if (stop_ && queue_.empty()) return;
                batch.swap(queue_);
            }
            for (auto& p : batch) {
                p.done(SendResult{{p.message.id.to_string()}, {}});
                ++completed;
            }
            std::this_thread::yield();
        }
    }
    std::mutex mutex_;
    std::deque<FakeProvider::Pending> queue_;
    bool stop_ = false;
    std::thread worker_;
};

TEST(RouterThreads, ConcurrentSubmitPollAndCompletion) {
    InMemoryStore store;
    auto config = base_config();
    config.routing.routes = {{"main", {{"smsc-a", 1}}, {}}};
    Router router(config, store, plan_text);
    ThreadedProvider provider;
    router.add_provider(provider);

    constexpr int kThreads = 4;
    constexpr int kEach = 250;
    std::atomic<bool> submitting{true};
    std::mutex ids_mutex;
    std::set<MessageId> ids;
    std::vector<std::thread> clients;
    for (int t = 0; t < kThreads; ++t) {
        clients.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                SubmitRequest r;
                r.client = "client-" + std::to_string(t);
                r.sender = "Bindery";
                r.destination = "+989123456789";
                r.text = "load";
                const auto out =
                    router.submit(std::span<const SubmitRequest>(&r, 1), TimePoint{}, kT0);
                ASSERT_TRUE(out[0].has_value());
                std::lock_guard lock(ids_mutex);
                ids.insert(out[0]->id);
            }
        });
    }
    std::thread poller([&] {
        const auto give_up = std::chrono::steady_clock::now() + 60s;  // a hang fails, not blocks
        while ((submitting || provider.completed < kThreads * kEach) &&
               std::chrono::steady_clock::now() < give_up) {
            router.poll(TimePoint{}, kT0);
            std::this_thread::yield();
        }
        router.poll(TimePoint{}, kT0);
    });
    for (auto& c : clients) c.join();
    submitting = false;
    poller.join();

    ASSERT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kEach));
    for (const auto& id : ids) ASSERT_EQ((**store.get(id)).state, MessageState::sent);
    EXPECT_EQ(router.stats().sent, static_cast<std::uint64_t>(kThreads * kEach));
    EXPECT_EQ(router.backpressure().backlog, 0u);
}

}  // namespace
}  // namespace bindery::router
