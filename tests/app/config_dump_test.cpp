#include "app/config_dump.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <map>
#include <string>

#include "app/config_loader.hpp"

namespace bindery::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Every env variable and file resolves to a distinctive value, so a leak would be visible.
class DistinctSecrets final : public SecretResolver {
public:
    std::optional<std::string> env(const std::string& name) const override {
        if (name.rfind("UNSET", 0) == 0 || name.rfind("BINDERY_DEMO", 0) == 0 ||
            name == "BINDERY_SIM_PASSWORD") {
            return std::nullopt;  // exercise the {env, default} spelling
        }
        return "S3CR3T-" + name.substr(0, 1);  // 8 characters: fits an SMPP password
    }
    Expected<std::string, std::string> read_file(const std::string&) const override {
        return std::string("S3CR3T-f\n");
    }
};

LoadOptions distinct_secrets() {
    static const DistinctSecrets secrets;
    LoadOptions options;
    options.secrets = &secrets;
    return options;
}

LoadResult load_text(const std::string& text) {
    return load_config_text(text, "dump.yaml", distinct_secrets());
}

LoadResult load_file(const std::string& path) { return load_config_file(path, distinct_secrets()); }

// `dumped` holds every one of `present` and none of `absent`.
void expect_dump(const std::string& dumped, std::initializer_list<const char*> present,
                 std::initializer_list<const char*> absent = {}) {
    for (const char* text : present) EXPECT_THAT(dumped, HasSubstr(text));
    for (const char* text : absent) EXPECT_THAT(dumped, Not(HasSubstr(text)));
}

// `dumped` loads back, and dumps again to the same text.
void expect_loads_back(const std::string& dumped) {
    const auto reloaded = load_text(dumped);
    ASSERT_TRUE(reloaded.ok()) << format_errors(reloaded.errors) << dumped;
    EXPECT_EQ(dump_config(reloaded.config), dumped);
}

class ConfigDumpOfShippedFile : public ::testing::TestWithParam<const char*> {};

TEST_P(ConfigDumpOfShippedFile, LoadsBackToTheSameConfigurationWithoutSecretValues) {
    const auto original = load_file(std::string(BINDERY_SOURCE_DIR) + "/" + GetParam());
    ASSERT_TRUE(original.ok()) << format_errors(original.errors);
    const auto dumped = dump_config(original.config);
    expect_dump(dumped, {}, {"S3CR3T", "demo-key"});

    const auto reloaded = load_text(dumped);
    ASSERT_TRUE(reloaded.ok()) << format_errors(reloaded.errors) << dumped;
    EXPECT_EQ(dump_config(reloaded.config), dumped);
    EXPECT_EQ(reloaded.config.carriers.size(), original.config.carriers.size());
    EXPECT_EQ(reloaded.config.routes.size(), original.config.routes.size());
}

INSTANTIATE_TEST_SUITE_P(Files, ConfigDumpOfShippedFile,
                         ::testing::Values("conf/bindery.yaml", "conf/examples/production.yaml"));

TEST(ConfigDump, FillsInDefaultsAndWritesSecretReferences) {
    const auto result = load_text(
        "clients:\n"
        "  - {name: a, api_key: inline-value}\n"
        "  - {name: b, api_key_env: KEY_B}\n"
        "  - {name: c, api_key_file: /run/secrets/c}\n"
        "  - {name: d, api_key: {env: UNSET_D, default: dev}}\n");
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    expect_dump(dump_config(result.config),
                {"drain_timeout: 15s", "listen: \"127.0.0.1:8080\"", "api_key: \"REDACTED\"",
                 "api_key: {env: KEY_B}", "api_key: {file: \"/run/secrets/c\"}",
                 "api_key: {env: UNSET_D, default: \"REDACTED\"}"},
                {"inline-value", "dev\""});
}

TEST(ConfigDump, WritesAnSmppCarriersTextAndReceiptSettingsSoTheyLoadBack) {
    const auto result = load_text(
        "carriers:\n  - name: s\n    kind: smpp\n    address: 10.0.0.1:2775\n    system_id: a\n    "
        "password: p\n"
        "    force_alphabet: binary\n    allow_ia5: true\n    message_id_format: decimal\n"
        "    receipt_utc_offset: '-05:30'\n    mo_reassembly: {max_parts: 300}\n");
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    const auto dumped = dump_config(result.config);
    expect_dump(
        dumped,
        {"force_alphabet: \"binary\"", "allow_ia5: true", "default_alphabet: \"gsm7\"",
         "message_id_format: \"decimal\"", "receipt_utc_offset: \"-05:30\"", "max_parts: 300"},
        {"default_data_coding",
         "source_addr_ton",  // absent stays absent: automatic
         "default_sender"});
    expect_loads_back(dumped);
}

TEST(ConfigDump, RedactsTheHttpCarriersSecret) {
    const std::string head =
        "carriers:\n  - name: h\n    kind: http\n    url: https://x.example/v1/{secret}/send\n";
    const auto inline_secret = load_text(head + "    secret: inline-api-key\n");
    ASSERT_TRUE(inline_secret.ok()) << format_errors(inline_secret.errors);
    expect_dump(dump_config(inline_secret.config), {"secret: \"REDACTED\""}, {"inline-api-key"});
    const auto file_secret = load_text(head + "    secret_file: /run/secrets/kv\n");
    ASSERT_TRUE(file_secret.ok()) << format_errors(file_secret.errors);
    EXPECT_THAT(dump_config(file_secret.config), HasSubstr("secret: {file: \"/run/secrets/kv\"}"));
    const auto reloaded = load_text(dump_config(file_secret.config));
    EXPECT_TRUE(reloaded.ok()) << format_errors(reloaded.errors);
}

TEST(ConfigDump, WritesAFixedSourceTonNpiAndTheReconnectMultiplier) {
    const auto result = load_text(
        "carriers:\n  - name: s\n    kind: smpp\n    address: 10.0.0.1:2775\n    system_id: a\n    "
        "password: p\n"
        "    source_addr_ton: 0\n    source_addr_npi: 9\n    reconnect: {multiplier: 1.5}\n");
    ASSERT_TRUE(result.ok()) << format_errors(result.errors);
    const auto dumped = dump_config(result.config);
    expect_dump(dumped, {"source_addr_ton: 0", "source_addr_npi: 9", "multiplier: 1.5"});
    expect_loads_back(dumped);
}

}  // namespace
}  // namespace bindery::app
