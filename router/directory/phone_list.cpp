#include "router/directory/phone_list.hpp"

#include <algorithm>
#include <string>

namespace bindery::router {

bool add_member_phone(Members& out, std::string_view who, std::string_view raw,
                      const PhoneNumberNormalizer& normalizer) {
    auto number = normalizer.normalize(raw);
    if (!number) {
        out.skipped.push_back({std::string(who), "invalid number \"" + std::string(raw) + "\": " +
                                                     std::string(to_string(number.error().code))});
        return false;
    }
    const bool known = std::any_of(out.recipients.begin(), out.recipients.end(),
                                   [&](const Recipient& r) { return r.phone == number->e164; });
    if (!known) out.recipients.push_back({std::string(who), number->e164});
    return true;
}

}  // namespace bindery::router
