// Encode + segment rates (characters/s and messages/s) for GSM 7-bit and UCS-2 texts, decode of
// incoming short_message, and delivery-receipt parse/build. Figures only, no assertions.
#include "smpp/codec/receipt/receipt.hpp"
#include "smpp/codec/text/data_coding.hpp"
#include "smpp/codec/text/segment.hpp"

#include <benchmark/benchmark.h>

#include <string>

namespace {

using namespace bindery::smpp;

std::string rep(const std::string& s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

// Latin text with a few extension characters; Persian text with an emoji.
std::string gsm_text(std::size_t chars) {
    const std::string unit = "Your code is 1234 {valid 5 min} \xE2\x82\xAC ";  // 35 chars
    std::string s = rep(unit, chars / 35 + 1);
    return s.substr(0, chars);  // ASCII prefix + whole euro signs only when cut lands well
}

std::string ucs2_text(std::size_t chars) {
    return rep("\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85 ", chars / 5) + "\xF0\x9F\x98\x80";
}

void encode(benchmark::State& state, const std::string& text, EncodeOptions o) {
    std::size_t segments = 0;
    for (auto _ : state) {
        auto m = encode_message(text, 42, o);
        benchmark::DoNotOptimize(m);
        segments = m ? m->segments.size() : 0;
    }
    state.counters["segments"] = static_cast<double>(segments);
    state.counters["msgs/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

void BM_EncodeGsm7(benchmark::State& state) {
    std::string t = gsm_text(static_cast<std::size_t>(state.range(0)));
    while (!count_segments(t, {})) t.pop_back();  // keep valid UTF-8 after the cut
    encode(state, t, {});
}
BENCHMARK(BM_EncodeGsm7)->Arg(140)->Arg(459)->Arg(1530);

void BM_EncodeGsm7Packed(benchmark::State& state) {
    std::string t = gsm_text(static_cast<std::size_t>(state.range(0)));
    while (!count_segments(t, {})) t.pop_back();
    EncodeOptions o;
    o.gsm7_packing = Gsm7Packing::packed;
    encode(state, t, o);
}
BENCHMARK(BM_EncodeGsm7Packed)->Arg(459);

void BM_EncodeUcs2(benchmark::State& state) {
    encode(state, ucs2_text(static_cast<std::size_t>(state.range(0))), {});
}
BENCHMARK(BM_EncodeUcs2)->Arg(70)->Arg(200)->Arg(670);

void BM_CountSegmentsUcs2(benchmark::State& state) {
    const std::string t = ucs2_text(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        auto n = count_segments(t, {});
        benchmark::DoNotOptimize(n);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(t.size()));
}
BENCHMARK(BM_CountSegmentsUcs2)->Arg(670);

void BM_DecodeUcs2(benchmark::State& state) {
    const auto m = encode_message(ucs2_text(66), 1, {});
    const auto& sm = m->segments[0].short_message;
    for (auto _ : state) {
        auto r = decode_user_data(0x08, sm, m->segments[0].udhi);
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(sm.size()));
}
BENCHMARK(BM_DecodeUcs2);

const std::string kReceipt =
    "id:0123456789 sub:001 dlvrd:001 submit date:2401151230 done date:2401151231 stat:DELIVRD "
    "err:000 text:Hello world";

void BM_ParseReceipt(benchmark::State& state) {
    for (auto _ : state) {
        auto r = parse_receipt(kReceipt);
        benchmark::DoNotOptimize(r);
    }
    state.counters["receipts/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseReceipt);

void BM_BuildReceipt(benchmark::State& state) {
    const auto r = parse_receipt(kReceipt);
    for (auto _ : state) {
        auto s = build_receipt(*r);
        benchmark::DoNotOptimize(s);
    }
}
BENCHMARK(BM_BuildReceipt);

}  // namespace

BENCHMARK_MAIN();
