#pragma once

#include <string_view>

namespace bindery::app {

// conf/bindery.yaml as it was at build time: what `bindery serve` runs without --config and what
// `bindery default-config` prints.
[[nodiscard]] std::string_view default_config_text() noexcept;

inline constexpr std::string_view kDefaultConfigName = "<embedded conf/bindery.yaml>";

}  // namespace bindery::app
