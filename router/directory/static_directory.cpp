#include "router/directory/static_directory.hpp"

#include <string>

#include "router/directory/phone_list.hpp"

namespace bindery::router {

StaticDirectory::StaticDirectory(std::string name,
                                 const std::map<std::string, std::vector<StaticPerson>>& groups,
                                 const PhoneNumberNormalizer& normalizer)
    : name_(std::move(name)) {
    for (const auto& [group, people] : groups) {
        Members& m = groups_[group];
        for (const auto& p : people)
            add_member_phone(m, p.name.empty() ? p.phone : p.name, p.phone, normalizer);
    }
}

bool StaticDirectory::covers(std::string_view group) const {
    return groups_.find(group) != groups_.end();
}

Expected<Members, DirectoryError> StaticDirectory::members(std::string_view group) {
    const auto it = groups_.find(group);
    if (it == groups_.end()) {
        return Unexpected(
            DirectoryError{DirectoryErrc::unknown_group,
                           "directory " + name_ + " has no group \"" + std::string(group) + "\""});
    }
    return it->second;
}

}  // namespace bindery::router
