// The simulator as users run it: the built bindery-smsc-sim binary as a child process (port 0,
// --port-file), and its option parser and receipt text.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "smpp/net/client_bind.hpp"
#include "tests/smpp/net/net_test_util.hpp"
#include "tools/smsc-sim/options.hpp"
#include "tools/smsc-sim/simulator.hpp"

extern char** environ;

namespace bindery::smpp {
namespace {

using std::chrono::milliseconds;

// Reads from `fd` until `done(text)` or EOF or the timeout (poll: no sleeping).
std::string read_until(int fd, const std::function<bool(const std::string&)>& done,
                       int timeout_ms) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + milliseconds(timeout_ms);
    while (!done(text)) {
        const auto left =
            std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now())
                .count();
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
        char buf[4096];
        const auto n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    return text;
}

TEST(SmscSimBinary, BindsSubmitsAndPrintsCountersOnSigterm) {
    const std::string exe = BINDERY_BINARY_DIR "/tools/smsc-sim/bindery-smsc-sim";
    ASSERT_TRUE(std::filesystem::exists(exe)) << exe;
    const auto dir =
        std::filesystem::temp_directory_path() / ("smsc-sim-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto port_file = (dir / "port").string();

    int out[2], err[2];
    ASSERT_EQ(::pipe(out), 0);
    ASSERT_EQ(::pipe(err), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<std::string> args{exe,         "--listen",    "127.0.0.1:0", "--port-file",
                                  port_file,   "--dlr-delay", "1",           "--dlr-mix",
                                  "DELIVRD=1", "--log-level", "off"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(err[1]);

    const auto banner = read_until(
        err[0], [](const std::string& t) { return t.find('\n') != std::string::npos; }, 10000);
    ASSERT_NE(banner.find("listening on 127.0.0.1:"), std::string::npos) << banner;
    std::ifstream pf(port_file);
    unsigned port = 0;
    pf >> port;
    ASSERT_GT(port, 0U);

    boost::asio::io_context io;
    struct Obs : ClientBindObserver {
        int receipts = 0;
        void on_deliver(ClientBind&, const Pdu& pdu, IncomingDone done) override {
            if (const auto* d = pdu.get_if<DeliverSm>(); d != nullptr && d->esm_class == 0x04)
                ++receipts;
            done(CommandStatus::ESME_ROK);
        }
    } obs;
    ClientBindConfig c;
    c.host = "127.0.0.1";
    c.port = static_cast<std::uint16_t>(port);
    c.system_id = "child";
    c.password = "pw";
    auto bind = std::make_shared<ClientBind>(io.get_executor(), c, &obs);
    bind->start();
    ASSERT_TRUE(test::run_until(io, [&] { return bind->bound(); }));
    std::optional<SubmitReport> r;
    ShortMessageData m;
    m.destination_addr = "989121234567";
    m.registered_delivery = 1;
    bind->submit(m, [&](const SubmitReport& x) { r = x; });
    ASSERT_TRUE(test::run_until(io, [&] { return r.has_value() && obs.receipts == 1; }));
    EXPECT_TRUE(r->ok());
    bool stopped = false;
    bind->stop(milliseconds(500), [&] { stopped = true; });
    ASSERT_TRUE(test::run_until(io, [&] { return stopped; }));

    ASSERT_EQ(::kill(pid, SIGTERM), 0);
    const auto json = read_until(
        out[0], [](const std::string& t) { return t.find("}}") != std::string::npos; }, 10000);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_NE(json.find("\"submits\":1,"), std::string::npos) << json;
    EXPECT_NE(json.find("\"receipts_delivered\":1,"), std::string::npos) << json;
    EXPECT_NE(json.find("\"DELIVRD\":1"), std::string::npos) << json;
    ::close(out[0]);
    ::close(err[0]);
    std::filesystem::remove_all(dir);
}

TEST(SmscSimOptions, ParsesEveryKnobAndRejectsNonsense) {
    const auto o =
        sim::parse_options({"--listen",         "0.0.0.0:2775",
                            "--account",        "a:b",
                            "--dlr-mix",        "DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2",
                            "--throttle-tps",   "200",
                            "--error-rate",     "0.01",
                            "--error-status",   "ESME_RSUBMITFAIL",
                            "--resp-delay",     "5",
                            "--drop-after",     "100",
                            "--mo-rate",        "2",
                            "--max-binds",      "3",
                            "--stats-interval", "10"});
    EXPECT_EQ(o.sim.host, "0.0.0.0");
    EXPECT_EQ(o.sim.port, 2775);
    ASSERT_EQ(o.sim.accounts.size(), 1U);
    EXPECT_EQ(o.sim.accounts[0].second, "b");
    ASSERT_EQ(o.sim.dlr_mix.size(), 4U);
    EXPECT_EQ(o.sim.dlr_mix[3].stat, "REJECTD");
    EXPECT_EQ(o.sim.dlr_mix[3].weight, 2);
    EXPECT_EQ(o.sim.throttle_tps, 200);
    EXPECT_EQ(o.sim.error_status, CommandStatus::ESME_RSUBMITFAIL);
    EXPECT_EQ(o.sim.resp_delay, milliseconds(5));
    EXPECT_EQ(o.sim.drop_after, 100U);
    EXPECT_EQ(o.sim.max_binds, 3U);
    EXPECT_EQ(o.stats_interval, 10U);
    EXPECT_EQ(sim::parse_options({"--listen", "h:1", "--error-status", "0x58"}).sim.error_status,
              CommandStatus::ESME_RTHROTTLED);
    EXPECT_THROW((void)sim::parse_options({}), std::invalid_argument);
    EXPECT_THROW((void)sim::parse_options({"--listen", "nohost"}), std::invalid_argument);
    EXPECT_THROW((void)sim::parse_options({"--listen", "h:1", "--dlr-mix", "DELIVERED=1"}),
                 std::invalid_argument);
    EXPECT_THROW((void)sim::parse_options({"--listen", "h:1", "--error-rate", "2"}),
                 std::invalid_argument);
    EXPECT_THROW((void)sim::parse_options({"--listen", "h:1", "--bogus", "1"}),
                 std::invalid_argument);
}

std::chrono::system_clock::time_point at_2611231700() {
    using namespace std::chrono;
    return sys_days{year{2026} / 11 / 23} + hours{17};
}

std::string text_of(const ShortMessageData& d) {
    return std::string(reinterpret_cast<const char*>(d.short_message.data()),
                       d.short_message.size());
}

TEST(SmscSimReceipt, TextFollowsAppendixB) {
    const auto d = sim::make_receipt(test::message("Hello world, this is longer than twenty"),
                                     "abc123", "DELIVRD", at_2611231700());
    EXPECT_EQ(
        text_of(d),
        "id:abc123 sub:001 dlvrd:001 submit date:2611231700 done date:2611231700 stat:DELIVRD "
        "err:000 text:Hello world, this is");
    EXPECT_EQ(d.esm_class, 0x04);
    EXPECT_EQ(d.source_addr, "989121234567");
    EXPECT_EQ(d.destination_addr, "Bindery");
    const TlvRange tlvs{ByteView(d.tlvs)};
    EXPECT_EQ(tlvs.receipted_message_id(), std::optional<std::string_view>("abc123"));
    EXPECT_EQ(tlvs.message_state(), std::optional<std::uint8_t>(2));
    EXPECT_FALSE(tlvs.network_error_code());
    auto state_of = [](std::string_view stat) {
        const auto r = sim::make_receipt(test::message("x"), "1", stat, at_2611231700());
        return TlvRange{ByteView(r.tlvs)}.message_state();
    };
    EXPECT_EQ(state_of("UNDELIV"), std::optional<std::uint8_t>(5));
    EXPECT_EQ(state_of("REJECTD"), std::optional<std::uint8_t>(8));
    EXPECT_EQ(state_of("weird"), std::optional<std::uint8_t>(7));
    const auto undeliv = sim::make_receipt(test::message("x"), "1", "UNDELIV", at_2611231700());
    EXPECT_NE(text_of(undeliv).find(" dlvrd:000 "), std::string::npos) << text_of(undeliv);
    EXPECT_NE(text_of(undeliv).find(" stat:UNDELIV err:001 text:x"), std::string::npos)
        << text_of(undeliv);
    EXPECT_EQ(TlvRange{ByteView(undeliv.tlvs)}.network_error_code(), (NetworkErrorCode{3, 1}));
}

// text: is the first 20 characters, not 20 octets: the 20th character (é, 2 octets) straddles
// octet 20 and is kept whole, so the receipt stays valid UTF-8.
TEST(SmscSimReceipt, TextCutsOnCharactersNotOctets) {
    const std::string ascii19 = "abcdefghijklmnopqrs";
    const auto d = sim::make_receipt(test::message(ascii19 + "\xC3\xA9" + "xyz"), "abc123",
                                     "DELIVRD", at_2611231700());
    const auto text = text_of(d);
    const std::string tail = "text:" + ascii19 + "\xC3\xA9";
    ASSERT_GE(text.size(), tail.size());
    EXPECT_EQ(text.substr(text.size() - tail.size()), tail) << text;
}

}  // namespace
}  // namespace bindery::smpp
