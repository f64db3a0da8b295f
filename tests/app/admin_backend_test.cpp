// The carriers component of GET /readyz: an operator's pause is intentional and keeps the
// instance ready; a carrier down for any other reason does not.

#include "app/admin_backend.hpp"

#include <gtest/gtest.h>

namespace bindery::app {
namespace {

class FakeCarrier final : public router::Provider {
public:
    FakeCarrier(std::string name, bool up) : name_(std::move(name)), up_(up) {}

    // router::Provider
    std::string_view name() const override { return name_; }
    std::string_view kind() const override { return "fake"; }
    bool ready() const override { return up_; }
    router::ProviderHealth health() const override { return {}; }
    void send(router::OutboundMessage, std::function<void(router::SendResult)>) override {}

private:
    std::string name_;
    bool up_;
};

struct Case {
    const char* what;
    std::vector<std::pair<bool, bool>> carriers;  // (binds up, paused by the operator)
    bool ready;
    const char* detail;
};

TEST(CarriersReadiness, AnOperatorsPauseAloneKeepsTheInstanceReadyAndIsNamed) {
    const std::vector<Case> cases = {
        {"every carrier up", {{true, false}, {true, false}}, true, "2/2 ready"},
        {"one of two down", {{true, false}, {false, false}}, true, "1/2 ready; not ready: c1"},
        {"the only carrier down", {{false, false}}, false, "0/1 ready; not ready: c0"},
        {"the only carrier paused", {{true, true}}, true, "0/1 ready; paused by operator: c0"},
        {"paused while its binds are down",
         {{false, true}},
         true,
         "0/1 ready; paused by operator: c0"},
        {"every carrier paused",
         {{true, true}, {true, true}},
         true,
         "0/2 ready; paused by operator: c0, c1"},
        {"one paused, the other up",
         {{true, true}, {true, false}},
         true,
         "1/2 ready; paused by operator: c0"},
        {"one paused, the other down",
         {{true, true}, {false, false}},
         false,
         "0/2 ready; paused by operator: c0; not ready: c1"},
        {"no carrier at all", {}, false, "0/0 ready"},
    };
    for (const auto& c : cases) {
        std::vector<std::unique_ptr<FakeCarrier>> inner;
        std::vector<std::unique_ptr<PausableProvider>> pausable;
        std::vector<const PausableProvider*> view;
        for (const auto& [up, paused] : c.carriers) {
            inner.push_back(std::make_unique<FakeCarrier>("c" + std::to_string(inner.size()), up));
            pausable.push_back(std::make_unique<PausableProvider>(*inner.back()));
            pausable.back()->set_paused(paused);
            view.push_back(pausable.back().get());
        }
        const auto r = carriers_readiness(view);
        EXPECT_EQ(r.ready, c.ready) << c.what;
        EXPECT_EQ(r.detail, c.detail) << c.what;
    }
}

}  // namespace
}  // namespace bindery::app
