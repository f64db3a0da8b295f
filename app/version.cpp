#include "app/version.hpp"

namespace bindery::app {

std::string_view version() noexcept { return "0.1.0"; }

}  // namespace bindery::app
