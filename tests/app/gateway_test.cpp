// The composition root's config conversions: what each module receives from app::Config.

#include <gtest/gtest.h>

#include "app/config_loader.hpp"
#include "app/default_config.hpp"
#include "app/gateway.hpp"

namespace bindery::app {
namespace {

using namespace std::chrono_literals;

TEST(GatewayConfig, SmppCarrierBecomesABindPoolAndTextOptions) {
    SmppCarrierConfig c;
    c.address = {"10.0.0.1", 2775};
    c.system_id = "acct";
    c.password = Secret("pw", Secret::Source::inline_value, "");
    c.bind_type = CarrierBindType::tx_rx_pair;
    c.count = 3;
    c.window = 25;
    c.max_tps = 40;
    c.burst = 8;
    c.bind_timeout = 7s;
    c.response_timeout = 4s;
    c.reconnect = {250ms, 20s, 2.0};
    c.dest_addr_ton = 0;
    c.segmentation = Segmentation::sar;
    c.registered_delivery = false;
    const auto out = to_carrier_config("mci", c);
    EXPECT_EQ(out.name, "mci");
    EXPECT_EQ(out.pool.carrier, "mci");
    EXPECT_EQ(out.pool.host, "10.0.0.1");
    EXPECT_EQ(out.pool.port, 2775);
    EXPECT_EQ(out.pool.system_id, "acct");
    EXPECT_EQ(out.pool.password, "pw");
    EXPECT_TRUE(out.pool.tx_rx_pairs);
    EXPECT_EQ(out.pool.count, 3U);
    EXPECT_EQ(out.pool.window, 25U);
    EXPECT_DOUBLE_EQ(out.pool.max_tps, 40);
    EXPECT_DOUBLE_EQ(out.pool.burst, 8);
    EXPECT_EQ(out.pool.connect_timeout, 7s);
    EXPECT_EQ(out.pool.response_timeout, 4s);
    EXPECT_EQ(out.pool.backoff.initial, 250ms);
    EXPECT_EQ(out.pool.backoff.max, 20s);
    EXPECT_EQ(out.addresses.international_ton, 0);
    EXPECT_EQ(out.text.concatenation, smpp::Concatenation::sar);
    EXPECT_FALSE(out.registered_delivery);
}

TEST(GatewayConfig, RoutesBecomeRulesInOrderWithTheirMembers) {
    Config config;
    RouteConfig ir;
    ir.name = "iran";
    ir.match.prefixes = {"98912", "+98935"};
    ir.match.countries = {"IR"};
    ir.match.priorities = {0, 2};
    ir.providers = {{"a", 3}, {"b", 1}};
    ir.failover = {"c"};
    RouteConfig rest;
    rest.name = "rest";
    rest.providers = {{"c", 1}};
    config.routes = {ir, rest};
    const auto out = to_router_config(config);
    ASSERT_EQ(out.routing.routes.size(), 2U);
    ASSERT_EQ(out.routing.rules.size(), 2U);
    EXPECT_EQ(out.routing.rules[0].route, "iran");
    EXPECT_EQ(out.routing.rules[0].prefixes, (std::vector<std::string>{"+98912", "+98935"}));
    EXPECT_EQ(out.routing.rules[0].regions, (std::vector<std::string>{"IR"}));
    EXPECT_EQ(out.routing.rules[0].priorities,
              (std::vector<router::Priority>{router::Priority::express, router::Priority::bulk}));
    ASSERT_EQ(out.routing.routes[0].members.size(), 2U);
    EXPECT_EQ(out.routing.routes[0].members[0].provider, "a");
    EXPECT_EQ(out.routing.routes[0].members[0].weight, 3U);
    EXPECT_EQ(out.routing.routes[0].failover, (std::vector<std::string>{"c"}));
    EXPECT_EQ(out.routing.rules[1].route, "rest");
    EXPECT_TRUE(out.routing.rules[1].prefixes.empty());  // matches every message
}

TEST(GatewayConfig, ClientsAreFoundByTheDigestOfTheirKeyOnly) {
    ClientConfig plain;
    plain.name = "plain";
    plain.api_key = Secret("k1", Secret::Source::inline_value, "");
    plain.rate = 20;
    ClientConfig hashed;
    hashed.name = "hashed";
    hashed.api_key_hash = "sha256:" + http::to_hex(http::sha256("k2"));
    hashed.allowed_senders = {"Bindery"};
    http::InMemoryClientRegistry registry;
    add_clients({plain, hashed}, registry);
    const auto a = registry.find_by_key_digest(http::sha256("k1"));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->name, "plain");
    EXPECT_TRUE(a->sender_allowed("anything"));  // no list: any sender
    ASSERT_TRUE(a->rate);
    EXPECT_DOUBLE_EQ(a->rate->per_second, 20);
    const auto b = registry.find_by_key_digest(http::sha256("k2"));
    ASSERT_TRUE(b);
    EXPECT_EQ(b->name, "hashed");
    EXPECT_FALSE(b->sender_allowed("Other"));
    EXPECT_FALSE(registry.find_by_key_digest(http::sha256("k3")));

    ClientConfig bad;
    bad.name = "bad";
    bad.api_key_hash = "sha256:xyz";
    EXPECT_THROW(add_clients({bad}, registry), std::runtime_error);
}

TEST(GatewayConfig, EmbeddedDefaultConvertsToWhatMakeRunStarts) {
    const auto loaded = load_config_text(default_config_text(), "default");
    ASSERT_TRUE(loaded.ok());
    const auto store = to_store_config(loaded.config.store);
    EXPECT_EQ(store.path, "var/bindery.db");
    EXPECT_EQ(store.synchronous, router::SqliteSync::normal);
    const auto http_config = to_http_config(loaded.config.http);
    EXPECT_EQ(http_config.listen_address, "127.0.0.1");
    EXPECT_EQ(http_config.port, 8080);
    ASSERT_EQ(loaded.config.carriers.size(), 1U);
    const auto sim =
        to_carrier_config(loaded.config.carriers[0].name,
                          std::get<SmppCarrierConfig>(loaded.config.carriers[0].settings));
    EXPECT_EQ(sim.pool.host, "127.0.0.1");
    EXPECT_EQ(sim.pool.port, 2775);
}

}  // namespace
}  // namespace bindery::app
