// Property tests: thousands of random valid PDUs of every type survive encode -> decode -> encode
// unchanged; random corruptions of valid PDUs never crash and, when they decode, round-trip too.

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "smpp/codec/codec.hpp"

namespace bindery::smpp {
namespace {

// Makes random valid PDUs; owns the storage their views point into.
class RandomPdu {
public:
    explicit RandomPdu(std::uint32_t seed) : rng_(seed) {}

    Pdu next() {
        const auto index = pick(0, std::variant_size_v<Body> - 1);
        Pdu p;
        p.header.sequence_number = static_cast<std::uint32_t>(pick(1, 0x7FFFFFFF));
        fill_index(index, p.body);
        const bool resp = is_response(p.command_id());
        p.header.command_status =
            resp && pick(0, 3) == 0 ? CommandStatus::ESME_RTHROTTLED : CommandStatus::ESME_ROK;
        return p;
    }

private:
    std::size_t pick(std::size_t lo, std::size_t hi) {
        return std::uniform_int_distribution<std::size_t>(lo, hi)(rng_);
    }
    std::uint8_t byte() { return static_cast<std::uint8_t>(pick(0, 255)); }

    std::string_view text(std::size_t max_with_nul) {
        const std::size_t len = pick(0, 3) == 0 ? max_with_nul - 1 : pick(0, max_with_nul - 1);
        std::string s;
        for (std::size_t i = 0; i < len; ++i) s.push_back(static_cast<char>(pick(1, 255)));
        return strings_.emplace_back(std::move(s));
    }
    std::string_view time() {
        if (pick(0, 1) == 0) return {};
        std::string s = "2512312359590";
        s += std::to_string(pick(10, 48));
        s += "+-R"[pick(0, 2)];
        return strings_.emplace_back(std::move(s));
    }
    ByteView octets(std::size_t max) {
        auto& v = blobs_.emplace_back(pick(0, max));
        for (auto& b : v) b = byte();
        return ByteView(v);
    }

    TlvRange tlvs(bool allow_payload) {
        auto& b = builders_.emplace_back();
        const auto n = pick(0, 6);
        for (std::size_t i = 0; i < n; ++i) {
            switch (pick(0, 9)) {
                case 0:
                    b.u16(tlv_tag::user_message_reference,
                          static_cast<std::uint16_t>(pick(0, 65535)));
                    break;
                case 1:
                    b.u16(tlv_tag::sar_msg_ref_num, static_cast<std::uint16_t>(pick(0, 65535)));
                    b.u8(tlv_tag::sar_total_segments, byte());
                    b.u8(tlv_tag::sar_segment_seqnum, byte());
                    break;
                case 2: b.c_string(tlv_tag::receipted_message_id, text(65)); break;
                case 3: b.u8(tlv_tag::message_state, byte()); break;
                case 4:
                    b.network_error_code({byte(), static_cast<std::uint16_t>(pick(0, 65535))});
                    break;
                case 5:
                    if (allow_payload) (void)b.octets(tlv_tag::message_payload, octets(600));
                    break;
                case 6:
                    (void)b.octets(static_cast<std::uint16_t>(pick(0x1400, 0x3FFF)), octets(40));
                    break;
                case 7:
                    b.u16(tlv_tag::source_port, 9200).u16(tlv_tag::destination_port, 2948);
                    break;
                case 8:
                    b.u32(tlv_tag::qos_time_to_live, static_cast<std::uint32_t>(pick(0, 1U << 30)));
                    break;
                default: (void)b.octets(tlv_tag::alert_on_message_delivery, {}); break;
            }
        }
        return b.range();
    }

    template <class B>
    void fill_sm(B& b) {
        b.esm_class = byte();
        b.protocol_id = byte();
        b.priority_flag = byte();
        b.schedule_delivery_time = time();
        b.validity_period = time();
        b.registered_delivery = byte();
        b.replace_if_present_flag = byte();
        b.data_coding = byte();
        b.sm_default_msg_id = byte();
        b.short_message = pick(0, 4) == 0 ? ByteView{} : octets(254);
        b.tlvs = tlvs(b.short_message.empty());
    }

    template <CommandId Id>
    void fill(EmptyBody<Id>&) {}
    template <CommandId Id>
    void fill(BindRequest<Id>& b) {
        b = {{}, {}, {}, byte(), byte(), byte(), {}};
        b.system_id = text(field_max::system_id);
        b.password = text(field_max::password);
        b.system_type = text(field_max::system_type);
        b.address_range = text(field_max::address_range);
    }
    template <CommandId Id>
    void fill(BindResponse<Id>& b) {
        b.system_id = text(field_max::system_id);
        b.tlvs = tlvs(false);
    }
    void fill(Outbind& b) {
        b.system_id = text(field_max::system_id);
        b.password = text(field_max::password);
    }
    template <CommandId Id>
    void fill(ShortMessage<Id>& b) {
        b.service_type = text(field_max::service_type);
        b.source_addr_ton = byte();
        b.source_addr_npi = byte();
        b.source_addr = text(field_max::address);
        b.dest_addr_ton = byte();
        b.dest_addr_npi = byte();
        b.destination_addr = text(field_max::address);
        fill_sm(b);
    }
    template <CommandId Id>
    void fill(MessageIdResponse<Id>& b) {
        b.message_id = text(field_max::message_id);
        b.tlvs = tlvs(false);
    }
    void fill(SubmitMulti& b) {
        b.service_type = text(field_max::service_type);
        b.source_addr_ton = byte();
        b.source_addr_npi = byte();
        b.source_addr = text(field_max::address);
        auto& list = dests_.emplace_back(pick(0, 9) == 0 ? 254 : pick(1, 8));
        for (auto& d : list) {
            if (pick(0, 3) == 0) {
                d = {DestFlag::distribution_list, 0, 0, {}, text(field_max::address)};
            } else {
                d = {DestFlag::sme_address, byte(), byte(), text(field_max::address), {}};
            }
        }
        b.dest_addresses = DestAddressList(list);
        fill_sm(b);
    }
    void fill(SubmitMultiResp& b) {
        b.message_id = text(field_max::message_id);
        auto& list = unsuccess_.emplace_back(pick(0, 5));
        for (auto& u : list) {
            u = {byte(), byte(), text(field_max::address),
                 static_cast<CommandStatus>(pick(0, 0xFFFFFFFF))};
        }
        b.unsuccess_smes = UnsuccessSmeList(list);
        b.tlvs = tlvs(false);
    }
    void fill(DataSm& b) {
        b.service_type = text(field_max::service_type);
        b.source_addr_ton = byte();
        b.source_addr_npi = byte();
        b.source_addr = text(field_max::data_sm_address);
        b.dest_addr_ton = byte();
        b.dest_addr_npi = byte();
        b.destination_addr = text(field_max::data_sm_address);
        b.esm_class = byte();
        b.registered_delivery = byte();
        b.data_coding = byte();
        b.tlvs = tlvs(true);
    }
    void fill(QuerySm& b) {
        b.message_id = text(field_max::message_id);
        b.source_addr_ton = byte();
        b.source_addr_npi = byte();
        b.source_addr = text(field_max::address);
    }
    void fill(QuerySmResp& b) {
        b.message_id = text(field_max::message_id);
        b.final_date = time();
        b.message_state = byte();
        b.error_code = byte();
    }
    void fill(CancelSm& b) {
        b.service_type = text(field_max::service_type);
        b.message_id = text(field_max::message_id);
        b.source_addr_ton = byte();
        b.source_addr_npi = byte();
        b.source_addr = text(field_max::address);
        b.dest_addr_ton = byte();
        b.dest_addr_npi = byte();
        b.destination_addr = text(field_max::address);
    }
    void fill(ReplaceSm& b) {
        b.message_id = text(field_max::message_id);
        b.source_addr_ton = byte();
        b.source_addr_npi = byte();
        b.source_addr = text(field_max::address);
        b.schedule_delivery_time = time();
        b.validity_period = time();
        b.registered_delivery = byte();
        b.sm_default_msg_id = byte();
        b.short_message = octets(254);
    }
    void fill(AlertNotification& b) {
        b.source_addr_ton = byte();
        b.source_addr_npi = byte();
        b.source_addr = text(field_max::data_sm_address);
        b.esme_addr_ton = byte();
        b.esme_addr_npi = byte();
        b.esme_addr = text(field_max::data_sm_address);
        b.tlvs = tlvs(false);
    }

    template <std::size_t I = 0>
    void fill_index(std::size_t index, Body& body) {
        if constexpr (I < std::variant_size_v<Body>) {
            if (index == I) {
                fill(body.emplace<I>());
                return;
            }
            fill_index<I + 1>(index, body);
        }
    }

    std::mt19937 rng_;
    std::deque<std::string> strings_;
    std::deque<std::vector<std::uint8_t>> blobs_;
    std::deque<TlvBuilder> builders_;
    std::deque<std::vector<DestAddress>> dests_;
    std::deque<std::vector<UnsuccessSme>> unsuccess_;
};

TEST(RoundTrip, RandomValidPdusOfEveryTypeSurviveEncodeDecodeEncode) {
    RandomPdu gen(20261123);
    std::vector<std::uint8_t> first;
    std::vector<std::uint8_t> second;
    std::vector<int> per_type(std::variant_size_v<Body>, 0);
    for (int i = 0; i < 20000; ++i) {
        const Pdu original = gen.next();
        ++per_type[original.body.index()];
        first.clear();
        ASSERT_FALSE(encode(original, first)) << dump(original);
        const auto size = encoded_size(original);
        ASSERT_TRUE(size);
        ASSERT_EQ(*size, first.size());
        const auto scan = scan_frame(first);
        ASSERT_EQ(scan.status, FrameStatus::complete);
        ASSERT_EQ(scan.frame_size, first.size());
        const auto decoded = decode(first);
        ASSERT_TRUE(decoded) << dump(decoded.error()) << "\n" << dump(original);
        EXPECT_EQ(decoded->body, original.body) << dump(*decoded) << "\n" << dump(original);
        EXPECT_EQ(decoded->header.sequence_number, original.header.sequence_number);
        EXPECT_EQ(decoded->header.command_status, original.header.command_status);
        EXPECT_EQ(decoded->header.command_length, first.size());
        second.assign(3, 0xEE);  // encode appends after existing content
        ASSERT_FALSE(encode(*decoded, second));
        ASSERT_EQ(second.size(), first.size() + 3);
        EXPECT_TRUE(std::equal(first.begin(), first.end(), second.begin() + 3));
        std::vector<std::uint8_t> span_out(first.size());
        const auto n = encode(*decoded, std::span<std::uint8_t>(span_out));
        ASSERT_TRUE(n);
        EXPECT_EQ(span_out, first);
        if (HasFailure()) return;
    }
    for (std::size_t t = 0; t < per_type.size(); ++t) EXPECT_GT(per_type[t], 100) << "type " << t;
}

TEST(RoundTrip, CorruptedPdusNeverCrashAndWhatDecodesRoundTrips) {
    RandomPdu gen(7);
    std::mt19937 rng(99);
    std::vector<std::uint8_t> wire;
    std::vector<std::uint8_t> again;
    int decoded_count = 0;
    for (int i = 0; i < 20000; ++i) {
        wire.clear();
        ASSERT_FALSE(encode(gen.next(), wire));
        // Flip, insert or drop a few octets; keep command_length consistent half of the time.
        const int edits = std::uniform_int_distribution<int>(1, 4)(rng);
        for (int e = 0; e < edits && !wire.empty(); ++e) {
            const auto at = std::uniform_int_distribution<std::size_t>(0, wire.size() - 1)(rng);
            switch (rng() % 3) {
                case 0: wire[at] = static_cast<std::uint8_t>(rng()); break;
                case 1:
                    wire.insert(wire.begin() + static_cast<std::ptrdiff_t>(at),
                                static_cast<std::uint8_t>(rng()));
                    break;
                default: wire.erase(wire.begin() + static_cast<std::ptrdiff_t>(at)); break;
            }
        }
        if (rng() % 2 == 0 && wire.size() >= 4) {
            const auto n = static_cast<std::uint32_t>(wire.size());
            wire[0] = static_cast<std::uint8_t>(n >> 24);
            wire[1] = static_cast<std::uint8_t>(n >> 16);
            wire[2] = static_cast<std::uint8_t>(n >> 8);
            wire[3] = static_cast<std::uint8_t>(n);
        }
        const auto pdu = decode(wire);
        if (!pdu) {
            EXPECT_LE(pdu.error().offset, wire.size());
            (void)make_error_response(pdu.error());
            continue;
        }
        ++decoded_count;
        again.clear();
        ASSERT_FALSE(encode(*pdu, again)) << dump(*pdu);
        const auto redecoded = decode(again);
        ASSERT_TRUE(redecoded);
        EXPECT_EQ(redecoded->body, pdu->body);
        (void)dump(*pdu);
    }
    EXPECT_GT(decoded_count, 1000);
}

}  // namespace
}  // namespace bindery::smpp
