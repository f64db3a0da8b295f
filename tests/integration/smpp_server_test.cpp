// The SMPP server side of the real `bindery serve`, seen by a raw ESME (blocking_esme.hpp) with the
// simulator as the carrier: schedule_delivery_time holds a message in the router (QUEUED, query_sm
// ENROUTE, nothing at the carrier) while an unscheduled one goes through and gets its receipt;
// malformed time fields are refused with ESME_RINVSCHED / ESME_RINVEXPIRY. An account's
// `bind_types` refuses other binds with ESME_RBINDFAIL, logged. /metrics counts binds and submits.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "blocking_esme.hpp"
#include "gateway_harness.hpp"

namespace bindery::test {
namespace {

using namespace harness;
using smpp::CommandId;
using smpp::CommandStatus;
using ::testing::HasSubstr;

std::size_t lines_of(const fs::path& file) {
    std::istringstream in(read_all(file));
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.empty() ? 0 : 1;
    return n;
}

// submit_sm asking for a receipt: the resp's status and id (nullopt: no resp).
std::optional<std::pair<CommandStatus, std::string>> submit(BlockingEsme& esme,
                                                            std::uint32_t sequence,
                                                            std::string_view schedule,
                                                            std::string_view validity) {
    const std::string text = "scheduled hello";
    smpp::SubmitSm s;
    s.source_addr_ton = 5;
    s.source_addr = "Bindery";
    s.dest_addr_ton = 1;
    s.dest_addr_npi = 1;
    s.destination_addr = "989121234567";
    s.registered_delivery = 1;
    s.schedule_delivery_time = schedule;
    s.validity_period = validity;
    s.short_message =
        smpp::ByteView(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    if (!esme.send(CommandId::submit_sm, sequence, s)) return std::nullopt;
    auto resp = esme.next();
    if (!resp || resp->header.command_id != CommandId::submit_sm_resp ||
        resp->header.sequence_number != sequence) {
        return std::nullopt;
    }
    return std::pair{resp->header.command_status,
                     std::string(resp->get_if<smpp::SubmitSmResp>()->message_id)};
}

TEST(SmppServer, AScheduledSubmitWaitsInTheRouterWhileAnUnscheduledOneIsDelivered) {
    TempDir dir("bindery-smpp-schedule-");
    const auto record = dir.path() / "carrier.rec";
    Simulator sim(dir.path(), {"--dlr-delay", "20", "--record", record.string()});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const auto config = write_config(dir.path(), sim.port(), kEsmeAccount);
    Gateway gateway(dir.path(), config);
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    const auto port = gateway.smpp_port();
    ASSERT_NE(port, 0) << gateway.log();
    BlockingEsme esme;
    ASSERT_TRUE(esme.bind(port)) << gateway.log();

    // Due in one day (relative), valid for two hours after that (relative from now: 26 h).
    const auto scheduled = submit(esme, 2, "000001000000000R", "000001020000000R");
    ASSERT_TRUE(scheduled) << gateway.log();
    ASSERT_EQ(scheduled->first, CommandStatus::ESME_ROK);
    const auto now = submit(esme, 3, "", "");
    ASSERT_TRUE(now) << gateway.log();
    ASSERT_EQ(now->first, CommandStatus::ESME_ROK);

    // The unscheduled one's receipt comes back; then the carrier has seen exactly one message.
    bool receipted = false;
    for (int i = 0; i < 50 && !receipted; ++i) {
        auto pdu = esme.next(60s);
        ASSERT_TRUE(pdu) << gateway.log();
        const auto* d = pdu->get_if<smpp::DeliverSm>();
        if (d == nullptr) continue;
        ASSERT_TRUE(esme.send(CommandId::deliver_sm_resp, pdu->header.sequence_number,
                              smpp::DeliverSmResp{}));
        EXPECT_EQ(std::string(d->tlvs.receipted_message_id().value_or("")), now->second);
        receipted = true;
    }
    ASSERT_TRUE(receipted);
    EXPECT_EQ(lines_of(record), 1U) << read_all(record);

    // The router holds the scheduled one: QUEUED over HTTP, ENROUTE over SMPP (3.4 has no
    // SCHEDULED).
    const auto status = http(gateway.port(), "GET", "/v1/messages/" + scheduled->second);
    EXPECT_EQ(status.status, 200) << status.body;
    EXPECT_THAT(status.body, HasSubstr(R"("state":"QUEUED")"));
    smpp::QuerySm q;
    q.message_id = scheduled->second;
    ASSERT_TRUE(esme.send(CommandId::query_sm, 4, q));
    auto pdu = esme.next();
    ASSERT_TRUE(pdu) << gateway.log();
    ASSERT_EQ(pdu->header.command_id, CommandId::query_sm_resp);
    EXPECT_EQ(pdu->header.command_status, CommandStatus::ESME_ROK);
    const auto* r = pdu->get_if<smpp::QuerySmResp>();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->message_state, 1);  // ENROUTE
    EXPECT_EQ(r->final_date, "");

    // Malformed or impossible time fields: refused, nothing stored.
    const auto bad_schedule = submit(esme, 5, "261324000000000+", "");
    ASSERT_TRUE(bad_schedule);
    EXPECT_EQ(bad_schedule->first, CommandStatus::ESME_RINVSCHED);
    const auto bad_validity = submit(esme, 6, "", "000101000000000+");  // expired in 2000
    ASSERT_TRUE(bad_validity);
    EXPECT_EQ(bad_validity->first, CommandStatus::ESME_RINVEXPIRY);
    EXPECT_EQ(lines_of(record), 1U);
    // /metrics (app/smpp_server_metrics): four submits, two refused, two messages accepted.
    const auto text = http(gateway.port(), "GET", "/metrics").body;
    EXPECT_EQ(metric_value(text, R"(bindery_smpp_server_submits_total{result="received"})"), 4)
        << text;
    EXPECT_EQ(metric_value(text, R"(bindery_smpp_server_submits_total{result="refused"})"), 2);
    EXPECT_EQ(metric_value(text, "bindery_smpp_server_messages_accepted_total"), 2);
    EXPECT_EQ(metric_value(text, R"(bindery_smpp_server_binds_total{result="accepted"})"), 1);
    EXPECT_EQ(metric_value(text, "bindery_smpp_server_queries_total"), 1);
    EXPECT_EQ(metric_value(text, "bindery_smpp_server_throttled_total"), 0);
}

TEST(SmppServer, AnAccountsBindTypesRefuseOtherBindsWithBindFailAndLogIt) {
    TempDir dir("bindery-smpp-bind-types-");
    Simulator sim(dir.path());
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const auto config =
        write_config(dir.path(), sim.port(), kEsmeAccount + "      bind_types: [tx]\n");
    const std::string admin_key = "bind-types-admin-key-0123456789";
    {
        std::string text = read_all(config);
        const std::string http_line = "http:\n  listen: 127.0.0.1:0\n";
        const auto at = text.find(http_line);
        ASSERT_NE(at, std::string::npos) << text;
        text.insert(at + http_line.size(), "  admin_key: " + admin_key + "\n");
        std::ofstream(config) << text;
    }
    Gateway gateway(dir.path(), config);
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    const auto port = gateway.smpp_port();
    ASSERT_NE(port, 0) << gateway.log();
    {
        BlockingEsme receiver;
        EXPECT_EQ(receiver.bind_as(port, CommandId::bind_receiver),
                  std::optional<CommandStatus>(CommandStatus::ESME_RBINDFAIL))
            << gateway.log();
    }
    {
        BlockingEsme transceiver;
        EXPECT_EQ(transceiver.bind_as(port, CommandId::bind_transceiver),
                  std::optional<CommandStatus>(CommandStatus::ESME_RBINDFAIL));
    }
    BlockingEsme transmitter;
    EXPECT_EQ(transmitter.bind_as(port, CommandId::bind_transmitter),
              std::optional<CommandStatus>(CommandStatus::ESME_ROK));
    EXPECT_TRUE(eventually([&] {
        const auto log = gateway.log();
        const std::string refused =
            R"("msg":"smpp.server bind refused, not in its bind_types","bind":"smpp-in#)";
        return log.find(refused) != std::string::npos &&
               log.find(R"("system_id":"esme1","command_id":"bind_receiver")") !=
                   std::string::npos &&
               log.find(R"("system_id":"esme1","command_id":"bind_transceiver")") !=
                   std::string::npos;
    })) << gateway.log();
    // And /metrics counts them (app/smpp_server_metrics).
    const auto text = http(gateway.port(), "GET", "/metrics").body;
    EXPECT_EQ(metric_value(text, R"(bindery_smpp_server_binds_total{result="rejected"})"), 2)
        << text;
    EXPECT_EQ(metric_value(text, R"(bindery_smpp_server_binds_total{result="accepted"})"), 1);
    EXPECT_EQ(metric_value(text, "bindery_smpp_server_connections_total"), 3);
    EXPECT_EQ(metric_value(text, R"(bindery_smpp_server_submits_total{result="received"})"), 0);
    EXPECT_EQ(
        metric_value(
            text, R"(bindery_smpp_server_bind_rejections_total{reason="bind_type_not_allowed"})"),
        2);
    EXPECT_EQ(
        metric_value(text, R"(bindery_smpp_server_bind_rejections_total{reason="bad_password"})"),
        0);
    EXPECT_EQ(
        metric_value(text, R"(bindery_smpp_server_sessions_bound{account="esme1",bind_type="tx"})"),
        1);
    // bindery status (GET /admin/v1/status) lists the bound ESME sessions too.
    const auto status = http(gateway.port(), "GET", "/admin/v1/status", {}, admin_key);
    ASSERT_EQ(status.status, 200) << status.body;
    EXPECT_THAT(status.body,
                HasSubstr(R"("esme_sessions":[{"account":"esme1","bind_type":"tx","bound":1}])"));
}

}  // namespace
}  // namespace bindery::test
