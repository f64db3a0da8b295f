// ns per delivery-callback body and per signature: the gateway's callback_body (one reserved
// string, hand-written JSON) and callback_signature (an HMAC context kept per thread and secret)
// next to the nlohmann::ordered_json + dump() and one-shot HMAC() they replaced, on the same
// events in the same run. Figures only, no assertions.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "http-frontend/callbacks.hpp"
#include "tests/http-frontend/callbacks_reference.hpp"

namespace {

using namespace bindery;

// A DELIVERED event as the gateway sends most of them; `rich` adds a client_ref, a Persian
// detail and a quote to escape.
http::CallbackEvent event(bool rich) {
    http::CallbackEvent e;
    router::MessageId::Bytes b{};
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(0x10 + 7 * i);
    e.id = router::MessageId(b);
    e.client = "acme";
    e.from = router::MessageState::sent;
    e.to = router::MessageState::delivered;
    e.at = router::SystemTime(std::chrono::milliseconds(1'790'000'000'123));
    e.destination = "+989121234567";
    e.sender = "ACME";
    e.provider = "carrier-a";
    e.detail = "DELIVRD";
    e.segments = 1;
    if (rich) {
        e.client_ref = "order-17 \"express\"";
        e.detail = "\xD8\xA7\xD8\xB1\xD8\xB3\xD8\xA7\xD9\x84 \xD8\xB4\xD8\xAF";
        e.segments = 3;
        e.attempts = 2;
    }
    return e;
}

template <class Body>
void body(benchmark::State& state, Body build, bool rich) {
    const auto e = event(rich);
    for (auto _ : state) {
        auto s = build(e);
        benchmark::DoNotOptimize(s);
    }
    state.SetLabel(std::to_string(build(e).size()) + " bytes");
}

template <class Sign>
void signature(benchmark::State& state, Sign sign) {
    const std::string body = http::callback_body(event(false));
    const std::string secret = "whsec_5f2b9c0e7a4d4e1b8c3f6a9d2e7b1c40";
    std::int64_t t = 1'790'000'000;
    for (auto _ : state) {
        auto s = sign(secret, t++, body);
        benchmark::DoNotOptimize(s);
    }
}

const auto kNewBody = [](const http::CallbackEvent& e) { return http::callback_body(e); };
const auto kOldBody = [](const http::CallbackEvent& e) {
    return http::reference::callback_body(e);
};
const auto kNewSig = [](std::string_view k, std::int64_t t, std::string_view b) {
    return http::callback_signature(k, t, b);
};
const auto kOldSig = [](std::string_view k, std::int64_t t, std::string_view b) {
    return http::reference::callback_signature(k, t, b);
};

BENCHMARK_CAPTURE(body, new_plain, kNewBody, false);
BENCHMARK_CAPTURE(body, old_nlohmann_plain, kOldBody, false);
BENCHMARK_CAPTURE(body, new_rich, kNewBody, true);
BENCHMARK_CAPTURE(body, old_nlohmann_rich, kOldBody, true);
BENCHMARK_CAPTURE(signature, new_kept_context, kNewSig);
BENCHMARK_CAPTURE(signature, old_one_shot_hmac, kOldSig);

}  // namespace

BENCHMARK_MAIN();
