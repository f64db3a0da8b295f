#include "http-frontend/readiness.hpp"

namespace bindery::http {

void ReadinessRegistry::add(std::string component, Check check) {
    std::lock_guard lock(mutex_);
    checks_.emplace_back(std::move(component), std::move(check));
}

ReadinessReport ReadinessRegistry::check() const {
    std::vector<std::pair<std::string, Check>> checks;
    {
        std::lock_guard lock(mutex_);
        checks = checks_;
    }
    ReadinessReport report;
    for (auto& [name, fn] : checks) {
        ComponentReadiness r = fn ? fn() : ComponentReadiness{false, "no check"};
        report.ready = report.ready && r.ready;
        report.components.emplace_back(name, std::move(r));
    }
    return report;
}

}  // namespace bindery::http
