// SmppCarrierProvider over real TCP on 127.0.0.1: against the in-process SMSC simulator (ids,
// receipts, errors, throttling, MO) and against a recording SmppServer (the exact submit_sm PDUs
// for each concatenation mode, TON/NPI, validity, and that SmppTextPlanner agrees with them).
#include "router/providers/smpp_carrier_provider.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "router/providers/text_planner.hpp"
#include "smpp/codec/pdu.hpp"
#include "smpp/codec/tlv.hpp"
#include "smpp/net/smpp_server.hpp"
#include "tools/smsc-sim/simulator.hpp"

namespace bindery::router {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;

bool run_until(asio::io_context& io, const std::function<bool()>& done,
               milliseconds timeout = seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (io.stopped()) io.restart();
    while (!done()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        io.run_one_for(
            std::min<std::chrono::steady_clock::duration>(deadline - now, milliseconds(50)));
        if (io.stopped()) io.restart();
    }
    return true;
}

struct RecordingSink : ReceiptSink {
    std::mutex mu;
    std::vector<Receipt> receipts;
    bool hold = false;  // keep receipts unsettled (no deliver_sm_resp) until settle_all()
    void on_receipt(Receipt r) override {
        std::lock_guard lock(mu);
        receipts.push_back(std::move(r));
        if (!hold) settle(receipts.back());
    }
    static void settle(Receipt& r) {
        if (auto s = std::exchange(r.settled, {})) s(true);
    }
    void settle_all() {
        std::lock_guard lock(mu);
        for (auto& r : receipts) settle(r);
    }
    std::size_t size() {
        std::lock_guard lock(mu);
        return receipts.size();
    }
};

// What the recording server saw of one submit_sm.
struct Seen {
    std::uint8_t source_addr_ton = 0, source_addr_npi = 0, dest_addr_ton = 0, dest_addr_npi = 0;
    std::string source_addr, destination_addr, validity_period;
    std::uint8_t esm_class = 0, registered_delivery = 0, data_coding = 0, priority_flag = 0;
    std::vector<std::uint8_t> short_message;
    std::optional<std::uint16_t> sar_ref;
    std::optional<std::uint8_t> sar_total, sar_seq;
    std::optional<std::size_t> payload_size;
};

class RecordingSmsc : public smpp::SubmitHandler {
public:
    std::vector<Seen> seen;
    smpp::CommandStatus answer = smpp::CommandStatus::ESME_ROK;
    std::size_t fail_from = 0;  // 1-based submit count from which `answer` applies; 0 = always
    void on_submit(const smpp::SubmitOrigin&, const smpp::Pdu& request,
                   smpp::SubmitResponder respond) override {
        if (const auto* sm = request.get_if<smpp::SubmitSm>()) {
            Seen s;
            s.source_addr_ton = sm->source_addr_ton;
            s.source_addr_npi = sm->source_addr_npi;
            s.dest_addr_ton = sm->dest_addr_ton;
            s.dest_addr_npi = sm->dest_addr_npi;
            s.source_addr = std::string(sm->source_addr);
            s.destination_addr = std::string(sm->destination_addr);
            s.validity_period = std::string(sm->validity_period);
            s.esm_class = sm->esm_class;
            s.registered_delivery = sm->registered_delivery;
            s.data_coding = sm->data_coding;
            s.priority_flag = sm->priority_flag;
            s.short_message.assign(sm->short_message.begin(), sm->short_message.end());
            s.sar_ref = sm->tlvs.sar_msg_ref_num();
            s.sar_total = sm->tlvs.sar_total_segments();
            s.sar_seq = sm->tlvs.sar_segment_seqnum();
            if (auto p = sm->tlvs.message_payload()) s.payload_size = p->size();
            seen.push_back(std::move(s));
        }
        const auto id = "r" + std::to_string(seen.size());
        const auto status = seen.size() >= fail_from ? answer : smpp::CommandStatus::ESME_ROK;
        respond(status, status == smpp::CommandStatus::ESME_ROK ? id : std::string());
    }
};

OutboundMessage message(std::string text, std::optional<TextEncoding> enc = {}) {
    OutboundMessage m;
    m.sender = "Bindery";
    m.destination = "+989121234567";
    m.text = std::move(text);
    m.encoding = enc;
    m.expires_at = SystemClock::now() + std::chrono::hours(2);
    return m;
}

std::string repeat(std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

class SmppCarrierProviderTest : public ::testing::Test {
protected:
    // Against the simulator.
    void start_sim(sim::SimConfig sc = {}, SmppCarrierConfig pc = {}) {
        sc.host = "127.0.0.1";
        sc.port = 0;
        sc.dlr_delay = milliseconds(20);
        sim_ = std::make_shared<sim::SmscSimulator>(io_.get_executor(), std::move(sc));
        sim_->start();
        start_provider(sim_->port(), std::move(pc));
    }
    // Against the recording server.
    void start_recording(SmppCarrierConfig pc = {}) {
        smpp::SmppServerConfig sc;
        sc.listen.host = "127.0.0.1";
        sc.listen.port = 0;
        sc.accept_any = true;
        server_ = std::make_shared<smpp::SmppServer>(io_.get_executor(), std::move(sc), smsc_);
        server_->start();
        start_provider(server_->port(), std::move(pc));
    }
    void start_provider(std::uint16_t port, SmppCarrierConfig pc) {
        pc.name = "carrier-a";
        pc.pool.host = "127.0.0.1";
        pc.pool.port = port;
        pc.pool.system_id = "prov";
        pc.pool.password = "pw";
        pc.pool.backoff.initial = milliseconds(10);
        pc.refresh_interval = milliseconds(20);
        provider_ = std::make_unique<SmppCarrierProvider>(
            std::move(pc), io_.get_executor(), sink_,
            [this](MoMessage mo, std::function<void(bool)> ok) {
                mo_.push_back(std::move(mo));
                ok(true);
            });
        provider_->start();
    }
    void TearDown() override {
        if (provider_) {
            bool stopped = false;
            provider_->stop(milliseconds(200), [&] { stopped = true; });
            run_until(
                io_, [&] { return stopped; }, seconds(3));
            provider_.reset();
        }
        if (sim_) sim_->stop();
        if (server_) server_->stop();
        run_until(
            io_,
            [&] {
                return (!sim_ || sim_->server().connections() == 0) &&
                       (!server_ || server_->connections() == 0);
            },
            seconds(3));
        io_.poll();
    }
    void wait_ready() {
        ASSERT_TRUE(run_until(io_, [&] { return provider_->ready(); }));
    }
    SendResult send(OutboundMessage m) {
        std::optional<SendResult> out;
        int calls = 0;
        provider_->send(std::move(m), [&](SendResult r) {
            ++calls;
            out = std::move(r);
        });
        EXPECT_TRUE(run_until(io_, [&] { return out.has_value(); }));
        io_.poll();
        EXPECT_EQ(calls, 1);
        return out.value_or(SendResult{});
    }
    // "Bindery" then "+989120000001" to the recording server: smsc_.seen holds the two submits.
    void send_from_alphanumeric_and_numeric_senders() {
        wait_ready();
        auto numeric = message("hi");
        numeric.sender = "+989120000001";
        ASSERT_TRUE(send(message("hi")).ok());
        ASSERT_TRUE(send(std::move(numeric)).ok());
        ASSERT_EQ(smsc_.seen.size(), 2U);
    }
    std::set<std::string> receipt_ids() {
        std::lock_guard lock(sink_.mu);
        std::set<std::string> ids;
        for (const auto& r : sink_.receipts) ids.insert(r.provider_id);
        return ids;
    }

    asio::io_context io_;
    std::shared_ptr<sim::SmscSimulator> sim_;
    RecordingSmsc smsc_;
    std::shared_ptr<smpp::SmppServer> server_;
    RecordingSink sink_;
    std::vector<MoMessage> mo_;
    std::unique_ptr<SmppCarrierProvider> provider_;
};

TEST_F(SmppCarrierProviderTest, NotReadyBeforeBindReadyAfter) {
    start_sim();
    EXPECT_FALSE(provider_->ready());
    EXPECT_FALSE(provider_->health().connected);
    EXPECT_EQ(provider_->name(), "carrier-a");
    EXPECT_EQ(provider_->kind(), "smpp");
    wait_ready();
    const auto h = provider_->health();
    EXPECT_TRUE(h.connected);
    EXPECT_EQ(h.inflight, 0U);
    EXPECT_EQ(h.capacity, 10U);  // default window, nothing in flight
}

TEST_F(SmppCarrierProviderTest, SendBeforeBindIsNotSent) {
    start_sim();
    // The bind is not up yet: handed back untried.
    const auto r = send(message("early"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::not_sent);
}

TEST_F(SmppCarrierProviderTest, SingleSegmentGetsOneIdAndDeliveredReceipt) {
    start_sim();
    wait_ready();
    const auto r = send(message("hello from bindery"));
    ASSERT_TRUE(r.ok()) << r.error->text;
    ASSERT_EQ(r.segment_ids.size(), 1U);
    ASSERT_TRUE(run_until(io_, [&] { return sink_.size() == 1; }));
    const auto& rc = sink_.receipts.front();
    EXPECT_EQ(rc.provider, "carrier-a");
    EXPECT_EQ(rc.provider_id, r.segment_ids.front());
    EXPECT_EQ(rc.status, ReceiptStatus::delivered);
    EXPECT_TRUE(rc.done_at.has_value());
    EXPECT_EQ(provider_->stats().receipts, 1U);
}

TEST_F(SmppCarrierProviderTest, ThreeSegmentGsmMessageGetsThreeIdsAndThreeReceipts) {
    start_sim();
    wait_ready();
    const auto r = send(message(repeat("0123456789", 40)));  // 400 GSM septets: 153+153+94
    ASSERT_TRUE(r.ok()) << r.error->text;
    ASSERT_EQ(r.segment_ids.size(), 3U);
    EXPECT_EQ(sim_->counters().submits, 3U);
    ASSERT_TRUE(run_until(io_, [&] { return sink_.size() == 3; }));
    EXPECT_EQ(receipt_ids(), std::set<std::string>(r.segment_ids.begin(), r.segment_ids.end()));
}

TEST_F(SmppCarrierProviderTest, Ucs2EmojiMessageGetsTwoIdsAndTwoReceipts) {
    start_sim();
    wait_ready();
    const auto r = send(message(repeat("\xF0\x9F\x98\x80", 40)));  // 80 UTF-16 units: 66 + 14
    ASSERT_TRUE(r.ok()) << r.error->text;
    ASSERT_EQ(r.segment_ids.size(), 2U);
    ASSERT_TRUE(run_until(io_, [&] { return sink_.size() == 2; }));
    EXPECT_EQ(receipt_ids(), std::set<std::string>(r.segment_ids.begin(), r.segment_ids.end()));
}

TEST_F(SmppCarrierProviderTest, UndeliveredReceiptCarriesStatusAndError) {
    sim::SimConfig sc;
    sc.dlr_mix = {{"UNDELIV", 1}};
    start_sim(sc);
    wait_ready();
    const auto r = send(message("x"));
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(run_until(io_, [&] { return sink_.size() == 1; }));
    EXPECT_EQ(sink_.receipts.front().status, ReceiptStatus::undeliverable);
    EXPECT_EQ(sink_.receipts.front().error, "001");
}

TEST_F(SmppCarrierProviderTest, NoReceiptRequestedWhenMessageDoesNotWantOne) {
    start_recording();
    wait_ready();
    auto m = message("quiet");
    m.want_receipt = false;
    ASSERT_TRUE(send(m).ok());
    ASSERT_EQ(smsc_.seen.size(), 1U);
    EXPECT_EQ(smsc_.seen[0].registered_delivery, 0);
}

TEST_F(SmppCarrierProviderTest, ErrorStatusMapsToStatusWithCode) {
    sim::SimConfig sc;
    sc.error_rate = 1.0;
    sc.error_status = smpp::CommandStatus::ESME_RSUBMITFAIL;
    start_sim(sc);
    wait_ready();
    const auto r = send(message("fails"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::status);
    EXPECT_EQ(r.error->code, 0x45);
    EXPECT_EQ(r.error->text, "ESME_RSUBMITFAIL");
}

TEST_F(SmppCarrierProviderTest, PartialMultiSegmentFailureIsReportedWithAcceptedIds) {
    start_recording();
    wait_ready();
    // The first segment is accepted, the second refused by the carrier.
    smsc_.answer = smpp::CommandStatus::ESME_RSYSERR;
    smsc_.fail_from = 2;
    const auto r = send(message(repeat("a", 300)));
    ASSERT_EQ(smsc_.seen.size(), 2U);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::status);
    EXPECT_EQ(r.error->code, 0x08);
    EXPECT_NE(r.error->text.find("1 of 2 segments accepted (may be delivered): r1"),
              std::string::npos)
        << r.error->text;
    EXPECT_EQ(provider_->stats().partial_failures, 1U);
}

TEST_F(SmppCarrierProviderTest, MessageLargerThanBindRoomIsNotSentRatherThanCutShort) {
    SmppCarrierConfig pc;
    pc.pool.window = 1;  // room: 1 window slot + 16 queue places
    start_recording(pc);
    wait_ready();
    const auto big = send(message(std::string(153 * 17 + 1, 'a')));  // 18 segments
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.error->kind, SendErrorKind::not_sent);
    EXPECT_TRUE(smsc_.seen.empty());
    const auto fits = send(message(std::string(153 * 16 + 1, 'a')));  // 17 segments
    ASSERT_TRUE(fits.ok()) << fits.error->text;
    EXPECT_EQ(fits.segment_ids.size(), 17U);
    EXPECT_EQ(provider_->stats().partial_failures, 0U);
}

TEST_F(SmppCarrierProviderTest, CarrierThrottlingIsAbsorbedByTheBindAndCounted) {
    sim::SimConfig sc;
    sc.throttle_tps = 20;
    sc.throttle_burst = 1;
    start_sim(sc);
    wait_ready();
    int ok = 0, done = 0;
    for (int i = 0; i < 10; ++i)
        provider_->send(message("burst " + std::to_string(i)), [&](SendResult r) {
            ++done;
            ok += r.ok() ? 1 : 0;
        });
    ASSERT_TRUE(run_until(
        io_, [&] { return done == 10; }, seconds(20)));
    EXPECT_EQ(ok, 10);
    EXPECT_GT(sim_->counters().throttled, 0U);
}

TEST_F(SmppCarrierProviderTest, UnencodableForcedEncodingIsRejectedLocally) {
    start_sim();
    wait_ready();
    const auto r =
        send(message("\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85", TextEncoding::gsm7));  // Persian
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error->kind, SendErrorKind::rejected_local);
    EXPECT_EQ(sim_->counters().submits, 0U);
}

TEST_F(SmppCarrierProviderTest, Udh8SegmentsCarryConcatenationHeaderAndAddressRules) {
    start_recording();
    wait_ready();
    const auto r = send(message(repeat("0123456789", 40)));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.segment_ids, (std::vector<std::string>{"r1", "r2", "r3"}));
    ASSERT_EQ(smsc_.seen.size(), 3U);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& s = smsc_.seen[i];
        EXPECT_EQ(s.esm_class & 0x40, 0x40);
        ASSERT_GE(s.short_message.size(), 6U);
        EXPECT_EQ(s.short_message[0], 0x05);
        EXPECT_EQ(s.short_message[1], 0x00);
        EXPECT_EQ(s.short_message[4], 3);
        EXPECT_EQ(s.short_message[5], i + 1);
        EXPECT_EQ(s.short_message[3], smsc_.seen[0].short_message[3]);  // one reference
        EXPECT_EQ(s.dest_addr_ton, 1);
        EXPECT_EQ(s.dest_addr_npi, 1);
        EXPECT_EQ(s.destination_addr, "989121234567");
        EXPECT_EQ(s.source_addr_ton, 5);
        EXPECT_EQ(s.source_addr_npi, 0);
        EXPECT_EQ(s.registered_delivery, 1);
        ASSERT_EQ(s.validity_period.size(), 16U);
        EXPECT_EQ(s.validity_period.back(), 'R');
        EXPECT_EQ(s.validity_period.substr(0, 6), "000000");  // under a day left
    }
    EXPECT_EQ(smsc_.seen[2].short_message.size(), 6U + 94U);
    // The next message uses another reference.
    ASSERT_TRUE(send(message(repeat("x", 200))).ok());
    EXPECT_NE(smsc_.seen[3].short_message[3], smsc_.seen[0].short_message[3]);
}

// Config source_addr_ton / source_addr_npi: absent, each sender is classified (alphanumeric 5/0,
// a number 1/1 without its "+"); set, every sender on the carrier goes with them.
TEST_F(SmppCarrierProviderTest, SourceTonNpiAreClassifiedBySenderUnlessTheCarrierFixesThem) {
    start_recording();
    ASSERT_NO_FATAL_FAILURE(send_from_alphanumeric_and_numeric_senders());
    EXPECT_EQ(smsc_.seen[0].source_addr, "Bindery");
    EXPECT_EQ(smsc_.seen[0].source_addr_ton, 5);
    EXPECT_EQ(smsc_.seen[0].source_addr_npi, 0);
    EXPECT_EQ(smsc_.seen[1].source_addr, "989120000001");
    EXPECT_EQ(smsc_.seen[1].source_addr_ton, 1);
    EXPECT_EQ(smsc_.seen[1].source_addr_npi, 1);
}

TEST_F(SmppCarrierProviderTest, FixedSourceTonNpiGoWithEverySender) {
    SmppCarrierConfig pc;
    pc.addresses.force_source_ton = 0;
    pc.addresses.force_source_npi = 9;
    start_recording(pc);
    ASSERT_NO_FATAL_FAILURE(send_from_alphanumeric_and_numeric_senders());
    EXPECT_EQ(smsc_.seen[0].source_addr, "Bindery");
    EXPECT_EQ(smsc_.seen[1].source_addr, "989120000001");
    for (const auto& s : smsc_.seen) {
        EXPECT_EQ(s.source_addr_ton, 0);
        EXPECT_EQ(s.source_addr_npi, 9);
        EXPECT_EQ(s.dest_addr_ton, 1);  // destinations keep theirs
        EXPECT_EQ(s.dest_addr_npi, 1);
    }
}

TEST_F(SmppCarrierProviderTest, SarModeSendsSarTlvsWithoutUdh) {
    SmppCarrierConfig pc;
    pc.text.concatenation = smpp::Concatenation::sar;
    start_recording(pc);
    wait_ready();
    const auto r = send(message(repeat("0123456789", 40)));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.segment_ids.size(), 3U);
    ASSERT_EQ(smsc_.seen.size(), 3U);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& s = smsc_.seen[i];
        EXPECT_EQ(s.esm_class & 0x40, 0);
        ASSERT_TRUE(s.sar_ref && s.sar_total && s.sar_seq);
        EXPECT_EQ(*s.sar_ref, *smsc_.seen[0].sar_ref);
        EXPECT_EQ(*s.sar_total, 3);
        EXPECT_EQ(*s.sar_seq, i + 1);
        EXPECT_FALSE(s.payload_size);
    }
    EXPECT_EQ(smsc_.seen[0].short_message.size(), 153U);
}

TEST_F(SmppCarrierProviderTest, PayloadModeSendsOneMessagePayload) {
    SmppCarrierConfig pc;
    pc.text.concatenation = smpp::Concatenation::payload;
    start_recording(pc);
    wait_ready();
    const auto r = send(message(repeat("0123456789", 40)));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.segment_ids.size(), 1U);
    ASSERT_EQ(smsc_.seen.size(), 1U);
    EXPECT_TRUE(smsc_.seen[0].short_message.empty());
    ASSERT_TRUE(smsc_.seen[0].payload_size);
    EXPECT_EQ(*smsc_.seen[0].payload_size, 400U);
    EXPECT_EQ(smsc_.seen[0].data_coding, 0);
}

TEST_F(SmppCarrierProviderTest, AbsoluteValidityAndExpressPriority) {
    SmppCarrierConfig pc;
    pc.validity = ValidityFormat::absolute;
    start_recording(pc);
    wait_ready();
    auto m = message("urgent");
    m.priority = Priority::express;
    ASSERT_TRUE(send(m).ok());
    ASSERT_EQ(smsc_.seen.size(), 1U);
    EXPECT_EQ(smsc_.seen[0].validity_period,
              validity_period(m.expires_at, SystemClock::now(), ValidityFormat::absolute));
    EXPECT_EQ(smsc_.seen[0].priority_flag, 1);
}

TEST_F(SmppCarrierProviderTest, TextPlannerFiguresEqualWhatIsSubmitted) {
    start_recording();
    wait_ready();
    const SmppTextPlanner planner{SmppCarrierConfig{}.text};
    struct Case {
        std::string text;
        std::optional<TextEncoding> forced;
    };
    const std::vector<Case> cases = {
        {"short", {}},
        {repeat("0123456789", 40), {}},
        {repeat("\xF0\x9F\x98\x80", 40), {}},
        {repeat("{}", 80), {}},  // escapes: 320 septets
        {"plain but forced", TextEncoding::ucs2},
        {repeat("\xD8\xB3", 71), {}},
    };
    for (const auto& c : cases) {
        const auto plan = planner(c.text, c.forced);
        ASSERT_TRUE(plan);
        const auto before = smsc_.seen.size();
        const auto r = send(message(c.text, c.forced));
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(plan->segments, smsc_.seen.size() - before) << c.text;
        EXPECT_EQ(plan->segments, r.segment_ids.size());
        EXPECT_EQ(smsc_.seen.back().data_coding, plan->encoding == TextEncoding::ucs2 ? 8 : 0)
            << c.text;
    }
    EXPECT_FALSE(planner("\xD8\xB3", TextEncoding::gsm7));
}

// 100 x '{' is 200 septets (two SMS) in GSM 7-bit but 100 octets in Latin-1 or IA5. A carrier
// that takes Latin-1 gets one data_coding 3 segment; one whose data_coding 0 is IA5 gets one
// data_coding 0 segment, and the planner names the alphabet ia5 (it used to say gsm7).
TEST_F(SmppCarrierProviderTest, HundredBracesGoAsOneOctetSegmentWhereTheCarrierTakesLatin1OrIa5) {
    smpp::EncodeOptions latin1;
    latin1.allow_latin1 = true;
    smpp::EncodeOptions ia5_default;
    ia5_default.smsc_default = smpp::SmscDefaultAlphabet::ia5;
    const std::string braces(100, '{');
    for (const auto& [text, encoding, data_coding] :
         {std::tuple{latin1, TextEncoding::latin1, 3},
          std::tuple{ia5_default, TextEncoding::ia5, 0}}) {
        SCOPED_TRACE(std::string(to_string(encoding)));
        const auto plan = SmppTextPlanner{text}(braces, std::nullopt);
        ASSERT_TRUE(plan);
        EXPECT_EQ(plan->encoding, encoding);
        EXPECT_EQ(plan->segments, 1U);
        SmppCarrierConfig pc;
        pc.text = text;
        if (provider_) {  // the next carrier setting: a new provider against the same server
            bool stopped = false;
            provider_->stop(milliseconds(200), [&] { stopped = true; });
            ASSERT_TRUE(run_until(
                io_, [&] { return stopped; }, seconds(3)));
            provider_.reset();
            smsc_.seen.clear();
            start_provider(server_->port(), pc);
        } else {
            start_recording(pc);
        }
        wait_ready();
        const auto r = send(message(braces));
        ASSERT_TRUE(r.ok()) << r.error->text;
        EXPECT_EQ(r.segment_ids.size(), 1U);
        ASSERT_EQ(smsc_.seen.size(), 1U);
        EXPECT_EQ(smsc_.seen[0].data_coding, data_coding);
        EXPECT_EQ(smsc_.seen[0].short_message, std::vector<std::uint8_t>(100, '{'));
        EXPECT_EQ(smsc_.seen[0].esm_class & 0x40, 0);
    }
}

TEST_F(SmppCarrierProviderTest, MoIsDecodedAndReassembled) {
    start_sim();
    wait_ready();
    smpp::ShortMessageData single;
    single.source_addr = "989120000001";
    single.destination_addr = "3000";
    single.data_coding = 8;
    single.short_message = {0x06, 0x33, 0x06, 0x44};  // "سل" in UCS-2
    bool delivered = false;
    sim_->server().deliver("prov", single,
                           [&](const smpp::DeliverReport& rep) { delivered = rep.delivered; });
    ASSERT_TRUE(run_until(io_, [&] { return delivered; }));
    ASSERT_EQ(mo_.size(), 1U);
    EXPECT_EQ(mo_[0].text, "\xD8\xB3\xD9\x84");
    EXPECT_EQ(mo_[0].source, "989120000001");
    EXPECT_EQ(mo_[0].provider, "carrier-a");

    int answered = 0;
    for (const int s : {2, 1}) {  // out of order
        const auto seq = static_cast<std::uint8_t>(s);
        smpp::ShortMessageData part;
        part.source_addr = "989120000001";
        part.destination_addr = "3000";
        part.esm_class = 0x40;
        part.short_message = {0x05, 0x00, 0x03, 0x2A, 0x02, seq};
        const std::string body = seq == 1 ? "Hello " : "world";
        part.short_message.insert(part.short_message.end(), body.begin(), body.end());
        sim_->server().deliver("prov", part,
                               [&](const smpp::DeliverReport& rep) { answered += rep.delivered; });
    }
    ASSERT_TRUE(run_until(io_, [&] { return answered == 2; }));
    ASSERT_EQ(mo_.size(), 2U);
    EXPECT_EQ(mo_[1].text, "Hello world");
    EXPECT_EQ(mo_[1].parts, 2);
    EXPECT_FALSE(mo_[1].incomplete);
}

// A sender's 8-bit UDH, 16-bit UDH and SAR references are separate counters: parts with the same
// reference number but another kind, or another part count, belong to another message.
TEST_F(SmppCarrierProviderTest, MoPartsWithTheSameReferenceButAnotherKindOrTotalReassembleApart) {
    start_sim();
    wait_ready();
    auto part = [](std::vector<std::uint8_t> header, std::string body,
                   std::vector<std::uint8_t> tlvs = {}) {
        smpp::ShortMessageData p;
        p.source_addr = "989120000001";
        p.destination_addr = "3000";
        p.esm_class = header.empty() ? 0x00 : 0x40;
        p.short_message = std::move(header);
        p.short_message.insert(p.short_message.end(), body.begin(), body.end());
        p.tlvs = std::move(tlvs);
        return p;
    };
    auto udh8 = [](std::uint8_t ref, std::uint8_t total, std::uint8_t seq) {
        return std::vector<std::uint8_t>{0x05, 0x00, 0x03, ref, total, seq};
    };
    auto udh16 = [](std::uint16_t ref, std::uint8_t total, std::uint8_t seq) {
        return std::vector<std::uint8_t>{
            0x06,  0x08, 0x04, static_cast<std::uint8_t>(ref >> 8), static_cast<std::uint8_t>(ref),
            total, seq};
    };
    auto sar = [](std::uint16_t ref, std::uint8_t total, std::uint8_t seq) {
        smpp::TlvBuilder b;
        b.u16(smpp::tlv_tag::sar_msg_ref_num, ref);
        b.u8(smpp::tlv_tag::sar_total_segments, total);
        b.u8(smpp::tlv_tag::sar_segment_seqnum, seq);
        return b.bytes();
    };
    // Interleaved, all with reference 7: 8-bit UDH (2 parts), 16-bit UDH (2 parts), SAR (3 parts),
    // and 8-bit UDH again with reference 9 as a 3-part and a 2-part message.
    const std::vector<smpp::ShortMessageData> parts = {
        part(udh8(7, 2, 1), "eight "),  part(udh16(7, 2, 1), "sixteen "),
        part({}, "sar ", sar(7, 3, 1)), part(udh8(9, 3, 1), "three "),
        part(udh8(9, 2, 1), "two "),    part(udh8(7, 2, 2), "bit"),
        part({}, "in ", sar(7, 3, 2)),  part(udh16(7, 2, 2), "bit"),
        part(udh8(9, 3, 2), "part"),    part(udh8(9, 2, 2), "parts"),
        part({}, "tlvs", sar(7, 3, 3)), part(udh8(9, 3, 3), "s"),
    };
    int answered = 0;
    for (const auto& p : parts) {
        sim_->server().deliver("prov", p,
                               [&](const smpp::DeliverReport& rep) { answered += rep.delivered; });
    }
    ASSERT_TRUE(run_until(io_, [&] { return answered == static_cast<int>(parts.size()); }));
    std::multiset<std::string> texts;
    for (const auto& mo : mo_) {
        EXPECT_FALSE(mo.incomplete) << mo.text;
        texts.insert(mo.text);
    }
    EXPECT_EQ(texts, (std::multiset<std::string>{"eight bit", "sixteen bit", "sar in tlvs",
                                                 "three parts", "two parts"}));
}

TEST_F(SmppCarrierProviderTest, UnparsableReceiptIsAnsweredOkAndCounted) {
    start_sim();
    wait_ready();
    smpp::ShortMessageData d;
    d.esm_class = 0x04;
    const std::string junk = "this is not a receipt";
    d.short_message.assign(junk.begin(), junk.end());
    std::optional<smpp::DeliverReport> rep;
    sim_->server().deliver("prov", d, [&](const smpp::DeliverReport& r) { rep = r; });
    ASSERT_TRUE(run_until(io_, [&] { return rep.has_value(); }));
    EXPECT_TRUE(rep->delivered);
    EXPECT_EQ(rep->status, smpp::CommandStatus::ESME_ROK);
    EXPECT_EQ(sink_.size(), 0U);
    EXPECT_EQ(provider_->stats().receipts_unparsed, 1U);
}

TEST_F(SmppCarrierProviderTest, ReceiptIsAnsweredOnlyOnceTheSinkSettlesIt) {
    start_sim();
    wait_ready();
    sink_.hold = true;
    smpp::ShortMessageData d;
    d.esm_class = 0x04;
    const std::string text =
        "id:1a2b sub:001 dlvrd:001 submit date:2601011200 done date:2601011201 stat:DELIVRD "
        "err:000 "
        "text:hi";
    d.short_message.assign(text.begin(), text.end());
    std::optional<smpp::DeliverReport> rep;
    sim_->server().deliver("prov", d, [&](const smpp::DeliverReport& r) { rep = r; });
    ASSERT_TRUE(run_until(io_, [&] { return sink_.size() == 1; }));
    // The receipt reached the sink but is not durable there yet: no deliver_sm_resp.
    for (int i = 0; i < 20; ++i) io_.run_one_for(milliseconds(10));
    EXPECT_FALSE(rep.has_value());
    {
        std::lock_guard lock(sink_.mu);
        ASSERT_TRUE(static_cast<bool>(sink_.receipts.front().settled));
        EXPECT_EQ(sink_.receipts.front().provider_id, "1a2b");
    }
    sink_.settle_all();
    ASSERT_TRUE(run_until(io_, [&] { return rep.has_value(); }));
    EXPECT_TRUE(rep->delivered);
    EXPECT_EQ(rep->status, smpp::CommandStatus::ESME_ROK);
}

TEST(SendErrorOf, MapsEveryOutcome) {
    smpp::SubmitReport r;
    r.sent = true;
    r.status = smpp::CommandStatus::ESME_RTHROTTLED;
    EXPECT_EQ(send_error_of(r)->kind, SendErrorKind::throttled);
    EXPECT_EQ(send_error_of(r)->code, 0x58);
    r.status = smpp::CommandStatus::ESME_RMSGQFUL;
    EXPECT_EQ(send_error_of(r)->kind, SendErrorKind::throttled);
    r.status = smpp::CommandStatus::ESME_RINVDSTADR;
    EXPECT_EQ(send_error_of(r)->kind, SendErrorKind::status);
    EXPECT_EQ(send_error_of(r)->code, 0x0B);
    r.outcome = smpp::SubmitOutcome::timeout;
    EXPECT_EQ(send_error_of(r)->kind, SendErrorKind::timeout);
    r.outcome = smpp::SubmitOutcome::connection_lost;
    EXPECT_EQ(send_error_of(r)->kind, SendErrorKind::connection);
    r.sent = false;
    r.refusal = smpp::Refusal::not_bound;
    EXPECT_EQ(send_error_of(r)->kind, SendErrorKind::not_sent);
    r.refusal = smpp::Refusal::invalid;
    EXPECT_EQ(send_error_of(r)->kind, SendErrorKind::rejected_local);
    r.refusal = smpp::Refusal::throttled;
    EXPECT_EQ(send_error_of(r)->kind, SendErrorKind::throttled);
    r.sent = true;
    r.outcome = smpp::SubmitOutcome::response;
    r.status = smpp::CommandStatus::ESME_ROK;
    EXPECT_FALSE(send_error_of(r));
}

}  // namespace
}  // namespace bindery::router
