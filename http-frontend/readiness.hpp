#pragma once
// Readiness checks for GET /readyz: components register a named check; the endpoint answers
// 200 when every check is ready and 503 otherwise, with each component's detail.

#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace bindery::http {

struct ComponentReadiness {
    bool ready = false;
    std::string detail;  // "3/3 binds up", "migrations pending", ...
};

struct ReadinessReport {
    bool ready = true;
    std::vector<std::pair<std::string, ComponentReadiness>> components;  // registration order
};

class ReadinessRegistry {
public:
    using Check = std::function<ComponentReadiness()>;
    // Checks run on a worker thread, one request at a time per check; they should be cheap.
    void add(std::string component, Check check);
    ReadinessReport check() const;

private:
    mutable std::mutex mutex_;
    std::vector<std::pair<std::string, Check>> checks_;
};

}  // namespace bindery::http
