// ns per destination for PhoneNumberNormalizer::normalize and for its Parse-based reference path,
// on the same numbers in the same run. Figures only, no assertions. Run:
//   build/release/bench/bench_phone_number --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "router/core/phone_number.hpp"

namespace bindery::router {

struct PhoneNumberNormalizerPeer {
    static Expected<PhoneNumber, NumberError> parsed(const PhoneNumberNormalizer& n,
                                                     std::string_view raw) {
        return n.normalize_parsed(raw);
    }
    static bool canonical(const PhoneNumberNormalizer& n, std::string_view raw) {
        return n.normalize_canonical(raw).has_value();
    }
};

}  // namespace bindery::router

namespace {

using bindery::router::PhoneNumberNormalizer;
using bindery::router::PhoneNumberNormalizerPeer;

// A gateway's destinations, in E.164 as most clients send them: Iran first, then NANPA (US and a
// Canadian number, found past US in the NANPA region list), the UK, and a spread of others.
// +44 7700 900... (a range Ofcom keeps for drama) is refused by both.
const std::vector<std::string> kMix = {
    "+989121234567", "+989351234567",  "+989011234567",  "+989191234567", "+989381234567",
    "+16502530000",  "+12015550123",   "+15146708700",   "+447700900123", "+447911123456",
    "+442079460000", "+4915123456789", "+33612345678",   "+919876543210", "+905321234567",
    "+971501234567", "+79161234567",   "+5511961234567", "+393123456789", "+8613812345678",
};
const std::vector<std::string> kIran = {"+989121234567", "+989351234567", "+989011234567",
                                        "+989191234567", "+989381234567"};
const std::vector<std::string> kNanpa = {"+16502530000", "+12015550123", "+15146708700"};
const std::vector<std::string> kUk = {"+447400123456", "+447911123456", "+442079460000"};
const std::vector<std::string> kNational = {"09121234567", "09351234567", "0912 345 6789"};

template <bool Reference>
void normalize(benchmark::State& state, const std::vector<std::string>* numbers) {
    const PhoneNumberNormalizer n({"IR", false});
    std::size_t i = 0;
    std::size_t accepted = 0;
    for (auto _ : state) {
        const auto& raw = (*numbers)[i++ % numbers->size()];
        auto r = Reference ? PhoneNumberNormalizerPeer::parsed(n, raw) : n.normalize(raw);
        accepted += r.has_value() ? 1 : 0;
        benchmark::DoNotOptimize(r);
    }
    std::size_t canonical = 0;
    for (const auto& raw : *numbers)
        canonical += PhoneNumberNormalizerPeer::canonical(n, raw) ? 1 : 0;
    state.counters["accepted"] =
        static_cast<double>(accepted) / static_cast<double>(state.iterations());
    state.counters["skip_parse"] =
        Reference ? 0.0 : static_cast<double>(canonical) / static_cast<double>(numbers->size());
}

void normalize_new(benchmark::State& state, const std::vector<std::string>* numbers) {
    normalize<false>(state, numbers);
}
void normalize_reference(benchmark::State& state, const std::vector<std::string>* numbers) {
    normalize<true>(state, numbers);
}

}  // namespace

BENCHMARK_CAPTURE(normalize_new, mix, &kMix);
BENCHMARK_CAPTURE(normalize_reference, mix, &kMix);
BENCHMARK_CAPTURE(normalize_new, iran, &kIran);
BENCHMARK_CAPTURE(normalize_reference, iran, &kIran);
BENCHMARK_CAPTURE(normalize_new, nanpa, &kNanpa);
BENCHMARK_CAPTURE(normalize_reference, nanpa, &kNanpa);
BENCHMARK_CAPTURE(normalize_new, uk, &kUk);
BENCHMARK_CAPTURE(normalize_reference, uk, &kUk);
BENCHMARK_CAPTURE(normalize_new, national_form, &kNational);
BENCHMARK_CAPTURE(normalize_reference, national_form, &kNational);

BENCHMARK_MAIN();
