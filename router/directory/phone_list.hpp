#pragma once
// Adding a directory member's numbers to a Members list: E.164 normalization, skips with a
// reason, de-duplication by number. Shared by the static and Keycloak directories.

#include <string_view>

#include "router/core/phone_number.hpp"
#include "router/directory/directory.hpp"

namespace bindery::router {

// Normalizes `raw` and appends it unless the number is already listed; an invalid number is
// recorded in `out.skipped` as `who: invalid number "raw": reason`. Returns whether it was usable.
bool add_member_phone(Members& out, std::string_view who, std::string_view raw,
                      const PhoneNumberNormalizer& normalizer);

}  // namespace bindery::router
