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
    c.reconnect = {250ms, 20s, 1.5};
    c.dest_addr_ton = 0;
    c.source_addr_ton = 5;
    c.source_addr_npi = 0;
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
    EXPECT_DOUBLE_EQ(out.pool.backoff.multiplier, 1.5);
    EXPECT_EQ(out.addresses.international_ton, 0);
    EXPECT_EQ(out.addresses.force_source_ton, std::optional<std::uint8_t>(5));
    EXPECT_EQ(out.addresses.force_source_npi, std::optional<std::uint8_t>(0));
    EXPECT_EQ(out.text.concatenation, smpp::Concatenation::sar);
    EXPECT_FALSE(out.registered_delivery);
}

TEST(GatewayConfig, SmppCarrierTextSubmitAndReceiptSettingsReachTheProvider) {
    SmppCarrierConfig c;
    c.default_alphabet = DefaultAlphabet::latin1;
    c.allow_ia5 = true;
    c.allow_latin1 = true;
    c.force_alphabet = ForcedAlphabet::binary;
    c.gsm7_packing = Gsm7PackingMode::packed;
    c.transliterate = true;
    c.keep_clusters = true;
    c.max_segments = 4;
    c.segmentation = Segmentation::udh16;
    c.message_id_format = MessageIdFormat::decimal;
    c.validity_format = ValidityFormat::none;
    c.service_type = "CMT";
    c.protocol_id = 0x7f;
    c.priority_express = false;
    c.receipt_utc_offset = std::chrono::minutes(210);
    c.reassemble_mo = false;
    c.mo_reassembly = {90s, 50, 500, 65536};
    const auto out = to_carrier_config("mci", c);
    EXPECT_EQ(out.text.concatenation, smpp::Concatenation::udh16);
    EXPECT_EQ(out.text.smsc_default, smpp::SmscDefaultAlphabet::latin1);
    EXPECT_TRUE(out.text.allow_ia5);
    EXPECT_TRUE(out.text.allow_latin1);
    EXPECT_EQ(out.text.force_alphabet, smpp::Alphabet::binary);
    EXPECT_EQ(out.text.gsm7_packing, smpp::Gsm7Packing::packed);
    EXPECT_TRUE(out.text.transliterate);
    EXPECT_TRUE(out.text.keep_clusters);
    EXPECT_EQ(out.text.max_segments, 4U);
    EXPECT_EQ(out.message_id_format, router::MessageIdFormat::decimal);
    EXPECT_EQ(out.validity, router::ValidityFormat::none);
    EXPECT_EQ(out.service_type, "CMT");
    EXPECT_EQ(out.protocol_id, 0x7f);
    EXPECT_FALSE(out.priority_express);
    EXPECT_EQ(out.receipt_utc_offset, std::chrono::minutes(210));
    EXPECT_FALSE(out.reassemble_mo);
    EXPECT_EQ(out.mo_reassembly.timeout, 90s);
    EXPECT_EQ(out.mo_reassembly.max_pending_messages, 50U);
    EXPECT_EQ(out.mo_reassembly.max_pending_parts, 500U);
    EXPECT_EQ(out.mo_reassembly.max_pending_bytes, 65536U);

    // The defaults are the provider's own: a carrier without these keys sends as before.
    const auto plain = to_carrier_config("mci", SmppCarrierConfig{});
    const router::SmppCarrierConfig provider_defaults;
    EXPECT_EQ(plain.text.smsc_default, provider_defaults.text.smsc_default);
    EXPECT_EQ(plain.text.allow_latin1, provider_defaults.text.allow_latin1);
    EXPECT_EQ(plain.text.allow_ia5, provider_defaults.text.allow_ia5);
    EXPECT_FALSE(plain.text.force_alphabet.has_value());
    EXPECT_EQ(plain.text.max_segments, provider_defaults.text.max_segments);
    EXPECT_EQ(plain.message_id_format, router::MessageIdFormat::automatic);
    EXPECT_EQ(plain.validity, provider_defaults.validity);
    EXPECT_EQ(plain.priority_express, provider_defaults.priority_express);
    EXPECT_EQ(plain.reassemble_mo, provider_defaults.reassemble_mo);
    EXPECT_EQ(plain.mo_reassembly.timeout, provider_defaults.mo_reassembly.timeout);
    EXPECT_EQ(plain.mo_reassembly.max_pending_messages,
              provider_defaults.mo_reassembly.max_pending_messages);
    EXPECT_EQ(plain.mo_reassembly.max_pending_parts,
              provider_defaults.mo_reassembly.max_pending_parts);
    EXPECT_EQ(plain.mo_reassembly.max_pending_bytes,
              provider_defaults.mo_reassembly.max_pending_bytes);
    // No source_addr_ton / _npi: senders keep the provider's automatic classification; the
    // reconnect ceiling keeps doubling.
    EXPECT_FALSE(plain.addresses.force_source_ton.has_value());
    EXPECT_FALSE(plain.addresses.force_source_npi.has_value());
    EXPECT_EQ(plain.addresses.alphanumeric_ton, provider_defaults.addresses.alphanumeric_ton);
    EXPECT_DOUBLE_EQ(plain.pool.backoff.multiplier, smpp::BackoffConfig{}.multiplier);
    EXPECT_DOUBLE_EQ(plain.pool.backoff.multiplier, 2.0);
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

TEST(GatewayConfig, ACarriersBreakerBecomesTheRoutersBreakerConfig) {
    BreakerSettings b;
    b.window = 12;
    b.min_samples = 6;
    b.error_rate = 0.75;
    b.consecutive_timeouts = 2;
    b.open_for = 1500ms;
    b.probe_successes = 3;
    const auto out = to_breaker_config(b);
    EXPECT_EQ(out.window, 12U);
    EXPECT_EQ(out.min_samples, 6U);
    EXPECT_DOUBLE_EQ(out.error_rate, 0.75);
    EXPECT_EQ(out.consecutive_timeouts, 2U);
    EXPECT_EQ(out.open_for, 1500ms);
    EXPECT_EQ(out.probe_successes, 3U);
    EXPECT_EQ(out.probes, router::BreakerConfig{}.probes);
}

TEST(GatewayConfig, StoreRecordDispatchBecomesTheRoutersAndPipelinedWritesAreOn) {
    Config config;
    EXPECT_TRUE(to_router_config(config).record_dispatch);
    EXPECT_TRUE(to_router_config(config).pipeline_writes);
    config.store.record_dispatch = false;
    EXPECT_FALSE(to_router_config(config).record_dispatch);
}

TEST(GatewayConfig, KavenegarCarrierBecomesAKavenegarProviderConfig) {
    KavenegarCarrierConfig c;
    c.base_url = "https://127.0.0.1:8443/prefix";
    c.api_key = Secret("k3y", Secret::Source::file, "/run/secrets/kavenegar");
    c.sender = "10004346";
    c.rate = 12;
    c.concurrency = 6;
    c.batch = 50;
    c.timeout = 3s;
    c.poll_status = false;
    c.status_interval = 2s;
    c.status_max_interval = 20s;
    c.status_give_up = 1h;
    c.tls.ca_file = "/etc/bindery/mock.pem";
    c.tls.server_name = "localhost";
    const auto out = to_kavenegar_config("kn", c);
    EXPECT_EQ(out.name, "kn");
    EXPECT_EQ(out.base_url, "https://127.0.0.1:8443/prefix");
    EXPECT_EQ(out.api_key, "k3y");
    EXPECT_EQ(out.sender, "10004346");
    EXPECT_DOUBLE_EQ(out.rate, 12);
    EXPECT_EQ(out.concurrency, 6U);
    EXPECT_EQ(out.max_batch, 50U);
    EXPECT_EQ(out.timeout, 3s);
    EXPECT_FALSE(out.poll_status);
    EXPECT_EQ(out.status_interval, 2s);
    EXPECT_EQ(out.status_max_interval, 20s);
    EXPECT_EQ(out.status_give_up, 1h);
    EXPECT_TRUE(out.tls.verify);
    EXPECT_EQ(out.tls.ca_file, "/etc/bindery/mock.pem");
    EXPECT_EQ(out.tls.server_name, "localhost");
}

TEST(GatewayConfig, HttpCarrierBecomesAnHttpProviderConfigWithItsOwnStatusMap) {
    HttpCarrierConfig c;
    c.method = HttpMethod::put;
    c.url = "https://sms.example.com/v2/send";
    c.body = R"({"to":"{to}","text":"{text}"})";
    c.headers = {{"X-Client", "{client}"}};
    c.auth_token = Secret("t0k", Secret::Source::env, "SMS_TOKEN");
    c.auth_scheme = "Token";
    c.success_status = {200, 202};
    c.message_id_pointer = "/data/id";
    c.success_pointer = "/ok";
    c.success_values = {"true"};
    c.error_code_pointer = "/error/code";
    c.status_map = {{"1001", "permanent"}, {"503", "throttled"}};
    c.tls.verify = false;
    const auto out = to_http_provider_config("rest", c);
    EXPECT_EQ(out.name, "rest");
    EXPECT_EQ(out.kind, "http:rest");
    EXPECT_EQ(out.method, "PUT");
    EXPECT_EQ(out.url, c.url);
    EXPECT_EQ(out.body, c.body);
    ASSERT_EQ(out.headers.size(), 1U);
    EXPECT_EQ(out.headers[0], (std::pair<std::string, std::string>{"X-Client", "{client}"}));
    EXPECT_EQ(out.auth_header, "Authorization");
    EXPECT_EQ(out.auth_value, "Token t0k");
    EXPECT_EQ(out.success_status, (std::vector<unsigned>{200, 202}));
    EXPECT_EQ(out.id_pointer, "/data/id");
    EXPECT_EQ(out.success_pointer, "/ok");
    EXPECT_EQ(out.error_code_pointer, "/error/code");
    EXPECT_FALSE(out.tls.verify);
    // Without a token no auth header; without a status_map the built-in "http" table.
    HttpCarrierConfig plain;
    plain.url = "https://sms.example.com/send";
    const auto p = to_http_provider_config("plain", plain);
    EXPECT_TRUE(p.auth_value.empty());
    EXPECT_EQ(p.kind, "http");

    Config config;
    CarrierConfig rest;
    rest.name = "rest";
    rest.settings = c;
    CarrierConfig other;
    other.name = "plain";
    other.settings = plain;
    config.carriers = {rest, other};
    const auto router_config = to_router_config(config);
    ASSERT_EQ(router_config.status_maps.size(), 1U);
    const router::StatusMap map(router_config.status_maps);
    auto classify = [&](std::string_view kind, std::int64_t code) {
        return map.classify(kind, router::SendError{router::SendErrorKind::status, code, ""});
    };
    EXPECT_EQ(classify("http:rest", 1001), router::ErrorClass::permanent);
    EXPECT_EQ(classify("http:rest", 503), router::ErrorClass::throttled);  // its map first
    EXPECT_EQ(classify("http:rest", 500), router::ErrorClass::temporary);  // then the http table
    EXPECT_EQ(classify("http:rest", 404), router::ErrorClass::permanent);
    EXPECT_EQ(classify("http", 503), router::ErrorClass::temporary);
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

namespace bindery::app {
namespace {

TEST(GatewayConfig, CreditsBecomeTheRoutersPriceTable) {
    Config config;
    config.credits.currency = "IRR";
    config.credits.capture = CaptureMode::sent;
    config.credits.default_price = 900;
    config.credits.prices = {{"+98", "", 450}, {"", "otp", 600}, {"+98912", "", 400}};
    const auto out = to_router_config(config);
    EXPECT_EQ(out.credits.currency, "IRR");
    EXPECT_EQ(out.credits.capture, router::CaptureOn::sent);
    EXPECT_EQ(out.credits.default_price, 900);
    ASSERT_EQ(out.credits.prices.size(), 3u);
    const router::PriceTable prices(out.credits);
    EXPECT_EQ(prices.price("+989121234567", "otp"), 400);
    EXPECT_EQ(prices.price("+989351234567", "otp"), 450);
    EXPECT_EQ(prices.price("+4915112345678", "otp"), 600);
    EXPECT_EQ(prices.price("+4915112345678", "main"), 900);
}

}  // namespace
}  // namespace bindery::app
