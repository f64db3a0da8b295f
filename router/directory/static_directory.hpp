#pragma once
// The `kind: static` directory: groups of people listed in the configuration.

#include <map>
#include <string>
#include <vector>

#include "router/core/phone_number.hpp"
#include "router/directory/directory.hpp"

namespace bindery::router {

struct StaticPerson {
    std::string name;
    std::string phone;  // normalized to E.164 at construction; invalid ones are skipped
};

class StaticDirectory final : public Directory {
public:
    StaticDirectory(std::string name,
                    const std::map<std::string, std::vector<StaticPerson>>& groups,
                    const PhoneNumberNormalizer& normalizer);

    // router::Directory
    std::string_view name() const override { return name_; }
    bool covers(std::string_view group) const override;
    bool remote() const override { return false; }
    Expected<Members, DirectoryError> members(std::string_view group) override;

private:
    std::string name_;
    std::map<std::string, Members, std::less<>> groups_;
};

}  // namespace bindery::router
