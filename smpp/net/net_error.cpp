#include "smpp/net/net_error.hpp"

#include <string>

namespace bindery::smpp {
namespace {

class NetCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "bindery.smpp.net"; }
    std::string message(int ev) const override {
        switch (static_cast<NetErrc>(ev)) {
            case NetErrc::framing_lost: return "framing lost (invalid command_length)";
            case NetErrc::encode_failed: return "PDU failed to encode";
            case NetErrc::closed: return "connection closed locally";
            case NetErrc::connect_timeout: return "connect timed out";
            case NetErrc::bind_timeout: return "bind response timed out";
            case NetErrc::bind_rejected: return "bind rejected by peer";
            case NetErrc::link_dead: return "link dead (no response to enquire_link)";
            case NetErrc::stopped: return "stopped";
        }
        return "unknown net error";
    }
};

}  // namespace

const boost::system::error_category& net_category() noexcept {
    static const NetCategory category;
    return category;
}

boost::system::error_code make_error_code(NetErrc e) noexcept {
    return {static_cast<int>(e), net_category()};
}

}  // namespace bindery::smpp
