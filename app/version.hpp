#pragma once

#include <string_view>

namespace bindery::app {

std::string_view version() noexcept;

}  // namespace bindery::app
