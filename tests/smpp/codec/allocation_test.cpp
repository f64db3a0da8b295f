// Decoding submit_sm / deliver_sm (and encoding into a reused buffer) performs no heap allocation:
// operator new is counted for this test executable.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "smpp/codec/codec.hpp"
#include "tests/smpp/codec/hex_file.hpp"

namespace {
std::atomic<long> g_news{0};
}

void* operator new(std::size_t n) {
    g_news.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace bindery::smpp {
namespace {

TEST(Allocation, DecodingAndReencodingShortMessagesAllocatesNothing) {
    for (const char* name : {"submit_sm", "submit_sm_sar_vendor_tlv", "submit_sm_message_payload",
                             "deliver_sm", "submit_multi", "data_sm"}) {
        const auto wire = test::read_golden("good", name).bytes;
        std::vector<std::uint8_t> out;
        out.reserve(1024);
        const long before = g_news.load();
        long checksum = 0;
        for (int i = 0; i < 100; ++i) {
            const auto pdu = decode(wire);
            ASSERT_TRUE(pdu);
            checksum += static_cast<long>(pdu->header.command_length);
            if (const auto* d = pdu->get_if<DeliverSm>())
                checksum += d->tlvs.message_state().value_or(0);
            if (const auto* s = pdu->get_if<SubmitSm>()) {
                for (const auto& t : s->tlvs) checksum += t.tag;
            }
            if (const auto* m = pdu->get_if<SubmitMulti>()) {
                for (const auto& d : m->dest_addresses)
                    checksum += static_cast<long>(d.destination_addr.size());
            }
            out.clear();
            ASSERT_FALSE(encode(*pdu, out));
        }
        EXPECT_EQ(g_news.load() - before, 0) << name;
        EXPECT_GT(checksum, 0) << name;
    }
}

}  // namespace
}  // namespace bindery::smpp
