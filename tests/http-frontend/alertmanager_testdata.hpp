#pragma once
// Real Alertmanager 0.25 webhook payloads (shared/reference/alertmanager-webhook.md) kept under
// tests/http-frontend/alertmanager/, shared by the alertmanager_* tests.

#include <fstream>
#include <sstream>
#include <string>

namespace bindery::http::testdata {

inline std::string payload(const std::string& name) {
    std::ifstream in(std::string(BINDERY_SOURCE_DIR) + "/tests/http-frontend/alertmanager/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace bindery::http::testdata
