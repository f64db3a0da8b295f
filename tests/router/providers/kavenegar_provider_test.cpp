#include "router/providers/kavenegar_provider.hpp"

#include <atomic>
#include <set>

#include <gtest/gtest.h>

#include "router/core/error_class.hpp"
#include "router/core/message_store.hpp"
#include "router/providers/kavenegar_api.hpp"
#include "tests/router/providers/kavenegar_test_util.hpp"

namespace bindery::router {
namespace {

using namespace std::chrono_literals;
using testing::IoThread;
using testing::RecordingSink;

class KavenegarProviderTest : public ::testing::Test {
protected:
    void start_mock(mock::KavenegarMockConfig c = {}) {
        c.cert_pem = testing::test_cert().cert_pem;
        c.key_pem = testing::test_cert().key_pem;
        if (c.api_key.empty()) c.api_key = "test-key";
        mock_ = std::make_unique<mock::KavenegarMock>(c);
        mock_->start();
    }
    KavenegarConfig config() const {
        KavenegarConfig c;
        c.name = "kavenegar";
        c.base_url = "https://127.0.0.1:" + std::to_string(mock_->port());
        c.api_key = "test-key";
        c.sender = "10004346";
        c.tls.ca_pem = testing::test_cert().cert_pem;
        c.rate = 1000;
        c.timeout = 10s;
        c.status_interval = 30ms;
        c.status_max_interval = 100ms;
        return c;
    }
    std::unique_ptr<KavenegarProvider> make(KavenegarConfig c) {
        auto p = std::make_unique<KavenegarProvider>(std::move(c), io_.executor(), sink_);
        p->start();
        return p;
    }

    IoThread io_;
    RecordingSink sink_;
    std::unique_ptr<mock::KavenegarMock> mock_;
};

TEST_F(KavenegarProviderTest, SendsOneMessageWithSendJsonOverVerifiedHttpsAndKeepsTheMessageId) {
    start_mock();
    auto p = make(config());
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_TRUE(r.ok()) << r.error->text;
    const auto sent = mock_->messages();
    ASSERT_EQ(sent.size(), 1U);
    ASSERT_EQ(r.segment_ids.size(), 1U);
    EXPECT_EQ(r.segment_ids[0], std::to_string(sent[0].messageid));
    EXPECT_EQ(sent[0].receptor, "09121234567");
    EXPECT_EQ(sent[0].sender, "10004346");
    EXPECT_EQ(sent[0].message, "Hello from Bindery");
    EXPECT_FALSE(sent[0].localid.empty());
    ASSERT_FALSE(mock_->targets().empty());
    EXPECT_EQ(mock_->targets().front(), "/v1/test-key/sms/send.json");
    EXPECT_EQ(p->stats().messages_sent, 1U);
}

TEST_F(KavenegarProviderTest,
       SendsTheMessagesNumericSenderWhenPreferredOrNoneIsConfiguredElseTheConfiguredOne) {
    start_mock();
    struct Case {
        bool use_message_sender;
        std::string configured;
        std::string message_sender;
        std::string sent;
    };
    const std::vector<Case> cases{
        {true, "10004346", "30001234", "30001234"},   // preferred and a number
        {true, "10004346", "Bindery", "10004346"},    // preferred but not a number
        {false, "10004346", "30001234", "10004346"},  // the configured one wins
        {false, "", "30001234", "30001234"},          // none configured: the message's number
        {false, "", "Bindery", ""},                   // neither: Kavenegar's default line
    };
    std::uint8_t n = 0;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.message_sender + " configured=" + c.configured);
        auto config = this->config();
        config.use_message_sender = c.use_message_sender;
        config.sender = c.configured;
        auto p = make(config);
        auto m = testing::message(++n);
        m.sender = c.message_sender;
        const auto r = testing::send_and_wait(*p, m);
        ASSERT_TRUE(r.ok()) << r.error->text;
        const auto sent = mock_->messages();
        ASSERT_EQ(sent.size(), n);
        EXPECT_EQ(sent.back().sender, c.sent);
        p->stop(Duration::zero());
    }
}

TEST_F(KavenegarProviderTest, SendsPersianTextIntact) {
    start_mock();
    auto p = make(config());
    const auto r =
        testing::send_and_wait(*p, testing::message(2, "+989351234567", "سلام دنیا، آزمایش"));
    ASSERT_TRUE(r.ok()) << r.error->text;
    EXPECT_EQ(mock_->messages().at(0).message, "سلام دنیا، آزمایش");
}

TEST_F(KavenegarProviderTest, ReusesOneKeepAliveConnection) {
    start_mock();
    auto c = config();
    c.concurrency = 1;
    c.poll_status = false;
    auto p = make(c);
    for (std::uint8_t i = 0; i < 5; ++i)
        ASSERT_TRUE(testing::send_and_wait(*p, testing::message(i)).ok());
    const auto h = p->http_stats();
    EXPECT_EQ(h.connections_opened, 1U);
    EXPECT_EQ(h.connections_reused, 4U);
    EXPECT_EQ(mock_->stats().connections, 1U);
}

TEST_F(KavenegarProviderTest, BatchesWaitingMessagesIntoSendArray) {
    mock::KavenegarMockConfig mc;
    mc.latency = 200ms;  // the first call is in flight while the rest queue up
    start_mock(mc);
    auto c = config();
    c.concurrency = 1;
    c.max_batch = 20;
    auto p = make(c);
    std::vector<OutboundMessage> ms;
    for (std::uint8_t i = 0; i < 41; ++i)
        ms.push_back(testing::message(i, "+98912000" + std::to_string(1000 + i)));
    const auto results = testing::send_all(*p, std::move(ms));
    std::set<std::string> ids;
    for (const auto& r : results) {
        ASSERT_TRUE(r.ok()) << r.error->text;
        ASSERT_EQ(r.segment_ids.size(), 1U);
        ids.insert(r.segment_ids[0]);
    }
    EXPECT_EQ(ids.size(), 41U);
    const auto s = mock_->stats();
    EXPECT_GE(s.sendarray_calls, 2U);  // 41 messages: at least 1 + 20 + 20
    EXPECT_LE(s.send_calls + s.sendarray_calls, 10U);
    EXPECT_EQ(s.messages, 41U);
    // Each message got its own entry's id: receptors line up with ids.
    for (const auto& m : mock_->messages()) EXPECT_EQ(m.message, "Hello from Bindery");
    EXPECT_GE(p->stats().batched_calls, 2U);
}

TEST_F(KavenegarProviderTest, ServerBusyIsATemporaryStatusError) {
    mock::KavenegarMockConfig mc;
    mc.fail_status = 409;
    start_mock(mc);
    auto p = make(config());
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::status);
    EXPECT_EQ(r.error->code, 409);
    EXPECT_EQ(StatusMap(std::vector<StatusMapConfig>{}).classify(p->kind(), *r.error),
              ErrorClass::temporary);
}

TEST_F(KavenegarProviderTest, RateLimitIsThrottling) {
    mock::KavenegarMockConfig mc;
    mc.fail_status = 451;
    start_mock(mc);
    auto p = make(config());
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::throttled);
    EXPECT_EQ(r.error->code, 451);
    EXPECT_EQ(StatusMap(std::vector<StatusMapConfig>{}).classify(p->kind(), *r.error),
              ErrorClass::throttled);
}

TEST_F(KavenegarProviderTest, InvalidReceptorIsPermanent) {
    mock::KavenegarMockConfig mc;
    mc.receptor_fail["09120000000"] = 411;
    start_mock(mc);
    auto p = make(config());
    const auto r = testing::send_and_wait(*p, testing::message(1, "+989120000000"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->code, 411);
    EXPECT_EQ(StatusMap(std::vector<StatusMapConfig>{}).classify(p->kind(), *r.error),
              ErrorClass::permanent);
    EXPECT_NE(r.error->text.find("receptor invalid"), std::string::npos) << r.error->text;
}

TEST_F(KavenegarProviderTest, InsufficientCreditRaisesTheAccountHookAndRetries) {
    mock::KavenegarMockConfig mc;
    mc.fail_status = 418;
    start_mock(mc);
    auto p = make(config());
    std::atomic<std::int64_t> seen{0};
    p->on_account_error([&](std::int64_t code, std::string_view) { seen = code; });
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->code, 418);
    EXPECT_EQ(StatusMap(std::vector<StatusMapConfig>{}).classify(p->kind(), *r.error),
              ErrorClass::temporary);
    EXPECT_EQ(seen.load(), 418);
    EXPECT_EQ(p->stats().account_errors, 1U);
}

TEST_F(KavenegarProviderTest, WrongApiKeyIsAnAccountErrorAndTheKeyNeverAppearsInTheText) {
    mock::KavenegarMockConfig mc;
    mc.api_key = "the-right-key";
    start_mock(mc);
    auto c = config();
    c.api_key = "s3cret-wrong-key";
    auto p = make(c);
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->code, 403);
    EXPECT_EQ(r.error->text.find("s3cret-wrong-key"), std::string::npos) << r.error->text;
    EXPECT_EQ(p->stats().account_errors, 1U);
}

TEST_F(KavenegarProviderTest, RetryWithTheSameMessageIsNotSentTwice) {
    start_mock();
    auto p = make(config());
    auto m = testing::message(9);
    const auto first = testing::send_and_wait(*p, m);
    m.attempt = 2;
    const auto second = testing::send_and_wait(*p, m);
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(first.segment_ids, second.segment_ids);
    EXPECT_EQ(mock_->stats().messages, 1U);
    EXPECT_EQ(mock_->stats().duplicate_localids, 1U);
}

TEST_F(KavenegarProviderTest, UntrustedCertificateIsRefused) {
    start_mock();
    auto c = config();
    c.tls.ca_pem = mock::make_self_signed("someone-else").cert_pem;  // not the mock's
    auto p = make(c);
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::connection);
    EXPECT_NE(r.error->text.find("tls"), std::string::npos) << r.error->text;
    EXPECT_NE(r.error->text.find("certificate verify failed"), std::string::npos) << r.error->text;
    EXPECT_EQ(mock_->stats().requests, 0U);
    EXPECT_EQ(StatusMap(std::vector<StatusMapConfig>{}).classify(p->kind(), *r.error),
              ErrorClass::temporary);
}

TEST_F(KavenegarProviderTest, SystemTrustStoreDoesNotTrustASelfSignedServer) {
    start_mock();
    auto c = config();
    c.tls.ca_pem.clear();
    auto p = make(c);
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::connection);
    EXPECT_EQ(mock_->stats().requests, 0U);
}

TEST_F(KavenegarProviderTest, ServerNameMustMatchTheCertificate) {
    start_mock();
    auto c = config();
    c.tls.server_name = "api.kavenegar.com";  // the certificate names localhost / 127.0.0.1
    auto p = make(c);
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(mock_->stats().requests, 0U);
}

TEST_F(KavenegarProviderTest, OutageIsAConnectionError) {
    start_mock();
    auto p = make(config());
    ASSERT_TRUE(testing::send_and_wait(*p, testing::message(1)).ok());
    mock_->set_down(true);
    const auto r = testing::send_and_wait(*p, testing::message(2));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::connection);
    EXPECT_FALSE(p->health().connected);
    mock_->set_down(false);
    EXPECT_TRUE(testing::send_and_wait(*p, testing::message(3)).ok());
    EXPECT_TRUE(p->health().connected);
}

TEST_F(KavenegarProviderTest, SlowServerIsATimeout) {
    mock::KavenegarMockConfig mc;
    mc.latency = 3s;
    start_mock(mc);
    auto c = config();
    c.timeout = 300ms;
    auto p = make(c);
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::timeout);
}

TEST_F(KavenegarProviderTest, TextLongerThanNineHundredCharactersIsRefusedLocally) {
    start_mock();
    auto p = make(config());
    const auto r =
        testing::send_and_wait(*p, testing::message(1, "+989121234567", std::string(901, 'a')));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::rejected_local);
    EXPECT_EQ(mock_->stats().requests, 0U);
}

TEST_F(KavenegarProviderTest, PollsStatusUntilDelivered) {
    mock::KavenegarMockConfig mc;
    mc.delivery_delay = 150ms;  // status 4 (at the operator) first, then 10
    start_mock(mc);
    auto p = make(config());
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_TRUE(r.ok());
    const auto receipts = sink_.wait_for(1);
    ASSERT_EQ(receipts.size(), 1U);
    EXPECT_EQ(receipts[0].provider, "kavenegar");
    EXPECT_EQ(receipts[0].provider_id, r.segment_ids.at(0));
    EXPECT_EQ(receipts[0].status, ReceiptStatus::delivered);
    EXPECT_TRUE(receipts[0].error.empty());
    EXPECT_TRUE(receipts[0].done_at.has_value());
    EXPECT_TRUE(testing::eventually([&] { return p->stats().polling == 0; }));
    EXPECT_GE(mock_->stats().status_calls, 1U);
}

TEST_F(KavenegarProviderTest, PollsStatusToAFailure) {
    mock::KavenegarMockConfig mc;
    mc.receptor_final["09121110000"] = 11;
    mc.receptor_final["09121110001"] = 14;
    start_mock(mc);
    auto p = make(config());
    const auto results = testing::send_all(
        *p, {testing::message(1, "+989121110000"), testing::message(2, "+989121110001")});
    ASSERT_TRUE(results[0].ok());
    ASSERT_TRUE(results[1].ok());
    const auto receipts = sink_.wait_for(2);
    ASSERT_EQ(receipts.size(), 2U);
    for (const auto& rc : receipts) {
        if (rc.provider_id == results[0].segment_ids.at(0)) {
            EXPECT_EQ(rc.status, ReceiptStatus::undeliverable);
            EXPECT_EQ(rc.error, "11");
        } else {
            EXPECT_EQ(rc.provider_id, results[1].segment_ids.at(0));
            EXPECT_EQ(rc.status, ReceiptStatus::rejected);
            EXPECT_EQ(rc.error, "14");
        }
    }
}

TEST_F(KavenegarProviderTest, StatusPollsAreBatched) {
    mock::KavenegarMockConfig mc;
    mc.delivery_delay = 100ms;
    start_mock(mc);
    auto c = config();
    c.status_interval = 300ms;  // every message is due at about the same time
    c.status_max_interval = 300ms;
    auto p = make(c);
    std::vector<OutboundMessage> ms;
    for (std::uint8_t i = 0; i < 30; ++i)
        ms.push_back(testing::message(i, "+98912555" + std::to_string(1000 + i)));
    for (const auto& r : testing::send_all(*p, std::move(ms))) ASSERT_TRUE(r.ok());
    EXPECT_EQ(sink_.wait_for(30).size(), 30U);
    EXPECT_LT(mock_->stats().status_calls, 30U);
}

TEST_F(KavenegarProviderTest, GivesUpPollingAfterTheGiveUpAge) {
    mock::KavenegarMockConfig mc;
    mc.delivery_delay = std::chrono::hours(1);  // never final
    start_mock(mc);
    auto c = config();
    c.status_give_up = 200ms;
    auto p = make(c);
    ASSERT_TRUE(testing::send_and_wait(*p, testing::message(1)).ok());
    EXPECT_TRUE(testing::eventually([&] { return p->stats().polls_abandoned == 1; }));
    EXPECT_TRUE(sink_.receipts().empty());
    EXPECT_EQ(p->stats().polling, 0U);
}

TEST_F(KavenegarProviderTest, ResumesPollingTheStoresSentMessagesAfterARestart) {
    start_mock();
    // Before the restart: two messages sent, no poll made (the process went down first).
    std::vector<SendResult> sent;
    {
        auto c = config();
        c.poll_status = false;
        auto before = make(c);
        sent =
            testing::send_all(*before, {testing::message(1), testing::message(2, "+989121110002")});
        ASSERT_TRUE(sent[0].ok());
        ASSERT_TRUE(sent[1].ok());
        before->stop(Duration::zero());
    }
    const auto wall = SystemClock::now();
    auto stored = [&](std::uint8_t n, MessageState state, std::string provider, std::string id,
                      SystemTime updated) {
        Message m;
        m.id = testing::test_id(n);
        m.client = "test";
        m.sender = "Bindery";
        m.destination = "+989121234567";
        m.text = "hello";
        m.state = state;
        m.attempts = 1;
        m.provider = std::move(provider);
        m.segments.push_back(Segment{std::move(id), SegmentState::pending, {}});
        m.accepted_at = updated - 1s;
        m.updated_at = updated;
        m.expires_at = wall + 1h;
        return m;
    };
    InMemoryStore store;
    const std::vector<Message> rows{
        stored(1, MessageState::sent, "kavenegar", sent[0].segment_ids.at(0), wall - 5s),
        stored(2, MessageState::sent, "kavenegar", sent[1].segment_ids.at(0), wall - 1min),
        // Not this provider's, already final, or past the give-up age: not polled.
        stored(3, MessageState::sent, "smsc-a", "777", wall),
        stored(4, MessageState::delivered, "kavenegar", "778", wall),
        stored(5, MessageState::sent, "kavenegar", "779", wall - 72h),
    };
    ASSERT_TRUE(store.insert_batch(rows, {}));

    auto after = make(config());
    const auto resumed = after->resume_polling(store, wall, 2);  // pages of two
    ASSERT_TRUE(resumed.has_value());
    EXPECT_EQ(*resumed, 2U);
    const auto receipts = sink_.wait_for(2);
    ASSERT_EQ(receipts.size(), 2U);
    std::set<std::string> ids;
    for (const auto& r : receipts) {
        EXPECT_EQ(r.provider, "kavenegar");
        EXPECT_EQ(r.status, ReceiptStatus::delivered);
        ids.insert(r.provider_id);
    }
    EXPECT_EQ(ids, (std::set<std::string>{sent[0].segment_ids.at(0), sent[1].segment_ids.at(0)}));
    EXPECT_TRUE(testing::eventually([&] { return after->stats().polling == 0; }));
    EXPECT_EQ(after->stats().receipts, 2U);
}

TEST_F(KavenegarProviderTest, ResumedPollingSkipsIdsThatAreNotKavenegarIdsAndKeepsTheGiveUpAge) {
    mock::KavenegarMockConfig mc;
    mc.delivery_delay = std::chrono::hours(1);  // never final
    start_mock(mc);
    auto c = config();
    c.status_give_up = 2s;
    auto p = make(c);
    const auto r = testing::send_and_wait(*p, testing::message(1));
    ASSERT_TRUE(r.ok());
    // Tracked already (no second entry), not decimal, too old: only the first one is polled.
    p->resume_polling({PendingStatus{r.segment_ids.at(0), SystemClock::now()},
                       PendingStatus{"abc-1", SystemClock::now()},
                       PendingStatus{"123", SystemClock::now() - 1h}});
    EXPECT_TRUE(testing::eventually([&] { return p->stats().polls_abandoned == 1; }));
    EXPECT_EQ(p->stats().polling, 0U);
    EXPECT_TRUE(sink_.receipts().empty());
}

// A restart resumes every SENT message's poll at once: the status calls are paced to half of the
// API rate (status_share 0.5) instead of taking the whole token bucket at once. rate 2 with a
// burst of 2 and a poll tick of 10 ms (status_interval 40 ms): unpaced, the four calls would go at
// about 0, 0.01, 0.5 and 1 s; paced, one a second at most, so the fourth cannot reach the mock
// before 3 s after the resume (lower bounds: a slow machine only makes them later).
TEST_F(KavenegarProviderTest, ResumedPollsArePacedInFullBatchesInsteadOfBurstingTheApi) {
    start_mock();  // final status (delivered) at the first poll: each id is polled once
    std::vector<PendingStatus> pending;
    {
        auto c = config();
        c.poll_status = false;
        auto before = make(c);
        std::vector<OutboundMessage> ms;
        for (std::uint8_t i = 0; i < 12; ++i)
            ms.push_back(testing::message(i, "+98912666" + std::to_string(1000 + i)));
        for (const auto& r : testing::send_all(*before, std::move(ms))) {
            ASSERT_TRUE(r.ok());
            pending.push_back(PendingStatus{r.segment_ids.at(0), SystemClock::now()});
        }
        before->stop(Duration::zero());
    }
    auto c = config();
    c.rate = 2;
    c.status_batch = 3;
    c.status_interval = 40ms;
    auto p = make(c);
    const auto resumed_at = std::chrono::steady_clock::now();
    p->resume_polling(pending);
    EXPECT_EQ(sink_.wait_for(12).size(), 12U);
    const auto calls = mock_->status_calls();
    ASSERT_EQ(calls.size(), 4U);
    for (const auto& call : calls) EXPECT_EQ(call.ids, 3U);  // full batches
    // One status call per 1 / (2 * 0.5) = 1 s at most, from the resume on.
    EXPECT_GE(calls[1].at - resumed_at, 1s);
    EXPECT_GE(calls[2].at - resumed_at, 2s);
    EXPECT_GE(calls[3].at - resumed_at, 3s);
    EXPECT_GT(p->stats().status_paced, 0U);
    EXPECT_TRUE(testing::eventually([&] { return p->stats().polling == 0; }));
}

TEST_F(KavenegarProviderTest, StopHandsBackQueuedMessagesUntried) {
    mock::KavenegarMockConfig mc;
    mc.latency = 300ms;
    start_mock(mc);
    auto c = config();
    c.concurrency = 1;
    c.max_batch = 1;
    auto p = make(c);
    std::vector<std::future<SendResult>> fs;
    for (std::uint8_t i = 0; i < 3; ++i) {
        auto pr = std::make_shared<std::promise<SendResult>>();
        fs.push_back(pr->get_future());
        p->send(testing::message(i), [pr](SendResult r) { pr->set_value(std::move(r)); });
    }
    ASSERT_TRUE(testing::eventually([&] { return mock_->stats().requests >= 1; }));
    std::promise<void> stopped;
    p->stop(5s, [&] { stopped.set_value(); });
    ASSERT_EQ(stopped.get_future().wait_for(testing::kWait), std::future_status::ready);
    std::size_t ok = 0, untried = 0;
    for (auto& f : fs) {
        ASSERT_EQ(f.wait_for(testing::kWait), std::future_status::ready);
        const auto r = f.get();
        if (r.ok())
            ++ok;
        else if (r.error->kind == SendErrorKind::not_sent)
            ++untried;
    }
    EXPECT_EQ(ok, 1U);  // the one in flight finished within the drain
    EXPECT_EQ(untried, 2U);
    EXPECT_FALSE(p->ready());
}

}  // namespace
}  // namespace bindery::router
