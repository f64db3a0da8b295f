// Alertmanager end to end: Debian's real `prometheus-alertmanager` (0.25) on loopback with a
// webhook receiver pointing at a running `bindery serve`, whose carrier is the bundled SMSC
// simulator. An alert posted to Alertmanager's API v2 must become one SMS per on-call number with
// the expected text, accepted by the simulator (the messages reach DELIVERED through its
// receipts); resolving the alert must send the RESOLVED message.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "gateway_harness.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bindery::test::eventually;
using bindery::test::Process;
using bindery::test::read_all;
using bindery::test::TempDir;
using bindery::test::harness::http;  // one request on a fresh connection, read to EOF
using nlohmann::json;

const std::string kBindery = BINDERY_BINARY_DIR "/app/bindery";
const std::string kSimulator = BINDERY_BINARY_DIR "/tools/smsc-sim/bindery-smsc-sim";
const std::string kAlertmanager = "/usr/bin/prometheus-alertmanager";
const std::string kApiKey = "ops-key";
const std::string kWebhookToken = "am-webhook-token";

// A loopback port that was free a moment ago (Alertmanager cannot listen on port 0 and report it).
std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

fs::path write_bindery_config(const fs::path& dir, std::uint16_t carrier_port) {
    const auto path = dir / "bindery.yaml";
    std::ofstream(path)
        << "process: {io_threads: 2, drain_timeout: 5s}\n"
           "logging: {level: info, format: json, file: "
        << (dir / "bindery.log").string()
        << "}\n"
           "store: {path: "
        << (dir / "var" / "bindery.db").string()
        << ", synchronous: normal}\n"
           "http: {listen: 127.0.0.1:0}\n"
           "smpp_server: {listen: 127.0.0.1:0}\n"
           "carriers:\n"
           "  - {name: sim, kind: smpp, address: 127.0.0.1:"
        << carrier_port
        << ", system_id: bindery, password: secret, reconnect: {initial: 100ms, max: 1s}}\n"
           "routes:\n"
           "  - {name: default, providers: [sim]}\n"
           "clients:\n"
           "  - {name: ops, api_key: "
        << kApiKey
        << ", rate: 100000, burst: 100000}\n"
           "alerting:\n"
           "  auth: {bearer_token: "
        << kWebhookToken
        << "}\n"
           "  receivers:\n"
           "    - name: sms-gateway\n"
           "      groups: [oncall]\n"
           "      match_labels: {severity: critical}\n"
           "      sender: Bindery\n"
           "      client: ops\n"
           "      send_resolved: true\n"
           "directories:\n"
           "  - name: local\n"
           "    kind: static\n"
           "    groups:\n"
           "      oncall:\n"
           "        - {name: Ann, phone: \"+989121110001\"}\n"
           "        - {name: Bob, phone: \"+989121110002\"}\n";
    return path;
}

fs::path write_alertmanager_config(const fs::path& dir, std::uint16_t bindery_port) {
    const auto path = dir / "alertmanager.yml";
    std::ofstream(path) << "route:\n"
                           "  receiver: sms-gateway\n"
                           "  group_by: ['alertname']\n"
                           "  group_wait: 1s\n"
                           "  group_interval: 2s\n"
                           "  repeat_interval: 1h\n"
                           "receivers:\n"
                           "  - name: sms-gateway\n"
                           "    webhook_configs:\n"
                           "      - url: 'http://127.0.0.1:"
                        << bindery_port
                        << "/v1/alertmanager'\n"
                           "        send_resolved: true\n"
                           "        http_config:\n"
                           "          authorization:\n"
                           "            type: Bearer\n"
                           "            credentials: "
                        << kWebhookToken << "\n";
    return path;
}

// The recorded notifications, newest first.
json alerts(std::uint16_t port) {
    const auto r = http(port, "GET", "/v1/alerts?limit=50", {}, kWebhookToken);
    if (r.status != 200) return json::array();
    const auto j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("alerts") ? j["alerts"] : json::array();
}

std::optional<json> sent_with_status(std::uint16_t port, const std::string& status) {
    for (const auto& a : alerts(port)) {
        if (a["status"] == status && a["outcome"] == "sent") return a;
    }
    return std::nullopt;
}

std::string message_state(std::uint16_t port, const std::string& id) {
    const auto r = http(port, "GET", "/v1/messages/" + id, {}, kApiKey);
    const auto j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("state") ? j["state"].get<std::string>() : "";
}

void expect_delivered_to_the_oncall_numbers(std::uint16_t port, const json& record,
                                            const std::string& text) {
    EXPECT_EQ(record["text"], text);
    ASSERT_EQ(record["messages"].size(), 2U) << record.dump();
    std::vector<std::string> to;
    for (const auto& m : record["messages"]) {
        to.push_back(m["to"]);
        ASSERT_TRUE(m["message_id"].is_string()) << record.dump();
        const std::string id = m["message_id"];
        std::string state;
        // DELIVERED: the simulator accepted the submit_sm and its receipt came back.
        EXPECT_TRUE(
            eventually([&] { return (state = message_state(port, id)) == "DELIVERED"; }, 30s))
            << id << " is " << state;
    }
    EXPECT_THAT(to, ::testing::UnorderedElementsAre("+989121110001", "+989121110002"));
}

TEST(AlertmanagerEndToEnd, AFiringAndThenResolvedAlertPagesTheOnCallGroupThroughTheSimulator) {
    ASSERT_TRUE(fs::exists(kAlertmanager))
        << kAlertmanager << " is not installed (tools/install-deps installs it)";
    TempDir dir("bindery-am-e2e-");

    const auto sim_port_file = dir.path() / "sim.port";
    Process sim(
        kSimulator,
        {"--listen", "127.0.0.1:0", "--port-file", sim_port_file.string(), "--dlr-delay", "20"},
        dir.path() / "sim.log");
    ASSERT_TRUE(eventually([&] { return !read_all(sim_port_file).empty(); }, 20s))
        << read_all(dir.path() / "sim.log");
    const auto sim_port = static_cast<std::uint16_t>(std::stoul(read_all(sim_port_file)));

    const auto log = dir.path() / "bindery.log";
    Process bindery(kBindery,
                    {"serve", "--config", write_bindery_config(dir.path(), sim_port).string()},
                    dir.path() / "bindery.out");
    std::uint16_t port = 0;
    static const std::regex listening(R"re("msg":"http listening","port":"?([0-9]+))re");
    ASSERT_TRUE(eventually(
        [&] {
            std::smatch m;
            const auto text = read_all(log);
            if (!std::regex_search(text, m, listening)) return false;
            port = static_cast<std::uint16_t>(std::stoul(m[1]));
            return true;
        },
        30s))
        << read_all(dir.path() / "bindery.out") << read_all(log);
    ASSERT_TRUE(eventually([&] { return http(port, "GET", "/readyz", {}, {}).status == 200; }, 30s))
        << http(port, "GET", "/readyz", {}, {}).body;

    const std::uint16_t am_port = free_port();
    Process am(kAlertmanager,
               {"--config.file=" + write_alertmanager_config(dir.path(), port).string(),
                "--storage.path=" + (dir.path() / "am-data").string(),
                "--web.listen-address=127.0.0.1:" + std::to_string(am_port),
                "--cluster.listen-address=", "--log.level=debug"},
               dir.path() / "alertmanager.log");
    ASSERT_TRUE(
        eventually([&] { return http(am_port, "GET", "/-/ready", {}, {}).status == 200; }, 30s))
        << read_all(dir.path() / "alertmanager.log");

    const std::string labels =
        R"("labels":{"alertname":"DiskFull","severity":"critical","instance":"db1:9100"})";
    const auto fire = http(am_port, "POST", "/api/v2/alerts",
                           "[{" + labels +
                               R"(,"annotations":{"summary":"Disk almost full"},)"
                               R"("generatorURL":"http://prom.local/graph?g0.expr=up"}])",
                           {});
    ASSERT_EQ(fire.status, 200) << fire.body;

    std::optional<json> firing;
    ASSERT_TRUE(
        eventually([&] { return (firing = sent_with_status(port, "firing")).has_value(); }, 40s))
        << alerts(port).dump() << read_all(dir.path() / "alertmanager.log");
    EXPECT_EQ((*firing)["receiver"], "sms-gateway");
    EXPECT_EQ((*firing)["group_key"], "{}:{alertname=\"DiskFull\"}");
    expect_delivered_to_the_oncall_numbers(
        port, *firing, "[FIRING:1] DiskFull db1:9100 \xE2\x80\x94 Disk almost full");

    // Re-posted with its annotations (a post replaces them) and endsAt = now: resolved.
    const auto resolve =
        http(am_port, "POST", "/api/v2/alerts",
             "[{" + labels + R"(,"annotations":{"summary":"Disk almost full"},"endsAt":")" +
                 utc_now() + "\"}]",
             {});
    ASSERT_EQ(resolve.status, 200) << resolve.body;
    std::optional<json> resolved;
    ASSERT_TRUE(eventually(
        [&] { return (resolved = sent_with_status(port, "resolved")).has_value(); }, 40s))
        << alerts(port).dump() << read_all(dir.path() / "alertmanager.log");
    expect_delivered_to_the_oncall_numbers(
        port, *resolved, "[RESOLVED:1] DiskFull db1:9100 \xE2\x80\x94 Disk almost full");

    // One page per state change: Alertmanager's notifications were not sent twice.
    int sent = 0;
    for (const auto& a : alerts(port)) sent += a["outcome"] == "sent" ? 1 : 0;
    EXPECT_EQ(sent, 2) << alerts(port).dump();
    // The webhook refuses callers without the token.
    EXPECT_EQ(http(port, "POST", "/v1/alertmanager", "{}", "wrong").status, 401);
}

}  // namespace
