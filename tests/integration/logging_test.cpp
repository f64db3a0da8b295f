// The gateway's JSON log at debug, end to end: `bindery serve` (the real binary) with the SMSC
// simulator as its carrier, one message sent over the HTTP API. Its id, the request that created
// it, the carrier and the bind must be JSON fields an operator can query, not words in "msg".

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "gateway_harness.hpp"

namespace {

using namespace std::chrono_literals;
using bindery::test::eventually;
using bindery::test::read_all;
using bindery::test::TempDir;
using namespace bindery::test::harness;
using nlohmann::json;

// Every line of the log, parsed; a line that is not one JSON object fails the test.
std::vector<json> json_lines(const std::string& text) {
    std::vector<json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        auto j = json::parse(line, nullptr, false);
        EXPECT_TRUE(j.is_object()) << "not a JSON object: " << line;
        if (j.is_object()) out.push_back(std::move(j));
    }
    return out;
}

// The lines whose field `key` is the string `value`.
std::vector<json> with_field(const std::vector<json>& lines, const std::string& key,
                             const std::string& value) {
    std::vector<json> out;
    for (const auto& l : lines) {
        if (l.contains(key) && l[key].is_string() && l[key] == value) out.push_back(l);
    }
    return out;
}

bool has_msg(const std::vector<json>& lines, const std::string& msg) {
    for (const auto& l : lines) {
        if (l.value("msg", "") == msg) return true;
    }
    return false;
}

TEST(GatewayLog, AMessageSentOverHttpIsTraceableByJsonFields) {
    TempDir dir("bindery-log-e2e-");
    Simulator sim(dir.path(), {"--dlr-delay", "20"});
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const auto config = write_config(dir.path(), sim.port());
    {
        auto text = read_all(config);
        text.replace(text.find("level: info"), 11, "level: debug");
        std::ofstream(config) << text;
    }
    Gateway gateway(dir.path(), config);
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    ASSERT_TRUE(
        eventually([&] { return http(gateway.port(), "GET", "/readyz", {}, {}).status == 200; }));

    const auto reply = http(gateway.port(), "POST", "/v1/messages",
                            R"({"to":"+989121234567","from":"Bindery","text":"trace me"})");
    ASSERT_EQ(reply.status, 202) << reply.body;
    const std::string id = json::parse(reply.body)["messages"][0]["id"];
    // Wait for the receipt: the message's final line is written then.
    std::vector<json> lines;
    EXPECT_TRUE(eventually([&] {
        lines = json_lines(gateway.log());
        for (const auto& l : with_field(lines, "message_id", id)) {
            if (l.value("msg", "") == "message final" && l.value("state", "") == "DELIVERED")
                return true;
        }
        return false;
    })) << gateway.log();

    // The access line ties the request to the message it created.
    std::string request_id;
    for (const auto& l : with_field(lines, "message_id", id)) {
        if (l.value("logger", "") == "http.access") {
            request_id = l.value("request_id", "");
            EXPECT_EQ(l.value("client", ""), "test");
            EXPECT_EQ(l["status"], 202) << l.dump();  // a number, not "202"
            EXPECT_EQ(l.value("msg", ""), "POST /v1/messages");
        }
    }
    ASSERT_FALSE(request_id.empty()) << "no http.access line with message_id " << id << "\n"
                                     << gateway.log();
    EXPECT_FALSE(with_field(lines, "request_id", request_id).empty());

    // Its lifecycle at debug: accepted, dispatched to the carrier, final; each with client and
    // carrier.
    const auto of_message = with_field(lines, "message_id", id);
    EXPECT_TRUE(has_msg(of_message, "message accepted")) << gateway.log();
    EXPECT_TRUE(has_msg(of_message, "message dispatched")) << gateway.log();
    for (const auto& l : of_message) {
        if (l.value("msg", "") != "message dispatched") continue;
        EXPECT_EQ(l.value("carrier", ""), "sim") << l.dump();
        EXPECT_EQ(l.value("client", ""), "test") << l.dump();
        EXPECT_EQ(l.value("state", ""), "SENDING") << l.dump();
    }

    // The carrier's bind: bind and carrier as fields, and system_id.
    const auto binds = with_field(lines, "bind", "sim#1");
    ASSERT_FALSE(binds.empty()) << gateway.log();
    EXPECT_TRUE(has_msg(binds, "smpp.pool bind up")) << gateway.log();
    for (const auto& l : binds) {
        if (l.value("msg", "") != "smpp.pool bind up") continue;
        EXPECT_EQ(l.value("carrier", ""), "sim") << l.dump();
        EXPECT_EQ(l.value("system_id", ""), "bindery") << l.dump();
    }

    gateway.process().signal(SIGTERM);
    gateway.process().wait(10s);
}

}  // namespace
