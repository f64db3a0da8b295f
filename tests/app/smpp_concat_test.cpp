// Concatenated submits on the SMPP server side (app/smpp_concat.hpp): joining the parts' text, and
// the assembler on a real SqlitePartStore
// with a fake router: ordering, duplicates, interleaved references, limits, timeouts, router
// refusals, and a restart with parts (and a complete, maybe already accepted, message) in the
// store. Times are passed in: no sleeps.

#include "app/smpp_concat.hpp"

#include <gtest/gtest.h>

#include <map>

#include "router/store/sqlite_parts.hpp"
#include "smpp/codec/text/charset.hpp"
#include "smpp/codec/text/data_coding.hpp"
#include "tests/router/store/store_test_util.hpp"

namespace bindery::app {
namespace {

using namespace std::chrono_literals;
using router::testing::kT0;
using router::testing::TempDir;
using smpp::CommandStatus;

std::vector<std::uint8_t> bytes(std::initializer_list<int> v) {
    std::vector<std::uint8_t> out;
    for (int b : v) out.push_back(static_cast<std::uint8_t>(b));
    return out;
}

// ---- join_text
// -----------------------------------------------------------------------------------

router::HeldPart held(std::uint8_t seqnum, std::uint8_t dc, std::vector<std::uint8_t> data) {
    router::HeldPart p;
    p.seqnum = seqnum;
    p.data_coding = dc;
    p.data.assign(data.begin(), data.end());
    return p;
}

TEST(JoinText, ACharacterSplitAcrossPartsStillDecodesAndMixedCodingsDecodeEachRun) {
    // U+1F600 as a UTF-16 surrogate pair D83D DE00, split between two UCS-2 parts.
    std::vector<router::HeldPart> parts{held(1, 8, bytes({0x00, 'a', 0xD8, 0x3D})),
                                        held(2, 8, bytes({0xDE, 0x00}))};
    EXPECT_EQ(join_text(parts), "a\xF0\x9F\x98\x80");
    // A GSM 7-bit (unpacked) part after them: decoded by its own data_coding.
    parts.push_back(held(3, 0, bytes({'H', 'i', 0x11})));  // 0x11 is '_' in GSM 03.38
    EXPECT_EQ(join_text(parts), "a\xF0\x9F\x98\x80Hi_");
}

// ---- ConcatAssembler
// -----------------------------------------------------------------------------

// A router that accepts (or refuses with `refuse`) and finds accepted messages by client_ref.
class FakeApi final : public router::GatewayApi {
public:
    std::vector<router::SubmitOutcome> submit(
        std::span<const router::SubmitRequest> batch) override {
        std::vector<router::SubmitOutcome> out;
        for (const auto& r : batch) {
            ++calls;
            if (refuse) {
                out.emplace_back(Unexpected(router::SubmitError{*refuse, "no", {}}));
                continue;
            }
            const auto id = ids.next(kT0);
            submitted.push_back(r);
            by_ref[r.client_ref] = id;
            out.emplace_back(router::SubmitAccepted{id, r.destination, {}, 1});
        }
        return out;
    }
    Expected<router::MessageStatus, router::QueryError> status(
        const router::MessageId&, std::optional<std::string_view>) override {
        return Unexpected(router::QueryError{router::QueryErrc::not_found, {}});
    }
    Expected<router::MessagePage, router::QueryError> list(const router::MessageQuery& q) override {
        ++lists;
        router::MessagePage page;
        if (q.client_ref) {
            if (const auto it = by_ref.find(*q.client_ref); it != by_ref.end()) {
                router::MessageStatus s;
                s.id = it->second;
                s.client_ref = it->first;
                page.messages.push_back(s);
            }
        }
        return page;
    }
    router::Backpressure backpressure() const override { return {}; }

    std::optional<router::SubmitErrc> refuse;
    std::vector<router::SubmitRequest> submitted;
    std::map<std::string, router::MessageId> by_ref;
    router::MessageIdGenerator ids{99};
    int calls = 0;
    int lists = 0;
};

router::SubmitRequest base(std::string destination = "+989121234567") {
    router::SubmitRequest r;
    r.client = "acme";
    r.sender = "Bindery";
    r.destination = std::move(destination);
    r.priority = router::Priority::express;
    r.validity = std::chrono::seconds(3600);
    r.tags = {"smpp", "smpp-dlr:esme1:1"};
    return r;
}

// UCS-2 part `seqnum` of `total` with reference `ref` carrying `text`.
SubmitPart ucs2_part(std::uint16_t ref, std::uint8_t total, std::uint8_t seqnum,
                     std::string_view text, ConcatRefKind kind = ConcatRefKind::udh8) {
    SubmitPart p;
    p.ref = ConcatRef{kind, ref, total, seqnum};
    p.data_coding = 8;
    auto encoded = smpp::encode_ucs2(text);
    if (encoded) p.user_data.assign(encoded->begin(), encoded->end());
    return p;
}

class ConcatAssemblerTest : public ::testing::Test {
protected:
    std::unique_ptr<router::SqlitePartStore> open_store() {
        router::SqliteStoreConfig c;
        c.path = dir_.file("m.db");
        auto s = router::SqlitePartStore::open(c);
        if (!s) {
            ADD_FAILURE() << s.error().detail;
            return nullptr;
        }
        return std::move(*s);
    }
    std::vector<std::string> part_ids_tag(const router::SubmitRequest& r) {
        for (const auto& t : r.tags) {
            if (t.starts_with(kPartsTag)) {
                std::vector<std::string> out;
                std::string rest = t.substr(kPartsTag.size());
                std::size_t at = 0;
                while (at <= rest.size()) {
                    const auto comma = rest.find(',', at);
                    out.push_back(rest.substr(
                        at, comma == std::string::npos ? std::string::npos : comma - at));
                    if (comma == std::string::npos) break;
                    at = comma + 1;
                }
                return out;
            }
        }
        return {};
    }

    TempDir dir_;
    FakeApi api_;
    ConcatLimits limits_;
};

TEST_F(ConcatAssemblerTest, ThreePartsOutOfOrderBecomeOneMessageAndEachPartKeepsItsId) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ConcatAssembler a(*store, api_, limits_, 1);
    ASSERT_TRUE(a.recover().has_value());
    const auto r3 = a.add("esme1", base(), ucs2_part(42, 3, 3, "Omega Ω"), kT0);
    const auto r1 = a.add("esme1", base(), ucs2_part(42, 3, 1, "سلام "), kT0 + 1s);
    EXPECT_TRUE(a.submit_due(kT0 + 1s).empty());
    EXPECT_TRUE(api_.submitted.empty());  // incomplete: nothing for the router yet
    const auto r2 = a.add("esme1", base(), ucs2_part(42, 3, 2, "دنیا — "), kT0 + 2s);
    for (const auto* r : {&r1, &r2, &r3}) {
        EXPECT_EQ(r->status, CommandStatus::ESME_ROK);
        EXPECT_TRUE(router::MessageId::parse(r->message_id).has_value()) << r->message_id;
    }
    EXPECT_NE(r1.message_id, r2.message_id);
    EXPECT_NE(r2.message_id, r3.message_id);
    EXPECT_EQ(a.stats().parts_pending, 3U);
    EXPECT_TRUE(a.has_due(kT0 + 2s));

    EXPECT_TRUE(a.submit_due(kT0 + 2s).empty());
    ASSERT_EQ(api_.submitted.size(), 1U);
    const auto& m = api_.submitted.front();
    EXPECT_EQ(m.text, "سلام دنیا — Omega Ω");
    EXPECT_EQ(m.client, "acme");
    EXPECT_EQ(m.sender, "Bindery");
    EXPECT_EQ(m.destination, "+989121234567");
    EXPECT_EQ(m.priority, router::Priority::express);
    EXPECT_EQ(m.validity, std::chrono::seconds(3600));
    EXPECT_EQ(m.client_ref, std::string(kConcatRefPrefix) + r1.message_id);
    EXPECT_EQ(part_ids_tag(m),
              (std::vector<std::string>{r1.message_id, r2.message_id, r3.message_id}));
    EXPECT_NE(std::find(m.tags.begin(), m.tags.end(), "smpp-dlr:esme1:1"), m.tags.end());

    // The parts are gone; each part id links to the combined message.
    EXPECT_TRUE(store->load()->empty());
    const auto combined = api_.by_ref.at(m.client_ref);
    for (const auto* r : {&r1, &r2, &r3}) {
        EXPECT_EQ(store->message_of(*router::MessageId::parse(r->message_id))->value(), combined);
    }
    const auto s = a.stats();
    EXPECT_EQ(s.reassembled, 1U);
    EXPECT_EQ(s.parts_pending, 0U);
    EXPECT_EQ(s.messages_pending, 0U);
    EXPECT_FALSE(a.next_due().has_value());
}

TEST_F(ConcatAssemblerTest, ARetransmittedPartGetsTheSameIdAndIsStoredOnce) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ConcatAssembler a(*store, api_, limits_, 2);
    ASSERT_TRUE(a.recover().has_value());
    const auto first = a.add("esme1", base(), ucs2_part(7, 2, 1, "ab"), kT0);
    const auto again = a.add("esme1", base(), ucs2_part(7, 2, 1, "ab"), kT0 + 1s);
    EXPECT_EQ(again.status, CommandStatus::ESME_ROK);
    EXPECT_EQ(again.message_id, first.message_id);
    EXPECT_EQ(a.stats().duplicates, 1U);
    EXPECT_EQ(a.stats().parts_pending, 1U);
    ASSERT_EQ(store->load()->front().parts.size(), 1U);
    const auto last = a.add("esme1", base(), ucs2_part(7, 2, 2, "cd"), kT0 + 2s);
    // Retransmitted while the complete message waits for the router: still the same id.
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(7, 2, 2, "cd"), kT0 + 2s).message_id,
              last.message_id);
    (void)a.submit_due(kT0 + 2s);
    ASSERT_EQ(api_.submitted.size(), 1U);
    EXPECT_EQ(api_.submitted[0].text, "abcd");
}

TEST_F(ConcatAssemblerTest,
       ALateRetransmissionOfAReleasedPartGetsItsIdOnlyWithTheSameContentInTheWindow) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    limits_.duplicate_window = 60s;
    ConcatAssembler a(*store, api_, limits_, 12);
    ASSERT_TRUE(a.recover().has_value());
    const auto p1 = a.add("esme1", base(), ucs2_part(8, 2, 1, "ab"), kT0);
    const auto p2 = a.add("esme1", base(), ucs2_part(8, 2, 2, "cd"), kT0);
    (void)a.submit_due(kT0);
    ASSERT_EQ(api_.submitted.size(), 1U);
    ASSERT_TRUE(store->load()->empty());
    // Part 2's resp was lost: the ESME sends it again after the message was released.
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(8, 2, 2, "cd"), kT0 + 10s).message_id,
              p2.message_id);
    EXPECT_EQ(a.stats().messages_pending, 0U);
    EXPECT_EQ(a.stats().duplicates, 1U);
    // The same reference with other content is a new message (references are reused).
    const auto n1 = a.add("esme1", base(), ucs2_part(8, 2, 1, "xy"), kT0 + 20s);
    EXPECT_EQ(n1.status, CommandStatus::ESME_ROK);
    EXPECT_NE(n1.message_id, p1.message_id);
    EXPECT_EQ(a.stats().messages_pending, 1U);
    // Past the window the same content is a new message too.
    (void)a.add("esme1", base(), ucs2_part(9, 1 + 1, 1, "ef"), kT0 + 20s);
    const auto q2 = a.add("esme1", base(), ucs2_part(9, 2, 2, "gh"), kT0 + 20s);
    (void)a.submit_due(kT0 + 20s);
    EXPECT_NE(a.add("esme1", base(), ucs2_part(9, 2, 2, "gh"), kT0 + 81s).message_id,
              q2.message_id);
    EXPECT_EQ(a.stats().duplicates, 1U);
}

TEST_F(ConcatAssemblerTest,
       ANewMessageWithTheSameReferenceIsHeldWhileTheCompleteOneWaitsForTheRouter) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    limits_.retry_interval = 5s;
    ConcatAssembler a(*store, api_, limits_, 13);
    ASSERT_TRUE(a.recover().has_value());
    api_.refuse = router::SubmitErrc::backlog_full;
    const auto p1 = a.add("esme1", base(), ucs2_part(5, 2, 1, "ab"), kT0);
    (void)a.add("esme1", base(), ucs2_part(5, 2, 2, "cd"), kT0);
    EXPECT_TRUE(a.submit_due(kT0).empty());  // complete, the router is busy: held
    // The ESME's next message reuses reference 5 (an 8-bit counter wraps quickly).
    const auto n1 = a.add("esme1", base(), ucs2_part(5, 2, 1, "ef"), kT0 + 1s);
    EXPECT_EQ(n1.status, CommandStatus::ESME_ROK);
    EXPECT_NE(n1.message_id, p1.message_id);
    // A retransmission of the held message's part is still recognised by its content.
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(5, 2, 1, "ab"), kT0 + 1s).message_id, p1.message_id);
    (void)a.add("esme1", base(), ucs2_part(5, 2, 2, "gh"), kT0 + 1s);
    EXPECT_EQ(a.stats().messages_pending, 2U);
    api_.refuse.reset();
    EXPECT_TRUE(a.submit_due(kT0 + 5s).empty());
    std::vector<std::string> texts;
    for (const auto& r : api_.submitted) texts.push_back(r.text);
    std::sort(texts.begin(), texts.end());
    EXPECT_EQ(texts, (std::vector<std::string>{"abcd", "efgh"}));
    EXPECT_TRUE(store->load()->empty());
}

TEST_F(ConcatAssemblerTest, InterleavedReferencesKindsAndAddressesStayApart) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ConcatAssembler a(*store, api_, limits_, 3);
    ASSERT_TRUE(a.recover().has_value());
    // Reference 5 as 8-bit UDH, 16-bit UDH and SAR; and reference 5 to another destination.
    (void)a.add("esme1", base(), ucs2_part(5, 2, 1, "A1"), kT0);
    (void)a.add("esme1", base(), ucs2_part(5, 2, 1, "B1", ConcatRefKind::udh16), kT0);
    (void)a.add("esme1", base(), ucs2_part(5, 2, 2, "C2", ConcatRefKind::sar), kT0);
    (void)a.add("esme1", base("+989120000000"), ucs2_part(5, 2, 2, "D2"), kT0);
    (void)a.add("esme2", base(), ucs2_part(5, 2, 2, "E2"), kT0);
    EXPECT_EQ(a.stats().messages_pending, 5U);
    (void)a.add("esme1", base(), ucs2_part(5, 2, 2, "A2"), kT0 + 1s);
    (void)a.add("esme1", base(), ucs2_part(5, 2, 1, "C1", ConcatRefKind::sar), kT0 + 1s);
    (void)a.add("esme1", base(), ucs2_part(5, 2, 2, "B2", ConcatRefKind::udh16), kT0 + 1s);
    (void)a.submit_due(kT0 + 1s);
    std::vector<std::string> texts;
    for (const auto& r : api_.submitted) texts.push_back(r.text);
    std::sort(texts.begin(), texts.end());
    EXPECT_EQ(texts, (std::vector<std::string>{"A1A2", "B1B2", "C1C2"}));
    EXPECT_EQ(a.stats().messages_pending, 2U);
}

TEST_F(ConcatAssemblerTest, ATotalThatDisagreesWithTheHeldMessageIsRefused) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ConcatAssembler a(*store, api_, limits_, 4);
    ASSERT_TRUE(a.recover().has_value());
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(9, 3, 1, "x"), kT0).status, CommandStatus::ESME_ROK);
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(9, 2, 2, "y"), kT0).status,
              CommandStatus::ESME_RINVESMCLASS);
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(9, 4, 2, "y", ConcatRefKind::sar), kT0).status,
              CommandStatus::ESME_ROK);
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(9, 2, 1, "y", ConcatRefKind::sar), kT0).status,
              CommandStatus::ESME_RINVOPTPARAMVAL);
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(9, 2, 3, "y"), kT0).status,
              CommandStatus::ESME_RINVESMCLASS);
    EXPECT_EQ(a.stats().refused, 3U);
    EXPECT_EQ(a.stats().parts_pending, 2U);
}

TEST_F(ConcatAssemblerTest, PerAccountLimitsAnswerMessageQueueFull) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    limits_.max_messages = 2;
    limits_.max_parts = 3;
    ConcatAssembler a(*store, api_, limits_, 5);
    ASSERT_TRUE(a.recover().has_value());
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(1, 3, 1, "a"), kT0).status, CommandStatus::ESME_ROK);
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(2, 3, 1, "a"), kT0).status, CommandStatus::ESME_ROK);
    // A third incomplete message: over max_messages.
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(3, 3, 1, "a"), kT0).status,
              CommandStatus::ESME_RMSGQFUL);
    // Another account has its own budget.
    EXPECT_EQ(a.add("esme2", base(), ucs2_part(3, 3, 1, "a"), kT0).status, CommandStatus::ESME_ROK);
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(1, 3, 2, "b"), kT0).status, CommandStatus::ESME_ROK);
    // Three parts held for esme1: over max_parts.
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(2, 3, 2, "b"), kT0).status,
              CommandStatus::ESME_RMSGQFUL);
    EXPECT_EQ(a.stats().refused, 2U);
    EXPECT_EQ(store->load()->size(), 3U);
}

TEST_F(ConcatAssemblerTest, AnIncompleteMessageTimesOutWithItsPartIdsForFailureReceipts) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    limits_.timeout = 300s;
    ConcatAssembler a(*store, api_, limits_, 6);
    ASSERT_TRUE(a.recover().has_value());
    const auto p1 = a.add("esme1", base(), ucs2_part(11, 3, 1, "one "), kT0);
    const auto p3 = a.add("esme1", base(), ucs2_part(11, 3, 3, "three"), kT0 + 100s);
    EXPECT_EQ(a.next_due(), kT0 + 300s);  // from the first part
    EXPECT_TRUE(a.expire(kT0 + 299s).empty());
    auto failed = a.expire(kT0 + 300s);
    ASSERT_EQ(failed.size(), 1U);
    const auto& f = failed.front();
    EXPECT_EQ(f.account, "esme1");
    EXPECT_EQ(f.state, router::MessageState::undeliverable);
    ASSERT_EQ(f.part_ids.size(), 2U);
    EXPECT_EQ(f.part_ids[0].to_string(), p1.message_id);
    EXPECT_EQ(f.part_ids[1].to_string(), p3.message_id);
    EXPECT_EQ(f.text, "one three");
    EXPECT_EQ(f.reason, "incomplete: 2 of 3 parts");
    EXPECT_EQ(f.tags, base().tags);
    EXPECT_EQ(f.first_at, kT0);
    EXPECT_TRUE(store->load()->empty());
    EXPECT_EQ(a.stats().timed_out, 1U);
    EXPECT_EQ(a.stats().parts_pending, 0U);
    EXPECT_TRUE(api_.submitted.empty());
    // The reference is free again: a new message with it starts over.
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(11, 3, 3, "x"), kT0 + 301s).status,
              CommandStatus::ESME_ROK);
    EXPECT_NE(a.stats().messages_pending, 0U);
}

TEST_F(ConcatAssemblerTest, TheRouterRefusingForGoodRejectsButBusyRetriesLater) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    limits_.retry_interval = 5s;
    ConcatAssembler a(*store, api_, limits_, 7);
    ASSERT_TRUE(a.recover().has_value());
    (void)a.add("esme1", base(), ucs2_part(1, 2, 1, "a"), kT0);
    (void)a.add("esme1", base(), ucs2_part(1, 2, 2, "b"), kT0);
    api_.refuse = router::SubmitErrc::backlog_full;
    EXPECT_TRUE(a.submit_due(kT0).empty());
    EXPECT_EQ(api_.calls, 1);
    EXPECT_EQ(a.next_due(), kT0 + 5s);
    EXPECT_FALSE(a.has_due(kT0 + 4s));
    EXPECT_EQ(store->load()->size(), 1U);  // still held, complete
    api_.refuse.reset();
    EXPECT_TRUE(a.submit_due(kT0 + 5s).empty());
    EXPECT_EQ(api_.submitted.size(), 1U);

    (void)a.add("esme1", base(), ucs2_part(2, 2, 1, "c"), kT0 + 6s);
    const auto last = a.add("esme1", base(), ucs2_part(2, 2, 2, "d"), kT0 + 6s);
    api_.refuse = router::SubmitErrc::invalid_destination;
    auto failed = a.submit_due(kT0 + 6s);
    ASSERT_EQ(failed.size(), 1U);
    EXPECT_EQ(failed[0].state, router::MessageState::rejected);
    ASSERT_EQ(failed[0].part_ids.size(), 2U);
    EXPECT_EQ(failed[0].part_ids[1].to_string(), last.message_id);
    EXPECT_TRUE(store->load()->empty());
    EXPECT_EQ(a.stats().rejected, 1U);
}

TEST_F(ConcatAssemblerTest, PartsHeldBeforeARestartCompleteAfterIt) {
    PartAnswer p1, p2;
    {
        auto store = open_store();
        ASSERT_NE(store, nullptr);
        ConcatAssembler a(*store, api_, limits_, 8);
        ASSERT_TRUE(a.recover().has_value());
        p2 = a.add("esme1", base(), ucs2_part(77, 3, 2, "b"), kT0);
        p1 = a.add("esme1", base(), ucs2_part(77, 3, 1, "a"), kT0 + 1s);
    }  // the process dies: only the store remains
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ConcatAssembler a(*store, api_, limits_, 9);
    ASSERT_TRUE(a.recover().has_value());
    EXPECT_EQ(a.stats().parts_pending, 2U);
    EXPECT_EQ(a.next_due(), kT0 + limits_.timeout);  // the deadline runs from the first part
    // The ESME retransmits part 1 (its resp was lost with the connection): same id.
    EXPECT_EQ(a.add("esme1", base(), ucs2_part(77, 3, 1, "a"), kT0 + 10s).message_id,
              p1.message_id);
    const auto p3 = a.add("esme1", base(), ucs2_part(77, 3, 3, "c"), kT0 + 10s);
    (void)a.submit_due(kT0 + 10s);
    ASSERT_EQ(api_.submitted.size(), 1U);
    EXPECT_EQ(api_.submitted[0].text, "abc");
    EXPECT_EQ(part_ids_tag(api_.submitted[0]),
              (std::vector<std::string>{p1.message_id, p2.message_id, p3.message_id}));
}

TEST_F(ConcatAssemblerTest, TheFirstPartsScheduleIsKeptAcrossARestart) {
    auto scheduled = base();
    scheduled.schedule_at = kT0 + 2h + 500ms;
    {
        auto store = open_store();
        ASSERT_NE(store, nullptr);
        ConcatAssembler a(*store, api_, limits_, 8);
        ASSERT_TRUE(a.recover().has_value());
        (void)a.add("esme1", scheduled, ucs2_part(78, 2, 1, "a"), kT0);
    }
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ConcatAssembler a(*store, api_, limits_, 9);
    ASSERT_TRUE(a.recover().has_value());
    (void)a.add("esme1", base(), ucs2_part(78, 2, 2, "b"), kT0 + 1s);
    (void)a.submit_due(kT0 + 1s);
    ASSERT_EQ(api_.submitted.size(), 1U);
    EXPECT_EQ(api_.submitted[0].text, "ab");
    EXPECT_EQ(api_.submitted[0].schedule_at, kT0 + 2h + 500ms);
    EXPECT_EQ(api_.submitted[0].validity, std::chrono::seconds(3600));
}

TEST_F(ConcatAssemblerTest, AGroupHeldByAnOlderVersionWithoutScheduleIsStillCompleted) {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    router::MessageIdGenerator ids(5);
    router::HeldGroup g;
    g.account = "esme1";
    g.source = "Bindery";
    g.destination = "+989121234567";
    g.reference_kind = static_cast<std::uint8_t>(ConcatRefKind::udh8);
    g.reference = 79;
    g.total = 2;
    // Envelope format 1: client, sender, destination, priority, validity, tag count, tags.
    const auto priority = std::to_string(static_cast<int>(router::Priority::express));
    g.envelope = "14:acme7:Bindery13:+989121234567" + std::to_string(priority.size()) + ":" +
                 priority + "4:36001:14:smpp";
    g.first_at = kT0;
    auto group = store->create(g);
    ASSERT_TRUE(group.has_value()) << group.error();
    auto first = ucs2_part(79, 2, 1, "x");
    router::HeldPart p;
    p.seqnum = 1;
    p.id = ids.next(kT0);
    p.data_coding = first.data_coding;
    p.data.assign(first.user_data.begin(), first.user_data.end());
    p.received_at = kT0;
    ASSERT_TRUE(store->add(*group, p, false).has_value());

    ConcatAssembler a(*store, api_, limits_, 10);
    ASSERT_TRUE(a.recover().has_value());
    EXPECT_EQ(a.stats().parts_pending, 1U);
    (void)a.add("esme1", base(), ucs2_part(79, 2, 2, "y"), kT0 + 1s);
    (void)a.submit_due(kT0 + 1s);
    ASSERT_EQ(api_.submitted.size(), 1U);
    const auto& m = api_.submitted[0];
    EXPECT_EQ(m.text, "xy");
    EXPECT_EQ(m.client, "acme");
    EXPECT_EQ(m.priority, router::Priority::express);
    EXPECT_EQ(m.validity, std::chrono::seconds(3600));
    EXPECT_FALSE(m.schedule_at.has_value());
}

TEST_F(ConcatAssemblerTest, ACompleteMessageTheRouterAlreadyHasIsNotSubmittedTwiceAfterARestart) {
    PartAnswer p1;
    {
        auto store = open_store();
        ASSERT_NE(store, nullptr);
        ConcatAssembler a(*store, api_, limits_, 10);
        ASSERT_TRUE(a.recover().has_value());
        p1 = a.add("esme1", base(), ucs2_part(3, 2, 1, "a"), kT0);
        (void)a.add("esme1", base(), ucs2_part(3, 2, 2, "b"), kT0);
        (void)a.add("esme1", base(), ucs2_part(4, 2, 1, "c"), kT0);
        (void)a.add("esme1", base(), ucs2_part(4, 2, 2, "d"), kT0);
    }  // died after the last parts were stored, before submit_due()
    // The router accepted message 3 before the crash (its commit raced the parts' release).
    const auto accepted = api_.ids.next(kT0);
    api_.by_ref[std::string(kConcatRefPrefix) + p1.message_id] = accepted;

    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ConcatAssembler a(*store, api_, limits_, 11);
    ASSERT_TRUE(a.recover().has_value());
    EXPECT_EQ(a.stats().messages_pending, 2U);
    EXPECT_TRUE(a.has_due(kT0));
    EXPECT_TRUE(a.submit_due(kT0 + 1s).empty());
    EXPECT_EQ(api_.lists, 2);
    ASSERT_EQ(api_.submitted.size(), 1U);  // only message 4 went to the router
    EXPECT_EQ(api_.submitted[0].text, "cd");
    EXPECT_TRUE(store->load()->empty());
    EXPECT_EQ(store->message_of(*router::MessageId::parse(p1.message_id))->value(), accepted);
    EXPECT_EQ(a.stats().reassembled, 2U);
}

}  // namespace
}  // namespace bindery::app
