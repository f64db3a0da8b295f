#pragma once
// A router::GatewayApi for front-end tests that never accepts a message: every submit is refused
// with the given error, status finds nothing, list is empty.

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "router/api/gateway_api.hpp"

namespace bindery::app {

class RefusingGateway final : public router::GatewayApi {
public:
    explicit RefusingGateway(router::SubmitErrc errc) : errc_(errc) {}
    std::vector<router::SubmitOutcome> submit(
        std::span<const router::SubmitRequest> batch) override {
        std::vector<router::SubmitOutcome> out;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            out.emplace_back(Unexpected(router::SubmitError{errc_, "test", {}}));
        }
        return out;
    }
    Expected<router::MessageStatus, router::QueryError> status(
        const router::MessageId&, std::optional<std::string_view>) override {
        return Unexpected(router::QueryError{router::QueryErrc::not_found, {}});
    }
    Expected<router::MessagePage, router::QueryError> list(const router::MessageQuery&) override {
        return router::MessagePage{};
    }
    router::Backpressure backpressure() const override { return {}; }

private:
    router::SubmitErrc errc_;
};

}  // namespace bindery::app
