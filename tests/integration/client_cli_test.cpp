// `bindery client add|list|revoke|rotate-key` against the store of a running `bindery serve` (both
// real binaries): a key printed by add authenticates, a rotated key replaces the old one, a
// revoked client is refused; refusals and usage errors have their exit codes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "gateway_harness.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bindery::test::eventually;
using bindery::test::exit_code;
using bindery::test::Process;
using bindery::test::read_all;
using bindery::test::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace bindery::test::harness;

struct CliResult {
    int code = -1;
    std::string out;
    std::string err;
};

CliResult cli(const fs::path& dir, std::vector<std::string> args) {
    args.insert(args.begin(), "client");
    const auto out = dir / "cli.out";
    const auto err = dir / "cli.err";
    CliResult r;
    {
        Process p(kBindery, args, out, err);
        r.code = exit_code(p.wait(60s));
    }
    r.out = read_all(out);
    r.err = read_all(err);
    return r;
}

std::string api_key_in(const std::string& json) {
    static const std::regex key(R"re("api_key": "(bnd_[0-9a-f]{64})")re");
    std::smatch m;
    return std::regex_search(json, m, key) ? std::string(m[1]) : std::string();
}

int send_with(std::uint16_t port, const std::string& key, const std::string& from = "Bindery") {
    return http(port, "POST", "/v1/messages",
                R"({"to":"+989121234567","from":")" + from + R"(","text":"cli client"})", key)
        .status;
}

TEST(ClientCli, KeysFromTheCliAuthenticateUntilRotatedOrRevoked) {
    TempDir dir("bindery-client-cli-");
    Simulator sim(dir.path());
    ASSERT_NE(sim.port(), 0) << read_all(dir.path() / "sim.log");
    const auto config = write_config(dir.path(), sim.port());
    const std::string cfg = config.string();

    // Added before the gateway starts: the store is created by the CLI.
    const auto early = cli(dir.path(), {"add", "early", "--config", cfg, "--json"});
    ASSERT_EQ(early.code, 0) << early.err;
    const auto early_key = api_key_in(early.out);
    ASSERT_FALSE(early_key.empty()) << early.out;

    Gateway gateway(dir.path(), config);
    ASSERT_NE(gateway.port(), 0) << gateway.log() << read_all(dir.path() / "bindery.out");
    ASSERT_TRUE(
        eventually([&] { return http(gateway.port(), "GET", "/readyz", {}, {}).status == 200; }));
    EXPECT_EQ(send_with(gateway.port(), early_key), 202);

    // Added while it runs: usable within about a second, limited to its senders.
    const auto added =
        cli(dir.path(), {"add", "acme", "--config", cfg, "--sender", "Bindery", "--rate", "50",
                         "--callback-url", "https://acme.example/cb", "--json"});
    ASSERT_EQ(added.code, 0) << added.err;
    const auto key = api_key_in(added.out);
    ASSERT_FALSE(key.empty()) << added.out;
    EXPECT_THAT(added.out, HasSubstr(R"("key_sha256": "sha256:)"));
    EXPECT_THAT(added.out, HasSubstr(R"("allowed_senders": [)"));
    EXPECT_TRUE(eventually([&] { return send_with(gateway.port(), key) == 202; }));
    EXPECT_EQ(send_with(gateway.port(), key, "Other"), 403);
    EXPECT_EQ(send_with(gateway.port(), "bnd_" + std::string(64, '0')), 401);

    // The text output prints the key alone on stdout.
    const auto plain = cli(dir.path(), {"add", "plain", "--config", cfg});
    ASSERT_EQ(plain.code, 0) << plain.err;
    EXPECT_TRUE(std::regex_match(plain.out, std::regex("bnd_[0-9a-f]{64}\n"))) << plain.out;
    EXPECT_THAT(plain.err, HasSubstr("shown once"));

    // Refusals: exit 1. Usage: exit 2.
    const auto again = cli(dir.path(), {"add", "acme", "--config", cfg});
    EXPECT_EQ(again.code, 1);
    EXPECT_THAT(again.err, HasSubstr("exists"));
    const auto config_client = cli(dir.path(), {"add", "test", "--config", cfg});
    EXPECT_EQ(config_client.code, 1);
    EXPECT_THAT(config_client.err, HasSubstr("configuration file"));
    EXPECT_EQ(cli(dir.path(), {"revoke", "nobody", "--config", cfg}).code, 1);
    EXPECT_EQ(cli(dir.path(), {"revoke", "test", "--config", cfg}).code, 1);
    EXPECT_EQ(cli(dir.path(), {"add", "--config", cfg}).code, 2);
    EXPECT_EQ(cli(dir.path(), {"add", "bad name", "--config", cfg}).code, 2);
    EXPECT_EQ(cli(dir.path(), {"frobnicate", "--config", cfg}).code, 2);
    EXPECT_EQ(cli(dir.path(), {"add", "x", "--rate", "fast", "--config", cfg}).code, 2);
    // A store that cannot be opened: exit 3.
    const auto unreadable = dir.path() / "unreadable.yaml";
    std::ofstream(unreadable) << "store:\n  path: /proc/bindery-no-such-dir/x.db\n";
    EXPECT_EQ(cli(dir.path(), {"list", "--config", unreadable.string()}).code, 3);

    // A new key replaces the old one.
    const auto rotated = cli(dir.path(), {"rotate-key", "acme", "--config", cfg, "--json"});
    ASSERT_EQ(rotated.code, 0) << rotated.err;
    const auto new_key = api_key_in(rotated.out);
    ASSERT_FALSE(new_key.empty());
    EXPECT_NE(new_key, key);
    EXPECT_TRUE(eventually([&] { return send_with(gateway.port(), key) == 401; }));
    EXPECT_EQ(send_with(gateway.port(), new_key), 202);

    // Revoked: refused within about a second; the name stays taken.
    const auto revoked = cli(dir.path(), {"revoke", "acme", "--config", cfg});
    ASSERT_EQ(revoked.code, 0) << revoked.err;
    EXPECT_TRUE(eventually([&] { return send_with(gateway.port(), new_key) == 401; }));
    EXPECT_EQ(send_with(gateway.port(), early_key), 202) << "other clients unaffected";
    EXPECT_EQ(send_with(gateway.port(), kKey), 202) << "configuration clients unaffected";
    EXPECT_EQ(cli(dir.path(), {"revoke", "acme", "--config", cfg}).code, 1);
    EXPECT_EQ(cli(dir.path(), {"rotate-key", "acme", "--config", cfg}).code, 1);
    EXPECT_EQ(cli(dir.path(), {"add", "acme", "--config", cfg}).code, 1);

    const auto listed = cli(dir.path(), {"list", "--config", cfg, "--json"});
    ASSERT_EQ(listed.code, 0) << listed.err;
    EXPECT_THAT(listed.out, HasSubstr(R"("name": "acme")"));
    EXPECT_THAT(listed.out, HasSubstr(R"("state": "revoked")"));
    EXPECT_THAT(listed.out, HasSubstr(R"("source": "config")"));
    EXPECT_THAT(listed.out, Not(HasSubstr("api_key\"")));
    EXPECT_THAT(listed.out, Not(HasSubstr(new_key)));
    const auto table = cli(dir.path(), {"list", "--config", cfg});
    ASSERT_EQ(table.code, 0);
    EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(\nacme +store +revoked +Bindery +50 )")))
        << table.out;
    EXPECT_TRUE(std::regex_search(table.out, std::regex(R"(\ntest +config +active )")))
        << table.out;

    gateway.process().signal(SIGTERM);
    EXPECT_EQ(exit_code(gateway.process().wait(20s)), 0) << read_all(dir.path() / "bindery.out");
}

}  // namespace
