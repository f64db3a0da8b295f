// The contract: http-frontend/openapi.yaml lists exactly the (method, path) pairs the server
// answers, and the server answers each of them (never 404/405).
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "http-frontend/openapi.hpp"
#include "http-frontend/routes.hpp"

namespace bindery::http {
namespace {

using Operation = std::pair<std::string, std::string>;  // METHOD, path

// A crude reader for the layout openapi.yaml keeps: "paths:" at column 0, each path at two spaces,
// each operation at four.
std::set<Operation> spec_operations(const std::string& yaml) {
    std::set<Operation> ops;
    std::istringstream in(yaml);
    std::string line, path;
    bool in_paths = false;
    const std::regex path_re(R"(^  (/[^:\s]*):\s*$)");
    const std::regex op_re(R"(^    (get|put|post|delete|patch|head|options):\s*$)");
    std::smatch m;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != ' ' && line[0] != '#') {
            in_paths = line.rfind("paths:", 0) == 0;
            continue;
        }
        if (!in_paths) continue;
        if (std::regex_match(line, m, path_re)) {
            path = m[1];
        } else if (std::regex_match(line, m, op_re) && !path.empty()) {
            std::string method = m[1];
            for (auto& c : method)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            ops.emplace(method, path);
        }
    }
    return ops;
}

std::set<Operation> table_operations() {
    std::set<Operation> ops;
    for (const auto& r : route_table()) ops.emplace(std::string(r.method), std::string(r.path));
    return ops;
}

TEST(OpenApiContract, SpecPathsAndMethodsEqualTheRouteTable) {
    std::ifstream in(std::string(BINDERY_SOURCE_DIR) + "/http-frontend/openapi.yaml");
    ASSERT_TRUE(in) << "openapi.yaml missing";
    const std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto spec = spec_operations(yaml);
    const auto table = table_operations();
    EXPECT_GE(spec.size(), 7U);
    for (const auto& op : table) {
        EXPECT_TRUE(spec.contains(op))
            << op.first << " " << op.second << " is served but not in openapi.yaml";
    }
    for (const auto& op : spec) {
        EXPECT_TRUE(table.contains(op))
            << op.first << " " << op.second << " is in openapi.yaml but not served";
    }
}

TEST(OpenApiContract, TheEmbeddedDocumentIsTheCheckedInFile) {
    std::ifstream in(std::string(BINDERY_SOURCE_DIR) + "/http-frontend/openapi.yaml");
    const std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(openapi_document(), yaml);
}

TEST(OpenApiContract, EverySpecOperationMatchesARouteWithConcreteValues) {
    for (const auto& [method, path] : table_operations()) {
        const std::string concrete = std::regex_replace(path, std::regex(R"(\{[^}]+\})"), "x1");
        const auto m = match_route(method, concrete);
        ASSERT_NE(m.route, nullptr) << method << " " << concrete;
        EXPECT_EQ(m.route->path, path);
    }
}

}  // namespace
}  // namespace bindery::http
