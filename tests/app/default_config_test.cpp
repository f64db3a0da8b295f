#include "app/default_config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app/config_loader.hpp"

namespace bindery::app {
namespace {

TEST(DefaultConfig, IsTheCheckedInFile) {
    std::ifstream in(BINDERY_SOURCE_DIR "/conf/bindery.yaml");
    std::ostringstream file;
    file << in.rdbuf();
    EXPECT_EQ(default_config_text(), file.str());
}

TEST(DefaultConfig, LoadsWithoutAnyEnvironment) {
    class NoSecrets final : public SecretResolver {
    public:
        std::optional<std::string> env(const std::string&) const override { return std::nullopt; }
        Expected<std::string, std::string> read_file(const std::string&) const override {
            return Unexpected(std::string("no files here"));
        }
    } none;
    LoadOptions options;
    options.secrets = &none;
    const auto result =
        load_config_text(default_config_text(), std::string(kDefaultConfigName), options);
    EXPECT_TRUE(result.ok()) << format_errors(result.errors);
}

}  // namespace
}  // namespace bindery::app
