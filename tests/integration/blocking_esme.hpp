#pragma once
// A raw ESME on a blocking socket for the integration tests against `bindery serve`: encodes PDUs
// with Bindery's codec and writes them as they are, so the wire is exactly what a Kannel or Jasmin
// ESME sends; answers enquire_link by itself. Every read is bounded by a deadline.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "smpp/codec/decode.hpp"
#include "smpp/codec/encode.hpp"

namespace bindery::test {

class BlockingEsme {
public:
    BlockingEsme() = default;
    BlockingEsme(const BlockingEsme&) = delete;
    BlockingEsme& operator=(const BlockingEsme&) = delete;
    ~BlockingEsme() {
        if (fd_ >= 0) ::close(fd_);
    }
    bool connect(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) return false;
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    }
    bool send(smpp::CommandId id, std::uint32_t sequence, const smpp::Body& body) {
        std::vector<std::uint8_t> out;
        if (smpp::encode(
                smpp::Pdu{smpp::Header{0, id, smpp::CommandStatus::ESME_ROK, sequence}, body}, out))
            return false;
        std::size_t sent = 0;
        while (sent < out.size()) {
            const auto n = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }
    // The next PDU other than enquire_link (answered here) within `limit`; views borrow frame_.
    std::optional<smpp::Pdu> next(std::chrono::milliseconds limit = std::chrono::seconds(30)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (int i = 0; i < 1000; ++i) {
            if (!read_frame(deadline)) return std::nullopt;
            auto pdu = smpp::decode(frame_);
            if (!pdu) return std::nullopt;
            if (pdu->header.command_id == smpp::CommandId::enquire_link) {
                if (!send(smpp::CommandId::enquire_link_resp, pdu->header.sequence_number,
                          smpp::EnquireLinkResp{})) {
                    return std::nullopt;
                }
                continue;
            }
            return *pdu;
        }
        return std::nullopt;
    }
    // Connects and binds as `command` (bind_transceiver / _transmitter / _receiver): the
    // bind_*_resp's status (nullopt: no connection or no matching response).
    std::optional<smpp::CommandStatus> bind_as(std::uint16_t port, smpp::CommandId command,
                                               std::string_view system_id = "esme1",
                                               std::string_view password = "pw") {
        if (!connect(port)) return std::nullopt;
        const auto fill = [&](auto b) -> smpp::Body {
            b.system_id = system_id;
            b.password = password;
            b.interface_version = 0x34;
            return b;
        };
        smpp::Body body =
            command == smpp::CommandId::bind_transmitter ? fill(smpp::BindTransmitter{})
            : command == smpp::CommandId::bind_receiver  ? fill(smpp::BindReceiver{})
                                                         : fill(smpp::BindTransceiver{});
        if (!send(command, 1, body)) return std::nullopt;
        auto resp = next();
        if (!resp || resp->header.command_id != smpp::response_id_for(command)) return std::nullopt;
        return resp->header.command_status;
    }
    bool bind(std::uint16_t port) {
        return bind_as(port, smpp::CommandId::bind_transceiver) ==
               std::optional<smpp::CommandStatus>(smpp::CommandStatus::ESME_ROK);
    }

private:
    bool read_exact(std::size_t offset, std::size_t n,
                    std::chrono::steady_clock::time_point deadline) {
        while (n > 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000))) <= 0)
                continue;
            const auto got = ::recv(fd_, frame_.data() + offset, n, 0);
            if (got <= 0) return false;
            offset += static_cast<std::size_t>(got);
            n -= static_cast<std::size_t>(got);
        }
        return true;
    }
    bool read_frame(std::chrono::steady_clock::time_point deadline) {
        frame_.assign(4, 0);
        if (!read_exact(0, 4, deadline)) return false;
        const std::uint32_t length = (std::uint32_t{frame_[0]} << 24) |
                                     (std::uint32_t{frame_[1]} << 16) |
                                     (std::uint32_t{frame_[2]} << 8) | std::uint32_t{frame_[3]};
        if (length < 16 || length > 64 * 1024) return false;
        frame_.resize(length);
        return read_exact(4, length - 4, deadline);
    }

    int fd_ = -1;
    std::vector<std::uint8_t> frame_;
};

}  // namespace bindery::test
