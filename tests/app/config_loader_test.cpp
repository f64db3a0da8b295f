#include "app/config_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

namespace bindery::app {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Env and files from maps: tests never depend on the machine's environment.
class FakeSecrets final : public SecretResolver {
public:
    std::map<std::string, std::string> vars;
    std::map<std::string, std::string> files;

    std::optional<std::string> env(const std::string& name) const override {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    }
    Expected<std::string, std::string> read_file(const std::string& path) const override {
        auto it = files.find(path);
        if (it == files.end()) return Unexpected(std::string("No such file or directory"));
        return it->second;
    }
};

// A minimal valid SMPP carrier, to which tests add one mistake.
constexpr const char* kCarrierHead =
    "carriers:\n"
    "  - name: smsc-a\n"
    "    kind: smpp\n"
    "    address: 10.0.0.1:2775\n"
    "    system_id: acme\n"
    "    password: pw\n";

LoadResult load(const std::string& yaml, const FakeSecrets& secrets = {}) {
    LoadOptions options;
    options.secrets = &secrets;
    return load_config_text(yaml, "test.yaml", options);
}

std::vector<std::string> errors_of(const std::string& yaml, const FakeSecrets& secrets = {}) {
    std::vector<std::string> out;
    for (const auto& e : load(yaml, secrets).errors) out.push_back(e.to_string());
    return out;
}

// The errors of kCarrierHead's carrier with `lines` added to it.
std::vector<std::string> carrier_errors(const std::string& lines) {
    return errors_of(kCarrierHead + lines);
}

// One mistake added to kCarrierHead's carrier, and the one error it alone is reported with.
struct CarrierMistake {
    std::string lines;
    ::testing::Matcher<const std::string&> error;
};

void expect_carrier_errors(const std::vector<CarrierMistake>& mistakes) {
    for (const auto& m : mistakes) {
        EXPECT_THAT(carrier_errors(m.lines), ElementsAre(m.error)) << m.lines;
    }
}

// --- error classes ------------------------------------------------------------------------------

TEST(ConfigLoader, RejectsUnknownKeyAndSuggestsTheClosestOne) {
    EXPECT_THAT(
        errors_of("process:\n  drain_timout: 10s\n"),
        ElementsAre(
            "test.yaml:2:3: process.drain_timout: unknown key (did you mean \"drain_timeout\"?)"));
}

TEST(ConfigLoader, RejectsUnknownKeyWithoutSuggestionWhenNothingIsClose) {
    EXPECT_THAT(errors_of("version: 1\nfrobnicate: yes\n"),
                ElementsAre("test.yaml:2:1: frobnicate: unknown key"));
}

TEST(ConfigLoader, RejectsKeysOfAnotherCarrierKind) {
    EXPECT_THAT(carrier_errors("    api_key: k\n"),
                ElementsAre("test.yaml:7:5: carriers[0].api_key: unknown key"));
}

TEST(ConfigLoader, RejectsWrongScalarType) {
    EXPECT_THAT(
        errors_of("process:\n  io_threads: four\n"),
        ElementsAre("test.yaml:2:15: process.io_threads: expected an integer, got \"four\""));
    EXPECT_THAT(errors_of("http:\n  enabled: maybe\n"),
                ElementsAre("test.yaml:2:12: http.enabled: expected true or false, got \"maybe\""));
}

TEST(ConfigLoader, RejectsWrongStructureType) {
    EXPECT_THAT(errors_of("carriers: {a: 1}\n"),
                ElementsAre("test.yaml:1:11: carriers: expected a sequence, got a mapping"));
    EXPECT_THAT(errors_of("logging: [json]\n"),
                ElementsAre("test.yaml:1:10: logging: expected a mapping, got a sequence"));
    EXPECT_THAT(
        carrier_errors("    system_type: [a, b]\n"),
        ElementsAre("test.yaml:7:18: carriers[0].system_type: expected a string, got a sequence"));
}

TEST(ConfigLoader, RejectsValuesOutOfRange) {
    expect_carrier_errors({
        {"    window: 0\n",
         "test.yaml:7:13: carriers[0].window: must be between 1 and 1000, got 0"},
        {"    incoming_window: 0\n",
         "test.yaml:7:22: carriers[0].incoming_window: must be between 1 and 100000, got 0"},
        {"    source_addr_ton: 9\n",
         "test.yaml:7:22: carriers[0].source_addr_ton: must be between 0 and 6, got 9"},
    });
    EXPECT_THAT(errors_of("carriers:\n  - name: x\n    kind: smpp\n    address: h:70000\n    "
                          "system_id: a\n    password: p\n"),
                ElementsAre("test.yaml:4:14: carriers[0].address: invalid address \"h:70000\" "
                            "(expected host:port)"));
}

TEST(ConfigLoader, ReadsACarriersBreakerAndDefaultsTheRest) {
    const auto result =
        load(std::string(kCarrierHead) +
             "    breaker: {open_for: 2s, window: 10, min_samples: 4, error_rate: 0.25,\n"
             "              consecutive_timeouts: 3, probe_successes: 1}\n"
             "  - {name: b, kind: kavenegar, api_key: k}\n");
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    const auto& a = result.config.carriers.at(0).breaker;
    EXPECT_EQ(a.open_for, std::chrono::seconds(2));
    EXPECT_EQ(a.window, 10U);
    EXPECT_EQ(a.min_samples, 4U);
    EXPECT_DOUBLE_EQ(a.error_rate, 0.25);
    EXPECT_EQ(a.consecutive_timeouts, 3U);
    EXPECT_EQ(a.probe_successes, 1U);
    const auto& b = result.config.carriers.at(1).breaker;  // not given: the router's defaults
    EXPECT_EQ(b.open_for, std::chrono::seconds(30));
    EXPECT_EQ(b.window, 20U);
    EXPECT_EQ(b.min_samples, 10U);
}

TEST(ConfigLoader, ReadsSmppConcatLimitsAndRejectsThemOutOfRange) {
    const auto defaults = load("smpp_server:\n  listen: 127.0.0.1:2776\n");
    ASSERT_TRUE(defaults.ok()) << format_errors(defaults.errors);
    EXPECT_EQ(defaults.config.smpp_server.concat.timeout, std::chrono::minutes(5));
    EXPECT_EQ(defaults.config.smpp_server.concat.max_messages, 1000U);
    EXPECT_EQ(defaults.config.smpp_server.concat.max_parts, 10000U);
    const auto set =
        load("smpp_server:\n  concat: {timeout: 90s, max_messages: 10, max_parts: 300}\n");
    ASSERT_TRUE(set.ok()) << format_errors(set.errors);
    EXPECT_EQ(set.config.smpp_server.concat.timeout, std::chrono::seconds(90));
    EXPECT_EQ(set.config.smpp_server.concat.max_messages, 10U);
    EXPECT_EQ(set.config.smpp_server.concat.max_parts, 300U);
    EXPECT_THAT(errors_of("smpp_server:\n  concat: {max_parts: 10}\n"),
                ElementsAre("test.yaml:2:23: smpp_server.concat.max_parts: must be between 255 and "
                            "10000000, got 10"));
    EXPECT_THAT(errors_of("smpp_server:\n  concat: {timeot: 1m}\n"),
                ElementsAre(HasSubstr(
                    "smpp_server.concat.timeot: unknown key (did you mean \"timeout\"?)")));
}

TEST(ConfigLoader, RejectsABreakerOutOfRangeWithItsPosition) {
    expect_carrier_errors({
        {"    breaker: {open_for: 50ms}\n",
         HasSubstr("test.yaml:7:25: carriers[0].breaker.open_for: ")},
        {"    breaker: {window: 5, min_samples: 6}\n",
         "test.yaml:7:39: carriers[0].breaker.min_samples: must not exceed window (5)"},
        {"    breaker: {open_fro: 1s}\n",
         HasSubstr("test.yaml:7:15: carriers[0].breaker.open_fro: unknown key")},
    });
}

TEST(ConfigLoader, RejectsSmppFieldsLongerThanTheSpecAllows) {
    EXPECT_THAT(errors_of("carriers:\n  - name: x\n    kind: smpp\n    address: h:1\n    "
                          "system_id: sixteen-chars-id\n"
                          "    password: p\n"),
                ElementsAre("test.yaml:5:16: carriers[0].system_id: must be at most 15 characters "
                            "(SMPP limit), got 16"));
    EXPECT_THAT(
        errors_of("carriers:\n  - name: x\n    kind: smpp\n    address: h:1\n    system_id: a\n"
                  "    password: {env: PW}\n",
                  [] {
                      FakeSecrets s;
                      s.vars["PW"] = "ninechars";
                      return s;
                  }()),
        ElementsAre("test.yaml:6:15: carriers[0].password: must be at most 8 characters (SMPP "
                    "limit), got 9 "
                    "(<redacted: env PW>)"));
}

TEST(ConfigLoader, RejectsBadEnumValueWithSuggestion) {
    EXPECT_THAT(
        carrier_errors("    bind_type: trxx\n"),
        ElementsAre(
            "test.yaml:7:16: carriers[0].bind_type: must be one of trx, tx, rx, tx_rx_pair; got "
            "\"trxx\" (did you mean \"trx\"?)"));
    EXPECT_THAT(
        errors_of("logging:\n  format: xml\n"),
        ElementsAre("test.yaml:2:11: logging.format: must be one of human, json; got \"xml\""));
}

TEST(ConfigLoader, RejectsBadDuration) {
    EXPECT_THAT(
        errors_of("store:\n  retention: 10 sec\n"),
        ElementsAre(
            "test.yaml:2:14: store.retention: invalid duration \"10 sec\" (expected a number and a "
            "unit: 250ms, 10s, 5m, 2h, 1d)"));
    EXPECT_THAT(errors_of("store:\n  retention: 10\n"),
                ElementsAre("test.yaml:2:14: store.retention: invalid duration \"10\" (expected a "
                            "number and a unit: "
                            "250ms, 10s, 5m, 2h, 1d)"));
    EXPECT_THAT(
        errors_of("store:\n  retention: 5m\n"),
        ElementsAre("test.yaml:2:14: store.retention: must be between 1h and 3650d, got 5m"));
}

TEST(ConfigLoader, StoreRecordDispatchIsABoolean) {
    const auto off = load("store:\n  record_dispatch: false\n");
    ASSERT_TRUE(off.ok()) << format_errors(off.errors);
    EXPECT_FALSE(off.config.store.record_dispatch);
    EXPECT_EQ(errors_of("store:\n  record_dispatch: sometimes\n").size(), 1U);
}

TEST(ConfigLoader, RejectsBadAddress) {
    EXPECT_THAT(
        errors_of("http:\n  listen: localhost\n"),
        ElementsAre(
            "test.yaml:2:11: http.listen: invalid address \"localhost\" (expected host:port)"));
    EXPECT_THAT(
        errors_of("carriers:\n  - name: x\n    kind: smpp\n    address: h:0\n    system_id: a\n    "
                  "password: p\n"),
        ElementsAre(
            "test.yaml:4:14: carriers[0].address: port must be between 1 and 65535, got 0"));
}

TEST(ConfigLoader, RejectsBadSizeUrlPhoneAndCountry) {
    EXPECT_THAT(errors_of("http:\n  body_limit: 1 MB\n"),
                ElementsAre("test.yaml:2:15: http.body_limit: invalid size \"1 MB\" (expected "
                            "bytes, or a unit: KiB, "
                            "MiB, kB, MB)"));
    EXPECT_THAT(errors_of("clients:\n  - name: c\n    api_key: k\n    callback_url: ftp://x\n"),
                ElementsAre("test.yaml:4:19: clients[0].callback_url: invalid URL \"ftp://x\" "
                            "(expected http://... or "
                            "https://...)"));
    EXPECT_THAT(
        errors_of("directories:\n  - name: d\n    kind: static\n    groups:\n      sre:\n        - "
                  "{name: A, "
                  "phone: \"0912\"}\n"),
        ElementsAre(
            "test.yaml:6:28: directories[0].groups.sre[0].phone: expected an E.164 number such as "
            "\"+989121234567\", got \"0912\""));
    EXPECT_THAT(errors_of("carriers: []\nroutes:\n  - name: r\n    match: {countries: [iran]}\n    "
                          "providers: []\n"),
                ElementsAre("test.yaml:4:25: routes[0].match.countries[0]: expected an ISO 3166 "
                            "alpha-2 country code "
                            "such as \"IR\", got \"iran\""));
}

TEST(ConfigLoader, ReportsMissingRequiredKeyAtItsParent) {
    EXPECT_THAT(errors_of("carriers:\n  - name: smsc-a\n    kind: smpp\n    address: "
                          "10.0.0.1:2775\n    password: pw\n"),
                ElementsAre("test.yaml:2:5: carriers[0].system_id: required key is missing"));
    EXPECT_THAT(errors_of("carriers:\n  - name: smsc-a\n    address: 10.0.0.1:2775\n"),
                ElementsAre("test.yaml:2:5: carriers[0].kind: required key is missing (one of "
                            "smpp, kavenegar, http)"));
    EXPECT_THAT(errors_of("clients:\n  - name: c\n"),
                ElementsAre("test.yaml:2:5: clients[0].api_key: required key is missing (give "
                            "api_key, api_key_env, "
                            "api_key_file or api_key_hash)"));
}

TEST(ConfigLoader, LocatesMissingKeysInsideAnAbsentSectionAtItsParent) {
    EXPECT_THAT(
        errors_of("alerting:\n  path: /v1/alertmanager\n  auth: {username: am}\n"),
        ElementsAre(
            "test.yaml:3:9: alerting.auth.password: required key is missing (basic auth needs a "
            "username and a password)"));
    EXPECT_THAT(
        errors_of(
            "directories:\n  - name: kc\n    kind: keycloak\n    realm: corp\n    client_id: b\n"
            "    client_secret: s\n"),
        ElementsAre("test.yaml:2:5: directories[0].base_url: required key is missing"));
}

TEST(ConfigLoader, AnUnresolvedBasicAuthPasswordIsReportedOnceAsItIs) {
    EXPECT_THAT(
        errors_of("alerting:\n  auth:\n    username: am\n    password_env: UNSET_AM_PASSWORD\n"),
        ElementsAre(
            "test.yaml:4:19: alerting.auth.password_env: environment variable UNSET_AM_PASSWORD is "
            "not set"));
    EXPECT_THAT(errors_of("alerting:\n  auth:\n    username: am\n    password_file: /nope\n"),
                ElementsAre("test.yaml:4:20: alerting.auth.password_file: cannot read secret file "
                            "\"/nope\": No such "
                            "file or directory"));
}

// Every file the gateway reads at start-up is read by the loader, so check-config names the one
// that serve would fail on (it said ok, and serve failed without naming the file).
TEST(ConfigLoader, ReportsTlsFilesThatCannotBeRead) {
    FakeSecrets secrets;
    secrets.files["/tls/ok.crt"] = "pem";
    secrets.files["/tls/empty.key"] = "";
    const std::string yaml =
        "http:\n  tls: {cert_file: /tls/ok.crt, key_file: /tls/missing.key}\n"
        "smpp_server:\n  tls:\n    cert_file: /tls/gone.crt\n    key_file: /tls/empty.key\n"
        "    client_ca_file: /tls/ca.pem\n" +
        std::string(kCarrierHead) +
        "    tls: {ca_file: /tls/carrier-ca.pem}\n"
        "  - {name: k, kind: kavenegar, api_key: k, tls: {ca_file: /tls/kv-ca.pem}}\n";
    EXPECT_THAT(errors_of(yaml, secrets),
                ElementsAre("test.yaml:2:43: http.tls.key_file: cannot read '/tls/missing.key': No "
                            "such file or directory",
                            "test.yaml:5:16: smpp_server.tls.cert_file: cannot read "
                            "'/tls/gone.crt': No such file or "
                            "directory",
                            "test.yaml:6:15: smpp_server.tls.key_file: cannot read "
                            "'/tls/empty.key': the file is empty",
                            "test.yaml:7:21: smpp_server.tls.client_ca_file: cannot read "
                            "'/tls/ca.pem': No such file or "
                            "directory",
                            "test.yaml:14:20: carriers[0].tls.ca_file: cannot read "
                            "'/tls/carrier-ca.pem': No such file "
                            "or directory",
                            "test.yaml:15:59: carriers[1].tls.ca_file: cannot read "
                            "'/tls/kv-ca.pem': No such file or "
                            "directory"));
}

TEST(ConfigLoader, ReadsTlsFilesOnlyWhenTheyAreUsedAndSecretsAreResolved) {
    const std::string yaml =
        "http:\n  tls: {enabled: false, cert_file: /tls/a.crt, key_file: /tls/a.key}\n";
    EXPECT_THAT(errors_of(yaml), ElementsAre());
    LoadOptions options;
    options.resolve_secrets = false;  // check-config --no-secrets: shapes only
    const auto result = load_config_text(
        "http:\n  tls: {cert_file: /tls/a.crt, key_file: /tls/a.key}\n", "test.yaml", options);
    EXPECT_TRUE(result.ok()) << format_errors(result.errors);
}

TEST(SystemSecretResolver, ADirectoryIsNotAReadableFile) {
    const auto r =
        SystemSecretResolver().read_file(std::filesystem::temp_directory_path().string());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), "Is a directory");
}

TEST(ConfigLoader, ReportsUnknownCarrierAtTheRouteThatNamesIt) {
    const std::string yaml = std::string(kCarrierHead) +
                             "routes:\n"
                             "  - name: r1\n"
                             "    providers:\n"
                             "      - {carrier: smsc-a, weight: 3}\n"
                             "      - {carrier: smsc-b, weight: 1}\n"
                             "    failover: [smsc-c]\n";
    EXPECT_THAT(
        errors_of(yaml),
        ElementsAre(
            "test.yaml:11:19: routes[0].providers[1].carrier: unknown carrier \"smsc-b\" (known: "
            "smsc-a)",
            "test.yaml:12:16: routes[0].failover[0]: unknown carrier \"smsc-c\" (known: smsc-a)"));
}

TEST(ConfigLoader, ReportsUnknownClientAndGroupReferences) {
    const std::string yaml =
        "clients:\n  - name: ops\n    api_key: k\n"
        "alerting:\n  receivers:\n    - name: r\n      groups: [sre, dba]\n      client: opz\n"
        "directories:\n  - name: d\n    kind: static\n    groups:\n      sre:\n        - {phone: "
        "\"+15555550100\"}\n";
    EXPECT_THAT(
        errors_of(yaml),
        ElementsAre(
            "test.yaml:7:21: alerting.receivers[0].groups[1]: unknown group \"dba\" (no static "
            "directory "
            "defines it; known: sre)",
            "test.yaml:8:15: alerting.receivers[0].client: unknown client \"opz\" (known: ops)"));
}

TEST(ConfigLoader, ReadsSmppDeliveriesAndMoRoutes) {
    const std::string yaml =
        std::string(kCarrierHead) +
        "smpp_server:\n"
        "  accounts:\n"
        "    - {system_id: shop, password: pw, delivery_expiry: 72h}\n"
        "    - {system_id: ops, password: pw}\n"
        "  deliveries: {expiry: 2d, retry_initial: 1s, retry_max: 1m, max_in_flight: 7}\n"
        "  mo_routes:\n"
        "    - {destination: \"+3000\", account: shop}\n"
        "    - {prefix: \"98912\", carrier: smsc-a, account: ops}\n";
    const auto result = load(yaml);
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    const auto& s = result.config.smpp_server;
    EXPECT_EQ(s.accounts[0].delivery_expiry, std::optional<Millis>(std::chrono::hours(72)));
    EXPECT_EQ(s.accounts[1].delivery_expiry, std::nullopt);
    EXPECT_EQ(s.deliveries.expiry, std::chrono::hours(48));
    EXPECT_EQ(s.deliveries.retry_initial, std::chrono::seconds(1));
    EXPECT_EQ(s.deliveries.retry_max, std::chrono::minutes(1));
    EXPECT_EQ(s.deliveries.max_in_flight, 7U);
    ASSERT_EQ(s.mo_routes.size(), 2U);
    EXPECT_EQ(s.mo_routes[0].destination, "3000");  // "+" dropped
    EXPECT_EQ(s.mo_routes[0].account, "shop");
    EXPECT_EQ(s.mo_routes[1].prefix, "98912");
    EXPECT_EQ(s.mo_routes[1].carrier, "smsc-a");
    // Defaults.
    const auto defaults = load("");
    EXPECT_EQ(defaults.config.smpp_server.deliveries.expiry, std::chrono::hours(48));
    EXPECT_TRUE(defaults.config.smpp_server.mo_routes.empty());
}

TEST(ConfigLoader, AnEmptyBindTypesListIsAnErrorNotEveryType) {
    EXPECT_THAT(
        errors_of(
            "smpp_server:\n  accounts:\n    - {system_id: shop, password: pw, bind_types: []}\n"),
        ElementsAre(
            "test.yaml:3:51: smpp_server.accounts[0].bind_types: must not be empty (leave it out "
            "for trx, tx and rx)"));
    const auto one = load(
        "smpp_server:\n  accounts:\n    - {system_id: shop, password: pw, bind_types: [rx]}\n");
    ASSERT_TRUE(one.ok()) << format_errors(one.errors);
    ASSERT_EQ(one.config.smpp_server.accounts[0].bind_types.size(), 1U);
    EXPECT_EQ(one.config.smpp_server.accounts[0].bind_types[0], BindType::rx);
}

TEST(ConfigLoader, ReportsBadMoRoutesWithTheirPositions) {
    const std::string yaml = std::string(kCarrierHead) +
                             "  - name: kv\n"
                             "    kind: kavenegar\n"
                             "    api_key: k\n"
                             "smpp_server:\n"
                             "  accounts:\n"
                             "    - {system_id: shop, password: pw}\n"
                             "  deliveries: {retry_initial: 1m, retry_max: 1s}\n"
                             "  mo_routes:\n"
                             "    - {destination: \"3000\", prefix: \"30\", account: shop}\n"
                             "    - {destination: \"30a0\", account: shop}\n"
                             "    - {destination: \"3000\", account: nobody}\n"
                             "    - {destination: \"3000\", carrier: kv, account: shop}\n"
                             "    - {prefix: \"4\"}\n"
                             "    - {destination: \"+3000\", account: shop}\n";
    EXPECT_THAT(errors_of(yaml),
                ElementsAre("test.yaml:13:46: smpp_server.deliveries.retry_max: must not be "
                            "shorter than retry_initial",
                            "test.yaml:15:7: smpp_server.mo_routes[0].destination: give exactly "
                            "one of destination and prefix",
                            "test.yaml:16:21: smpp_server.mo_routes[1].destination: expected "
                            "digits (an optional leading "
                            "\"+\"), at most 20, got \"30a0\"",
                            "test.yaml:17:38: smpp_server.mo_routes[2].account: unknown "
                            "smpp_server account \"nobody\" "
                            "(known: shop)",
                            "test.yaml:18:38: smpp_server.mo_routes[3].carrier: carrier \"kv\" is "
                            "not an SMPP carrier (MO "
                            "comes only from SMPP binds; known: smsc-a)",
                            "test.yaml:19:7: smpp_server.mo_routes[4].account: required key is "
                            "missing (the smpp_server "
                            "account (system_id) the MO goes to)",
                            "test.yaml:20:7: smpp_server.mo_routes[5].destination: duplicate MO "
                            "route (destination 3000, "
                            "first at line 17)"));
}

TEST(ConfigLoader, AcceptsAnyGroupWhenAKeycloakDirectoryResolvesThem) {
    FakeSecrets secrets;
    secrets.vars["KC"] = "s3cret";
    const std::string yaml =
        "alerting:\n  receivers:\n    - name: r\n      groups: [anything]\n"
        "directories:\n  - name: kc\n    kind: keycloak\n    base_url: https://sso.example.com\n   "
        " realm: corp\n"
        "    client_id: bindery\n    client_secret_env: KC\n";
    EXPECT_THAT(errors_of(yaml, secrets), IsEmpty());
}

TEST(ConfigLoader, ReadsAlertReceiverTagsDedupWindowAndKeycloakRegion) {
    FakeSecrets secrets;
    secrets.vars["KC"] = "s3cret";
    const std::string yaml =
        "alerting:\n  path: /v1/alertmanager\n  receivers:\n    - name: r\n      groups: "
        "[anything]\n"
        "      tags: [alerts]\n      dedup_window: 2m\n"
        "directories:\n  - name: kc\n    kind: keycloak\n    base_url: https://sso.example.com\n   "
        " realm: corp\n"
        "    client_id: bindery\n    client_secret_env: KC\n    default_region: IR\n";
    LoadOptions options;
    options.secrets = &secrets;
    const auto result = load_config_text(yaml, "test.yaml", options);
    ASSERT_THAT(result.errors, IsEmpty());
    const auto& r = result.config.alerting.receivers.at(0);
    EXPECT_THAT(r.tags, ElementsAre("alerts"));
    EXPECT_EQ(r.dedup_window, std::chrono::minutes(2));
    EXPECT_EQ(
        std::get<KeycloakDirectoryConfig>(result.config.directories.at(0).settings).default_region,
        "IR");
}

TEST(ConfigLoader, AlertRetentionDefaultsToThirtyDaysAndCoversEveryDedupWindow) {
    const std::string receivers =
        "  receivers:\n    - name: r\n      groups: [anything]\n      dedup_window: 2h\n"
        "directories:\n  - name: kc\n    kind: keycloak\n    base_url: https://sso.example.com\n"
        "    realm: corp\n    client_id: bindery\n    client_secret: x\n";
    {
        const auto result = load_config_text("alerting:\n" + receivers, "test.yaml", LoadOptions{});
        ASSERT_THAT(result.errors, IsEmpty());
        EXPECT_EQ(result.config.alerting.retention, std::chrono::hours(24 * 30));
    }
    {
        const auto result = load_config_text("alerting:\n  retention: 90d\n" + receivers,
                                             "test.yaml", LoadOptions{});
        ASSERT_THAT(result.errors, IsEmpty());
        EXPECT_EQ(result.config.alerting.retention, std::chrono::hours(24 * 90));
    }
    EXPECT_THAT(
        errors_of("alerting:\n  retention: 30m\n"),
        ElementsAre("test.yaml:2:14: alerting.retention: must be between 1h and 3650d, got 30m"));
    EXPECT_THAT(errors_of("alerting:\n  retention: 1h\n" + receivers),
                ElementsAre("test.yaml:2:14: alerting.retention: must be at least the dedup_window "
                            "of receiver \"r\" "
                            "(2h), got 1h"));
}

TEST(ConfigLoader, RefusesAnotherWebhookPathAndABadRegion) {
    FakeSecrets secrets;
    secrets.vars["KC"] = "s3cret";
    const std::string yaml =
        "alerting:\n  path: /alertmanager\n"
        "directories:\n  - name: kc\n    kind: keycloak\n    base_url: https://sso.example.com\n   "
        " realm: corp\n"
        "    client_id: bindery\n    client_secret_env: KC\n    default_region: iran\n";
    EXPECT_THAT(errors_of(yaml, secrets),
                ElementsAre("test.yaml:2:9: alerting.path: the webhook is served at "
                            "/v1/alertmanager (the only accepted value)",
                            "test.yaml:10:21: directories[0].default_region: expected an ISO 3166 "
                            "alpha-2 region such as \"IR\""));
}

TEST(ConfigLoader, ReportsDuplicateNamesAndKeys) {
    EXPECT_THAT(
        errors_of("clients:\n  - {name: a, api_key: k}\n  - {name: a, api_key: k}\n"),
        ElementsAre(
            "test.yaml:3:12: clients[1].name: duplicate client name \"a\" (first at line 2)"));
    EXPECT_THAT(errors_of("logging:\n  level: info\n  level: debug\n"),
                ElementsAre("test.yaml:3:3: logging.level: duplicate key (first at line 2)"));
}

TEST(ConfigLoader, ReportsMissingEnvironmentSecret) {
    EXPECT_THAT(
        errors_of(
            "carriers:\n  - name: a\n    kind: kavenegar\n    api_key: {env: KAVENEGAR_KEY}\n"),
        ElementsAre("test.yaml:4:20: carriers[0].api_key.env: environment variable KAVENEGAR_KEY "
                    "is not set"));
    FakeSecrets empty;
    empty.vars["KAVENEGAR_KEY"] = "";
    EXPECT_THAT(
        errors_of("carriers:\n  - name: a\n    kind: kavenegar\n    api_key_env: KAVENEGAR_KEY\n",
                  empty),
        ElementsAre("test.yaml:4:18: carriers[0].api_key_env: environment variable KAVENEGAR_KEY "
                    "is empty"));
}

TEST(ConfigLoader, ReportsMissingSecretFile) {
    EXPECT_THAT(
        errors_of(
            "carriers:\n  - name: a\n    kind: kavenegar\n    api_key_file: /run/secrets/kv\n"),
        ElementsAre("test.yaml:4:19: carriers[0].api_key_file: cannot read secret file "
                    "\"/run/secrets/kv\": No "
                    "such file or directory"));
    FakeSecrets blank;
    blank.files["/run/secrets/kv"] = "\n";
    EXPECT_THAT(
        errors_of(
            "carriers:\n  - name: a\n    kind: kavenegar\n    api_key: {file: /run/secrets/kv}\n",
            blank),
        ElementsAre(
            "test.yaml:4:21: carriers[0].api_key.file: secret file \"/run/secrets/kv\" is empty"));
}

TEST(ConfigLoader, RejectsTwoSpellingsOfOneSecret) {
    EXPECT_THAT(
        errors_of(
            "carriers:\n  - name: a\n    kind: kavenegar\n    api_key: k\n    api_key_env: K\n"),
        ElementsAre(
            "test.yaml:5:5: carriers[0].api_key_env: conflicts with another spelling of the same "
            "secret; give only one of api_key, api_key_env, api_key_file"));
    EXPECT_THAT(
        errors_of("carriers:\n  - name: a\n    kind: kavenegar\n    api_key: {env: A, file: /b}\n"),
        ElementsAre("test.yaml:4:14: carriers[0].api_key: give exactly one of env or file"));
}

TEST(ConfigLoader, AdminKeyIsASecretInAnyOfItsSpellings) {
    FakeSecrets secrets;
    secrets.vars["OPS_ADMIN_KEY"] = "from-env-0123456789";
    secrets.files["/run/credentials/bindery.service/admin-key"] = "from-file-0123456789\n";
    const auto inline_key = load("http:\n  admin_key: inline-0123456789ab\n", secrets);
    ASSERT_TRUE(inline_key.ok());
    EXPECT_EQ(inline_key.config.http.admin_key.reveal(), "inline-0123456789ab");
    const auto env = load("http:\n  admin_key_env: OPS_ADMIN_KEY\n", secrets);
    ASSERT_TRUE(env.ok());
    EXPECT_EQ(env.config.http.admin_key.reveal(), "from-env-0123456789");
    EXPECT_EQ(env.config.http.admin_key.describe(), "<redacted: env OPS_ADMIN_KEY>");
    const auto file =
        load("http:\n  admin_key: {file: /run/credentials/bindery.service/admin-key}\n", secrets);
    ASSERT_TRUE(file.ok());
    EXPECT_EQ(file.config.http.admin_key.reveal(), "from-file-0123456789");
    const auto unset = load("http:\n  listen: 127.0.0.1:8080\n", secrets);
    ASSERT_TRUE(unset.ok());
    EXPECT_FALSE(unset.config.http.admin_key.is_set());  // the environment is the fallback
}

TEST(ConfigLoader, RejectsAShortOrUnreadableAdminKeyWithItsPosition) {
    FakeSecrets secrets;
    secrets.vars["SHORT"] = "tiny";
    EXPECT_THAT(errors_of("http:\n  admin_key: short\n", secrets),
                ElementsAre("test.yaml:2:14: http.admin_key: must be at least 16 characters, got 5 "
                            "(<redacted: inline>)"));
    EXPECT_THAT(errors_of("http:\n  listen: 127.0.0.1:8080\n  admin_key_env: SHORT\n", secrets),
                ElementsAre("test.yaml:3:18: http.admin_key: must be at least 16 characters, got 4 "
                            "(<redacted: env SHORT>)"));
    EXPECT_THAT(
        errors_of("http:\n  admin_key_env: NOT_SET\n", secrets),
        ElementsAre("test.yaml:2:18: http.admin_key_env: environment variable NOT_SET is not set"));
    EXPECT_THAT(errors_of("http:\n  admin_key_file: /etc/bindery/admin-key\n", secrets),
                ElementsAre("test.yaml:2:19: http.admin_key_file: cannot read secret file "
                            "\"/etc/bindery/admin-key\": "
                            "No such file or directory"));
    EXPECT_THAT(
        errors_of("http:\n  admin_key: inline-0123456789ab\n  admin_key_file: /k\n", secrets),
        ElementsAre("test.yaml:3:3: http.admin_key_file: conflicts with another spelling of the "
                    "same secret; "
                    "give only one of admin_key, admin_key_env, admin_key_file"));
    EXPECT_THAT(
        errors_of("http:\n  admin_kee: inline-0123456789ab\n", secrets),
        ElementsAre("test.yaml:2:3: http.admin_kee: unknown key (did you mean \"admin_key\"?)"));
}

TEST(ConfigLoader, ReportsYamlSyntaxErrorWithPosition) {
    EXPECT_THAT(errors_of("logging:\n  level: info\n   format: json\n"),
                ElementsAre("test.yaml:3:10: YAML syntax error: illegal map value"));
    EXPECT_THAT(errors_of("routes: [a, b\nstore: {}\n"), ElementsAre(HasSubstr("test.yaml:2:")));
}

TEST(ConfigLoader, RejectsASecondYamlDocument) {
    EXPECT_THAT(
        errors_of("version: 1\n---\nversion: 2\n"),
        ElementsAre("test.yaml:3:1: only one YAML document is allowed (found a second one here)"));
}

TEST(ConfigLoader, ReportsEveryErrorAtOnceInFileOrder) {
    const std::string yaml =
        "process:\n"
        "  io_threads: -1\n"
        "logging:\n"
        "  level: loud\n"
        "  colour: true\n"
        "carriers:\n"
        "  - name: smsc-a\n"
        "    kind: smpp\n"
        "    address: nowhere\n"
        "    system_id: acme\n"
        "    password_env: SMSC_A_PASSWORD\n"
        "    window: 0\n"
        "routes:\n"
        "  - name: r\n"
        "    providers: [smsc-z]\n";
    EXPECT_THAT(
        errors_of(yaml),
        ElementsAre(
            "test.yaml:2:15: process.io_threads: must be between 0 and 256, got -1",
            "test.yaml:4:10: logging.level: must be one of trace, debug, info, warn, error, "
            "critical, "
            "off; got \"loud\"",
            "test.yaml:5:3: logging.colour: unknown key",
            "test.yaml:9:14: carriers[0].address: invalid address \"nowhere\" (expected host:port)",
            "test.yaml:11:19: carriers[0].password_env: environment variable SMSC_A_PASSWORD is "
            "not set",
            "test.yaml:12:13: carriers[0].window: must be between 1 and 1000, got 0",
            "test.yaml:15:17: routes[0].providers[0]: unknown carrier \"smsc-z\" (known: smsc-a)"));
}

TEST(ConfigLoader, ReportsUnreadableConfigFile) {
    const auto result = load_config_file("/nonexistent/bindery.yaml");
    ASSERT_EQ(result.errors.size(), 1U);
    EXPECT_EQ(result.errors[0].to_string(),
              "/nonexistent/bindery.yaml: cannot open: No such file or directory");
}

// --- values and defaults ------------------------------------------------------------------------

TEST(ConfigLoader, EmptyDocumentGivesDefaults) {
    const auto result = load("");
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    const auto& c = result.config;
    EXPECT_EQ(c.http.listen, (Address{"127.0.0.1", 8080}));
    EXPECT_EQ(c.smpp_server.listen, (Address{"127.0.0.1", 2776}));
    EXPECT_EQ(c.process.drain_timeout, std::chrono::seconds(15));
    EXPECT_EQ(c.process.io_threads, 0U);
    EXPECT_FALSE(c.process.node_id.empty());
    EXPECT_EQ(c.logging.format, LogFormat::human);
    EXPECT_EQ(c.store.path, "var/bindery.db");
    EXPECT_TRUE(c.store.record_dispatch);
    EXPECT_TRUE(c.carriers.empty());
}

// The generic HTTP carrier's {secret}: an API key in the URL (or a header, or the body) taken from
// the environment or a file like every other secret, never only inline.
TEST(ConfigLoader, HttpCarrierSecretFillsTheSecretPlaceholderFromEnvOrFile) {
    FakeSecrets secrets;
    secrets.vars["KV_KEY"] = "k-env";
    secrets.files["/run/kv"] = "k-file\n";
    const std::string head = "carriers:\n  - name: h\n    kind: http\n";
    const auto from_env = load(
        head + "    url: https://x.example/v1/{secret}/send\n    secret_env: KV_KEY\n", secrets);
    ASSERT_TRUE(from_env.ok()) << format_errors(from_env.errors);
    const auto& h = std::get<HttpCarrierConfig>(from_env.config.carriers[0].settings);
    EXPECT_EQ(h.secret.reveal(), "k-env");
    EXPECT_EQ(h.secret.source(), Secret::Source::env);
    const auto from_file =
        load(head +
                 "    url: https://x.example/send\n    headers: {X-Api-Key: \"{secret}\"}\n"
                 "    secret: {file: /run/kv}\n",
             secrets);
    ASSERT_TRUE(from_file.ok()) << format_errors(from_file.errors);
    EXPECT_EQ(std::get<HttpCarrierConfig>(from_file.config.carriers[0].settings).secret.reveal(),
              "k-file");

    EXPECT_THAT(
        errors_of(head + "    url: https://x.example/v1/{secret}/send\n", secrets),
        ElementsAre(
            "test.yaml:2:5: carriers[0].secret: required key is missing ({secret} is used; give "
            "secret, secret_env or secret_file)"));
    EXPECT_THAT(
        errors_of(head + "    url: https://x.example/send\n    secret_env: KV_KEY\n", secrets),
        ElementsAre("test.yaml:5:17: carriers[0].secret: no url, header or body uses {secret}"));
    EXPECT_THAT(
        errors_of(head + "    url: https://x.example/v1/{secret}/send\n    secret_env: UNSET_KV\n",
                  secrets),
        ElementsAre(
            "test.yaml:5:17: carriers[0].secret_env: environment variable UNSET_KV is not set"));
}

TEST(ConfigLoader, ParsesEveryCarrierKind) {
    FakeSecrets secrets;
    secrets.vars["PW"] = "pw";
    secrets.files["/s/kv"] = "kv-key\r\n";
    secrets.files["/ca.pem"] = "-----BEGIN CERTIFICATE-----\n";
    const std::string yaml =
        "carriers:\n"
        "  - name: a\n    kind: smpp\n    address: '[::1]:2775'\n    system_id: acme\n    "
        "password_env: PW\n"
        "    bind_type: tx_rx_pair\n    count: 3\n    window: 0x20\n    max_tps: 12.5\n    "
        "response_timeout: 1500ms\n"
        "    reconnect: {initial: 250ms, max: 2m, multiplier: 1.5}\n    segmentation: payload\n"
        "    tls: {ca_file: /ca.pem, verify: false}\n"
        "  - name: k\n    kind: kavenegar\n    api_key_file: /s/kv\n    sender: '10004346'\n"
        "  - name: h\n    kind: http\n    method: GET\n    url: https://x.example/send?to={to}\n"
        "    headers: {X-A: b}\n    success_status: [200, 202]\n";
    const auto result = load(yaml, secrets);
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    ASSERT_EQ(result.config.carriers.size(), 3U);
    const auto& smpp = std::get<SmppCarrierConfig>(result.config.carriers[0].settings);
    EXPECT_EQ(result.config.carriers[0].kind(), CarrierKind::smpp);
    EXPECT_EQ(smpp.address, (Address{"::1", 2775}));
    EXPECT_EQ(smpp.password.reveal(), "pw");
    EXPECT_EQ(smpp.bind_type, CarrierBindType::tx_rx_pair);
    EXPECT_EQ(smpp.count, 3U);
    EXPECT_EQ(smpp.window, 32U);
    EXPECT_DOUBLE_EQ(smpp.max_tps, 12.5);
    EXPECT_EQ(smpp.response_timeout, std::chrono::milliseconds(1500));
    EXPECT_EQ(smpp.reconnect.initial, std::chrono::milliseconds(250));
    EXPECT_EQ(smpp.reconnect.max, std::chrono::minutes(2));
    EXPECT_DOUBLE_EQ(smpp.reconnect.multiplier, 1.5);
    EXPECT_FALSE(smpp.source_addr_ton.has_value());  // absent: classified by sender
    EXPECT_FALSE(smpp.source_addr_npi.has_value());
    EXPECT_EQ(smpp.segmentation, Segmentation::payload);
    EXPECT_TRUE(smpp.tls.enabled);
    EXPECT_FALSE(smpp.tls.verify);
    const auto& kv = std::get<KavenegarCarrierConfig>(result.config.carriers[1].settings);
    EXPECT_EQ(kv.api_key.reveal(), "kv-key");
    EXPECT_EQ(kv.api_key.source(), Secret::Source::file);
    EXPECT_EQ(kv.sender, "10004346");
    EXPECT_EQ(kv.base_url, "https://api.kavenegar.com");
    const auto& http = std::get<HttpCarrierConfig>(result.config.carriers[2].settings);
    EXPECT_EQ(http.method, HttpMethod::get);
    EXPECT_EQ(http.headers.at("X-A"), "b");
    EXPECT_THAT(http.success_status, ElementsAre(200U, 202U));
}

TEST(ConfigLoader, ReadsSmppCarrierTextSubmitAndReceiptSettings) {
    const auto result = load(
        std::string(kCarrierHead) +
        "    default_alphabet: latin1\n"
        "    allow_ia5: true\n"
        "    allow_latin1: true\n"
        "    force_alphabet: ucs2\n"
        "    gsm7_packing: packed\n"
        "    transliterate: true\n"
        "    keep_clusters: true\n"
        "    max_segments: 6\n"
        "    message_id_format: hex\n"
        "    validity_format: absolute\n"
        "    service_type: CMT\n"
        "    protocol_id: 0x40\n"
        "    priority_express: false\n"
        "    receipt_utc_offset: '+03:30'\n"
        "    reassemble_mo: false\n"
        "    mo_reassembly: {timeout: 90s, max_messages: 50, max_parts: 500, max_bytes: 65536}\n"
        "    source_addr_ton: 0\n"
        "    source_addr_npi: 9\n");
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    const auto& c = std::get<SmppCarrierConfig>(result.config.carriers[0].settings);
    EXPECT_EQ(c.default_alphabet, DefaultAlphabet::latin1);
    EXPECT_TRUE(c.allow_ia5);
    EXPECT_TRUE(c.allow_latin1);
    EXPECT_EQ(c.force_alphabet, ForcedAlphabet::ucs2);
    EXPECT_EQ(c.gsm7_packing, Gsm7PackingMode::packed);
    EXPECT_TRUE(c.transliterate);
    EXPECT_TRUE(c.keep_clusters);
    EXPECT_EQ(c.max_segments, 6U);
    EXPECT_EQ(c.message_id_format, MessageIdFormat::hex);
    EXPECT_EQ(c.validity_format, ValidityFormat::absolute);
    EXPECT_EQ(c.service_type, "CMT");
    EXPECT_EQ(c.protocol_id, 0x40);
    EXPECT_FALSE(c.priority_express);
    EXPECT_EQ(c.receipt_utc_offset, std::chrono::minutes(210));
    EXPECT_FALSE(c.reassemble_mo);
    EXPECT_EQ(c.mo_reassembly.timeout, std::chrono::seconds(90));
    EXPECT_EQ(c.mo_reassembly.max_messages, 50U);
    EXPECT_EQ(c.mo_reassembly.max_parts, 500U);
    EXPECT_EQ(c.mo_reassembly.max_bytes, 65536U);
    EXPECT_EQ(c.source_addr_ton, std::optional<std::uint8_t>(0));  // 0 is a value, not "unset"
    EXPECT_EQ(c.source_addr_npi, std::optional<std::uint8_t>(9));

    // Defaults: what every carrier did before these keys existed.
    const auto plain = load(kCarrierHead);
    ASSERT_TRUE(plain.ok()) << format_errors(plain.errors);
    const auto& d = std::get<SmppCarrierConfig>(plain.config.carriers[0].settings);
    EXPECT_EQ(d.default_alphabet, DefaultAlphabet::gsm7);
    EXPECT_FALSE(d.allow_ia5 || d.allow_latin1 || d.transliterate || d.keep_clusters);
    EXPECT_FALSE(d.force_alphabet.has_value());
    EXPECT_EQ(d.max_segments, 255U);
    EXPECT_EQ(d.message_id_format, MessageIdFormat::automatic);
    EXPECT_EQ(d.validity_format, ValidityFormat::relative);
    EXPECT_TRUE(d.priority_express);
    EXPECT_EQ(d.receipt_utc_offset, std::chrono::minutes(0));
    EXPECT_TRUE(d.reassemble_mo);

    for (const auto& [text, minutes] : std::vector<std::pair<std::string, int>>{
             {"'-05:00'", -300}, {"'+0545'", 345}, {"Z", 0}, {"'+14:00'", 840}, {"'-02'", -120}}) {
        const auto r = load(std::string(kCarrierHead) + "    receipt_utc_offset: " + text + "\n");
        ASSERT_TRUE(r.ok()) << text << format_errors(r.errors);
        EXPECT_EQ(
            std::get<SmppCarrierConfig>(r.config.carriers[0].settings).receipt_utc_offset.count(),
            minutes)
            << text;
    }
}

TEST(ConfigLoader, RejectsBadSmppCarrierTextAndReceiptSettingsWithTheirPositions) {
    expect_carrier_errors({
        {"    default_alphabet: ascii\n",
         "test.yaml:7:23: carriers[0].default_alphabet: must be one of gsm7, ia5, latin1; got "
         "\"ascii\""},
        {"    force_alphabet: latin\n",
         "test.yaml:7:21: carriers[0].force_alphabet: must be one of gsm7, ia5, latin1, ucs2, "
         "binary; got \"latin\" (did you mean \"latin1\"?)"},
        {"    default_alphabet: ia5\n    force_alphabet: gsm7\n",
         "test.yaml:8:21: carriers[0].force_alphabet: gsm7 needs default_alphabet: gsm7 (GSM "
         "7-bit goes as data_coding 0, which this carrier reads as ia5)"},
        {"    gsm7_packing: tight\n",
         "test.yaml:7:19: carriers[0].gsm7_packing: must be one of unpacked, packed; got "
         "\"tight\""},
        {"    allow_latin1: sometimes\n",
         "test.yaml:7:19: carriers[0].allow_latin1: expected true or false, got \"sometimes\""},
        {"    max_segments: 0\n",
         "test.yaml:7:19: carriers[0].max_segments: must be between 1 and 255, got 0"},
        {"    message_id_format: hexadecimal\n",
         HasSubstr("test.yaml:7:24: carriers[0].message_id_format: must be one of auto, as_is, "
                   "hex, decimal; got \"hexadecimal\"")},
        {"    validity_format: later\n",
         "test.yaml:7:22: carriers[0].validity_format: must be one of relative, absolute, none; "
         "got \"later\""},
        {"    service_type: WAPPUSH\n", HasSubstr("test.yaml:7:19: carriers[0].service_type:")},
        {"    protocol_id: 256\n",
         "test.yaml:7:18: carriers[0].protocol_id: must be between 0 and 255, got 256"},
    });
    for (const char* bad : {"'+3:30'", "'+15:00'", "'03:30'", "'+03:60'", "'+03:'", "tehran"}) {
        EXPECT_THAT(carrier_errors(std::string("    receipt_utc_offset: ") + bad + "\n"),
                    ElementsAre(HasSubstr(
                        "test.yaml:7:25: carriers[0].receipt_utc_offset: invalid UTC offset")))
            << bad;
    }
    expect_carrier_errors({
        {"    mo_reassembly: {max_parts: 10}\n",
         "test.yaml:7:32: carriers[0].mo_reassembly.max_parts: must be between 255 and 10000000, "
         "got 10"},
        {"    reconnect: {multiplier: 0.5}\n",
         "test.yaml:7:29: carriers[0].reconnect.multiplier: must be between 1 and 10, got 0.5"},
        {"    source_addr_npi: 19\n",
         "test.yaml:7:22: carriers[0].source_addr_npi: must be between 0 and 18, got 19"},
        // default_sender on an SMPP carrier never had an effect (every message has its sender).
        {"    default_sender: ACME\n",
         AllOf(HasSubstr("test.yaml:7:21: carriers[0].default_sender: not supported on an SMPP "
                         "carrier"),
               HasSubstr("allowed_senders"), HasSubstr("match.senders"))},
    });
    // default_data_coding never had an effect: 0 is still taken, anything else names its
    // successors.
    EXPECT_THAT(carrier_errors("    default_data_coding: 0\n"), IsEmpty());
    EXPECT_THAT(
        carrier_errors("    default_data_coding: 3\n"),
        ElementsAre(
            AllOf(HasSubstr("test.yaml:7:26: carriers[0].default_data_coding: no longer supported"),
                  HasSubstr("default_alphabet"), HasSubstr("allow_latin1"))));
}

TEST(ConfigLoader, ResolvesSecretsFromEnvironmentAndFiles) {
    FakeSecrets secrets;
    secrets.vars["API_KEY"] = "from-env";
    secrets.files["/run/secrets/key"] = "from-file\n";
    const std::string yaml =
        "clients:\n"
        "  - {name: a, api_key: {env: API_KEY}}\n"
        "  - {name: b, api_key: {file: /run/secrets/key}}\n"
        "  - {name: c, api_key_env: API_KEY}\n"
        "  - {name: d, api_key_file: /run/secrets/key}\n"
        "  - {name: e, api_key: {env: UNSET_KEY, default: dev-key}}\n"
        "  - {name: f, api_key: inline-key}\n";
    const auto result = load(yaml, secrets);
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    const auto& c = result.config.clients;
    ASSERT_EQ(c.size(), 6U);
    EXPECT_EQ(c[0].api_key.reveal(), "from-env");
    EXPECT_EQ(c[0].api_key.source(), Secret::Source::env);
    EXPECT_EQ(c[1].api_key.reveal(), "from-file");
    EXPECT_EQ(c[2].api_key.reveal(), "from-env");
    EXPECT_EQ(c[3].api_key.reveal(), "from-file");
    EXPECT_EQ(c[3].api_key.origin(), "/run/secrets/key");
    EXPECT_EQ(c[4].api_key.reveal(), "dev-key");
    EXPECT_EQ(c[5].api_key.reveal(), "inline-key");
    EXPECT_EQ(c[5].api_key.source(), Secret::Source::inline_value);
}

TEST(ConfigLoader, ReadsCallbackSettingsAndClientCallbackSecrets) {
    FakeSecrets secrets;
    secrets.vars["CB_SECRET"] = "whsec-1";
    const auto result = load(
        "http:\n  workers: 12\n  callbacks: {on_sent: true, initial_backoff: 1s, max_backoff: 10s, "
        "max_age: 2h, "
        "max_attempts: 7, timeout: 3s, max_in_flight: 4}\n"
        "clients:\n  - {name: a, api_key: k, callback_url: 'https://a.example/cb', "
        "callback_secret_env: CB_SECRET}\n  - {name: b, api_key: k2}\n",
        secrets);
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    EXPECT_EQ(result.config.http.workers, 12U);
    const auto& cb = result.config.http.callbacks;
    EXPECT_TRUE(cb.on_sent);
    EXPECT_EQ(cb.initial_backoff, std::chrono::seconds(1));
    EXPECT_EQ(cb.max_backoff, std::chrono::seconds(10));
    EXPECT_EQ(cb.max_age, std::chrono::hours(2));
    EXPECT_EQ(cb.max_attempts, 7U);
    EXPECT_EQ(cb.timeout, std::chrono::seconds(3));
    EXPECT_EQ(cb.max_in_flight, 4U);
    EXPECT_EQ(result.config.clients[0].callback_url, "https://a.example/cb");
    EXPECT_EQ(result.config.clients[0].callback_secret.reveal(), "whsec-1");
    EXPECT_FALSE(result.config.clients[1].callback_secret.is_set());
    EXPECT_THAT(errors_of("http:\n  callbacks: {initial_backoff: 10s, max_backoff: 1s}\n"),
                ElementsAre("test.yaml:2:50: http.callbacks.max_backoff: must not be shorter than "
                            "initial_backoff"));
    EXPECT_THAT(errors_of("http:\n  workers: 0\n"),
                ElementsAre(HasSubstr("test.yaml:2:12: http.workers:")));
}

TEST(ConfigLoader, ReadsSecretFilesAndEnvironmentFromTheSystem) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("bindery-secret-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = (dir / "key").string();
    std::ofstream(path) << "file-secret\n";
    ::setenv("BINDERY_TEST_SECRET", "env-secret", 1);
    const auto result = load_config_text("clients:\n  - {name: a, api_key_file: " + path +
                                             "}\n  - {name: b, api_key_env: BINDERY_TEST_SECRET}\n",
                                         "test.yaml");
    ::unsetenv("BINDERY_TEST_SECRET");
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    EXPECT_EQ(result.config.clients[0].api_key.reveal(), "file-secret");
    EXPECT_EQ(result.config.clients[1].api_key.reveal(), "env-secret");
}

TEST(ConfigLoader, NoSecretsModeChecksReferencesWithoutReadingThem) {
    LoadOptions options;
    options.resolve_secrets = false;
    FakeSecrets none;
    options.secrets = &none;
    const auto result = load_config_text(
        "clients:\n  - {name: a, api_key_file: /nope}\n  - {name: b, api_key: {env: NOPE}}\n",
        "test.yaml", options);
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    EXPECT_EQ(result.config.clients[0].api_key.source(), Secret::Source::file);
    EXPECT_EQ(result.config.clients[1].api_key.origin(), "NOPE");
}

TEST(Secret, NeverPrintsItsValue) {
    const Secret s("hunter2", Secret::Source::env, "SMSC_PASSWORD");
    std::ostringstream out;
    out << s;
    EXPECT_EQ(out.str(), "<redacted: env SMSC_PASSWORD>");
    EXPECT_THAT(s.describe(), Not(HasSubstr("hunter2")));
    EXPECT_EQ(Secret("x", Secret::Source::inline_value, "").describe(), "<redacted: inline>");
}

// --- the shipped files --------------------------------------------------------------------------

TEST(ConfigExamples, EmbeddedDefaultLoads) {
    FakeSecrets none;  // the default file falls back to its documented development values
    LoadOptions options;
    options.secrets = &none;
    const auto result = load_config_file(BINDERY_SOURCE_DIR "/conf/bindery.yaml", options);
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    const auto& c = result.config;
    EXPECT_EQ(c.http.listen, (Address{"127.0.0.1", 8080}));
    EXPECT_EQ(c.smpp_server.listen, (Address{"127.0.0.1", 2776}));
    ASSERT_EQ(c.carriers.size(), 1U);
    EXPECT_EQ(c.carriers[0].name, "sim");
    EXPECT_EQ(std::get<SmppCarrierConfig>(c.carriers[0].settings).address,
              (Address{"127.0.0.1", 2775}));
    ASSERT_EQ(c.routes.size(), 1U);
    EXPECT_EQ(c.routes[0].providers[0].carrier, "sim");
    ASSERT_EQ(c.alerting.receivers.size(), 1U);
    EXPECT_EQ(c.alerting.receivers[0].name, "prod-app-critical-sre");
    EXPECT_EQ(c.clients[0].api_key.reveal(), "demo-key");
}

TEST(ConfigExamples, ProductionExampleLoadsWithItsSecrets) {
    FakeSecrets secrets;
    for (const char* var :
         {"BINDERY_MCI_PASSWORD", "BINDERY_KAVENEGAR_API_KEY", "BINDERY_PARTNER_TOKEN",
          "BINDERY_OPS_API_KEY", "BINDERY_ALERTMANAGER_TOKEN"}) {
        secrets.vars[var] = "v";
    }
    for (const char* file : {"smpp-monitor-password", "irancell-password", "crm-api-key",
                             "keycloak-client-secret", "billing-callback-secret"}) {
        secrets.files[std::string("/run/credentials/bindery/") + file] = "f\n";
    }
    for (const char* file : {"gateway.crt", "gateway.key", "mci-ca.pem"}) {
        secrets.files[std::string("/etc/bindery/tls/") + file] = "pem\n";
    }
    LoadOptions options;
    options.secrets = &secrets;
    const auto result =
        load_config_file(BINDERY_SOURCE_DIR "/conf/examples/production.yaml", options);
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    const auto& c = result.config;
    ASSERT_EQ(c.carriers.size(), 4U);
    EXPECT_EQ(std::get<SmppCarrierConfig>(c.carriers[0].settings).bind_type,
              CarrierBindType::tx_rx_pair);
    EXPECT_EQ(c.carriers[2].kind(), CarrierKind::kavenegar);
    ASSERT_GE(c.routes.size(), 2U);
    EXPECT_EQ(c.routes[0].providers[0].weight, 90U);
    EXPECT_THAT(c.routes[0].failover, ElementsAre("kavenegar"));
    EXPECT_EQ(c.directories[0].kind(), DirectoryKind::keycloak);
    EXPECT_GE(c.alerting.receivers.size(), 3U);
    EXPECT_EQ(c.logging.format, LogFormat::json);
    // Every secret came from the environment or a file.
    for (const auto& carrier : c.carriers) {
        if (const auto* s = std::get_if<SmppCarrierConfig>(&carrier.settings)) {
            EXPECT_NE(s->password.source(), Secret::Source::inline_value) << carrier.name;
        }
    }
}

TEST(ConfigExamples, EveryShippedExampleLoadsWithoutSecrets) {
    LoadOptions options;
    options.resolve_secrets = false;
    int checked = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(BINDERY_SOURCE_DIR "/conf/examples")) {
        if (entry.path().extension() != ".yaml") continue;
        const auto result = load_config_file(entry.path().string(), options);
        EXPECT_TRUE(result.ok()) << format_errors(result.errors);
        ++checked;
    }
    EXPECT_GE(checked, 1);
}

}  // namespace
}  // namespace bindery::app

namespace bindery::app {
namespace {

TEST(ConfigLoader, ReadsCreditsPricesAndClientBalances) {
    const auto result =
        load(std::string(kCarrierHead) +
             "routes:\n  - {name: main, providers: [smsc-a]}\n"
             "credits:\n  currency: IRR\n  capture: sent\n  default_price: 900\n"
             "  prices:\n    - {prefix: \"+98912\", price: 450}\n    - {route: main, price: 600}\n"
             "clients:\n  - {name: a, api_key: k, credit: 5000, capture: delivered}\n"
             "  - {name: b, api_key: k2}\n");
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    const auto& cr = result.config.credits;
    EXPECT_EQ(cr.currency, "IRR");
    EXPECT_EQ(cr.capture, CaptureMode::sent);
    EXPECT_EQ(cr.default_price, 900);
    ASSERT_EQ(cr.prices.size(), 2u);
    EXPECT_EQ(cr.prices[0].prefix, "+98912");
    EXPECT_EQ(cr.prices[0].price, 450);
    EXPECT_EQ(cr.prices[1].route, "main");
    EXPECT_EQ(cr.prices[1].price, 600);
    EXPECT_EQ(result.config.clients[0].credit, 5000);
    EXPECT_EQ(result.config.clients[0].capture, CaptureMode::delivered);
    EXPECT_FALSE(result.config.clients[1].credit.has_value());
    EXPECT_FALSE(result.config.clients[1].capture.has_value());
}

TEST(ConfigLoader, RejectsBadPriceRules) {
    EXPECT_THAT(
        errors_of("credits:\n  prices:\n    - {prefix: \"98\", price: 1}\n"),
        ElementsAre(
            "test.yaml:3:16: credits.prices[0].prefix: expected \"+\" and digits, got \"98\""));
    EXPECT_THAT(errors_of("credits:\n  prices:\n    - {route: nowhere, price: 1}\n"),
                ElementsAre("test.yaml:3:15: credits.prices[0].route: unknown route \"nowhere\" "
                            "(none are defined)"));
    EXPECT_THAT(
        errors_of("credits:\n  prices:\n    - {prefix: \"+98\", route: x, price: 1}\n"),
        ElementsAre("test.yaml:3:7: credits.prices[0]: give exactly one of prefix and route"));
    EXPECT_THAT(
        errors_of("credits:\n  prices:\n    - {prefix: \"+98\", price: -1}\n"),
        ElementsAre(
            "test.yaml:3:30: credits.prices[0].price: must be between 0 and 9223372036854775, "
            "got -1"));
    EXPECT_THAT(errors_of("credits:\n  capture: never\n"), ::testing::SizeIs(1));
    EXPECT_THAT(errors_of("clients:\n  - {name: a, api_key: k, credit: -5}\n"),
                ::testing::SizeIs(1));
}

}  // namespace
}  // namespace bindery::app
