#include "app/secret.hpp"

#include <ostream>

namespace bindery::app {

std::string Secret::describe() const {
    switch (source_) {
        case Source::none: return "<unset>";
        case Source::inline_value: return "<redacted: inline>";
        case Source::env: return "<redacted: env " + origin_ + ">";
        case Source::file: return "<redacted: file " + origin_ + ">";
    }
    return "<redacted>";
}

std::ostream& operator<<(std::ostream& out, const Secret& secret) {
    return out << secret.describe();
}

}  // namespace bindery::app
