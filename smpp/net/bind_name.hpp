#pragma once
// Client binds are named "<carrier>#<n>" (BindPool); their log lines carry both as fields:
// "smpp.bind bound bind=smsc-a#2 carrier=smsc-a system_id=acme ...".

#include <string_view>

namespace bindery::smpp {

// "smsc-a#2" -> "smsc-a"; a name without '#' is its own carrier.
[[nodiscard]] constexpr std::string_view carrier_of(std::string_view bind_name) noexcept {
    const auto hash = bind_name.rfind('#');
    return hash == std::string_view::npos ? bind_name : bind_name.substr(0, hash);
}

}  // namespace bindery::smpp
