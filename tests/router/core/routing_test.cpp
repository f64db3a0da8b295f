#include "router/core/routing.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace bindery::router {
namespace {

Message message(std::string destination, std::string region = "IR") {
    Message m;
    m.destination = std::move(destination);
    m.region = std::move(region);
    m.sender = "Bindery";
    m.client = "acme";
    m.priority = Priority::normal;
    return m;
}

RoutingConfig config() {
    RoutingConfig c;
    c.rules = {
        {"alerts", {}, {}, {}, {}, {Priority::express}, {"oncall"}, "alert-route"},
        {"mci", {"+98910", "+98911", "+98912"}, {}, {}, {}, {}, {}, "mci-route"},
        {"acme-gb", {}, {"GB"}, {}, {"acme"}, {}, {}, "gb-route"},
        {"otp-sender", {}, {}, {"OTP"}, {}, {}, {}, "otp-route"},
    };
    c.routes = {
        {"alert-route", {{"smpp-a", 1}}, {}},
        {"mci-route", {{"smpp-a", 3}, {"smpp-b", 1}}, {"kavenegar"}},
        {"gb-route", {{"http-gb", 1}}, {}},
        {"otp-route", {{"smpp-b", 1}}, {}},
        {"default-route", {{"kavenegar", 1}}, {}},
    };
    c.default_route = "default-route";
    return c;
}

TEST(RoutingTable, FirstMatchingRuleWins) {
    RoutingTable table(config());
    EXPECT_EQ(table.match(message("+989123456789"))->name, "mci-route");
    EXPECT_EQ(table.match(message("+989351234567"))->name, "default-route");
    EXPECT_EQ(table.match(message("+447911123456", "GB"))->name, "gb-route");

    auto other_client = message("+447911123456", "GB");
    other_client.client = "globex";
    EXPECT_EQ(table.match(other_client)->name, "default-route");

    auto otp = message("+989351234567");
    otp.sender = "OTP";
    EXPECT_EQ(table.match(otp)->name, "otp-route");
    otp.destination = "+989121234567";  // the prefix rule comes first
    EXPECT_EQ(table.match(otp)->name, "mci-route");
}

TEST(RoutingTable, PriorityAndTagsMustAllMatch) {
    RoutingTable table(config());
    auto m = message("+989123456789");
    m.priority = Priority::express;
    EXPECT_EQ(table.match(m)->name, "mci-route");  // express but not tagged
    m.tags = {"team-x", "oncall"};
    EXPECT_EQ(table.match(m)->name, "alert-route");
    m.priority = Priority::normal;
    EXPECT_EQ(table.match(m)->name, "mci-route");
}

TEST(RoutingTable, NoMatchAndNoDefaultMeansNoRoute) {
    auto c = config();
    c.default_route.clear();
    RoutingTable table(c);
    EXPECT_EQ(table.match(message("+989351234567")), nullptr);
}

TEST(SmoothWeightedRoundRobin, InterleavesLikeNginx) {
    SmoothWeightedRoundRobin rr({5, 1, 1});
    std::string order;
    for (int i = 0; i < 7; ++i)
        order += static_cast<char>('a' + *rr.pick([](std::size_t) { return true; }));
    EXPECT_EQ(order, "aabacaa");  // nginx's documented sequence for weights 5,1,1
}

TEST(SmoothWeightedRoundRobin, DistributesByWeightWithinAFewPercentOver10000Picks) {
    SmoothWeightedRoundRobin rr({50, 30, 15, 5});
    std::map<std::size_t, int> counts;
    for (int i = 0; i < 10'000; ++i) ++counts[*rr.pick([](std::size_t) { return true; })];
    const double expected[] = {0.50, 0.30, 0.15, 0.05};
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_NEAR(counts[i] / 10'000.0, expected[i], 0.02) << "member " << i;
    }
}

TEST(SmoothWeightedRoundRobin, SkipsUnavailableMembersAndRedistributes) {
    SmoothWeightedRoundRobin rr({2, 1, 1});
    std::map<std::size_t, int> counts;
    for (int i = 0; i < 3000; ++i) ++counts[*rr.pick([](std::size_t m) { return m != 0; })];
    EXPECT_EQ(counts[0], 0);
    EXPECT_EQ(counts[1], 1500);
    EXPECT_EQ(counts[2], 1500);
    EXPECT_FALSE(rr.pick([](std::size_t) { return false; }).has_value());
}

TEST(RoutingTable, PickFallsBackToTheFailoverListInOrder) {
    RoutingTable table(config());
    const Route* route = table.match(message("+989123456789"));
    ASSERT_NE(route, nullptr);
    std::set<std::string> down;
    auto up = [&](std::string_view p) { return !down.contains(std::string(p)); };

    std::map<std::string, int> counts;
    for (int i = 0; i < 400; ++i) ++counts[*table.pick(*route, up)];
    EXPECT_EQ(counts["smpp-a"], 300);
    EXPECT_EQ(counts["smpp-b"], 100);

    down = {"smpp-a"};
    EXPECT_EQ(*table.pick(*route, up), "smpp-b");
    down = {"smpp-a", "smpp-b"};
    EXPECT_EQ(*table.pick(*route, up), "kavenegar");
    down = {"smpp-a", "smpp-b", "kavenegar"};
    EXPECT_FALSE(table.pick(*route, up).has_value());
}

TEST(RoutingTable, ListsEveryProviderOnce) {
    RoutingTable table(config());
    const auto providers = table.providers();
    EXPECT_EQ(std::set<std::string>(providers.begin(), providers.end()),
              (std::set<std::string>{"smpp-a", "smpp-b", "kavenegar", "http-gb"}));
    EXPECT_EQ(providers.size(), 4u);
}

}  // namespace
}  // namespace bindery::router
