#pragma once

// The effective configuration (defaults filled in) as YAML, for `bindery check-config --print`.
// Secrets are written as their references ({env: NAME}, {file: PATH}); inline values and env
// defaults as "REDACTED". The output loads back into the same configuration.

#include <string>

#include "app/config.hpp"

namespace bindery::app {

[[nodiscard]] std::string dump_config(const Config& config);

}  // namespace bindery::app
