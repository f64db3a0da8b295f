// Codec throughput: Bindery's decode/encode of submit_sm and deliver_sm (a 160-character message
// with a couple of TLVs) against libsmpp34's unpack/pack of the same octets, in one run. Every
// benchmark reports heap allocations per operation (global operator new is counted here).
// After the run, the Bindery/libsmpp34 speed ratios are printed.

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "smpp/codec/codec.hpp"

// After our headers: libsmpp34 #defines the ESME_* names as macros.
#ifdef BINDERY_HAVE_LIBSMPP34
extern "C" {
#include <libsmpp34/smpp34.h>
#include <libsmpp34/smpp34_structs.h>
#include <libsmpp34/smpp34_params.h>
}
#endif

// ---- allocation counter -----------------------------------------------------------------------
namespace {
std::atomic<std::uint64_t> g_allocs{0};
}

void* operator new(std::size_t n) {
    g_allocs.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace bindery::smpp;

// libsmpp34 allocates TLV nodes with malloc (not operator new): count those via its TLV list
// length instead, reported separately as "c_mallocs_per_op".

const std::string kText160 =
    "Your verification code is 482913. It expires in 10 minutes. Do not share this code with "
    "anyone. If you did not request it, please contact support at once. Thx!";

struct Fixture {
    std::string text = kText160.substr(0, 160);
    TlvBuilder submit_tlvs;
    TlvBuilder deliver_tlvs;
    std::vector<std::uint8_t> submit_wire;
    std::vector<std::uint8_t> deliver_wire;
    Pdu submit;
    Pdu deliver;

    Fixture() {
        submit_tlvs.u16(tlv_tag::user_message_reference, 4711).u16(tlv_tag::source_port, 2948);
        deliver_tlvs.c_string(tlv_tag::receipted_message_id, "0123456789ABCDEF")
            .u8(tlv_tag::message_state, 2);
        SubmitSm s;
        s.source_addr_ton = 5;
        s.source_addr = "Bindery";
        s.dest_addr_ton = 1;
        s.dest_addr_npi = 1;
        s.destination_addr = "989121234567";
        s.registered_delivery = 1;
        s.short_message = as_bytes(text);
        s.tlvs = submit_tlvs.range();
        submit = Pdu{Header{0, CommandId::submit_sm, CommandStatus{}, 1}, s};
        DeliverSm d;
        d.source_addr_ton = 1;
        d.source_addr_npi = 1;
        d.source_addr = "989121234567";
        d.dest_addr_ton = 5;
        d.destination_addr = "Bindery";
        d.esm_class = 0x04;
        d.short_message = as_bytes(text);
        d.tlvs = deliver_tlvs.range();
        deliver = Pdu{Header{0, CommandId::deliver_sm, CommandStatus{}, 2}, d};
        if (encode(submit, submit_wire) || encode(deliver, deliver_wire)) {
            std::fprintf(stderr, "bench fixture: encode failed (size %zu)\n", submit_wire.size());
            std::abort();
        }
    }
};

const Fixture& fixture() {
    static const Fixture f;
    return f;
}

void report_allocs(benchmark::State& state, std::uint64_t before) {
    const auto n = g_allocs.load(std::memory_order_relaxed) - before;
    state.counters["allocs_per_op"] =
        benchmark::Counter(static_cast<double>(n) / static_cast<double>(state.iterations()));
}

void decode_bench(benchmark::State& state, const std::vector<std::uint8_t>& wire) {
    const auto before = g_allocs.load();
    for (auto _ : state) {
        auto pdu = decode(wire);
        benchmark::DoNotOptimize(pdu);
        if (!pdu) state.SkipWithError("decode failed");
        // Touch a TLV the way a receipt handler would (lazy iteration over the frame).
        if (const auto* d = pdu->get_if<DeliverSm>())
            benchmark::DoNotOptimize(d->tlvs.message_state());
    }
    report_allocs(state, before);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

void encode_bench(benchmark::State& state, const Pdu& pdu) {
    std::vector<std::uint8_t> out;
    out.reserve(512);
    const auto before = g_allocs.load();
    for (auto _ : state) {
        out.clear();
        auto ec = encode(pdu, out);
        benchmark::DoNotOptimize(ec);
        benchmark::DoNotOptimize(out.data());
    }
    report_allocs(state, before);
}

void BM_Bindery_Decode_SubmitSm(benchmark::State& s) { decode_bench(s, fixture().submit_wire); }
void BM_Bindery_Decode_DeliverSm(benchmark::State& s) { decode_bench(s, fixture().deliver_wire); }
void BM_Bindery_Encode_SubmitSm(benchmark::State& s) { encode_bench(s, fixture().submit); }
void BM_Bindery_Encode_DeliverSm(benchmark::State& s) { encode_bench(s, fixture().deliver); }
BENCHMARK(BM_Bindery_Decode_SubmitSm);
BENCHMARK(BM_Bindery_Decode_DeliverSm);
BENCHMARK(BM_Bindery_Encode_SubmitSm);
BENCHMARK(BM_Bindery_Encode_DeliverSm);

#ifdef BINDERY_HAVE_LIBSMPP34
template <class T>
void unpack_bench(benchmark::State& state, const std::vector<std::uint8_t>& wire,
                  std::uint32_t id) {
    T s;
    std::uint64_t tlv_nodes = 0;
    const auto before = g_allocs.load();
    for (auto _ : state) {
        std::memset(&s, 0, sizeof s);
        if (smpp34_unpack(id, &s, wire.data(), static_cast<int>(wire.size())) != 0) {
            state.SkipWithError("smpp34_unpack failed");
        }
        benchmark::DoNotOptimize(s);
        for (tlv_t* t = s.tlv; t != nullptr; t = t->next) ++tlv_nodes;
        destroy_tlv(s.tlv);
    }
    report_allocs(state, before);
    state.counters["c_mallocs_per_op"] = benchmark::Counter(
        static_cast<double>(tlv_nodes) / static_cast<double>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
}

template <class T>
void pack_bench(benchmark::State& state, const std::vector<std::uint8_t>& wire, std::uint32_t id) {
    T s;
    std::memset(&s, 0, sizeof s);
    if (smpp34_unpack(id, &s, wire.data(), static_cast<int>(wire.size())) != 0) {
        state.SkipWithError("smpp34_unpack failed");
        return;
    }
    std::vector<std::uint8_t> out(1024);
    int len = 0;
    const auto before = g_allocs.load();
    for (auto _ : state) {
        if (smpp34_pack(id, out.data(), static_cast<int>(out.size()), &len, &s) != 0) {
            state.SkipWithError("smpp34_pack failed");
        }
        benchmark::DoNotOptimize(out.data());
    }
    report_allocs(state, before);
    destroy_tlv(s.tlv);
    if (static_cast<std::size_t>(len) != wire.size()) state.SkipWithError("pack size differs");
}

void BM_Libsmpp34_Unpack_SubmitSm(benchmark::State& s) {
    unpack_bench<submit_sm_t>(s, fixture().submit_wire, 0x4);
}
void BM_Libsmpp34_Unpack_DeliverSm(benchmark::State& s) {
    unpack_bench<deliver_sm_t>(s, fixture().deliver_wire, 0x5);
}
void BM_Libsmpp34_Pack_SubmitSm(benchmark::State& s) {
    pack_bench<submit_sm_t>(s, fixture().submit_wire, 0x4);
}
void BM_Libsmpp34_Pack_DeliverSm(benchmark::State& s) {
    pack_bench<deliver_sm_t>(s, fixture().deliver_wire, 0x5);
}
BENCHMARK(BM_Libsmpp34_Unpack_SubmitSm);
BENCHMARK(BM_Libsmpp34_Unpack_DeliverSm);
BENCHMARK(BM_Libsmpp34_Pack_SubmitSm);
BENCHMARK(BM_Libsmpp34_Pack_DeliverSm);
#endif

// Console output as usual, plus the time per op of each run kept for the ratio table.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs) {
            if (!r.error_occurred && r.run_type == Run::RT_Iteration) {
                ns_[r.benchmark_name()] = r.GetAdjustedCPUTime();
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }
    void print_ratios() const {
        const struct {
            const char* what;
            const char* ours;
            const char* theirs;
        } pairs[] = {
            {"decode submit_sm", "BM_Bindery_Decode_SubmitSm", "BM_Libsmpp34_Unpack_SubmitSm"},
            {"decode deliver_sm", "BM_Bindery_Decode_DeliverSm", "BM_Libsmpp34_Unpack_DeliverSm"},
            {"encode submit_sm", "BM_Bindery_Encode_SubmitSm", "BM_Libsmpp34_Pack_SubmitSm"},
            {"encode deliver_sm", "BM_Bindery_Encode_DeliverSm", "BM_Libsmpp34_Pack_DeliverSm"},
        };
        std::printf("\n%-20s %14s %14s %10s\n", "operation", "bindery ns/op", "libsmpp34 ns/op",
                    "speed-up");
        for (const auto& p : pairs) {
            const auto a = ns_.find(p.ours);
            const auto b = ns_.find(p.theirs);
            if (a == ns_.end()) continue;
            if (b == ns_.end()) {
                std::printf("%-20s %14.1f %14s %10s\n", p.what, a->second, "n/a", "n/a");
                continue;
            }
            std::printf("%-20s %14.1f %14.1f %9.1fx\n", p.what, a->second, b->second,
                        b->second / a->second);
        }
    }

private:
    std::map<std::string, double> ns_;
};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios();
    benchmark::Shutdown();
    return 0;
}
