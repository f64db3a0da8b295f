// Issue 4: an ESME bound to `bindery serve` sends a long message as concatenated submit_sm parts
// (UCS-2, 8-bit UDH reference), out of order, with the gateway killed (SIGKILL) between the second
// and the third part. After the restart the last part completes the message: the carrier (the
// simulator, recording what it receives) gets ONE message re-segmented by the router whose text
// equals the original, and every part id the ESME was given gets its own delivery receipt.
// A raw ESME on a blocking socket (blocking_esme.hpp): the wire is exactly what a Kannel or Jasmin
// ESME sends.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "blocking_esme.hpp"
#include "gateway_harness.hpp"
#include "smpp/codec/decode.hpp"
#include "smpp/codec/encode.hpp"
#include "smpp/codec/text/charset.hpp"
#include "smpp/codec/text/data_coding.hpp"
#include "smpp/codec/text/udh.hpp"

namespace bindery::test {
namespace {

using namespace harness;
using smpp::CommandId;
using smpp::CommandStatus;
using ::testing::HasSubstr;

// Part `seqnum` of 3 (reference 0x5A) of UCS-2 `text`, asking for a receipt; its resp's id.
std::optional<std::string> submit_part(BlockingEsme& esme, std::uint32_t sequence,
                                       std::uint8_t seqnum, std::string_view text) {
    const auto ucs2 = smpp::encode_ucs2(text);
    if (!ucs2) return std::nullopt;
    std::vector<std::uint8_t> sm{0x05, 0x00, 0x03, 0x5A, 0x03, seqnum};
    sm.insert(sm.end(), ucs2->begin(), ucs2->end());
    smpp::SubmitSm s;
    s.source_addr_ton = 5;
    s.source_addr = "Bindery";
    s.dest_addr_ton = 1;
    s.dest_addr_npi = 1;
    s.destination_addr = "989121234567";
    s.esm_class = 0x40;
    s.registered_delivery = 1;
    s.data_coding = 8;
    s.short_message = smpp::ByteView(sm);
    if (!esme.send(CommandId::submit_sm, sequence, s)) return std::nullopt;
    auto resp = esme.next();
    if (!resp || resp->header.command_id != CommandId::submit_sm_resp ||
        resp->header.command_status != CommandStatus::ESME_ROK) {
        return std::nullopt;
    }
    return std::string(resp->get_if<smpp::SubmitSmResp>()->message_id);
}

std::vector<std::uint8_t> from_hex(const std::string& hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

// What the simulator received, joined per concatenation reference: text by reference.
std::map<std::string, std::string> carrier_texts(const fs::path& record, std::size_t& lines) {
    std::map<std::string, std::map<int, std::string>> parts;
    std::istringstream in(read_all(record));
    std::string id, dc, esm, sar, hex;
    lines = 0;
    while (in >> id >> dc >> esm >> sar >> hex) {
        ++lines;
        const auto data = from_hex(hex);
        auto decoded = smpp::decode_user_data(static_cast<std::uint8_t>(std::stoi(dc)), data,
                                              (std::stoi(esm) & 0x40) != 0);
        if (!decoded) continue;
        std::string ref = "single:" + id;
        int seq = 1;
        if (decoded->udh && decoded->udh->concat) {
            ref = "udh:" + std::to_string(decoded->udh->concat->reference);
            seq = decoded->udh->concat->seqnum;
        } else if (sar != "-") {
            ref = "sar:" + sar.substr(0, sar.find('/'));
            seq = std::stoi(sar.substr(sar.rfind('/') + 1));
        }
        parts[ref][seq] = decoded->text.utf8;
    }
    std::map<std::string, std::string> out;
    for (const auto& [ref, by_seq] : parts) {
        for (const auto& [seq, text] : by_seq) out[ref] += text;
    }
    return out;
}

TEST(SmppConcat, AThreePartUcs2MessageOutOfOrderSurvivesAKillAndEveryPartGetsItsReceipt) {
    TempDir dir("bindery-concat-");
    const auto record = dir.path() / "carrier.rec";
    Simulator sim(dir.path(), {"--dlr-delay", "20", "--record", record.string()});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const auto config = write_config(dir.path(), sim.port(), kEsmeAccount);
    // 3 x 60 UCS-2 characters: each part fits 67 with the UDH; the router re-segments the 180.
    const std::string p1 = "Part one — سلام دنیا! This is a long Unicode message for... ";
    const std::string p2 = "Part two — ۱۲۳۴۵۶۷۸۹۰ the concatenated submit_sm path at... ";
    const std::string p3 = "Part three — Ωmega ≠ αλφα, and done; a receipt for each id.";
    const std::string original = p1 + p2 + p3;

    std::set<std::string> ids;
    {
        Gateway gateway(dir.path(), config);
        ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
        const auto port = gateway.smpp_port();
        ASSERT_NE(port, 0) << gateway.log();
        BlockingEsme esme;
        ASSERT_TRUE(esme.bind(port)) << gateway.log();
        const auto id3 = submit_part(esme, 2, 3, p3);
        ASSERT_TRUE(id3) << gateway.log();
        const auto id1 = submit_part(esme, 3, 1, p1);
        ASSERT_TRUE(id1) << gateway.log();
        ids = {*id1, *id3};
        // Both parts were answered, so both are on disk: kill -9 now.
        gateway.process().signal(SIGKILL);
        EXPECT_EQ(exit_code(gateway.process().wait(10s)), -SIGKILL);
    }
    std::size_t lines = 0;
    EXPECT_TRUE(carrier_texts(record, lines).empty());  // nothing went to the carrier yet

    Gateway restarted(dir.path(), config);
    ASSERT_NE(restarted.port(), 0) << restarted.log();
    const auto port = restarted.smpp_port();
    ASSERT_NE(port, 0) << restarted.log();
    BlockingEsme esme;
    ASSERT_TRUE(esme.bind(port)) << restarted.log();
    const auto id2 = submit_part(esme, 2, 2, p2);
    ASSERT_TRUE(id2) << restarted.log();
    ids.insert(*id2);
    ASSERT_EQ(ids.size(), 3U);

    // A receipt for each part id, DELIVRD, each answered.
    std::set<std::string> receipted;
    for (int i = 0; i < 50 && receipted.size() < 3; ++i) {
        auto pdu = esme.next(60s);
        ASSERT_TRUE(pdu) << "receipts so far: " << receipted.size() << "\n" << restarted.log();
        const auto* d = pdu->get_if<smpp::DeliverSm>();
        if (d == nullptr) continue;
        ASSERT_TRUE(esme.send(CommandId::deliver_sm_resp, pdu->header.sequence_number,
                              smpp::DeliverSmResp{}));
        EXPECT_EQ(d->esm_class & 0x3C, 0x04);
        const auto rid = std::string(d->tlvs.receipted_message_id().value_or(""));
        EXPECT_EQ(d->tlvs.message_state(), std::optional<std::uint8_t>(2)) << rid;  // DELIVERED
        EXPECT_THAT(std::string(d->short_message.as_chars()), HasSubstr("stat:DELIVRD"));
        EXPECT_EQ(ids.count(rid), 1U) << rid;
        receipted.insert(rid);
    }
    EXPECT_EQ(receipted, ids);

    // query_sm by any part id answers for the message the parts went into.
    std::uint32_t sequence = 100;
    for (const auto& part : ids) {
        smpp::QuerySm q;
        q.message_id = part;
        ASSERT_TRUE(esme.send(CommandId::query_sm, sequence, q));
        auto pdu = esme.next(60s);
        ASSERT_TRUE(pdu) << restarted.log();
        ASSERT_EQ(pdu->header.command_id, CommandId::query_sm_resp);
        EXPECT_EQ(pdu->header.sequence_number, sequence);
        EXPECT_EQ(pdu->header.command_status, CommandStatus::ESME_ROK) << part;
        const auto* r = pdu->get_if<smpp::QuerySmResp>();
        ASSERT_NE(r, nullptr);
        EXPECT_EQ(std::string(r->message_id), part);
        EXPECT_EQ(r->message_state, 2) << part;  // DELIVERED
        EXPECT_EQ(r->final_date.size(), 16U);
        ++sequence;
    }

    // The carrier got one message, re-segmented by the router, whose text is the original.
    const auto texts = carrier_texts(record, lines);
    ASSERT_EQ(texts.size(), 1U) << read_all(record);
    EXPECT_EQ(texts.begin()->second, original);
    EXPECT_GE(lines, 3U);
    EXPECT_THAT(restarted.log(), HasSubstr("recovered 1 held messages (2 parts)"));
    std::string metrics;
    EXPECT_TRUE(eventually([&] {
        metrics = http(restarted.port(), "GET", "/metrics", {}, {}).body;
        return metrics.find(R"(bindery_smpp_concat_messages_total{result="reassembled"} 1)") !=
                   std::string::npos &&
               metrics.find("bindery_smpp_concat_parts_pending 0") != std::string::npos;
    })) << metrics;
}

}  // namespace
}  // namespace bindery::test
