#pragma once

// Loads and validates the YAML configuration. The loader never stops at the first problem: it walks
// the whole document and returns every error, each located at the offending node and formatted
// `file:line:column: key.path: problem`. Unknown keys are errors (with a "did you mean" hint).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.hpp"
#include "smpp/base/expected.hpp"

namespace bindery::app {

struct ConfigError {
    std::string file;
    int line = 0;     // 1-based; 0 when the error has no position (unreadable file)
    int column = 0;   // 1-based
    std::string key;  // dotted path, e.g. "carriers[1].window"; empty for syntax errors
    std::string message;

    [[nodiscard]] std::string to_string() const;
};

// Where `{env: NAME}` and `{file: PATH}` secrets come from. Tests inject fakes; the default reads
// the process environment and the file system.
class SecretResolver {
public:
    virtual ~SecretResolver() = default;
    [[nodiscard]] virtual std::optional<std::string> env(const std::string& name) const = 0;
    // The file's content, or a reason ("No such file or directory").
    [[nodiscard]] virtual Expected<std::string, std::string> read_file(
        const std::string& path) const = 0;
};

class SystemSecretResolver final : public SecretResolver {
public:
    // SecretResolver
    [[nodiscard]] std::optional<std::string> env(const std::string& name) const override;
    [[nodiscard]] Expected<std::string, std::string> read_file(
        const std::string& path) const override;
};

struct LoadOptions {
    const SecretResolver* secrets = nullptr;  // nullptr = SystemSecretResolver
    bool resolve_secrets = true;              // false: check the shape of secret references only
};

struct LoadResult {
    Config config;                    // meaningful only when errors is empty
    std::vector<ConfigError> errors;  // sorted by position

    [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

[[nodiscard]] LoadResult load_config_file(const std::string& path, const LoadOptions& options = {});
[[nodiscard]] LoadResult load_config_text(std::string_view text, const std::string& file_name,
                                          const LoadOptions& options = {});

// One error per line, in order.
[[nodiscard]] std::string format_errors(const std::vector<ConfigError>& errors);

}  // namespace bindery::app
