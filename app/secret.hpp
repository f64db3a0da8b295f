#pragma once

#include <iosfwd>
#include <string>

namespace bindery::app {

// A resolved credential. It remembers where it came from (for messages) but never prints its value:
// streaming or describing a Secret yields "<redacted: env BINDERY_X>" and the like.
class Secret {
public:
    enum class Source { none, inline_value, env, file };

    Secret() = default;
    Secret(std::string value, Source source, std::string origin)
        : value_(std::move(value)), source_(source), origin_(std::move(origin)) {}

    [[nodiscard]] bool is_set() const noexcept { return source_ != Source::none; }
    [[nodiscard]] const std::string& reveal() const noexcept { return value_; }
    [[nodiscard]] Source source() const noexcept { return source_; }
    [[nodiscard]] const std::string& origin() const noexcept { return origin_; }  // env name / path
    [[nodiscard]] std::string describe() const;  // "<redacted: file /run/secrets/x>"

private:
    std::string value_;
    Source source_ = Source::none;
    std::string origin_;
};

std::ostream& operator<<(std::ostream& out, const Secret& secret);

}  // namespace bindery::app
