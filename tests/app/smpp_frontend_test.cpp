// SmppFrontend: the SMPP server side wired to router::GatewayApi. A Bindery ClientBind (ESME role)
// binds over 127.0.0.1 to the frontend's listener. With a recording GatewayApi: PDU -> request
// conversion, id in submit_sm_resp, SubmitErrc -> command_status, receipts as deliver_sm (also
// after waiting for a bind). End to end: Router + InMemoryStore + SmppCarrierProvider + the SMSC
// simulator as the carrier: the submit reaches the simulator and its receipt comes back to the
// ESME as deliver_sm carrying the router's message id.
#include "app/smpp_frontend.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "router/core/message_store.hpp"
#include "router/core/router.hpp"
#include "router/providers/smpp_carrier_provider.hpp"
#include "router/providers/text_planner.hpp"
#include "router/store/sqlite_parts.hpp"
#include "smpp/codec/decode.hpp"
#include "smpp/codec/encode.hpp"
#include "smpp/codec/text/charset.hpp"
#include "smpp/net/client_bind.hpp"
#include "smpp/net/password.hpp"
#include "tests/router/store/store_test_util.hpp"
#include "tools/smsc-sim/simulator.hpp"

namespace bindery::app {
namespace {

namespace asio = boost::asio;
using smpp::CommandStatus;
using std::chrono::milliseconds;

// Runs the io_context (and `also`) until `done` or the limit: every wait is for an event.
template <class Pred, class Also>
bool run_until(asio::io_context& io, Pred done, Also also,
               std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        io.run_one_for(milliseconds(5));
        if (io.stopped()) io.restart();
        also();
    }
    return true;
}
template <class Pred>
bool run_until(asio::io_context& io, Pred done) {
    return run_until(io, done, [] {});
}

class RecordingApi final : public router::GatewayApi {
public:
    std::vector<router::SubmitOutcome> submit(
        std::span<const router::SubmitRequest> batch) override {
        const std::lock_guard lock(mutex);
        std::vector<router::SubmitOutcome> out;
        bool short_answer = false;
        for (const auto& r : batch) {
            // "999": the gateway throws; "333": it answers one outcome short (both bugs there).
            if (r.destination == "+999") throw std::runtime_error("gateway bug");
            short_answer = short_answer || r.destination == "+333";
            requests.push_back(r);
            if (r.destination == "111" || r.destination == "+111") {
                out.emplace_back(Unexpected(
                    router::SubmitError{router::SubmitErrc::invalid_destination, "bad", {}}));
            } else if (r.destination == "222" || r.destination == "+222") {
                out.emplace_back(
                    Unexpected(router::SubmitError{router::SubmitErrc::backlog_full, "full", {}}));
            } else {
                router::MessageId::Bytes b{};
                b[15] = static_cast<std::uint8_t>(requests.size());
                b[6] = 0x70;
                out.emplace_back(
                    router::SubmitAccepted{router::MessageId(b), "+" + r.destination, {}, 1});
            }
        }
        if (short_answer) out.pop_back();
        return out;
    }
    Expected<router::MessageStatus, router::QueryError> status(
        const router::MessageId&, std::optional<std::string_view>) override {
        return Unexpected(router::QueryError{router::QueryErrc::not_found, {}});
    }
    Expected<router::MessagePage, router::QueryError> list(const router::MessageQuery&) override {
        return router::MessagePage{};
    }
    router::Backpressure backpressure() const override { return {}; }

    std::mutex mutex;
    std::vector<router::SubmitRequest> requests;
};

struct Received {
    std::uint8_t esm_class = 0;
    std::string text;
    std::string receipted_message_id;
    std::optional<std::uint8_t> message_state;
    std::string source_addr, destination_addr;
};

class Esme final : public smpp::ClientBindObserver {
public:
    std::vector<Received> received;
    void on_deliver(smpp::ClientBind&, const smpp::Pdu& request, smpp::IncomingDone done) override {
        if (const auto* d = request.get_if<smpp::DeliverSm>()) {
            Received r;
            r.esm_class = d->esm_class;
            r.text = std::string(d->short_message.as_chars());
            r.receipted_message_id = std::string(d->tlvs.receipted_message_id().value_or(""));
            r.message_state = d->tlvs.message_state();
            r.source_addr = std::string(d->source_addr);
            r.destination_addr = std::string(d->destination_addr);
            received.push_back(std::move(r));
        }
        done(CommandStatus::ESME_ROK);
    }
};

// A bare ESME on a TCP socket of the test's io_context: ClientBind sends submit_sm only, and the
// submit_multi_resp's unsuccess_sme list is what these tests look at.
class RawEsme {
public:
    explicit RawEsme(asio::io_context& io) : io_(io), socket_(io) {}

    bool connect(std::uint16_t port) {
        bool done = false;
        boost::system::error_code result;
        socket_.async_connect({asio::ip::make_address("127.0.0.1"), port},
                              [&](const boost::system::error_code& ec) {
                                  result = ec;
                                  done = true;
                              });
        return run_until(io_, [&] { return done; }) && !result;
    }
    bool send(const smpp::Pdu& pdu) {
        std::vector<std::uint8_t> out;
        if (smpp::encode(pdu, out)) return false;
        bool done = false;
        boost::system::error_code result;
        asio::async_write(socket_, asio::buffer(out),
                          [&](const boost::system::error_code& ec, std::size_t) {
                              result = ec;
                              done = true;
                          });
        return run_until(io_, [&] { return done; }) && !result;
    }
    // The next PDU with `id` (others, e.g. enquire_link, are skipped); its views borrow frame_.
    std::optional<smpp::Pdu> receive(smpp::CommandId id) {
        for (int skipped = 0; skipped < 16; ++skipped) {
            if (!read_frame()) return std::nullopt;
            auto pdu = smpp::decode(frame_);
            if (!pdu) return std::nullopt;
            if (pdu->header.command_id == id) return *pdu;
        }
        return std::nullopt;
    }

private:
    bool read_frame() {
        frame_.assign(4, 0);
        if (!read_into(0, 4)) return false;
        const std::uint32_t length = (std::uint32_t{frame_[0]} << 24) |
                                     (std::uint32_t{frame_[1]} << 16) |
                                     (std::uint32_t{frame_[2]} << 8) | std::uint32_t{frame_[3]};
        if (length < 16 || length > 64 * 1024) return false;
        frame_.resize(length);
        return read_into(4, length - 4);
    }
    bool read_into(std::size_t offset, std::size_t n) {
        bool done = false;
        boost::system::error_code result;
        asio::async_read(socket_, asio::buffer(frame_.data() + offset, n),
                         [&](const boost::system::error_code& ec, std::size_t) {
                             result = ec;
                             done = true;
                         });
        return run_until(io_, [&] { return done; }) && !result;
    }

    asio::io_context& io_;
    asio::ip::tcp::socket socket_;
    std::vector<std::uint8_t> frame_;
};

smpp::Pdu bind_transceiver_pdu(std::uint32_t sequence) {
    smpp::BindTransceiver b;
    b.system_id = "acme";
    b.password = "secret";
    return smpp::Pdu{
        smpp::Header{0, smpp::CommandId::bind_transceiver, CommandStatus::ESME_ROK, sequence}, b};
}

SmppFrontendConfig frontend_config() {
    SmppFrontendConfig c;
    c.server.listen.host = "127.0.0.1";
    c.server.listen.port = 0;
    c.server.deliver_retry = milliseconds(50);
    smpp::ServerAccount a;
    a.system_id = "acme";
    a.password_hash = smpp::hash_password("secret");
    a.window = 50;
    c.server.accounts.push_back(a);
    c.server.session.incoming_window = 51;
    c.accounts.emplace("acme", SmppFrontendAccount{"acme-client", {}});
    return c;
}

smpp::ClientBindConfig esme_config(std::uint16_t port, std::string password = "secret") {
    smpp::ClientBindConfig c;
    c.name = "esme";
    c.port = port;
    c.system_id = "acme";
    c.password = std::move(password);
    c.session.window = 10;
    c.backoff.initial = milliseconds(10);
    c.backoff.max = milliseconds(50);
    c.backoff.bind_failure_initial = milliseconds(100);
    c.backoff.bind_failure_max = milliseconds(200);
    c.backoff_seed = 7;
    return c;
}

smpp::ShortMessageData sms(std::string destination, std::string text,
                           std::uint8_t registered_delivery = 1) {
    smpp::ShortMessageData m;
    m.source_addr_ton = 5;
    m.source_addr = "Bindery";
    m.dest_addr_ton = 1;
    m.dest_addr_npi = 1;
    m.destination_addr = std::move(destination);
    m.registered_delivery = registered_delivery;
    m.short_message.assign(text.begin(), text.end());
    return m;
}

void stop_bind(asio::io_context& io, const std::shared_ptr<smpp::ClientBind>& bind) {
    bool done = false;
    bind->stop(milliseconds(200), [&] { done = true; });
    run_until(io, [&] { return done; });
}

class SmppFrontendTest : public ::testing::Test {
protected:
    void TearDown() override {
        for (auto& b : binds_) stop_bind(io_, b);
        if (frontend_) frontend_->stop();
        io_.poll();
    }
    std::shared_ptr<smpp::ClientBind> bind(smpp::ClientBindConfig c) {
        auto b = std::make_shared<smpp::ClientBind>(io_.get_executor(), std::move(c), &esme_);
        b->start();
        binds_.push_back(b);
        return b;
    }
    // A part store in the fixture's temporary directory (concatenated submits are held there).
    router::SqlitePartStore* part_store() {
        router::SqliteStoreConfig config;
        config.path = parts_dir_.file("parts.db");
        auto opened = router::SqlitePartStore::open(config);
        EXPECT_TRUE(opened.has_value()) << opened.error().detail;
        if (!opened) return nullptr;
        parts_ = std::move(*opened);
        return parts_.get();
    }
    // Connects `esme` to the started frontend and binds it as a transceiver; true once bound.
    bool bind_raw(RawEsme& esme) {
        if (!esme.connect(frontend_->port()) || !esme.send(bind_transceiver_pdu(1))) return false;
        const auto bound = esme.receive(smpp::CommandId::bind_transceiver_resp);
        return bound && bound->header.command_status == CommandStatus::ESME_ROK;
    }
    std::optional<smpp::SubmitReport> submit(smpp::ClientBind& b, smpp::ShortMessageData m) {
        std::optional<smpp::SubmitReport> report;
        b.submit(std::move(m), [&](const smpp::SubmitReport& r) { report = r; });
        run_until(io_, [&] { return report.has_value(); });
        return report;
    }

    asio::io_context io_;
    Esme esme_;
    router::testing::TempDir parts_dir_;  // before frontend_: outlives it
    std::unique_ptr<router::SqlitePartStore> parts_;
    std::unique_ptr<SmppFrontend> frontend_;
    std::vector<std::shared_ptr<smpp::ClientBind>> binds_;
};

TEST_F(SmppFrontendTest, SubmitGoesToTheGatewayApiAndIsAnsweredWithItsMessageId) {
    RecordingApi api;
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), frontend_config(), api);
    frontend_->start();
    auto b = bind(esme_config(frontend_->port()));
    ASSERT_TRUE(run_until(io_, [&] { return b->bound(); }));

    auto m = sms("989121234567", "hello", 1);
    m.priority_flag = 3;
    m.validity_period = "000001000000000R";  // one day, relative
    auto r = submit(*b, std::move(m));
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->ok()) << smpp::to_string(r->status);
    EXPECT_EQ(r->message_id.size(), 36U);  // the router's UUID
    ASSERT_EQ(api.requests.size(), 1U);
    const auto& req = api.requests[0];
    EXPECT_EQ(req.client, "acme-client");
    EXPECT_EQ(req.sender, "Bindery");
    EXPECT_EQ(req.destination, "+989121234567");  // TON 1: international, the "+" added
    EXPECT_EQ(req.text, "hello");
    EXPECT_EQ(req.priority, router::Priority::express);
    ASSERT_TRUE(req.validity);
    EXPECT_EQ(*req.validity, std::chrono::hours(24));
    EXPECT_NE(std::find(req.tags.begin(), req.tags.end(), "smpp-dlr:acme:1"), req.tags.end());
    EXPECT_EQ(r->message_id, router::MessageId::parse(r->message_id)->to_string());
}

TEST_F(SmppFrontendTest, AnEmptySourceAddrTakesTheClientsDefaultSender) {
    RecordingApi api;
    auto config = frontend_config();
    config.accounts.at("acme").default_sender = "ACME";
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), std::move(config), api);
    frontend_->start();
    auto b = bind(esme_config(frontend_->port()));
    ASSERT_TRUE(run_until(io_, [&] { return b->bound(); }));

    auto m = sms("989121234567", "hello", 0);
    m.source_addr = "";
    auto r = submit(*b, std::move(m));
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->ok()) << smpp::to_string(r->status);
    r = submit(*b, sms("989121234568", "hello", 0));  // a given source_addr wins
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->ok()) << smpp::to_string(r->status);
    ASSERT_EQ(api.requests.size(), 2U);
    EXPECT_EQ(api.requests[0].sender, "ACME");
    EXPECT_EQ(api.requests[1].sender, "Bindery");
}

TEST_F(SmppFrontendTest, MapsSubmitErrorsToCommandStatusAndDecodesUcs2) {
    RecordingApi api;
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), frontend_config(), api);
    frontend_->start();
    // ESME_RMSGQFUL is a throttle answer: Bindery's ESME retries it once, then reports it.
    auto c = esme_config(frontend_->port());
    c.max_throttle_retries = 1;
    auto b = bind(c);
    ASSERT_TRUE(run_until(io_, [&] { return b->bound(); }));

    auto bad = submit(*b, sms("111", "x"));
    ASSERT_TRUE(bad && bad->sent);
    EXPECT_EQ(bad->status, CommandStatus::ESME_RINVDSTADR);
    auto full = submit(*b, sms("222", "x"));
    ASSERT_TRUE(full && full->sent);
    EXPECT_EQ(full->status, CommandStatus::ESME_RMSGQFUL);
    EXPECT_EQ(full->throttle_retries, 1U);

    auto ucs2 = sms("989121234567", "");
    const auto encoded = smpp::encode_ucs2("سلام");
    ASSERT_TRUE(encoded);
    ucs2.short_message.assign(encoded->begin(), encoded->end());
    ucs2.data_coding = 8;
    auto ok = submit(*b, std::move(ucs2));
    ASSERT_TRUE(ok && ok->ok());
    EXPECT_EQ(api.requests.back().text, "سلام");

    // A concatenated part (UDH IE 0x00) is refused rather than sent on as a message of its own.
    auto part = sms("989121234567", "");
    part.esm_class = 0x40;
    const std::vector<std::uint8_t> udh_and_text{0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, 'h', 'i'};
    part.short_message = udh_and_text;
    auto refused = submit(*b, std::move(part));
    ASSERT_TRUE(refused && refused->sent);
    EXPECT_EQ(refused->status, CommandStatus::ESME_RINVESMCLASS);
    EXPECT_EQ(frontend_->stats().refused, 4U);  // 111, 222 twice (first try + retry), the part
}

// submit_multi: every destination the router refused is listed in submit_multi_resp's
// unsuccess_sme with its own error_status_code; the PDU is ESME_ROK once any was accepted.
TEST_F(SmppFrontendTest, SubmitMultiListsEachRefusedDestinationInUnsuccessSme) {
    RecordingApi api;
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), frontend_config(), api);
    frontend_->start();
    RawEsme esme(io_);
    ASSERT_TRUE(bind_raw(esme));

    const auto submit_multi = [&](std::uint32_t sequence,
                                  const std::vector<smpp::DestAddress>& dests) {
        smpp::SubmitMulti m;
        m.source_addr_ton = 5;
        m.source_addr = "Bindery";
        m.dest_addresses = smpp::DestAddressList(std::span<const smpp::DestAddress>(dests));
        const std::string text = "hello all";
        m.short_message = smpp::ByteView(
            std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
        EXPECT_TRUE(esme.send(smpp::Pdu{
            smpp::Header{0, smpp::CommandId::submit_multi, CommandStatus::ESME_ROK, sequence}, m}));
        return esme.receive(smpp::CommandId::submit_multi_resp);
    };
    const auto dest = [](std::uint8_t ton, std::string_view addr) {
        return smpp::DestAddress{smpp::DestFlag::sme_address, ton, 1, addr, {}};
    };

    // Two valid destinations and one the router refuses as invalid ("111" in RecordingApi).
    {
        auto resp =
            submit_multi(2, {dest(1, "989121234567"), dest(2, "111"), dest(1, "989127654321")});
        ASSERT_TRUE(resp);
        EXPECT_EQ(resp->header.sequence_number, 2U);
        EXPECT_EQ(resp->header.command_status, CommandStatus::ESME_ROK);
        const auto* body = resp->get_if<smpp::SubmitMultiResp>();
        ASSERT_NE(body, nullptr);
        EXPECT_EQ(body->message_id.size(), 36U);     // the first accepted message's id
        ASSERT_EQ(body->unsuccess_smes.size(), 1U);  // no_unsuccess
        const auto u = *body->unsuccess_smes.begin();
        EXPECT_EQ(u.dest_addr_ton, 2);
        EXPECT_EQ(u.dest_addr_npi, 1);
        EXPECT_EQ(u.destination_addr, "111");
        EXPECT_EQ(u.error_status_code, CommandStatus::ESME_RINVDSTADR);
    }
    ASSERT_EQ(api.requests.size(), 3U);
    EXPECT_EQ(frontend_->stats().accepted, 2U);

    // None accepted: the first refusal's status, and still the list (each with its own status).
    {
        auto resp = submit_multi(3, {dest(1, "111"), dest(1, "222")});
        ASSERT_TRUE(resp);
        EXPECT_EQ(resp->header.command_status, CommandStatus::ESME_RINVDSTADR);
        const auto* body = resp->get_if<smpp::SubmitMultiResp>();
        ASSERT_NE(body, nullptr);
        EXPECT_TRUE(body->message_id.empty());
        ASSERT_EQ(body->unsuccess_smes.size(), 2U);
        auto it = body->unsuccess_smes.begin();
        EXPECT_EQ(it->destination_addr, "111");
        EXPECT_EQ(it->error_status_code, CommandStatus::ESME_RINVDSTADR);
        ++it;
        EXPECT_EQ(it->destination_addr, "222");
        EXPECT_EQ(it->error_status_code, CommandStatus::ESME_RMSGQFUL);
    }

    // All accepted: no_unsuccess = 0.
    {
        auto resp = submit_multi(4, {dest(1, "989121234567"), dest(1, "989127654321")});
        ASSERT_TRUE(resp);
        EXPECT_EQ(resp->header.command_status, CommandStatus::ESME_ROK);
        const auto* body = resp->get_if<smpp::SubmitMultiResp>();
        ASSERT_NE(body, nullptr);
        EXPECT_EQ(body->message_id.size(), 36U);
        EXPECT_TRUE(body->unsuccess_smes.empty());
    }
}

// "YYMMDDhhmmss000" + quarter hours + sign: `t` written as local time `offset_quarters` ahead of
// UTC.
std::string smpp_absolute(router::SystemTime t, int offset_quarters) {
    using namespace std::chrono;
    const auto local = floor<seconds>(t) + minutes(15 * offset_quarters);
    const auto day = floor<days>(local);
    const year_month_day ymd{day};
    const hh_mm_ss hms{local - day};
    char buf[24];
    std::snprintf(buf, sizeof buf, "%02d%02u%02u%02d%02d%02d0%02d%c",
                  static_cast<int>(ymd.year()) % 100, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                  offset_quarters < 0 ? -offset_quarters : offset_quarters,
                  offset_quarters < 0 ? '-' : '+');
    return buf;
}

// schedule_delivery_time / validity_period of submit_sm and submit_multi, qos_time_to_live of
// data_sm: the router request's schedule_at / validity; malformed or impossible ones refused with
// ESME_RINVSCHED / ESME_RINVEXPIRY and nothing submitted.
TEST_F(SmppFrontendTest, ScheduleAndValidityReachTheRouterAndBadOnesAreRefused) {
    using namespace std::chrono;
    RecordingApi api;
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), frontend_config(), api);
    frontend_->start();
    RawEsme esme(io_);
    ASSERT_TRUE(bind_raw(esme));

    const std::string text = "hello";
    const smpp::ByteView body(
        std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    std::uint32_t sequence = 1;
    const auto submit_sm = [&](std::string_view schedule, std::string_view validity) {
        smpp::SubmitSm m;
        m.source_addr_ton = 5;
        m.source_addr = "Bindery";
        m.dest_addr_ton = 1;
        m.dest_addr_npi = 1;
        m.destination_addr = "989121234567";
        m.schedule_delivery_time = schedule;
        m.validity_period = validity;
        m.short_message = body;
        EXPECT_TRUE(esme.send(smpp::Pdu{
            smpp::Header{0, smpp::CommandId::submit_sm, CommandStatus::ESME_ROK, ++sequence}, m}));
        auto resp = esme.receive(smpp::CommandId::submit_sm_resp);
        return resp ? resp->header.command_status : CommandStatus::ESME_RUNKNOWNERR;
    };

    // Absolute, written in local time 3 h 30 ahead of UTC (+14 quarter hours): due in 2 hours,
    // valid until 26 hours from now (24 hours after it is due).
    const auto due = floor<seconds>(router::SystemClock::now() + hours(2));
    EXPECT_EQ(submit_sm(smpp_absolute(due, 14), smpp_absolute(due + hours(24), -20)),
              CommandStatus::ESME_ROK);
    {
        const std::lock_guard lock(api.mutex);
        ASSERT_EQ(api.requests.size(), 1U);
        EXPECT_EQ(api.requests[0].schedule_at, due);
        EXPECT_EQ(api.requests[0].validity, hours(24));
    }
    // Relative: due one hour from now, the router's default validity.
    const auto before = router::SystemClock::now();
    EXPECT_EQ(submit_sm("000000010000000R", ""), CommandStatus::ESME_ROK);
    const auto after = router::SystemClock::now();
    {
        const std::lock_guard lock(api.mutex);
        ASSERT_EQ(api.requests.size(), 2U);
        ASSERT_TRUE(api.requests[1].schedule_at);
        EXPECT_GE(*api.requests[1].schedule_at, before + hours(1));
        EXPECT_LE(*api.requests[1].schedule_at, after + hours(1));
        EXPECT_FALSE(api.requests[1].validity);
    }
    // A past schedule means now; a validity past the router's maximum (72 h) is capped at it.
    EXPECT_EQ(submit_sm("000101000000000+", "000010000000000R"), CommandStatus::ESME_ROK);
    {
        const std::lock_guard lock(api.mutex);
        ASSERT_EQ(api.requests.size(), 3U);
        EXPECT_FALSE(api.requests[2].schedule_at);
        EXPECT_EQ(api.requests[2].validity, hours(72));
    }

    EXPECT_EQ(submit_sm("260230000000000+", ""), CommandStatus::ESME_RINVSCHED);  // February 30
    EXPECT_EQ(submit_sm("261231235959000Z", ""), CommandStatus::ESME_RINVSCHED);  // no such sign
    EXPECT_EQ(submit_sm("000200000000000R", ""),
              CommandStatus::ESME_RINVSCHED);  // past 30 days ahead
    EXPECT_EQ(submit_sm("", "261231246000000+"), CommandStatus::ESME_RINVEXPIRY);  // 24:60
    EXPECT_EQ(submit_sm("", "000101000000000+"),
              CommandStatus::ESME_RINVEXPIRY);  // already expired
    // Expires (relative: counted from now) before it is due.
    EXPECT_EQ(submit_sm("000000020000000R", "000000010000000R"), CommandStatus::ESME_RINVEXPIRY);
    {
        const std::lock_guard lock(api.mutex);
        EXPECT_EQ(api.requests.size(), 3U);  // none of the refused reached the router
    }

    // submit_multi: every destination's request carries the schedule; a bad one refuses the PDU.
    const std::string multi_validity = smpp_absolute(due + hours(1), 0);
    const auto submit_multi = [&](std::string_view schedule) {
        smpp::SubmitMulti m;
        m.source_addr_ton = 5;
        m.source_addr = "Bindery";
        const std::vector<smpp::DestAddress> dests{
            {smpp::DestFlag::sme_address, 1, 1, "989121234567", {}},
            {smpp::DestFlag::sme_address, 1, 1, "989127654321", {}}};
        m.dest_addresses = smpp::DestAddressList(std::span<const smpp::DestAddress>(dests));
        m.schedule_delivery_time = schedule;
        m.validity_period = multi_validity;
        m.short_message = body;
        EXPECT_TRUE(esme.send(smpp::Pdu{
            smpp::Header{0, smpp::CommandId::submit_multi, CommandStatus::ESME_ROK, ++sequence},
            m}));
        auto resp = esme.receive(smpp::CommandId::submit_multi_resp);
        return resp ? resp->header.command_status : CommandStatus::ESME_RUNKNOWNERR;
    };
    EXPECT_EQ(submit_multi(smpp_absolute(due, 0)), CommandStatus::ESME_ROK);
    EXPECT_EQ(submit_multi("991399000000000+"), CommandStatus::ESME_RINVSCHED);
    {
        const std::lock_guard lock(api.mutex);
        ASSERT_EQ(api.requests.size(), 5U);
        for (std::size_t i = 3; i < 5; ++i) {
            EXPECT_EQ(api.requests[i].schedule_at, due);
            EXPECT_EQ(api.requests[i].validity, hours(1));
        }
    }

    // data_sm has no time fields: qos_time_to_live (seconds) is its validity.
    smpp::TlvBuilder tlvs;
    tlvs.octets(smpp::tlv_tag::message_payload, body);
    tlvs.u32(smpp::tlv_tag::qos_time_to_live, 600);
    smpp::DataSm d;
    d.source_addr_ton = 5;
    d.source_addr = "Bindery";
    d.dest_addr_ton = 1;
    d.destination_addr = "989121234567";
    d.tlvs = smpp::TlvRange{smpp::ByteView(tlvs.bytes())};
    ASSERT_TRUE(esme.send(smpp::Pdu{
        smpp::Header{0, smpp::CommandId::data_sm, CommandStatus::ESME_ROK, ++sequence}, d}));
    auto resp = esme.receive(smpp::CommandId::data_sm_resp);
    ASSERT_TRUE(resp);
    EXPECT_EQ(resp->header.command_status, CommandStatus::ESME_ROK);
    const std::lock_guard lock(api.mutex);
    ASSERT_EQ(api.requests.size(), 6U);
    EXPECT_EQ(api.requests[5].validity, seconds(600));
    EXPECT_FALSE(api.requests[5].schedule_at);
}

// The batcher (router::SubmitBatcher) answers every message the gateway gave no outcome for
// `unavailable`: ESME_RSYSERR, and for submit_multi an unsuccess_sme entry while the destinations
// that were accepted keep their ids.
TEST_F(SmppFrontendTest, AGatewayThatThrowsOrAnswersShortIsAnsweredSyserrPerMissingMessage) {
    RecordingApi api;
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), frontend_config(), api);
    frontend_->start();
    RawEsme esme(io_);
    ASSERT_TRUE(bind_raw(esme));

    smpp::SubmitSm sm;
    sm.source_addr = "Bindery";
    sm.dest_addr_ton = 1;
    sm.destination_addr = "999";
    const std::string text = "hello";
    sm.short_message =
        smpp::ByteView(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    ASSERT_TRUE(esme.send(
        smpp::Pdu{smpp::Header{0, smpp::CommandId::submit_sm, CommandStatus::ESME_ROK, 2}, sm}));
    auto resp = esme.receive(smpp::CommandId::submit_sm_resp);
    ASSERT_TRUE(resp);
    EXPECT_EQ(resp->header.command_status, CommandStatus::ESME_RSYSERR);

    smpp::SubmitMulti m;
    m.source_addr = "Bindery";
    const std::vector<smpp::DestAddress> dests{
        {smpp::DestFlag::sme_address, 1, 1, "989121234567", {}},
        {smpp::DestFlag::sme_address, 1, 1, "333", {}}};
    m.dest_addresses = smpp::DestAddressList(std::span<const smpp::DestAddress>(dests));
    m.short_message = sm.short_message;
    ASSERT_TRUE(esme.send(
        smpp::Pdu{smpp::Header{0, smpp::CommandId::submit_multi, CommandStatus::ESME_ROK, 3}, m}));
    resp = esme.receive(smpp::CommandId::submit_multi_resp);
    ASSERT_TRUE(resp);
    EXPECT_EQ(resp->header.command_status, CommandStatus::ESME_ROK);
    const auto* body = resp->get_if<smpp::SubmitMultiResp>();
    ASSERT_NE(body, nullptr);
    EXPECT_EQ(body->message_id.size(), 36U);  // the first destination was stored: its id
    ASSERT_EQ(body->unsuccess_smes.size(), 1U);
    EXPECT_EQ(body->unsuccess_smes.begin()->destination_addr, "333");
    EXPECT_EQ(body->unsuccess_smes.begin()->error_status_code, CommandStatus::ESME_RSYSERR);
    const auto stats = frontend_->stats();
    EXPECT_EQ(stats.submits, 2U);
    EXPECT_EQ(stats.accepted, 1U);
    EXPECT_EQ(stats.refused, 1U);  // the submit_sm; the submit_multi had one accepted
}

// Concatenated submit_sm parts with a PartStore: each answered with its own id, one router
// request with the whole text, and the combined message's receipt goes to every part id.
TEST_F(SmppFrontendTest, ConcatenatedPartsBecomeOneMessageAndEachPartIdGetsAReceipt) {
    RecordingApi api;
    auto* store = part_store();
    ASSERT_NE(store, nullptr);
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), frontend_config(), api, store);
    frontend_->start();
    RawEsme esme(io_);
    ASSERT_TRUE(bind_raw(esme));

    const auto send_part = [&](std::uint32_t sequence, std::uint8_t seqnum, std::string_view text) {
        std::vector<std::uint8_t> sm{0x06, 0x08, 0x04,  0x12,
                                     0x34, 0x02, seqnum};  // 16-bit reference
        const auto ucs2 = smpp::encode_ucs2(text);
        EXPECT_TRUE(ucs2.has_value());
        if (ucs2) sm.insert(sm.end(), ucs2->begin(), ucs2->end());
        smpp::SubmitSm p;
        p.source_addr_ton = 5;
        p.source_addr = "Bindery";
        p.dest_addr_ton = 1;
        p.destination_addr = "989121234567";
        p.esm_class = 0x40;
        p.registered_delivery = 1;
        p.data_coding = 8;
        p.short_message = smpp::ByteView(sm);
        EXPECT_TRUE(esme.send(smpp::Pdu{
            smpp::Header{0, smpp::CommandId::submit_sm, CommandStatus::ESME_ROK, sequence}, p}));
        auto resp = esme.receive(smpp::CommandId::submit_sm_resp);
        EXPECT_TRUE(resp && resp->header.command_status == CommandStatus::ESME_ROK);
        return resp ? std::string(resp->get_if<smpp::SubmitSmResp>()->message_id) : std::string();
    };
    const auto id2 = send_part(2, 2, "دنیا");
    const auto id1 = send_part(3, 1, "سلام ");
    EXPECT_EQ(send_part(4, 2, "دنیا"), id2);  // a retransmission: the same id
    ASSERT_EQ(id1.size(), 36U);
    ASSERT_EQ(id2.size(), 36U);
    ASSERT_NE(id1, id2);
    ASSERT_TRUE(run_until(io_, [&] {
        const std::lock_guard lock(api.mutex);
        return !api.requests.empty();
    }));
    router::SubmitRequest combined;
    {
        const std::lock_guard lock(api.mutex);
        ASSERT_EQ(api.requests.size(), 1U);
        combined = api.requests.front();
    }
    EXPECT_EQ(combined.text, "سلام دنیا");
    EXPECT_EQ(combined.destination, "+989121234567");
    EXPECT_EQ(combined.client, "acme-client");
    EXPECT_NE(std::find(combined.tags.begin(), combined.tags.end(),
                        std::string(kPartsTag) + id1 + "," + id2),
              combined.tags.end());
    // The part ids link to the router's message once the parts are released.
    ASSERT_TRUE(run_until(io_, [&] { return frontend_->stats().concat.reassembled == 1U; }));
    const auto linked = frontend_->message_of_part(*router::MessageId::parse(id1));
    ASSERT_TRUE(linked.has_value());

    // The router reports the combined message delivered: one receipt per part id.
    router::Message m;
    m.id = *linked;
    m.sender = combined.sender;
    m.destination = combined.destination;
    m.text = combined.text;
    m.tags = combined.tags;
    m.accepted_at = router::SystemClock::now();
    router::MessageEvent e;
    e.id = m.id;
    e.from = router::MessageState::sent;
    e.to = router::MessageState::delivered;
    e.at = router::SystemClock::now();
    frontend_->on_transition(m, e);
    std::set<std::string> receipted;
    for (int i = 0; i < 2; ++i) {
        auto d = esme.receive(smpp::CommandId::deliver_sm);
        ASSERT_TRUE(d);
        receipted.insert(
            std::string(d->get_if<smpp::DeliverSm>()->tlvs.receipted_message_id().value_or("")));
        EXPECT_TRUE(
            esme.send(smpp::Pdu{smpp::Header{0, smpp::CommandId::deliver_sm_resp,
                                             CommandStatus::ESME_ROK, d->header.sequence_number},
                                smpp::DeliverSmResp{}}));
    }
    EXPECT_EQ(receipted, (std::set<std::string>{id1, id2}));
    const auto st = frontend_->stats();
    EXPECT_EQ(st.concat.parts_received, 2U);
    EXPECT_EQ(st.concat.duplicates, 1U);
    EXPECT_EQ(st.concat.parts_pending, 0U);
}

// Concatenated submit_multi: each destination's parts are held as a message of their own; the
// resp carries the first destination's part id; a destination whose part cannot be held (the
// account's limit of held messages) is listed in unsuccess_sme.
TEST_F(SmppFrontendTest, ConcatenatedSubmitMultiPartsBecomeOneMessagePerDestination) {
    RecordingApi api;
    auto* store = part_store();
    ASSERT_NE(store, nullptr);
    auto config = frontend_config();
    config.concat.max_messages = 2;
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), config, api, store);
    frontend_->start();
    RawEsme esme(io_);
    ASSERT_TRUE(bind_raw(esme));

    const auto send_part = [&](std::uint32_t sequence, std::uint8_t reference, std::uint8_t seqnum,
                               std::string_view text, const std::vector<std::string>& to) {
        std::vector<std::uint8_t> sm{0x05, 0x00, 0x03, reference, 0x02, seqnum};  // 8-bit reference
        sm.insert(sm.end(), text.begin(), text.end());
        std::vector<smpp::DestAddress> dests;
        for (const auto& d : to) dests.push_back({smpp::DestFlag::sme_address, 1, 1, d, {}});
        smpp::SubmitMulti m;
        m.source_addr_ton = 5;
        m.source_addr = "Bindery";
        m.dest_addresses = smpp::DestAddressList(std::span<const smpp::DestAddress>(dests));
        m.esm_class = 0x40;
        m.registered_delivery = 1;
        m.short_message = smpp::ByteView(sm);
        EXPECT_TRUE(esme.send(smpp::Pdu{
            smpp::Header{0, smpp::CommandId::submit_multi, CommandStatus::ESME_ROK, sequence}, m}));
        return esme.receive(smpp::CommandId::submit_multi_resp);
    };
    const std::vector<std::string> both{"989121234567", "989127654321"};
    auto r1 = send_part(2, 0x21, 1, "hello ", both);
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->header.command_status, CommandStatus::ESME_ROK);
    const auto id1 = std::string(r1->get_if<smpp::SubmitMultiResp>()->message_id);
    EXPECT_EQ(id1.size(), 36U);
    EXPECT_TRUE(r1->get_if<smpp::SubmitMultiResp>()->unsuccess_smes.empty());

    // Two messages held: a third destination's part is refused, and listed.
    auto refused = send_part(3, 0x22, 1, "other ", {"989120000000"});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->header.command_status, CommandStatus::ESME_RMSGQFUL);
    const auto* rb = refused->get_if<smpp::SubmitMultiResp>();
    ASSERT_NE(rb, nullptr);
    EXPECT_TRUE(rb->message_id.empty());
    ASSERT_EQ(rb->unsuccess_smes.size(), 1U);
    EXPECT_EQ(rb->unsuccess_smes.begin()->destination_addr, "989120000000");
    EXPECT_EQ(rb->unsuccess_smes.begin()->error_status_code, CommandStatus::ESME_RMSGQFUL);

    auto r2 = send_part(4, 0x21, 2, "world", both);
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->header.command_status, CommandStatus::ESME_ROK);
    const auto id2 = std::string(r2->get_if<smpp::SubmitMultiResp>()->message_id);
    EXPECT_EQ(id2.size(), 36U);
    EXPECT_NE(id1, id2);

    ASSERT_TRUE(run_until(io_, [&] {
        const std::lock_guard lock(api.mutex);
        return api.requests.size() >= 2U;
    }));
    {
        const std::lock_guard lock(api.mutex);
        ASSERT_EQ(api.requests.size(), 2U);
        std::set<std::string> destinations;
        for (const auto& r : api.requests) {
            EXPECT_EQ(r.text, "hello world");
            EXPECT_EQ(r.client, "acme-client");
            destinations.insert(r.destination);
        }
        EXPECT_EQ(destinations, (std::set<std::string>{"+989121234567", "+989127654321"}));
        // The ids the ESME was given belong to the first destination's message.
        const auto& first =
            api.requests[0].destination == "+989121234567" ? api.requests[0] : api.requests[1];
        EXPECT_NE(std::find(first.tags.begin(), first.tags.end(),
                            std::string(kPartsTag) + id1 + "," + id2),
                  first.tags.end());
    }
    ASSERT_TRUE(run_until(io_, [&] { return frontend_->stats().concat.reassembled == 2U; }));
    EXPECT_TRUE(frontend_->message_of_part(*router::MessageId::parse(id1)).has_value());
    EXPECT_EQ(frontend_->stats().concat.parts_received, 4U);
}

// A message whose parts never all arrive: dropped after concat.timeout, and its part id gets an
// UNDELIV receipt (the ESME asked for receipts); SAR-numbered data_sm this time.
TEST_F(SmppFrontendTest, AnIncompleteConcatenatedMessageTimesOutWithAnUndelivReceiptPerPart) {
    RecordingApi api;
    auto* store = part_store();
    ASSERT_NE(store, nullptr);
    auto config = frontend_config();
    config.concat.timeout = std::chrono::seconds(1);
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), config, api, store);
    frontend_->start();
    RawEsme esme(io_);
    ASSERT_TRUE(bind_raw(esme));

    smpp::TlvBuilder tlvs;
    tlvs.u16(smpp::tlv_tag::sar_msg_ref_num, 0x0101)
        .u8(smpp::tlv_tag::sar_total_segments, 2)
        .u8(smpp::tlv_tag::sar_segment_seqnum, 1);
    const std::string text = "first half ";
    (void)tlvs.octets(
        smpp::tlv_tag::message_payload,
        smpp::ByteView(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
    smpp::DataSm d;
    d.source_addr_ton = 5;
    d.source_addr = "Bindery";
    d.dest_addr_ton = 1;
    d.destination_addr = "989121234567";
    d.registered_delivery = 1;
    d.data_coding = 1;
    d.tlvs = tlvs.range();
    ASSERT_TRUE(esme.send(
        smpp::Pdu{smpp::Header{0, smpp::CommandId::data_sm, CommandStatus::ESME_ROK, 2}, d}));
    auto resp = esme.receive(smpp::CommandId::data_sm_resp);
    ASSERT_TRUE(resp);
    ASSERT_EQ(resp->header.command_status, CommandStatus::ESME_ROK);
    const std::string id(resp->get_if<smpp::DataSmResp>()->message_id);
    ASSERT_EQ(id.size(), 36U);

    auto receipt = esme.receive(smpp::CommandId::deliver_sm);
    ASSERT_TRUE(receipt);
    const auto* r = receipt->get_if<smpp::DeliverSm>();
    EXPECT_EQ(r->esm_class, 0x04);
    EXPECT_EQ(r->tlvs.receipted_message_id(), std::optional<std::string_view>(id));
    EXPECT_EQ(r->tlvs.message_state(), std::optional<std::uint8_t>(5));  // UNDELIVERABLE
    const std::string body(r->short_message.as_chars());
    EXPECT_NE(body.find("id:" + id), std::string::npos) << body;
    EXPECT_NE(body.find("stat:UNDELIV"), std::string::npos) << body;
    EXPECT_NE(body.find("text:first half"), std::string::npos) << body;
    EXPECT_TRUE(
        esme.send(smpp::Pdu{smpp::Header{0, smpp::CommandId::deliver_sm_resp,
                                         CommandStatus::ESME_ROK, receipt->header.sequence_number},
                            smpp::DeliverSmResp{}}));
    EXPECT_TRUE(api.requests.empty());
    EXPECT_EQ(frontend_->stats().concat.timed_out, 1U);
    EXPECT_TRUE(store->load()->empty());
}

TEST_F(SmppFrontendTest, AReceiptWaitsForAReceiverBindThenArrivesAsDeliverSm) {
    RecordingApi api;
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), frontend_config(), api);
    frontend_->start();

    router::Message m;
    m.id = *router::MessageId::parse("01890a5d-ac96-774b-bcce-b302099a8057");
    m.sender = "Bindery";
    m.destination = "+989121234567";
    m.text = "hello";
    m.tags = {"smpp", "smpp-dlr:acme:1"};
    m.accepted_at = router::SystemClock::now();
    router::MessageEvent e;
    e.id = m.id;
    e.from = router::MessageState::sent;
    e.to = router::MessageState::undeliverable;
    e.at = router::SystemClock::now();
    frontend_->on_transition(m, e);  // no bind up yet: queued
    // Not asked for: no receipt.
    router::Message quiet = m;
    quiet.tags = {"smpp"};
    frontend_->on_transition(quiet, e);
    // Failures only (2) and delivered: no receipt.
    router::Message failures_only = m;
    failures_only.tags = {"smpp", "smpp-dlr:acme:2"};
    router::MessageEvent delivered = e;
    delivered.to = router::MessageState::delivered;
    frontend_->on_transition(failures_only, delivered);
    for (int i = 0; i < 20; ++i) io_.poll();
    EXPECT_EQ(frontend_->stats().receipts_queued, 1U);

    auto b = bind(esme_config(frontend_->port()));
    ASSERT_TRUE(run_until(io_, [&] { return !esme_.received.empty(); }));
    ASSERT_EQ(esme_.received.size(), 1U);
    const auto& r = esme_.received[0];
    EXPECT_EQ(r.esm_class, 0x04);
    EXPECT_EQ(r.receipted_message_id, "01890a5d-ac96-774b-bcce-b302099a8057");
    EXPECT_EQ(r.message_state, std::optional<std::uint8_t>(5));
    EXPECT_NE(r.text.find("id:01890a5d-ac96-774b-bcce-b302099a8057 "), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("stat:UNDELIV"), std::string::npos) << r.text;
    EXPECT_EQ(r.source_addr, "989121234567");
    EXPECT_EQ(r.destination_addr, "Bindery");
    ASSERT_TRUE(run_until(io_, [&] { return frontend_->stats().receipts_delivered == 1; }));
}

// The receipt is built by smpp::build_receipt: Appendix B text whose text: is the first 20
// characters of the message (the 20th, é, straddles octet 20 and is kept whole), and its TLVs.
TEST(SmppFrontendReceipt, TextIsTheFirstTwentyCharactersNotOctets) {
    using namespace std::chrono;
    router::Message m;
    m.id = *router::MessageId::parse("01890a5d-ac96-774b-bcce-b302099a8057");
    m.sender = "Bindery";
    m.destination = "+989121234567";
    m.text = "abcdefghijklmnopqrs\xC3\xA9 and more";
    m.accepted_at = sys_days{year{2026} / 11 / 23} + hours{17};
    router::MessageEvent e;
    e.id = m.id;
    e.from = router::MessageState::sent;
    e.to = router::MessageState::delivered;
    e.at = m.accepted_at + minutes{1};
    const auto d = SmppFrontend::receipt_for(m, e);
    EXPECT_EQ(std::string(d.short_message.begin(), d.short_message.end()),
              "id:01890a5d-ac96-774b-bcce-b302099a8057 sub:001 dlvrd:001 submit date:2611231700 "
              "done date:2611231701 stat:DELIVRD err:000 text:abcdefghijklmnopqrs\xC3\xA9");
    const smpp::TlvRange tlvs{smpp::ByteView(d.tlvs)};
    EXPECT_EQ(tlvs.receipted_message_id(),
              std::optional<std::string_view>("01890a5d-ac96-774b-bcce-b302099a8057"));
    EXPECT_EQ(tlvs.message_state(), std::optional<std::uint8_t>(2));
    EXPECT_EQ(d.esm_class, 0x04);
}

TEST_F(SmppFrontendTest, WrongPasswordIsRefused) {
    RecordingApi api;
    frontend_ = std::make_unique<SmppFrontend>(io_.get_executor(), frontend_config(), api);
    frontend_->start();
    auto b = bind(esme_config(frontend_->port(), "wrong"));
    ASSERT_TRUE(run_until(io_, [&] { return b->stats().bind_failures > 0; }));
    EXPECT_FALSE(b->bound());
}

TEST(SmppFrontendConfig, HashesPasswordsAndKeepsConfiguredHashes) {
    SmppServerConfig c;
    SmppAccountConfig a;
    a.system_id = "a";
    a.password = Secret("pw", Secret::Source::inline_value, "test");
    a.window = 30;
    a.client = "client-a";
    a.allowed_senders = {"Bindery"};
    SmppAccountConfig b;
    b.system_id = "b";
    b.password_hash = "sha256:" + smpp::hash_password("pw2", "").substr(8);
    b.bind_types = {BindType::rx, BindType::trx};
    c.accounts = {a, b};
    ClientConfig client_a;
    client_a.name = "client-a";
    client_a.default_sender = "Bindery";
    const auto out = to_smpp_frontend_config(c, {client_a});
    ASSERT_EQ(out.server.accounts.size(), 2U);
    EXPECT_TRUE(smpp::verify_password(out.server.accounts[0].password_hash, "pw"));
    EXPECT_EQ(out.server.accounts[0].password_hash.find("pw"), std::string::npos);
    EXPECT_TRUE(smpp::verify_password(out.server.accounts[1].password_hash, "pw2"));
    EXPECT_EQ(out.server.accounts[0].window, 30U);
    EXPECT_GT(out.server.session.incoming_window, 30U);
    EXPECT_EQ(out.accounts.at("a").client, "client-a");
    EXPECT_EQ(out.accounts.at("a").allowed_senders, std::vector<std::string>{"Bindery"});
    EXPECT_EQ(out.accounts.at("a").default_sender, "Bindery");  // its client's
    EXPECT_EQ(out.accounts.at("b").default_sender, "");         // no client
    // bind_types: all three by default, else exactly those configured.
    EXPECT_EQ(out.server.accounts[0].bind_types,
              (std::vector<smpp::BindType>{smpp::BindType::transceiver, smpp::BindType::transmitter,
                                           smpp::BindType::receiver}));
    EXPECT_EQ(out.server.accounts[1].bind_types,
              (std::vector<smpp::BindType>{smpp::BindType::receiver, smpp::BindType::transceiver}));
}

// The whole path over loopback: ESME -> SmppFrontend -> Router -> SmppCarrierProvider -> simulator,
// and the simulator's receipt back through the router to the ESME as deliver_sm.
TEST(SmppFrontendEndToEnd, SubmitReachesTheSimulatorAndTheReceiptComesBackAsDeliverSm) {
    asio::io_context io;
    sim::SimConfig sc;
    sc.host = "127.0.0.1";
    sc.port = 0;
    sc.dlr_delay = milliseconds(20);
    sc.seed = 1;
    auto smsc = std::make_shared<sim::SmscSimulator>(io.get_executor(), sc);
    smsc->start();

    router::InMemoryStore store;
    router::RouterConfig rc;
    rc.acceptance.numbers.default_region = "IR";
    rc.routing.routes = {{"main", {{"carrier-a", 1}}, {}}};
    rc.routing.default_route = "main";
    rc.seed = 42;
    router::SmppCarrierConfig pc;
    pc.name = "carrier-a";
    pc.pool.port = smsc->port();
    pc.pool.system_id = "router";
    pc.pool.window = 20;
    pc.pool.backoff.initial = milliseconds(10);
    pc.refresh_interval = milliseconds(10);
    SmppFrontend* frontend_ptr = nullptr;
    router::RouterHooks hooks;
    hooks.on_transition = [&](const router::Message& m, const router::MessageEvent& e) {
        if (frontend_ptr != nullptr) frontend_ptr->on_transition(m, e);
    };
    router::Router router(rc, store, router::SmppTextPlanner(pc.text).planner(), hooks);
    auto provider = std::make_unique<router::SmppCarrierProvider>(pc, io.get_executor(), router);
    router.add_provider(*provider);
    provider->start();
    router::RouterGateway api(
        router, [] { return Clock::now(); }, [] { return router::SystemClock::now(); });

    auto frontend = std::make_unique<SmppFrontend>(io.get_executor(), frontend_config(), api);
    frontend_ptr = frontend.get();
    frontend->start();
    const auto poll = [&] { router.poll(Clock::now(), router::SystemClock::now()); };

    Esme esme;
    auto b =
        std::make_shared<smpp::ClientBind>(io.get_executor(), esme_config(frontend->port()), &esme);
    b->start();
    ASSERT_TRUE(run_until(
        io, [&] { return b->bound(); }, poll));
    std::vector<std::string> ids;
    int answered = 0;
    for (int i = 0; i < 5; ++i) {
        b->submit(sms("98912" + std::to_string(1000000 + i), "message " + std::to_string(i)),
                  [&](const smpp::SubmitReport& r) {
                      ++answered;
                      if (r.ok()) ids.push_back(r.message_id);
                  });
    }
    ASSERT_TRUE(run_until(
        io, [&] { return answered == 5; }, poll));
    ASSERT_EQ(ids.size(), 5U);
    ASSERT_TRUE(run_until(
        io, [&] { return esme.received.size() == 5; }, poll));
    EXPECT_EQ(smsc->counters().submits, 5U);
    std::vector<std::string> receipted;
    for (const auto& r : esme.received) {
        EXPECT_EQ(r.esm_class, 0x04);
        EXPECT_EQ(r.message_state, std::optional<std::uint8_t>(2));  // DELIVERED
        EXPECT_NE(r.text.find("stat:DELIVRD"), std::string::npos);
        receipted.push_back(r.receipted_message_id);
    }
    std::sort(ids.begin(), ids.end());
    std::sort(receipted.begin(), receipted.end());
    EXPECT_EQ(ids, receipted);
    for (const auto& id : ids) {
        auto st = router.status(*router::MessageId::parse(id), std::string_view("acme-client"));
        ASSERT_TRUE(st);
        EXPECT_EQ(st->state, router::MessageState::delivered);
    }
    ASSERT_TRUE(run_until(
        io, [&] { return frontend->stats().receipts_delivered == 5; }, poll));

    bool stopped = false;
    b->stop(milliseconds(200), [&] { stopped = true; });
    run_until(
        io, [&] { return stopped; }, poll);
    frontend->stop();
    bool provider_stopped = false;
    provider->stop(milliseconds(200), [&] { provider_stopped = true; });
    run_until(
        io, [&] { return provider_stopped; }, poll);
    frontend_ptr = nullptr;
    smsc->stop();
    io.poll();
}

}  // namespace
}  // namespace bindery::app
