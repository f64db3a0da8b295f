// Figures for router/core; not a test. Run: build/release/bench/bench_router_core [messages]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "router/core/router.hpp"

namespace {

using namespace bindery;
using namespace bindery::router;
using Wall = std::chrono::steady_clock;

double seconds_since(Wall::time_point t) {
    return std::chrono::duration<double>(Wall::now() - t).count();
}

// Completes every send at once, with a decimal id per message.
class InstantProvider final : public Provider {
public:
    std::string_view name() const override { return "smsc"; }
    std::string_view kind() const override { return "smpp"; }
    bool ready() const override { return true; }
    ProviderHealth health() const override { return {true, 0, 1}; }
    void send(OutboundMessage, std::function<void(SendResult)> done) override {
        done(SendResult{{std::to_string(++sent)}, {}});
    }
    std::uint64_t sent = 0;
};

}  // namespace

int main(int argc, char** argv) {
    const long arg = argc > 1 ? std::atol(argv[1]) : 200'000;
    const std::size_t n = arg > 1000 ? static_cast<std::size_t>(arg) : 200'000;

    {
        const PhoneNumberNormalizer numbers({"IR", false});
        const std::size_t count = n / 4;
        const auto t = Wall::now();
        for (std::size_t i = 0; i < count; ++i) {
            if (!numbers.normalize("0912345" + std::to_string(1000 + i % 9000))) return 1;
        }
        std::printf("normalize (national -> E.164): %.0f numbers/s\n",
                    static_cast<double>(count) / seconds_since(t));
    }
    {
        FairScheduler scheduler({n, 1});
        MessageIdGenerator ids(1);
        const auto t = Wall::now();
        for (std::size_t i = 0; i < n; ++i) {
            scheduler.push(
                {ids.next(SystemTime{}), "client-" + std::to_string(i % 100), Priority::normal, 1});
        }
        while (scheduler.pop()) {}
        std::printf("scheduler push+pop, 100 clients: %.0f items/s\n",
                    static_cast<double>(n) / seconds_since(t));
    }

    InMemoryStore store;
    RouterConfig config;
    config.acceptance.numbers.default_region = "IR";
    config.routing.routes = {{"main", {{"smsc", 1}}, {}}};
    config.routing.default_route = "main";
    config.dispatch_budget = 10'000;
    config.scheduler.capacity = n;
    config.backpressure.high_watermark = 2 * n;
    config.backpressure.low_watermark = n;
    Router router(config, store, [](std::string_view, std::optional<TextEncoding>) {
        return Expected<TextPlan, std::string>(TextPlan{});
    });
    InstantProvider provider;
    router.add_provider(provider);
    const SystemTime wall = SystemTime(std::chrono::seconds(1'790'000'000));
    const TimePoint now{};

    std::vector<SubmitRequest> batch(100);
    for (auto& r : batch) {
        r.client = "acme";
        r.sender = "Bindery";
        r.destination = "+989123456789";
        r.text = "hello";
    }
    auto t = Wall::now();
    for (std::size_t i = 0; i < n / batch.size(); ++i) (void)router.submit(batch, now, wall);
    const double submit_s = seconds_since(t);

    t = Wall::now();
    while (router.backpressure().backlog > 0) router.poll(now, wall);
    const double dispatch_s = seconds_since(t);

    t = Wall::now();
    for (std::uint64_t i = 1; i <= provider.sent; ++i) {
        router.on_receipt({"smsc", std::to_string(i), ReceiptStatus::delivered, {}, {}, {}});
    }
    router.poll(now, wall);
    const double receipt_s = seconds_since(t);

    const auto stats = router.stats();
    std::printf("submit, batches of 100 (validate + E.164 + store): %.0f msg/s\n",
                static_cast<double>(stats.accepted) / submit_s);
    std::printf("dispatch + send result -> SENT: %.0f msg/s\n",
                static_cast<double>(stats.sent) / dispatch_s);
    std::printf("receipts -> DELIVERED: %.0f receipts/s (%llu applied, %llu unknown)\n",
                static_cast<double>(stats.receipts) / receipt_s,
                static_cast<unsigned long long>(stats.receipts),
                static_cast<unsigned long long>(stats.unknown_receipts));
    return 0;
}
